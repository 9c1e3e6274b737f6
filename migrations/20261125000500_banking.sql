-- Linked banks and everything synced from them: items, accounts, transactions, daily balance
-- snapshots; manual assets; and the records that make support possible (Link events, Plaid API
-- calls, webhooks) and the sync job queue.

-- Trigram search over merchant names and descriptions.
create extension if not exists pg_trgm;

-- Institutions as Plaid describes them, fetched once and kept.
create table institution
(
    institution_id text primary key,
    name           text        not null,
    logo           text,
    primary_color  text,
    url            text,
    oauth          boolean     not null default false,
    fetched_at     timestamptz not null default now()
);

-- A bank login (a Plaid Item). The row is inserted before the public token is exchanged, in the
-- same database transaction, so the unique (user, institution) constraint refuses a second link
-- before Plaid is ever asked; the deferred trigger below makes sure no row commits unexchanged.
create table plaid_item
(
    item_id            uuid primary key     default gen_random_uuid(),
    user_id            uuid        not null references app_user (user_id) on delete cascade,
    institution_id     text        not null,
    institution_name   text        not null,
    plaid_item_id      text unique,
    -- AES-256-GCM, sealed by `TokenCipher` (key id inside) with the item's id as context.
    access_token       bytea,
    status             text        not null default 'good',
    error_code         text,
    sync_cursor        text,
    last_synced_at     timestamptz,
    last_webhook_at    timestamptz,
    consent_expires_at timestamptz,
    created_at         timestamptz not null default now(),
    updated_at         timestamptz not null default now(),
    constraint plaid_item_user_institution_key unique (user_id, institution_id),
    -- The target of the (item, user) foreign key of `account`.
    constraint plaid_item_owner_key unique (item_id, user_id),
    constraint plaid_item_status_check check (status in
        ('good', 'login_required', 'pending_expiration', 'pending_disconnect',
         'permission_revoked', 'new_accounts_available', 'error'))
);
select trigger_updated_at('plaid_item');

create function plaid_item_must_be_exchanged()
    returns trigger as
$$
begin
    if exists (select 1
               from plaid_item
               where item_id = new.item_id
                 and (plaid_item_id is null or access_token is null)) then
        raise exception 'plaid_item % was committed without an access token', new.item_id
            using errcode = 'check_violation', constraint = 'plaid_item_exchanged';
    end if;
    return null;
end;
$$ language plpgsql;

create constraint trigger plaid_item_exchanged
    after insert or update
    on plaid_item
    deferrable initially deferred
    for each row
execute function plaid_item_must_be_exchanged();

-- `user_id` is repeated on accounts and transactions so every query is scoped by the owner
-- through one index; the composite foreign keys make it impossible for it to disagree.
create table account
(
    account_id         uuid primary key     default gen_random_uuid(),
    item_id            uuid        not null,
    user_id            uuid        not null,
    plaid_account_id   text        not null unique,
    name               text        not null,
    official_name      text,
    mask               text,
    type               text        not null,
    subtype            text,
    holder_category    text,
    current_balance    numeric,
    available_balance  numeric,
    credit_limit       numeric,
    iso_currency_code  text,
    unofficial_currency_code text,
    balance_updated_at timestamptz,
    created_at         timestamptz not null default now(),
    updated_at         timestamptz not null default now(),
    constraint account_item_fkey foreign key (item_id, user_id)
        references plaid_item (item_id, user_id) on delete cascade,
    constraint account_owner_key unique (account_id, item_id, user_id)
);
select trigger_updated_at('account');
create index account_user on account (user_id);
create index account_item on account (item_id);

create table bank_transaction
(
    transaction_id           uuid primary key default gen_random_uuid(),
    account_id               uuid    not null,
    item_id                  uuid    not null,
    user_id                  uuid    not null,
    plaid_transaction_id     text    not null unique,
    -- Positive when money leaves the account, as Plaid reports it.
    amount                   numeric not null,
    iso_currency_code        text,
    unofficial_currency_code text,
    date                     date    not null,
    authorized_date          date,
    name                     text    not null,
    merchant_name            text,
    logo_url                 text,
    website                  text,
    payment_channel          text    not null,
    category_primary         text,
    category_detailed        text,
    category_confidence      text,
    pending                  boolean not null,
    pending_transaction_id   text,
    created_at               timestamptz not null default now(),
    updated_at               timestamptz not null default now(),
    constraint bank_transaction_account_fkey foreign key (account_id, item_id, user_id)
        references account (account_id, item_id, user_id) on delete cascade
);
-- Keyset pagination, newest first, for a user and for one account.
create index bank_transaction_user_keyset on bank_transaction (user_id, date desc, transaction_id desc);
create index bank_transaction_account_keyset on bank_transaction (account_id, date desc, transaction_id desc);
create index bank_transaction_item on bank_transaction (item_id);
-- `q`: words anywhere in the merchant name or description.
create index bank_transaction_search on bank_transaction
    using gin ((coalesce(merchant_name, '') || ' ' || name) gin_trgm_ops);
