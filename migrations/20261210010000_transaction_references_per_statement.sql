-- bank_transaction's four foreign keys are checked once per statement instead of once per row
-- (issue #16). PostgreSQL queues a foreign key's check for every inserted row, even when the
-- column is null: inserting 100,000 rows into a copy of bank_transaction took 1.65 s with no
-- foreign keys, 1.84 s with the three that are always null when a sync inserts (the person's and
-- the rules' category, the transfer pair), 2.03 s with the account's alone, 2.20 s with all four.
-- A sync's page is one statement of up to 500 rows over a handful of accounts.
--
-- Each check here does what the foreign key did, for the whole statement at once:
--   * the rows that refer to something lock it `for key share`, as a foreign key's check does, so
--     that nothing can delete it until they commit; a statement that refers to something missing
--     (or deleted meanwhile) fails with foreign_key_violation (23503), naming the old constraint;
--   * deleting an account deletes its transactions (was `on delete cascade`); deleting a
--     transaction clears the pair of the one it was paired with (was `on delete set null`);
--     deleting a category that a transaction still uses fails (was `no action`), which the
--     category route already answers as a conflict;
--   * the keys referred to never change: changing one that is in use fails (was `no action` on
--     update).
-- Like every writer of these tables, the checks run in READ COMMITTED, where each statement of a
-- trigger sees what committed before it: a delete that waited for a writer's lock sees that
-- writer's rows when it cascades.

alter table bank_transaction
    drop constraint bank_transaction_account_fkey,
    drop constraint bank_transaction_user_category_id_fkey,
    drop constraint bank_transaction_rule_category_id_fkey,
    drop constraint bank_transaction_transfer_pair_id_fkey;

-- The referring side: after each insert or update statement, what its rows refer to exists, and
-- is locked until the transaction ends.
create function bank_transaction_references_exist()
    returns trigger
    language plpgsql
as
$$
begin
    if (select count(*) from (select distinct account_id, item_id, user_id from new_rows) wanted)
       <> (select count(*)
           from (select 1
                 from account a
                 where (a.account_id, a.item_id, a.user_id) in
                       (select account_id, item_id, user_id from new_rows)
                 for key share of a) held) then
        raise foreign_key_violation using
            message = 'a transaction refers to an account that does not exist',
            constraint = 'bank_transaction_account_fkey',
            table = 'bank_transaction';
    end if;

    if (select count(*)
        from (select user_category_id from new_rows where user_category_id is not null
              union
              select rule_category_id from new_rows where rule_category_id is not null) wanted)
       <> (select count(*)
           from (select 1
                 from category c
                 where c.category_id in (select user_category_id from new_rows
                                         union all
                                         select rule_category_id from new_rows)
                 for key share of c) held) then
        raise foreign_key_violation using
            message = 'a transaction refers to a category that does not exist',
            constraint = 'bank_transaction_user_category_id_fkey',
            table = 'bank_transaction';
    end if;

    if (select count(*)
        from (select distinct transfer_pair_id from new_rows
              where transfer_pair_id is not null) wanted)
       <> (select count(*)
           from (select 1
                 from bank_transaction t
                 where t.transaction_id in (select transfer_pair_id from new_rows)
                 for key share of t) held) then
        raise foreign_key_violation using
            message = 'a transaction is paired with one that does not exist',
            constraint = 'bank_transaction_transfer_pair_id_fkey',
            table = 'bank_transaction';
    end if;
    return null;
end;
$$;

create trigger bank_transaction_inserted_references
    after insert on bank_transaction
    referencing new table as new_rows
    for each statement
execute function bank_transaction_references_exist();

create trigger bank_transaction_updated_references
    after update on bank_transaction
    referencing new table as new_rows
    for each statement
execute function bank_transaction_references_exist();

-- The referred side.

create function account_deleted_with_transactions()
    returns trigger
    language plpgsql
as
$$
begin
    delete from bank_transaction t
    where t.account_id in (select account_id from old_rows);
    return null;
end;
$$;

create trigger account_deleted_transactions
    after delete on account
    referencing old table as old_rows
    for each statement
execute function account_deleted_with_transactions();

create function bank_transaction_deleted_unpairs()
    returns trigger
    language plpgsql
as
$$
begin
    update bank_transaction t
    set transfer_pair_id = null
    where t.transfer_pair_id in (select transaction_id from old_rows);
    return null;
end;
$$;

create trigger bank_transaction_deleted_pairs
    after delete on bank_transaction
    referencing old table as old_rows
    for each statement
execute function bank_transaction_deleted_unpairs();

create function category_deleted_unused()
    returns trigger
    language plpgsql
as
$$
begin
    if exists (select 1 from bank_transaction t
               where t.user_category_id in (select category_id from old_rows))
       or exists (select 1 from bank_transaction t
                  where t.rule_category_id in (select category_id from old_rows)) then
        raise foreign_key_violation using
            message = 'a transaction still uses a deleted category',
            constraint = 'bank_transaction_user_category_id_fkey',
            table = 'category';
    end if;
    return null;
end;
$$;

create trigger category_deleted_transactions
    after delete on category
    referencing old table as old_rows
    for each statement
execute function category_deleted_unused();

-- Keys in use never change (each trigger fires only when a statement sets one of them).
create function referred_key_kept()
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
                  and exists (select 1 from bank_transaction t
                              where t.transfer_pair_id = old.transaction_id);
    end if;
    if in_use then
        raise foreign_key_violation using
            message = 'a key that transactions refer to cannot change',
            table = tg_table_name;
    end if;
    return new;
end;
$$;

create trigger account_key_kept
    before update of account_id, item_id, user_id on account
    for each row
execute function referred_key_kept();

create trigger category_key_kept
    before update of category_id on category
    for each row
execute function referred_key_kept();

create trigger bank_transaction_key_kept
    before update of transaction_id on bank_transaction
    for each row
execute function referred_key_kept();
