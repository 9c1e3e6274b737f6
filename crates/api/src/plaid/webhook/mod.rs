//! Plaid's webhooks: verifying that one came from Plaid (`verify`), then reading it, once, into
//! the one event Tally acts on (`event`).

mod event;
mod verify;

pub use event::{Event, Webhook};
pub use verify::{
    SignedMessage, WebhookRejection, WebhookVerifier, KEY_LOOKUPS_PER_MINUTE, KEY_REFRESH_SECS,
    MAX_SIGNATURE_AGE_SECS,
};
