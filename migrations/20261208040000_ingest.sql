-- Ingest speed (issue #16).

-- `bank_transaction.plaid_category_id` is written by the sync's upsert from the category table
-- in the same statement (the category of Plaid's codes, else OTHER_OTHER), so it always names
-- one of Plaid's categories, and the API never deletes those (only a person's own). The foreign
-- key checked it again for every stored row, a lookup and a row lock each: an eighth of the
-- initial sync's database time (docs/performance.md, "Ingest"). This trigger keeps the
-- guarantee where it could still break, a Plaid category deleted by hand.
alter table bank_transaction drop constraint bank_transaction_plaid_category_id_fkey;

create function category_keep_plaid() returns trigger
    language plpgsql as
$$
begin
    raise exception 'Plaid''s category % cannot be deleted: transactions are filed under it',
        old.plaid_code
        using errcode = 'foreign_key_violation';
end
$$;

create trigger category_keep_plaid
    before delete on category
    for each row
    when (old.plaid_code is not null)
execute function category_keep_plaid();
