-- One-time invites an administrator makes for someone to sign up with (REGISTRATION=invite).
-- Only a SHA-256 of each invite token is stored, as for session tokens: a leaked table lets
-- nobody in. The rows stay after use or revocation, so administrators see who used which.

create table invite
(
    invite_id  uuid primary key     default gen_random_uuid(),
    token_hash bytea       not null unique,
    created_by uuid        references app_user (user_id) on delete set null,
    created_at timestamptz not null default now(),
    expires_at timestamptz not null,
    used_at    timestamptz,
    used_by    uuid        references app_user (user_id) on delete set null,
    revoked_at timestamptz
);
create index invite_created_at on invite (created_at);
