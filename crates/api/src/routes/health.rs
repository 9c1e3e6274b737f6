//! `GET /api/health`: is this server up, and can it reach its database?

use crate::db;
use crate::state::AppState;
use actix_web::{web, HttpResponse};
use std::time::Duration;
use tally_shared::api::health::{ComponentStatus, HealthResponse};

/// A database that takes longer than this to answer `select 1` is reported down.
const DATABASE_PROBE_TIMEOUT: Duration = Duration::from_secs(2);

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/health").get(health));
}

#[utoipa::path(get, path = "/api/health", tag = "server",
    responses((status = 200, description = "Up", body = HealthResponse),
              (status = 503, description = "The database is down", body = HealthResponse)))]
#[tracing::instrument(name = "health", skip_all)]
async fn health(state: web::Data<AppState>) -> HttpResponse {
    let database = match tokio::time::timeout(DATABASE_PROBE_TIMEOUT, db::ping(&state.db)).await {
        Ok(Ok(())) => ComponentStatus::Up,
        Ok(Err(error)) => {
            tracing::warn!(%error, "database health probe failed");
            ComponentStatus::Down
        }
        Err(_) => {
            tracing::warn!("database health probe timed out");
            ComponentStatus::Down
        }
    };
    let body = HealthResponse {
        status: database,
        database,
        version: env!("CARGO_PKG_VERSION").to_owned(),
    };
    match database {
        ComponentStatus::Up => HttpResponse::Ok().json(body),
        ComponentStatus::Down => HttpResponse::ServiceUnavailable().json(body),
    }
}
