-- Every index is written once per stored transaction; this one served nothing the others do not
-- (item filters ride the user's keyset index, item removal cascades through the account's).
drop index bank_transaction_item;
