-- Two-factor codes (TOTP, RFC 6238), their recovery codes, and the sign-ins waiting for a code.

-- One authenticator per person. The secret is sealed with TALLY_ENCRYPTION_KEY for this row
-- (as access tokens are). `enabled_at` is null while enrolment waits for its first code.
create table totp_credential
(
    user_id        uuid primary key references app_user (user_id) on delete cascade,
    secret         bytea       not null,
    created_at     timestamptz not null default now(),
    enabled_at     timestamptz,
    -- The time step of the last code accepted: a code of that step or an earlier one is refused,
    -- so no code works twice.
    last_used_step bigint
);

-- Ten one-time codes for when the authenticator is lost, kept only as SHA-256 (they are random,
-- like session tokens). Used ones stay, marked, so the count left can be shown.
create table recovery_code
(
    user_id   uuid        not null references app_user (user_id) on delete cascade,
    code_hash bytea       not null,
    used_at   timestamptz,
    primary key (user_id, code_hash)
);

-- A sign-in whose password was right and which waits for a code: in the database, so that any
-- Tally process sharing it can finish the sign-in. Only the SHA-256 of the challenge is kept.
create table two_factor_challenge
(
    challenge_hash bytea primary key,
    user_id        uuid        not null references app_user (user_id) on delete cascade,
    created_at     timestamptz not null default now(),
    expires_at     timestamptz not null,
    -- Wrong codes given for it; at the limit it is dropped and the password is asked again.
    failed_codes   integer     not null default 0
);
create index two_factor_challenge_user on two_factor_challenge (user_id);
create index two_factor_challenge_expiry on two_factor_challenge (expires_at);
