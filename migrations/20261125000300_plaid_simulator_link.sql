-- Sessions of the simulator's Link stand-in: one per time Link is opened with a link token.

create table plaid_sim.link_session
(
    link_session_id text primary key,
    link_token      text        not null references plaid_sim.link_token (link_token) on delete cascade,
    institution_id  text,
    username        text,
    password        text,
    -- started → mfa → accounts → done; or oauth → oauth_authorized / oauth_denied → …
    state           text        not null default 'started',
    -- The MFA answer the simulated bank expects next.
    mfa_expected    text,
    -- Questions still to ask, for multi-round MFA.
    mfa_remaining   integer     not null default 0,
    -- The item being linked (new mode, created once the bank accepted the login) or repaired.
    item_id         text,
    oauth_state_id  text unique,
    created_at      timestamptz not null default now()
);
