//! The JSON API under `/api`: one module per resource, each with its own `configure`.

mod config;
mod health;

use crate::error::{self, ApiError};
use crate::state::AppState;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header;
use actix_web::middleware::{from_fn, ErrorHandlers, Next};
use actix_web::{web, HttpResponse};

/// Mounts every resource under `/api`. Anything unmatched there is a JSON 404, and every error,
/// ours or actix's, leaves in the one JSON error shape.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/api")
            .wrap(from_fn(reject_oversized_bodies))
            .wrap(ErrorHandlers::new().default_handler(error::render_plain_error))
            .configure(health::configure)
            .configure(config::configure)
            .default_service(web::to(not_found)),
    );
}

async fn not_found() -> Result<HttpResponse, ApiError> {
    Err(ApiError::NotFound)
}

/// Refuses a body announced as larger than the limit before anything reads it. Bodies without a
/// length are cut off at the same limit by the extractors (`JsonConfig`, `PayloadConfig`).
async fn reject_oversized_bodies(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let limit = req
        .app_data::<web::Data<AppState>>()
        .map_or(usize::MAX, |state| state.settings.server.max_body_bytes);
    let announced = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if announced.is_some_and(|length| length > limit) {
        return Err(ApiError::PayloadTooLarge(format!(
            "The request body is larger than {limit} bytes."
        ))
        .into());
    }
    next.call(req).await
}
