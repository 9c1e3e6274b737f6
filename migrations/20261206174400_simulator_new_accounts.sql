-- Update mode with account selection in the simulator: the link token asks for it, and a bank
-- holds accounts its item does not share yet (opened since it was linked), which Link offers.
alter table plaid_sim.link_token
    add column account_selection boolean not null default false;

create table plaid_sim.offered_account
(
    account_id        text primary key,
    item_id           text        not null references plaid_sim.item (item_id) on delete cascade,
    name              text        not null,
    official_name     text,
    mask              text,
    type              text        not null,
    subtype           text,
    available         numeric,
    current           numeric,
    iso_currency_code text        not null,
    opened_at         timestamptz not null default now()
);
create index offered_account_item on plaid_sim.offered_account (item_id);
