-- Net worth summed ahead (issue #16): what `db::net_worth_history` reads instead of every
-- account's balance on every day. `docs/architecture.md` ("Net worth history") explains it.
--
-- One row per item, currency and day, from the item's first day with a balance to the day it
-- was last summed: the item's accounts' balances that day (each account's recorded snapshot or
-- reconstructed balance, the last one on or before the day), as assets and liabilities, and
-- whether any of them was reconstructed. The sync sums its item at the end of its transaction,
-- after writing the day's snapshots and rebuilding the reconstruction.
create table net_worth_day
(
    item_id       uuid    not null references plaid_item (item_id) on delete cascade,
    user_id       uuid    not null references app_user (user_id) on delete cascade,
    currency      text    not null,
    day           date    not null,
    assets        numeric not null,
    liabilities   numeric not null,
    reconstructed boolean not null,
    primary key (item_id, currency, day)
);
create index net_worth_day_user_day on net_worth_day (user_id, day);
create index net_worth_day_item_day on net_worth_day (item_id, day);

-- Items whose sums no longer follow their balances: any other writer of a snapshot, a
-- reconstructed balance or an account (a test's fixture, an account removed, a change of type or
-- currency) lists the item here, and readers compute that item's days from the balances
-- themselves until its next sync sums it again. An item being removed is not listed (its
-- accounts go with it, and so do its sums).
create table net_worth_stale
(
    item_id uuid primary key references plaid_item (item_id) on delete cascade
);

-- Every existing item is summed at its next sync; until then it is read from its balances.
insert into net_worth_stale (item_id)
select item_id
from plaid_item;

-- Lists the items of the accounts whose balances a statement wrote or removed.
create function net_worth_balances_changed()
    returns trigger
    language plpgsql
as
$$
begin
    execute format($query$
        insert into net_worth_stale (item_id)
        select distinct a.item_id
        from (%s) changed
             join account a using (account_id)
        on conflict do nothing$query$,
        case tg_op
            when 'INSERT' then 'select account_id from new_rows'
            when 'DELETE' then 'select account_id from old_rows'
            else 'select account_id from new_rows union select account_id from old_rows'
            end);
    return null;
end;
$$;

create trigger balance_snapshot_inserted
    after insert on balance_snapshot
    referencing new table as new_rows
    for each statement execute function net_worth_balances_changed();
create trigger balance_snapshot_updated
    after update on balance_snapshot
    referencing new table as new_rows old table as old_rows
    for each statement execute function net_worth_balances_changed();
create trigger balance_snapshot_deleted
    after delete on balance_snapshot
    referencing old table as old_rows
    for each statement execute function net_worth_balances_changed();
create trigger reconstructed_balance_inserted
    after insert on reconstructed_balance
    referencing new table as new_rows
    for each statement execute function net_worth_balances_changed();
create trigger reconstructed_balance_updated
    after update on reconstructed_balance
    referencing new table as new_rows old table as old_rows
    for each statement execute function net_worth_balances_changed();
create trigger reconstructed_balance_deleted
    after delete on reconstructed_balance
    referencing old table as old_rows
    for each statement execute function net_worth_balances_changed();

-- An account removed, or its type or currency changed (which decide how its balance counts),
-- leaves its item's sums behind. Balances and names changing do not.
create function net_worth_accounts_changed()
    returns trigger
    language plpgsql
as
$$
begin
    if tg_op = 'DELETE' then
        insert into net_worth_stale (item_id)
        select distinct item_id
        from old_rows
             join plaid_item using (item_id)
        on conflict do nothing;
    else
        insert into net_worth_stale (item_id)
        select distinct n.item_id
        from new_rows n
             join old_rows o using (account_id)
        where (n.type, n.iso_currency_code, n.unofficial_currency_code)
                  is distinct from (o.type, o.iso_currency_code, o.unofficial_currency_code)
        on conflict do nothing;
    end if;
    return null;
end;
$$;

create trigger account_deleted_net_worth
    after delete on account
    referencing old table as old_rows
    for each statement execute function net_worth_accounts_changed();
create trigger account_updated_net_worth
    after update on account
    referencing new table as new_rows old table as old_rows
    for each statement execute function net_worth_accounts_changed();

-- Each of these accounts' balance on each day from `from_day` to `to_day` (as far as it has
-- one): its recorded snapshot that day, else its reconstructed balance, else the last of either
-- before the day, carried forward. Days before an account's first balance have no row. The
-- currency is the balance's, else the account's (null when neither says).
--
-- Done with a window rather than a lateral "last balance on or before each day": `lead()` gives
-- every balance the span of days it holds for (until the account's next one, or `to_day`) and
-- `generate_series` spells the span out. Each balance in the period is read once, plus one index
-- probe per account for the one that carries in from before the period. Should both a snapshot
-- and a reconstructed balance hold a day, the recorded one counts: it sorts last among the
-- day's rows, so it alone holds the span up to the next day.
create function net_worth_balances(accounts uuid[], from_day date, to_day date,
                                   liability_types text[])
    returns table
            (
                account_id    uuid,
                day           date,
                currency      text,
                is_liability  boolean,
                balance       numeric,
                reconstructed boolean
            )
    language sql
    stable
as
$$
with chosen as (
    select a.account_id, a.type = any (liability_types) as is_liability,
           coalesce(a.iso_currency_code, a.unofficial_currency_code) as currency
    from account a
    where a.account_id = any (accounts)
),
balances as (
    select s.account_id, s.snapshot_date as day, s.current_balance, s.currency,
           false as reconstructed
    from balance_snapshot s
    where s.account_id = any (accounts) and s.snapshot_date between from_day and to_day
    union all
    select r.account_id, r.balance_date, r.current_balance, r.currency, true
    from reconstructed_balance r
    where r.account_id = any (accounts) and r.balance_date between from_day and to_day
    union all
    select c.account_id, carried.day, carried.current_balance, carried.currency,
           carried.reconstructed
    from chosen c
         cross join lateral (
             select day, current_balance, currency, reconstructed
             from (select s.snapshot_date as day, s.current_balance, s.currency,
                          false as reconstructed
                   from balance_snapshot s
                   where s.account_id = c.account_id and s.snapshot_date < from_day
                   order by s.snapshot_date desc
                   limit 1) recorded
             union all
             select day, current_balance, currency, true
             from (select r.balance_date as day, r.current_balance, r.currency
                   from reconstructed_balance r
                   where r.account_id = c.account_id and r.balance_date < from_day
                   order by r.balance_date desc
                   limit 1) rebuilt
             order by day desc, reconstructed
             limit 1
         ) carried
),
held as (
    select b.account_id, b.current_balance, b.currency, b.reconstructed,
           greatest(b.day, from_day) as held_from,
           coalesce(lead(b.day) over (partition by b.account_id
                                      order by b.day, b.reconstructed desc) - 1,
                    to_day) as held_to
    from balances b
)
select h.account_id, h.held_from + n, coalesce(h.currency, c.currency), c.is_liability,
       h.current_balance, h.reconstructed
from held h
     join chosen c using (account_id)
     cross join lateral generate_series(0, h.held_to - h.held_from) as n
$$;
