//! What every handler can reach, in one `web::Data`.

use crate::auth::limits::AuthLimits;
use crate::config::Settings;
use crate::crypto::TokenCipher;
use crate::plaid::webhook::WebhookVerifier;
use crate::plaid::PlaidClient;
use crate::quotas::Quotas;
use crate::recurring::RecurringQueue;
use crate::sync_queue::SyncQueue;
use crate::ws::EventHub;
use sqlx::PgPool;
use std::sync::Arc;

#[derive(Clone)]
pub struct AppState {
    pub db: PgPool,
    /// This mode's Plaid (the simulator over loopback in simulator mode).
    pub plaid: PlaidClient,
    pub settings: Arc<Settings>,
    pub auth_limits: Arc<AuthLimits>,
    /// Per-user caps: exports at once, link tokens and refreshes per hour.
    pub quotas: Arc<Quotas>,
    /// Seals and opens Plaid access tokens at rest.
    pub cipher: Arc<TokenCipher>,
    /// Checks that webhooks come from this mode's Plaid; caches its keys.
    pub webhook_verifier: Arc<WebhookVerifier>,
    /// Queues syncs and wakes this process's sync workers.
    pub sync_queue: SyncQueue,
    /// Asks for refreshes of items' recurring streams and wakes this process's worker.
    pub recurring_queue: RecurringQueue,
    /// Publishes live events to the owner's browsers (on every replica).
    pub events: EventHub,
}
