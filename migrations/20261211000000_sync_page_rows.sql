-- A sync's page as the rows it writes (issue #16). The sync writes a page one of two ways: an
-- upsert (`insert … on conflict (plaid_transaction_id) do update`) or, for the pages of an item's
-- first pass whose ids that pass has not written yet, a plain insert, which skips the conflict
-- check's extra probe of the Plaid id index (replaying a 100,000-transaction first sync page by
-- page: 2.67 s as upserts, 2.30 s as inserts). Both read their rows from here.
--
-- The arguments are the page's columns as arrays, in this order: Plaid's transaction id, account
-- id, amount, ISO and unofficial currency codes, date, authorized date, name, merchant name,
-- logo, website, payment channel, primary and detailed category codes, category confidence,
-- pending, the pending transaction's id, and the new row's `transaction_id`. A row whose
-- account the item does not have is left out (the caller counts what was written). The columns
-- come out in the order of the statements' column lists, so they `select *`.
create function sync_page_rows(
    item uuid, text[], text[], numeric[], text[], text[], date[], date[], text[], text[],
    text[], text[], text[], text[], text[], text[], boolean[], text[], uuid[])
    returns table (
        transaction_id uuid, account_id uuid, item_id uuid, user_id uuid, plaid_transaction_id text,
        amount numeric, iso_currency_code text, unofficial_currency_code text, date date,
        authorized_date date, name text, merchant_name text, logo_url text, website text,
        payment_channel text, category_primary text, category_detailed text,
        category_confidence text, pending boolean, pending_transaction_id text,
        plaid_category_id uuid)
    language sql
    stable
as
$$
    -- The category columns are what `plaid_category_id(primary, detailed)` answers, as joins:
    -- the function runs as a query of its own per row (~9 µs, 2 s at 250,000 rows), these as
    -- one hash join per page. tests/api/categories.rs checks the two agree.
    select t.transaction_id, a.account_id, a.item_id, a.user_id, t.plaid_transaction_id, t.amount,
           t.iso_currency_code, t.unofficial_currency_code, t.date, t.authorized_date, t.name,
           t.merchant_name, t.logo_url, t.website, t.payment_channel, t.category_primary,
           t.category_detailed, t.category_confidence, t.pending, t.pending_transaction_id,
           coalesce(d.category_id, al.category_id, p.category_id,
                    (select category_id from category where plaid_code = 'OTHER_OTHER'))
    from unnest($2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)
             as t(plaid_transaction_id, plaid_account_id, amount, iso_currency_code,
                  unofficial_currency_code, date, authorized_date, name, merchant_name,
                  logo_url, website, payment_channel, category_primary, category_detailed,
                  category_confidence, pending, pending_transaction_id, transaction_id)
    join account a on a.plaid_account_id = t.plaid_account_id and a.item_id = item
    left join category d on d.plaid_code = t.category_detailed
    left join plaid_category_alias al on al.code = t.category_detailed
    left join category p on p.plaid_code = t.category_primary and p.parent_id is null
$$;
