-- Spending summed ahead (issue #16): what `db::spending` reads instead of every transaction of
-- the period. `docs/architecture.md` ("Spending rollup") explains the design.
--
-- One row per person, day (and again per month), pending or not, currency, effective category
-- and merchant, over the transactions that can count as spending: not hidden, not a side of a
-- transfer between the person's accounts, with a currency. Whether a category counts (its kind)
-- and where it sits (its parent) are the person's to change at any time, so they are read with
-- the rollup, not kept in it. Split transactions are in it whole; `db::spending` takes them out
-- and puts their parts in from `transaction_split` (few rows).
--
-- Statement-level triggers on `bank_transaction` keep it: every write (the sync, edits, rules,
-- transfers, removals, the cascades of an account, item or person) is one more statement, and a
-- write path added later cannot forget it. Each statement's rows are summed into a delta first,
-- so a 5,000-row page of a sync writes a few hundred rollup rows, not 5,000.
--
-- The triggers only append: a key may have several rows, which readers sum. Appending costs a
-- sync one grouped insert per page and never waits on another transaction (two syncs of one
-- person, an edit during a sync), so nothing can block or deadlock on the rollup.
-- `spending_rollup_compact` folds a person's rows of each key into one, and drops keys that add up
-- to nothing; it runs after each sync and each removed item, outside their transactions.
create table spending_rollup
(
    user_id            uuid    not null,
    -- `period` is a month's first day when true, else one day.
    per_month          boolean not null,
    period             date    not null,
    pending            boolean not null,
    currency           text    not null,
    category_id        uuid    not null,
    -- Plaid's merchant name, else the bank's description (as `db::spending` names merchants).
    merchant           text    not null,
    -- Transactions, and of them those with money out (amount > 0).
    transactions       integer not null,
    spent_transactions integer not null,
    -- The sum of the amounts out, and of the amounts in (as positive numbers).
    spent              numeric not null,
    refunded           numeric not null
);
create index spending_rollup_period on spending_rollup (user_id, per_month, period);

-- Folds each key of the person's rows into one row, and drops keys that add up to nothing.
-- Only one transaction compacts a person at a time (the others return at once); rows another
-- transaction has not committed yet are not seen, so not touched, and are folded next time.
create function spending_rollup_compact(person uuid)
    returns void
    language plpgsql
as
$$
begin
    if not pg_try_advisory_xact_lock(hashtextextended('spending_rollup:' || person, 0)) then
        return;
    end if;
    -- A statement of its own, so that it sees what committed before the lock was taken.
    with folded as (
        select per_month, period, pending, currency, category_id, merchant
        from spending_rollup
        where user_id = person
        group by per_month, period, pending, currency, category_id, merchant
        having count(*) > 1
            or (sum(transactions) = 0 and sum(spent_transactions) = 0 and sum(spent) = 0
                and sum(refunded) = 0)),
         gone as (
             delete from spending_rollup r
                 using folded f
                 where r.user_id = person
                     and r.per_month = f.per_month and r.period = f.period
                     and r.pending = f.pending and r.currency = f.currency
                     and r.category_id = f.category_id and r.merchant = f.merchant
                 returning r.*)
    insert into spending_rollup
    select user_id, per_month, period, pending, currency, category_id, merchant,
           sum(transactions), sum(spent_transactions), sum(spent), sum(refunded)
    from gone
    group by user_id, per_month, period, pending, currency, category_id, merchant
    having not (sum(transactions) = 0 and sum(spent_transactions) = 0 and sum(spent) = 0
                and sum(refunded) = 0);
end;
$$;

-- The trigger: what the statement's rows added (`new_rows`) less what they were (`old_rows`),
-- per key, for the days and then the months they fall in, appended. An update that changes
-- nothing the rollup keeps (notes, tags, `needs_review`) adds up to nothing and writes nothing.
create function spending_rollup_changed()
    returns trigger
    language plpgsql
as
$$
declare
    columns constant text := 'user_id, date, pending, amount, hidden, transfer_pair_id,
        category_id, coalesce(iso_currency_code, unofficial_currency_code) as currency,
        coalesce(merchant_name, name) as merchant';
    changed text;
begin
    changed := case tg_op
        when 'INSERT' then format('select 1 as sign, %s from new_rows', columns)
        when 'DELETE' then format('select -1 as sign, %s from old_rows', columns)
        else format('select 1 as sign, %1$s from new_rows
                     union all select -1, %1$s from old_rows', columns)
        end;
    execute format($query$
        with days as materialized (
            select user_id, date, pending, currency, category_id, merchant,
                   sum(sign)::integer as transactions,
                   coalesce(sum(sign) filter (where amount > 0), 0)::integer
                       as spent_transactions,
                   coalesce(sum(sign * amount) filter (where amount > 0), 0) as spent,
                   coalesce(sum(-sign * amount) filter (where amount < 0), 0) as refunded
            from (%s) t
            where not hidden and transfer_pair_id is null and currency is not null
            group by user_id, date, pending, currency, category_id, merchant),
        both_grains as (
            select user_id, false as per_month, date as period, pending, currency, category_id,
                   merchant, transactions, spent_transactions, spent, refunded
            from days
            union all
            select user_id, true, date_trunc('month', date)::date, pending, currency,
                   category_id, merchant, sum(transactions)::integer,
                   sum(spent_transactions)::integer, sum(spent), sum(refunded)
            from days
            group by user_id, date_trunc('month', date), pending, currency, category_id,
                     merchant)
        insert into spending_rollup
        select *
        from both_grains
        where transactions <> 0 or spent_transactions <> 0 or spent <> 0 or refunded <> 0
        $query$, changed);
    return null;
end;
$$;

create trigger spending_rollup_inserted
    after insert
    on bank_transaction
    referencing new table as new_rows
    for each statement
execute function spending_rollup_changed();

create trigger spending_rollup_updated
    after update
    on bank_transaction
    referencing old table as old_rows new table as new_rows
    for each statement
execute function spending_rollup_changed();

create trigger spending_rollup_deleted
    after delete
    on bank_transaction
    referencing old table as old_rows
    for each statement
execute function spending_rollup_changed();

-- What is there already. The triggers above do not see these rows: they were written before.
insert into spending_rollup
select user_id, per_month, period, pending, currency, category_id, merchant,
       count(*)::integer, (count(*) filter (where amount > 0))::integer,
       coalesce(sum(amount) filter (where amount > 0), 0),
       coalesce(sum(-amount) filter (where amount < 0), 0)
from (select t.*, coalesce(t.iso_currency_code, t.unofficial_currency_code) as currency,
             coalesce(t.merchant_name, t.name) as merchant
      from bank_transaction t
      where not t.hidden and t.transfer_pair_id is null
        and coalesce(t.iso_currency_code, t.unofficial_currency_code) is not null) t
     cross join lateral (values (false, t.date), (true, date_trunc('month', t.date)::date))
         as grain(per_month, period)
group by user_id, per_month, period, pending, currency, category_id, merchant;

-- A person who goes takes their rollup with them. Their transactions' own deletion (cascading from
-- `app_user`) has appended rows that add up to nothing by then; these go too.
create function spending_rollup_forget()
    returns trigger
    language plpgsql
as
$$
begin
    delete from spending_rollup where user_id in (select user_id from gone_users);
    return null;
end;
$$;

create trigger spending_rollup_forgotten
    after delete
    on app_user
    referencing old table as gone_users
    for each statement
execute function spending_rollup_forget();
