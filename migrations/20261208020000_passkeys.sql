-- Passkeys (WebAuthn credentials) people sign in with instead of a password, and the
-- short-lived ceremonies that register them or sign in with them.

-- One passkey of one person. `credential` is webauthn-rs's `Passkey` as JSON (the public key,
-- the signature counter, the backup state); it holds nothing secret.
create table passkey
(
    passkey_id    uuid primary key     default gen_random_uuid(),
    user_id       uuid        not null references app_user (user_id) on delete cascade,
    -- The authenticator's id for the credential, as it names it when signing in.
    credential_id bytea       not null,
    name          text        not null check (char_length(name) between 1 and 100),
    credential    jsonb       not null,
    created_at    timestamptz not null default now(),
    last_used_at  timestamptz,
    constraint passkey_credential_id_key unique (credential_id),
    constraint passkey_user_name_key unique (user_id, name)
);

-- A registration (of `user_id`'s passkey `passkey_name`) or a sign-in (no user yet) under way:
-- the challenge and what the answer must match. Kept here, not in one process's memory, so
-- the answer may reach another Tally process; taken (deleted) by the first answer, right or
-- wrong, so it works once.
create table passkey_ceremony
(
    ceremony_id  uuid primary key     default gen_random_uuid(),
    kind         text        not null check (kind in ('registration', 'sign_in')),
    user_id      uuid        references app_user (user_id) on delete cascade,
    passkey_name text,
    state        jsonb       not null,
    expires_at   timestamptz not null,
    check ((kind = 'registration') = (user_id is not null and passkey_name is not null))
);
create index passkey_ceremony_expires_at on passkey_ceremony (expires_at);
