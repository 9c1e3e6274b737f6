-- Recurring streams (issue #14): payments and income that repeat, as Plaid's
-- `/transactions/recurring/get` reports them or as Tally's own detector finds them where Plaid
-- does not offer the product. `docs/architecture.md` ("Recurring streams") explains the design.

-- One stream per (item, source, key): Plaid's `stream_id`, or the detector's key, both stable
-- across runs. A refresh rewrites only the source's columns, so the person's decisions (state,
-- name, category) survive every later refresh, sync and webhook. A stream the source no longer
-- returns is kept, tombstoned and inactive, with its decisions.
create table recurring_stream
(
    recurring_stream_id    uuid primary key     default gen_random_uuid(),
    user_id                uuid        not null,
    item_id                uuid        not null,
    account_id             uuid        not null,
    source                 text        not null,
    stream_key             text        not null,
    -- The source's view, rewritten by every refresh.
    direction              text        not null,
    description            text        not null,
    merchant_name          text,
    -- What Plaid's category for the stream means (`plaid_category_id(...)`); the category
    -- shown is the person's, else the effective category of the last transaction, else this.
    plaid_category_id      uuid references category (category_id) on delete set null,
    frequency              text        not null,
    -- Positive, whatever the direction.
    average_amount         numeric     not null,
    last_amount            numeric     not null,
    -- The steady price before the last charge, from the stream's transactions: the charge
    -- before the last, when it and the ones before it (up to six) stayed within 10% of each
    -- other; null otherwise, so a bill that varies every month never counts as a price change.
    previous_amount        numeric,
    currency               text        not null,
    first_date             date        not null,
    last_date              date        not null,
    next_date              date,
    status                 text        not null,
    is_active              boolean     not null,
    -- The person's decisions, never written by a refresh.
    state                  text        not null default 'suggested',
    user_name              text,
    -- `db::categories::reassign` moves it when the category is deleted.
    user_category_id       uuid references category (category_id) on delete set null,
    -- The last charge whose price change was announced (`recurring_price_changed`), so each
    -- change is announced once, across restarts.
    announced_price_date   date,
    announced_price_amount numeric,
    created_at             timestamptz not null default now(),
    updated_at             timestamptz not null default now(),
    constraint recurring_stream_key unique (item_id, source, stream_key),
    constraint recurring_stream_account_fkey foreign key (account_id, item_id, user_id)
        references account (account_id, item_id, user_id) on delete cascade,
    constraint recurring_stream_source_check check (source in ('plaid', 'local')),
    constraint recurring_stream_direction_check check (direction in ('inflow', 'outflow')),
    constraint recurring_stream_frequency_check check
        (frequency in ('weekly', 'biweekly', 'semi_monthly', 'monthly', 'annually')),
    constraint recurring_stream_status_check check
        (status in ('mature', 'early_detection', 'tombstoned')),
    constraint recurring_stream_state_check check (state in ('suggested', 'confirmed', 'dismissed')),
    constraint recurring_stream_amounts_check check
        (average_amount >= 0 and last_amount >= 0 and previous_amount >= 0),
    constraint recurring_stream_name_check check (char_length(user_name) between 1 and 100)
);
select trigger_updated_at('recurring_stream');
create index recurring_stream_user on recurring_stream (user_id);
create index recurring_stream_account on recurring_stream (account_id);
create index recurring_stream_user_category on recurring_stream (user_category_id)
    where user_category_id is not null;

-- The transactions that make up a stream (those Tally has stored).
create table recurring_stream_transaction
(
    recurring_stream_id uuid not null references recurring_stream (recurring_stream_id) on delete cascade,
    transaction_id      uuid not null references bank_transaction (transaction_id) on delete cascade,
    primary key (recurring_stream_id, transaction_id)
);
create index recurring_stream_transaction_transaction on recurring_stream_transaction (transaction_id);

-- Whether a stream's last charge differs from the steady price before it by more than 10%: the
-- `price_changed` flag and the `recurring_price_changed` event, one rule. Outflows only: pay
-- varies with hours and bonuses, and a price is what one pays.
create function recurring_price_changed(direction text, previous_amount numeric, last_amount numeric)
    returns boolean
    language sql
    immutable
as
$$
select coalesce(direction = 'outflow'
                    and previous_amount > 0
                    and abs(last_amount - previous_amount) > previous_amount / 10, false)
$$;

-- The simulator remembers the streams it last answered or announced for an item, so it sends
-- `RECURRING_TRANSACTIONS_UPDATE` when they change (and only after the first
-- `/transactions/recurring/get`, as Plaid does).
alter table plaid_sim.item
    add column recurring_digest text;

-- The refresh queue: one row per item. A request moves `wanted_at`; a claim takes everything
-- wanted so far (`taken_at`), so requests that come while one waits or runs fold into one
-- more run. Runs of one item are at least `run_after` apart (Plaid allows 20 calls a minute
-- per item) and never overlap (the lease); a run whose lease ran out (its process died) is
-- claimed again.
create table recurring_refresh
(
    item_id          uuid primary key references plaid_item (item_id) on delete cascade,
    wanted_at        timestamptz not null default now(),
    taken_at         timestamptz,
    run_after        timestamptz not null default now(),
    lease_until      timestamptz,
    lease_token      uuid,
    attempts         integer     not null default 0,
    last_error       text,
    -- Plaid refused the recurring product for this item: Tally's detector runs instead, and
    -- Plaid is asked again a day later.
    plaid_refused_at timestamptz,
    updated_at       timestamptz not null default now()
);
select trigger_updated_at('recurring_refresh');