-- Category filters and spending by category.
create index bank_transaction_user_category on bank_transaction (user_id, category_primary, date);

-- Each account's balance as of the end of a day (the last sync of that day wins).
create table balance_snapshot
(
    account_id        uuid    not null references account (account_id) on delete cascade,
    user_id           uuid    not null references app_user (user_id) on delete cascade,
    snapshot_date     date    not null,
    current_balance   numeric,
    available_balance numeric,
    currency          text,
    primary key (account_id, snapshot_date)
);
create index balance_snapshot_user_date on balance_snapshot (user_id, snapshot_date);

-- Things of value no bank reports: a house, a car.
create table manual_asset
(
    asset_id    uuid primary key     default gen_random_uuid(),
    user_id     uuid        not null references app_user (user_id) on delete cascade,
    description text        not null,
    value       numeric     not null,
    currency    text        not null,
    created_at  timestamptz not null default now(),
    updated_at  timestamptz not null default now(),
    constraint manual_asset_description_check check (length(trim(description)) between 1 and 200),
    constraint manual_asset_value_check check (value >= 0),
    constraint manual_asset_currency_check check (currency ~ '^[A-Z]{3}$')
);
select trigger_updated_at('manual_asset');
create index manual_asset_user on manual_asset (user_id);

-- Link's callbacks, for support: why did linking fail for this person?
create table link_event
(
    link_event_id    bigint generated always as identity primary key,
    user_id          uuid        not null references app_user (user_id) on delete cascade,
    kind             text        not null check (kind in ('success', 'exit', 'event')),
    event_name       text,
    link_session_id  text,
    request_id       text,
    status           text,
    error_type       text,
    error_code       text,
    error_message    text,
    institution_id   text,
    institution_name text,
    created_at       timestamptz not null default now()
);
create index link_event_user on link_event (user_id, created_at);

-- Every Plaid call: method, item, request id and outcome. Never a token or a body.
create table plaid_api_event
(
    plaid_api_event_id bigint generated always as identity primary key,
    plaid_item_id      text,
    method             text        not null,
    request_id         text,
    error_type         text,
    error_code         text,
    duration_ms        integer     not null,
    created_at         timestamptz not null default now()
);
create index plaid_api_event_item on plaid_api_event (plaid_item_id, created_at);

-- Every verified webhook as received, including those for items or codes we do not know.
create table webhook_event
(
    webhook_event_id bigint generated always as identity primary key,
    plaid_item_id    text,
    item_id          uuid references plaid_item (item_id) on delete set null,
    webhook_type     text        not null,
    webhook_code     text        not null,
    error_code       text,
    body             jsonb       not null,
    received_at      timestamptz not null default now()
);
create index webhook_event_item on webhook_event (item_id, received_at);

-- The sync queue. Workers claim due jobs with `for update skip locked`; a running job holds a
-- lease, so a job whose worker died is picked up again when the lease runs out.
create table sync_job
(
    sync_job_id  bigint generated always as identity primary key,
    item_id      uuid        not null references plaid_item (item_id) on delete cascade,
    reason       text        not null check (reason in ('link', 'webhook', 'refresh', 'schedule', 'repair')),
    state        text        not null default 'queued' check (state in ('queued', 'running', 'failed')),
    attempts     integer     not null default 0,
    run_after    timestamptz not null default now(),
    lease_until  timestamptz,
    last_error   text,
    created_at   timestamptz not null default now(),
    updated_at   timestamptz not null default now()
);
select trigger_updated_at('sync_job');
-- At most one waiting sync per item: more triggers while one waits fold into it.
create unique index sync_job_one_queued_per_item on sync_job (item_id) where state = 'queued';
create index sync_job_due on sync_job (run_after) where state = 'queued';
create index sync_job_leases on sync_job (lease_until) where state = 'running';
