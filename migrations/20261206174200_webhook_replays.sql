-- A webhook replayed within the freshness window (the same signed header and claims) is
-- recorded, marked as a replay, and acted on no more: only the first of each signature counts.
alter table webhook_event
    add column signature_digest bytea,
    add column replayed         boolean not null default false;
create unique index webhook_event_first_signature on webhook_event (signature_digest)
    where not replayed;
