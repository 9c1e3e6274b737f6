-- Copies of a webhook are counted by signature (a few copies that only ask for a sync are
-- honoured, see routes/webhooks.rs), so the replays are found by an index too.
create index webhook_event_replayed_signature on webhook_event (signature_digest) where replayed;
