-- What refers to a transaction (a split's parts, a recurring stream's list of its transactions, a
-- person's word on a transfer pair) is checked once per statement instead of once per row
-- (issue #16), as bank_transaction's own references already are (20261210010000). Each of the
-- four foreign keys to bank_transaction ran a query for every deleted transaction, whether or
-- not anything referred to it: removing a bank of 250,799 transactions took 4.1 s, 3.4 s of it
-- in those million queries and 0.34 s in the delete itself.
--
-- Each trigger does what the foreign keys did, for the whole statement at once:
--   * the rows of transaction_split, recurring_stream_transaction and transfer_choice that a
--     statement writes refer to transactions that exist, and lock them `for key share` (as a
--     foreign key's check does) until their transaction ends; a statement that refers to a
--     missing transaction, or one deleted meanwhile, fails with foreign_key_violation (23503),
--     naming the old constraint;
--   * deleting transactions deletes what referred to them (was `on delete cascade`), in one
--     statement;
--   * a transaction's id cannot change while anything refers to it (was `no action` on
--     update): the check before such a change (`referred_key_kept`, 20261210010000) looked only
--     at transfer pairs, and now looks at these three tables too.
-- As with the others, each statement of a trigger sees what committed before it (READ
-- COMMITTED): a delete that waited for a writer's lock deletes what that writer added.

alter table transaction_split
    drop constraint transaction_split_transaction_id_fkey;
alter table recurring_stream_transaction
    drop constraint recurring_stream_transaction_transaction_id_fkey;
alter table transfer_choice
    drop constraint transfer_choice_first_id_fkey,
    drop constraint transfer_choice_second_id_fkey;

-- The referring side: after each insert or update statement, the transactions its rows refer to
-- exist, and are locked until the transaction ends. A transfer choice refers to two.
create function transaction_referrers_refer_to_what_exists()
    returns trigger
    language plpgsql
as
$$
declare
    wanted uuid[];
    held   bigint;
begin
    if TG_TABLE_NAME = 'transfer_choice' then
        wanted := array(select first_id from new_rows union select second_id from new_rows);
    else
        wanted := array(select distinct transaction_id from new_rows);
    end if;
    select count(*)
    into held
    from (select 1
          from bank_transaction t
          where t.transaction_id = any (wanted)
          for key share of t) locked;
    if held <> cardinality(wanted) then
        raise foreign_key_violation using
            message = format('a row of %s refers to a transaction that does not exist',
                             TG_TABLE_NAME),
            constraint = case TG_TABLE_NAME
                             when 'transfer_choice' then 'transfer_choice_first_id_fkey'
                             else TG_TABLE_NAME || '_transaction_id_fkey'
                         end,
            table = TG_TABLE_NAME;
    end if;
    return null;
end;
$$;

create trigger transaction_split_inserted_references
    after insert on transaction_split
    referencing new table as new_rows
    for each statement
execute function transaction_referrers_refer_to_what_exists();

create trigger transaction_split_updated_references
    after update on transaction_split
    referencing new table as new_rows
    for each statement
execute function transaction_referrers_refer_to_what_exists();

create trigger recurring_stream_transaction_inserted_references
    after insert on recurring_stream_transaction
    referencing new table as new_rows
    for each statement
execute function transaction_referrers_refer_to_what_exists();

create trigger recurring_stream_transaction_updated_references
    after update on recurring_stream_transaction
    referencing new table as new_rows
    for each statement
execute function transaction_referrers_refer_to_what_exists();

create trigger transfer_choice_inserted_references
    after insert on transfer_choice
    referencing new table as new_rows
    for each statement
execute function transaction_referrers_refer_to_what_exists();

create trigger transfer_choice_updated_references
    after update on transfer_choice
    referencing new table as new_rows
    for each statement
execute function transaction_referrers_refer_to_what_exists();

-- The referred side. (Statement triggers run in name order: this one after
-- bank_transaction_deleted_pairs and before spending_rollup_deleted, neither of which reads
-- these tables.)
--
-- One statement, reading the deleted rows once: the transition table holds whole rows, and
-- removing a bank of 250,799 transactions spent 160–190 ms on each read of it (four reads, with
-- a semi-join for each, took 470 ms in all; this takes 265 ms). Each delete is a join that
-- PostgreSQL sizes by the real number of deleted rows: a hash of the small side, or index
-- lookups for the few rows a sync removes. A transfer choice is found by either of its ids.
create function bank_transaction_deleted_with_referrers()
    returns trigger
    language plpgsql
as
$$
begin
    with gone as materialized (select transaction_id from old_rows),
         splits as (delete from transaction_split s
                    using gone g
                    where s.transaction_id = g.transaction_id),
         streams as (delete from recurring_stream_transaction r
                     using gone g
                     where r.transaction_id = g.transaction_id),
         choices as (select c.first_id, c.second_id
                     from transfer_choice c
                          join gone g on g.transaction_id = c.first_id
                     union
                     select c.first_id, c.second_id
                     from transfer_choice c
                          join gone g on g.transaction_id = c.second_id)
    delete from transfer_choice c
    using choices d
    where (c.first_id, c.second_id) = (d.first_id, d.second_id);
    return null;
end;
$$;

create trigger bank_transaction_deleted_referrers
    after delete on bank_transaction
    referencing old table as old_rows
    for each statement
execute function bank_transaction_deleted_with_referrers();

-- A referred key does not change: the transaction branch of 20261210010000's check, with the
-- three tables above.
create or replace function referred_key_kept()
    returns trigger
    language plpgsql
as
$$
declare
    in_use boolean;
begin
    if tg_table_name = 'account' then
        in_use := (old.account_id, old.item_id, old.user_id)
                      is distinct from (new.account_id, new.item_id, new.user_id)
                  and exists (select 1 from bank_transaction t
                              where t.account_id = old.account_id);
    elsif tg_table_name = 'category' then
        in_use := old.category_id is distinct from new.category_id
                  and (exists (select 1 from bank_transaction t
                               where t.user_category_id = old.category_id)
                       or exists (select 1 from bank_transaction t
                                  where t.rule_category_id = old.category_id));
    else
        in_use := old.transaction_id is distinct from new.transaction_id
                  and (exists (select 1 from bank_transaction t
                               where t.transfer_pair_id = old.transaction_id)
                       or exists (select 1 from transaction_split s
                                  where s.transaction_id = old.transaction_id)
                       or exists (select 1 from recurring_stream_transaction r
                                  where r.transaction_id = old.transaction_id)
                       or exists (select 1 from transfer_choice c
                                  where old.transaction_id in (c.first_id, c.second_id)));
    end if;
    if in_use then
        raise foreign_key_violation using
            message = 'a key that transactions refer to cannot change',
            table = tg_table_name;
    end if;
    return new;
end;
$$;
