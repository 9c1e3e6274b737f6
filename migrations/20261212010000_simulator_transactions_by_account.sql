-- The simulator's transactions go with their account (`on delete cascade`): when Link keeps only
-- some of an item's accounts, and when an item is removed. Without an index on the account, each
-- deleted account's cascade read the whole table: removing the simulator's items of the bench's
-- database (9 items, 108 accounts, 206,763 transactions) took 7.8 s, 6.5 s of it in those scans;
-- with the index, 0.78 s. The index costs the simulator's inserts little: 100,000 rows copied
-- into a copy of the table took 0.51–0.55 s with it, 0.50–0.54 s without (issue #16).
create index transaction_account on plaid_sim.transaction (account_id);
