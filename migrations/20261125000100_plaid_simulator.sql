-- The offline Plaid simulator's own state, apart from Tally's data in its own schema.
-- Only the simulator (crates/api/src/simulator) reads or writes these tables.

create schema if not exists plaid_sim;

-- The P-256 keys webhooks are signed with; the newest unexpired one signs.
create table plaid_sim.signing_key
(
    kid             text primary key,
    private_key_der bytea       not null,
    created_at      timestamptz not null default now(),
    expired_at      timestamptz
);

create table plaid_sim.link_token
(
    link_token     text primary key,
    client_user_id text        not null,
    -- Set in update mode: the item whose login is being repaired.
    item_id        text,
    webhook        text,
    redirect_uri   text,
    days_requested integer     not null,
    created_at     timestamptz not null default now(),
    expires_at     timestamptz not null
);

create table plaid_sim.item
(
    item_id        text primary key,
    access_token   text        not null unique,
    institution_id text        not null,
    -- The sandbox user the item was linked as, and its password (a custom user's config).
    username       text        not null,
    password       text        not null,
    webhook        text,
    login_required boolean     not null default false,
    created_at     timestamptz not null default now(),
    last_webhook_code text,
    last_webhook_at   timestamptz
);

create table plaid_sim.public_token
(
    public_token text primary key,
    item_id      text        not null references plaid_sim.item (item_id) on delete cascade,
    created_at   timestamptz not null default now(),
    exchanged_at timestamptz
);

create table plaid_sim.account
(
    account_id        text primary key,
    item_id           text    not null references plaid_sim.item (item_id) on delete cascade,
    position          integer not null,
    name              text    not null,
    official_name     text,
    mask              text,
    type              text    not null,
    subtype           text,
    available         numeric,
    current           numeric,
    credit_limit      numeric,
    iso_currency_code text    not null,
    holder_category   text,
    unique (item_id, position)
);
