//! An offline Plaid: the same JSON API, Plaid's sandbox users and institutions, signed
//! webhooks. Mounted at `/sim/plaid` in simulator mode; Tally's own Plaid client talks to it
//! over HTTP exactly as it would talk to Plaid.

mod error;
mod ids;
mod institutions;
mod keys;
mod request;
mod routes;
mod store;
mod users;

pub use keys::SigningKey;
pub use request::SimulatorKeys;

use crate::config::SIMULATOR_MOUNT;
use actix_web::web;
use sqlx::PgPool;

pub struct Simulator {
    db: PgPool,
    /// When set, requests must carry these credentials (as with real Plaid).
    keys: Option<SimulatorKeys>,
    signing_key: SigningKey,
}

impl Simulator {
    pub async fn new(db: PgPool, keys: Option<SimulatorKeys>) -> anyhow::Result<Self> {
        let signing_key = SigningKey::load_or_create(&db).await?;
        Ok(Self {
            db,
            keys,
            signing_key,
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
