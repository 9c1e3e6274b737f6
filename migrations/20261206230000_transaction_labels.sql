-- A person's labels on their transactions (issue #13): what they set by hand, what their rules
-- set, and splits. `docs/architecture.md` ("Labels") explains the design.

-- Each labelled field exists three times: Plaid's, the rules', the person's. The person's wins,
-- then the rules', then Plaid's; a null gives the field back to the next one. They live on the
-- transaction row itself, so a sync's upsert (which only writes Plaid's columns) keeps them, a
-- removal takes them with it, and the list and spending read one row, not three joins. The
-- effective values are generated columns, so every reader uses the same precedence.
alter table bank_transaction
    -- The category Plaid's codes mean (`plaid_category_id(primary, detailed)`), written by the
    -- sync's upsert so the list and spending join one id.
    add column plaid_category_id uuid references category (category_id),
    add column user_category_id  uuid references category (category_id),
    add column user_display_name text,
    add column notes             text,
    add column user_tags         text[],
    add column user_hidden       boolean,
    add column rule_category_id  uuid references category (category_id),
    add column rule_display_name text,
    add column rule_tags         text[],
    add column rule_hidden       boolean,
    -- The bank changed the amount of a split transaction so its parts no longer added up: the
    -- split was removed and the person should look at it. Cleared by any edit or new split.
    add column needs_review      boolean not null default false,
    add constraint bank_transaction_display_name_check
        check (char_length(user_display_name) between 1 and 200),
    add constraint bank_transaction_notes_check check (char_length(notes) <= 2000),
    add constraint bank_transaction_tags_check
        check (cardinality(user_tags) <= 20 and cardinality(rule_tags) <= 20);

update bank_transaction
set plaid_category_id = plaid_category_id(category_primary, category_detailed);
alter table bank_transaction
    alter column plaid_category_id set not null;

alter table bank_transaction
    add column category_id  uuid generated always as
        (coalesce(user_category_id, rule_category_id, plaid_category_id)) stored,
    -- Null: show Plaid's merchant name or description.
    add column display_name text generated always as
        (coalesce(user_display_name, rule_display_name)) stored,
    add column tags         text[] generated always as
        (coalesce(user_tags, rule_tags, '{}')) stored,
    -- Hidden transactions are kept and listed on request, but left out of every total.
    add column hidden       boolean generated always as
        (coalesce(user_hidden, rule_hidden, false)) stored;

-- Search (`q`) also finds display names and notes.
drop index bank_transaction_search;
create index bank_transaction_search on bank_transaction
    using gin ((coalesce(merchant_name, '') || ' ' || name || ' ' || coalesce(display_name, '') ||
                ' ' || coalesce(notes, '')) gin_trgm_ops);
-- The `tag` filter; most transactions have none, so the index stays small.
create index bank_transaction_tags on bank_transaction using gin (tags) where tags <> '{}';
-- The `needs_review` filter and the count the web app shows.
create index bank_transaction_needs_review on bank_transaction (user_id) where needs_review;
-- Deleting a category checks and moves what refers to it.
create index bank_transaction_user_category_id on bank_transaction (user_category_id)
    where user_category_id is not null;
create index bank_transaction_rule_category_id on bank_transaction (rule_category_id)
    where rule_category_id is not null;

-- One transaction split into 2–20 parts that add up to its amount exactly (the API checks the
-- sum; a sync that changes the amount removes the split and sets `needs_review`).
create table transaction_split
(
    transaction_id uuid     not null references bank_transaction (transaction_id) on delete cascade,
    -- 0-based, in the order the person gave.
    position       smallint not null,
    user_id        uuid     not null references app_user (user_id) on delete cascade,
    -- Same sign convention as the transaction: positive when money leaves the account.
    amount         numeric  not null,
    category_id    uuid     not null references category (category_id),
    notes          text,
    primary key (transaction_id, position),
    constraint transaction_split_position_check check (position between 0 and 19),
    constraint transaction_split_notes_check check (char_length(notes) <= 2000)
);
create index transaction_split_category on transaction_split (category_id);
create index transaction_split_user on transaction_split (user_id);

-- A pending transaction's labels, kept when the bank removes it, until the posted transaction
-- that replaces it (`pending_transaction_id`) arrives, possibly on a later page or pass.
create table carried_labels
(
    -- The removed pending transaction's Plaid id.
    pending_plaid_transaction_id text primary key,
    user_id                      uuid        not null references app_user (user_id) on delete cascade,
    item_id                      uuid        not null references plaid_item (item_id) on delete cascade,
    user_category_id             uuid references category (category_id),
    user_display_name            text,
    notes                        text,
    user_tags                    text[],
    user_hidden                  boolean,
    -- `[{amount, category_id, notes}]`, in order.
    splits                       jsonb,
    removed_at                   timestamptz not null default now()
);
create index carried_labels_user_category on carried_labels (user_category_id)
    where user_category_id is not null;

-- A person's rules, applied in `position` order (0 first): each field takes its value from the
-- first matching rule that sets it; `add_tags` gathers the tags of every matching rule.
create table rule
(
    rule_id          uuid primary key     default gen_random_uuid(),
    user_id          uuid        not null references app_user (user_id) on delete cascade,
    position         integer     not null,
    name             text        not null,
    -- `[{field, op, value}]`, all of which must match; checked by the API (`domain::rules`).
    conditions       jsonb       not null,
    set_category_id  uuid references category (category_id),
    set_display_name text,
    add_tags         text[]      not null default '{}',
    hide             boolean     not null default false,
    created_at       timestamptz not null default now(),
    updated_at       timestamptz not null default now(),
    constraint rule_position_unique unique (user_id, position) deferrable initially deferred,
    constraint rule_name_check check (char_length(name) between 1 and 100),
    constraint rule_display_name_check check (char_length(set_display_name) between 1 and 200),
    constraint rule_tags_check check (cardinality(add_tags) <= 20),
    constraint rule_acts_check
        check (set_category_id is not null or set_display_name is not null or
               cardinality(add_tags) > 0 or hide)
);
select trigger_updated_at('rule');
create index rule_category on rule (set_category_id) where set_category_id is not null;
