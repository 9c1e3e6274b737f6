//! An offline Plaid: the same JSON API, Plaid's sandbox users and institutions, signed
//! webhooks. Mounted at `/sim/plaid` in simulator mode; Tally's own Plaid client talks to it
//! over HTTP exactly as it would talk to Plaid.

mod activity;
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
    cfg.service(
        web::scope(SIMULATOR_MOUNT)
            .app_data(simulator)
            .app_data(
                web::JsonConfig::default()
                    .limit(JSON_BODY_LIMIT)
                    .error_handler(|error, _| error::SimError::from(error).into()),
            )
            .wrap_fn(move |req, srv| -> BoxedResponse {
                let endpoint = req.path().strip_prefix(SIMULATOR_MOUNT).unwrap_or_default();
                let kinds = [
                    FaultKind::ServerError,
                    FaultKind::RateLimit,
                    FaultKind::Latency,
                ];
                match faults.take(Some(endpoint), &kinds) {
                    Some(fault) if fault.kind == FaultKind::Latency => {
                        let response = srv.call(req);
                        Box::pin(async move {
                            tokio::time::sleep(Faults::latency(&fault)).await;
                            response.await.map(ServiceResponse::map_into_boxed_body)
                        })
                    }
                    Some(fault) => {
                        let error = if fault.kind == FaultKind::RateLimit {
                            error::SimError::rate_limited(endpoint)
                        } else {
                            error::SimError::internal()
                        };
                        Box::pin(async move { Ok(req.error_response(error)) })
                    }
                    None => {
                        let response = srv.call(req);
                        Box::pin(
                            async move { response.await.map(ServiceResponse::map_into_boxed_body) },
                        )
                    }
                }
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
