//! An offline Plaid: the same JSON API, Plaid's sandbox users and institutions, signed
//! webhooks. Mounted at `/sim/plaid` in simulator mode; Tally's own Plaid client talks to it
//! over HTTP exactly as it would talk to Plaid.

mod activity;
mod error;
mod ids;
mod institutions;
mod keys;
mod ledger;
mod recurring;
mod request;
mod routes;
mod store;
mod users;
mod webhooks;

pub use keys::SigningKey;
pub use request::SimulatorKeys;

use crate::config::SIMULATOR_MOUNT;
use actix_web::web;
use rust_decimal::Decimal;
use serde_json::Value;
use sqlx::PgPool;
use std::sync::Arc;
use webhooks::WebhookSender;

pub struct Simulator {
    db: PgPool,
    /// When set, requests must carry these credentials (as with real Plaid).
    keys: Option<SimulatorKeys>,
    signing_key: Arc<SigningKey>,
    webhooks: WebhookSender,
}

impl Simulator {
    pub async fn new(db: PgPool, keys: Option<SimulatorKeys>) -> anyhow::Result<Self> {
        let signing_key = Arc::new(SigningKey::load_or_create(&db).await?);
        let webhooks = WebhookSender::new(db.clone(), signing_key.clone())?;
        Ok(Self {
            db,
            keys,
            signing_key,
            webhooks,
        })
    }

    /// The key webhooks are signed with.
    pub fn signing_key(&self) -> &SigningKey {
        &self.signing_key
    }
}

/// Mounts the simulator's API under `/sim/plaid`.
pub fn configure(cfg: &mut web::ServiceConfig, simulator: web::Data<Simulator>) {
    cfg.service(
        web::scope(SIMULATOR_MOUNT)
            .app_data(simulator)
            .configure(routes::configure),
    );
}

/// An amount as Plaid writes it: a JSON number with exactly the decimal's digits.
pub(crate) fn plaid_number(amount: Decimal) -> Value {
    serde_json::from_str(&amount.to_string()).unwrap_or(Value::Null)
}

/// `number|null`.
pub(crate) fn plaid_optional_number(amount: Option<Decimal>) -> Value {
    amount.map_or(Value::Null, plaid_number)
}
