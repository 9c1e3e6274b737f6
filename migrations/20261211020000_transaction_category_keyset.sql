-- The transactions of one category, newest first (issue #16): `db::transactions::page` reads
-- the newest page of a category and of each of its children from here. Read in the person's
-- keyset order and filtered instead, a category with few transactions read every row of the
-- person's (23 ms at 100,000 rows, and growing with them) for an empty or short page.
create index bank_transaction_user_category_keyset
    on bank_transaction (user_id, category_id, date desc, transaction_id desc);
