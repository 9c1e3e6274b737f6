-- Transfers between a person's own accounts (issue #14): a transaction's partner on the other
-- side, and what the person decided about pairs. `docs/architecture.md` ("Transfers") explains
-- the design.

-- Both sides of a pair name each other (kept so by `db::transfers`, which writes both in one
-- statement). Removing one side unpairs the other; the sync pairs it again if it can.
alter table bank_transaction
    add column transfer_pair_id uuid references bank_transaction (transaction_id)
        on delete set null,
    add constraint bank_transaction_transfer_pair_check check (transfer_pair_id <> transaction_id);
-- A transaction is the partner of one transaction at most; also the index the foreign key's
-- `on delete` needs.
create unique index bank_transaction_transfer_pair on bank_transaction (transfer_pair_id)
    where transfer_pair_id is not null;
-- Each sync checks the person's pairs still hold.
create index bank_transaction_user_paired on bank_transaction (user_id)
    where transfer_pair_id is not null;
-- What the sync's pairing reads: each person's unpaired, posted transactions Plaid files as money
-- moving between accounts; few of a person's transactions, and fewer once paired.
create index bank_transaction_transfer_candidate on bank_transaction (user_id, amount)
    where transfer_pair_id is null
      and not pending
      and category_primary in ('TRANSFER_IN', 'TRANSFER_OUT', 'LOAN_PAYMENTS');

-- The person's word on a pair, which the sync's pairing never overrides: `paired` for two they
-- paired by hand (kept whatever the bank later says about them), not `paired` for two they
-- unpaired (neither is paired by the sync again; the person can pair them by hand). One row
-- per pair, its ids in order; removing either transaction forgets it.
create table transfer_choice
(
    user_id    uuid        not null references app_user (user_id) on delete cascade,
    first_id   uuid        not null references bank_transaction (transaction_id) on delete cascade,
    second_id  uuid        not null references bank_transaction (transaction_id) on delete cascade,
    paired     boolean     not null,
    chosen_at  timestamptz not null default now(),
    primary key (first_id, second_id),
    constraint transfer_choice_order_check check (first_id < second_id)
);
create index transfer_choice_second on transfer_choice (second_id);
create index transfer_choice_user on transfer_choice (user_id);
