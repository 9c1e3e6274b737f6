//! The JSON API under `/api`: one module per resource, each with its own `configure`.

mod account;
mod accounts;
mod admin;
mod assets;
mod budgets;
mod categories;
mod config;
mod health;
mod insights;
mod institutions;
mod items;
mod link;
mod openapi;
mod passkeys;
mod recurring;
mod rules;
mod session;
mod transactions;
mod two_factor;
mod users;
mod webhooks;
mod ws;

use crate::error::{self, ApiError};
use crate::origins::is_same_origin;
use crate::state::AppState;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header;
use actix_web::middleware::{from_fn, DefaultHeaders, ErrorHandlers, Next};
use actix_web::{web, HttpResponse};

/// Mounts every resource under `/api`. Anything unmatched there is a JSON 404, and every error,
/// ours or actix's, leaves in the one JSON error shape.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/api")
            // A person's money is never kept by a browser's or a proxy's cache.
            .wrap(DefaultHeaders::new().add((header::CACHE_CONTROL, "no-store")))
            .wrap(from_fn(reject_oversized_bodies))
            .wrap(from_fn(refuse_cross_site_writes))
            .wrap(ErrorHandlers::new().default_handler(error::render_plain_error))
            .configure(health::configure)
            .configure(config::configure)
            .configure(session::configure)
            .configure(users::configure)
            .configure(account::configure)
            .configure(passkeys::configure)
            .configure(two_factor::configure)
            .configure(admin::configure)
            .configure(items::configure)
            .configure(link::configure)
            .configure(ws::configure)
            .configure(accounts::configure)
            .configure(transactions::configure)
            .configure(institutions::configure)
            .configure(assets::configure)
            .configure(categories::configure)
            .configure(budgets::configure)
            .configure(rules::configure)
            .configure(recurring::configure)
            .configure(insights::configure)
            .configure(openapi::configure)
            .default_service(web::to(not_found)),
    )
    // Outside `/api`: Plaid is not a browser, and proves itself by signature instead.
    .service(
        web::scope("/webhooks")
            .wrap(ErrorHandlers::new().default_handler(error::render_plain_error))
            .configure(webhooks::configure),
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

/// CSRF defence for cookie-authenticated writes: a browser always says where a request comes
/// from (`Origin`, or `Sec-Fetch-Site` on older requests); writes from any page that is not
/// ours (`origins::is_same_origin`) are refused. Requests without either header do not come
/// from a browser page, so they carry no ambient cookie risk.
async fn refuse_cross_site_writes(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let safe_method = matches!(
        *req.method(),
        actix_web::http::Method::GET
            | actix_web::http::Method::HEAD
            | actix_web::http::Method::OPTIONS
    );
    if !safe_method && !is_same_origin(req.request()) {
        tracing::warn!(origin = ?req.headers().get(header::ORIGIN), "cross-site write refused");
        return Err(ApiError::Forbidden.into());
    }
    next.call(req).await
}
