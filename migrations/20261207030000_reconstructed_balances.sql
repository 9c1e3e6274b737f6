-- Each depository and credit account's balance at the end of the days before its first recorded
-- snapshot, reconstructed backwards from today's balance through its transactions: the history
-- a newly linked bank would otherwise lack. Rebuilt whole for an item by every sync (so a
-- modified or removed transaction corrects it); kept apart from `balance_snapshot`, which holds
-- only what a sync saw, so reconstruction can never overwrite a recorded balance.
create table reconstructed_balance
(
    account_id      uuid    not null references account (account_id) on delete cascade,
    user_id         uuid    not null references app_user (user_id) on delete cascade,
    balance_date    date    not null,
    current_balance numeric not null,
    currency        text,
    primary key (account_id, balance_date)
);
create index reconstructed_balance_user_date on reconstructed_balance (user_id, balance_date);
