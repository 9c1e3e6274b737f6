//! An offline Plaid: the same JSON API, Plaid's sandbox users and institutions, signed
//! webhooks. Mounted at `/sim/plaid` in simulator mode; Tally's own Plaid client talks to it
//! over HTTP exactly as it would talk to Plaid.

mod activity;
mod appearing_accounts;
mod error;
mod faults;
mod guard;
mod ids;
mod institutions;
mod keys;
mod ledger;
mod logos;
mod merchant_logos;
mod new_accounts;
mod recurring;
mod request;
mod routes;
mod sessions;
mod store;
mod targets;
mod users;
mod webhooks;

pub use keys::SigningKey;
pub use request::SimulatorKeys;

use crate::config::SIMULATOR_MOUNT;
use actix_web::dev::{Service, ServiceResponse};
use actix_web::web;
use faults::{FaultKind, Faults};
use rust_decimal::Decimal;
use serde_json::Value;
use sqlx::PgPool;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use webhooks::WebhookSender;

pub struct Simulator {
    db: PgPool,
    /// When set, requests must carry these credentials (as with real Plaid).
    keys: Option<SimulatorKeys>,
    webhooks: WebhookSender,
    faults: Faults,
    /// Accounts waiting to appear after an endpoint's next answer.
    armed_accounts: appearing_accounts::ArmedAccounts,
    targets: targets::Targets,
}

impl Simulator {
    /// `public_url` is where webhooks and OAuth redirects may go besides loopback (Tally's
    /// `PUBLIC_URL`); without it, loopback only.
    pub async fn new(
        db: PgPool,
        keys: Option<SimulatorKeys>,
        public_url: Option<&url::Url>,
    ) -> anyhow::Result<Self> {
        let signing_key = Arc::new(SigningKey::load_or_create(&db).await?);
        let faults = Faults::default();
        let webhooks = WebhookSender::new(db.clone(), signing_key.clone(), faults.clone())?;
        Ok(Self {
            db,
            keys,
            webhooks,
            faults,
            armed_accounts: appearing_accounts::ArmedAccounts::default(),
            targets: targets::Targets::new(public_url),
        })
    }
}

/// The largest JSON body the simulator's own pages and controls take (Plaid's calls are read
/// as bytes, under the app's body limit).
const JSON_BODY_LIMIT: usize = 64 * 1024;

type BoxedResponse = Pin<Box<dyn Future<Output = Result<ServiceResponse, actix_web::Error>>>>;

/// Mounts the simulator's API under `/sim/plaid`.
pub fn configure(cfg: &mut web::ServiceConfig, simulator: web::Data<Simulator>) {
    let faults = simulator.faults.clone();
    let sim = simulator.clone();
    cfg.service(
        web::scope(SIMULATOR_MOUNT)
            .app_data(simulator)
            .app_data(
                web::JsonConfig::default()
                    .limit(JSON_BODY_LIMIT)
                    .error_handler(|error, _| error::SimError::from(error).into()),
            )
            .wrap_fn(move |req, srv| -> BoxedResponse {
                let endpoint = req
                    .path()
                    .strip_prefix(SIMULATOR_MOUNT)
                    .unwrap_or_default()
                    .to_owned();
                let kinds = [
                    FaultKind::ServerError,
                    FaultKind::RateLimit,
                    FaultKind::Latency,
                    FaultKind::InvalidProduct,
                ];
                let fault = faults.take(Some(&endpoint), &kinds);
                if let Some(fault) = fault.as_ref().filter(|f| f.kind != FaultKind::Latency) {
                    let error = match fault.kind {
                        FaultKind::RateLimit => error::SimError::rate_limited(&endpoint),
                        FaultKind::InvalidProduct => error::SimError::invalid_product(&endpoint),
                        _ => error::SimError::internal(),
                    };
                    return Box::pin(async move { Ok(req.error_response(error)) });
                }
                let response = srv.call(req);
                let sim = sim.clone();
                Box::pin(async move {
                    if let Some(fault) = fault {
                        tokio::time::sleep(Faults::latency(&fault)).await;
                    }
                    let response = response.await?;
                    // Accounts armed for this endpoint appear once its answer is ready and
                    // before it is sent, so the caller's next call sees them.
                    if response.status().is_success() {
                        sim.add_armed_accounts(&endpoint).await;
                    }
                    Ok(response.map_into_boxed_body())
                })
            })
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
