-- The simulator's transactions and the change log /transactions/sync pages through.

-- Every change to a simulated transaction (added, modified, removed) takes the next number;
-- a sync cursor is a position in this order.
create sequence plaid_sim.change_seq;

create table plaid_sim.transaction
(
    transaction_id text primary key,
    item_id        text    not null references plaid_sim.item (item_id) on delete cascade,
    account_id     text    not null references plaid_sim.account (account_id) on delete cascade,
    -- Plaid's transaction object, exactly as /transactions/sync returns it.
    body           jsonb   not null,
    date           date    not null,
    pending        boolean not null,
    -- The change that created it, and the latest change to it.
    added_seq      bigint  not null,
    seq            bigint  not null,
    removed        boolean not null default false
);

create index transaction_item_seq on plaid_sim.transaction (item_id, seq);
create index transaction_item_pending on plaid_sim.transaction (item_id) where pending and not removed;

alter table plaid_sim.item
    -- The first /transactions/sync call turns on SYNC_UPDATES_AVAILABLE webhooks (as at Plaid).
    add column sync_activated boolean not null default false,
    -- Activity is generated up to and including this simulated day.
    add column generated_through date,
    -- Makes an item's generated history the same on every run.
    add column seed bigint not null default 0,
    -- More everyday purchases per day than a typical person makes (large custom histories).
    add column extra_per_day integer not null default 0;

-- The simulator's own clock: real time plus a number of days that tests may advance.
create table plaid_sim.clock
(
    singleton   boolean primary key default true check (singleton),
    offset_days integer not null default 0
);
insert into plaid_sim.clock default values;
