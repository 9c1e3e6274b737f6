-- A transaction's id cannot change while anything refers to it. The foreign keys from
-- transaction_split, recurring_stream_transaction and transfer_choice refused that (`no action`
-- on update) until 20261212000000 replaced them with statement triggers; the check before a
-- transaction's id changes (`bank_transaction_key_kept`) looked only at transfer pairs. It now
-- looks at those three tables too. Tally never changes a transaction's id; this keeps the
-- database refusing it as it did.
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
