-- People who use Tally, and their signed-in browsers.

create table app_user
(
    user_id       uuid primary key     default gen_random_uuid(),
    -- Unique regardless of case: "Alice" and "alice" are the same person.
    username      citext      not null,
    password_hash text        not null,
    is_admin      boolean     not null default false,
    created_at    timestamptz not null default now(),
    updated_at    timestamptz not null default now(),
    constraint app_user_username_key unique (username)
);
select trigger_updated_at('app_user');

-- Only a SHA-256 of each session token is stored: a leaked table signs nobody in.
create table user_session
(
    session_id   uuid primary key     default gen_random_uuid(),
    user_id      uuid        not null references app_user (user_id) on delete cascade,
    token_hash   bytea       not null unique,
    created_at   timestamptz not null default now(),
    last_seen_at timestamptz not null default now(),
    expires_at   timestamptz not null
);
create index user_session_user on user_session (user_id);
