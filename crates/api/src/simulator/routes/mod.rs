//! The simulator's endpoints, grouped as Plaid's API reference groups them.

mod accounts;
mod balances;
mod control;
mod institutions;
mod items;
mod link;
mod link_ui;
mod oauth;
mod sandbox;
mod transactions;

use super::error::SimError;
use super::request::PlaidRequest;
use super::Simulator;
use super::{guard, ids};
use actix_web::middleware::from_fn;
use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::Value;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route(
        "/link/token/create",
        web::post().to(link::create_link_token),
    )
    .route(
        "/item/public_token/exchange",
        web::post().to(items::exchange_public_token),
    )
    .route("/item/get", web::post().to(items::get_item))
    .route("/item/remove", web::post().to(items::remove_item))
    .route(
        "/item/webhook/update",
        web::post().to(items::update_webhook),
    )
    .route("/accounts/get", web::post().to(accounts::get_accounts))
    .route(
        "/accounts/balance/get",
        web::post().to(accounts::get_accounts),
    )
    .route(
        "/institutions/get_by_id",
        web::post().to(institutions::get_by_id),
    )
    .route("/institutions/search", web::post().to(institutions::search))
    .route("/transactions/sync", web::post().to(transactions::sync))
    .route(
        "/transactions/refresh",
        web::post().to(transactions::refresh),
    )
    .route(
        "/transactions/recurring/get",
        web::post().to(transactions::recurring),
    )
    .service(
        // Only for callers on this machine or with the secret (see `guard`), whatever the route.
        web::scope("/control")
            .wrap(from_fn(guard::local_or_secret))
            .route("/clock/advance", web::post().to(control::advance_clock))
            .route("/faults", web::post().to(control::add_fault))
            .route("/faults", web::get().to(control::list_faults))
            .route("/faults", web::delete().to(control::clear_faults))
            .route("/items/{item_id}", web::get().to(control::item_truth))
            .route(
                "/items/{item_id}/accounts",
                web::post().to(control::add_account),
            )
            .route(
                "/items/{item_id}/transactions/{transaction_id}/amount",
                web::post().to(control::correct_amount),
            )
            .route(
                "/items/{item_id}/balances",
                web::get().to(balances::balance_history),
            )
            .route(
                "/items/{item_id}/transactions/{transaction_id}",
                web::delete().to(control::remove_transaction),
            ),
    )
    .service(
        web::scope("/sandbox")
            .wrap(from_fn(guard::local_or_secret))
            .route(
                "/public_token/create",
                web::post().to(sandbox::create_public_token),
            )
            .route("/item/reset_login", web::post().to(sandbox::reset_login))
            .route("/item/fire_webhook", web::post().to(sandbox::fire_webhook)),
    )
    .route(
        "/webhook_verification_key/get",
        web::post().to(sandbox::verification_key),
    )
    .route("/merchant-logos/{file}", web::get().to(merchant_logo))
    .route("/link-initialize.js", web::get().to(link_script))
    .route("/link.css", web::get().to(link_stylesheet))
    .route("/oauth.css", web::get().to(oauth_stylesheet))
    .route("/link/session", web::post().to(link_ui::start_session))
    .route(
        "/link/institutions",
        web::get().to(link_ui::list_institutions),
    )
    .route(
        "/link/credentials",
        web::post().to(link_ui::submit_credentials),
    )
    .route("/link/mfa", web::post().to(link_ui::submit_mfa))
    .route("/link/oauth/start", web::post().to(link_ui::start_oauth))
    .route("/link/oauth/resume", web::post().to(link_ui::resume_oauth))
    .route("/link/complete", web::post().to(link_ui::complete))
    .route("/link/exit", web::post().to(link_ui::exit))
    .route("/oauth/authorize", web::get().to(oauth::consent_page))
    .route("/oauth/decision", web::post().to(oauth::decide))
    .default_service(web::to(not_found));
}

async fn not_found() -> Result<HttpResponse, SimError> {
    Err(SimError::not_found())
}

impl Simulator {
    fn read(&self, req: &HttpRequest, body: &web::Bytes) -> Result<PlaidRequest, SimError> {
        PlaidRequest::parse(req, body, self.keys.as_ref())
    }

    /// The item whose `access_token` the request carries.
    async fn item_of(
        &self,
        req: &HttpRequest,
        body: &web::Bytes,
    ) -> Result<super::store::SimItem, SimError> {
        let access_token = self.read(req, body)?.required_text("access_token")?;
        super::store::item_by_access_token(&self.db, &access_token).await
    }
}

/// A 200 answer with its `request_id`.
fn answer(mut body: Value) -> HttpResponse {
    body["request_id"] = Value::from(ids::request_id());
    HttpResponse::Ok().json(body)
}

type Sim = web::Data<Simulator>;

/// The Link stand-in and its styles: small, so served from the binary, revalidated each load.
async fn link_script() -> HttpResponse {
    asset(
        "text/javascript; charset=utf-8",
        include_str!("../assets/link-initialize.js"),
    )
}

async fn link_stylesheet() -> HttpResponse {
    asset(
        "text/css; charset=utf-8",
        include_str!("../assets/link.css"),
    )
}

async fn oauth_stylesheet() -> HttpResponse {
    asset(
        "text/css; charset=utf-8",
        include_str!("../assets/oauth.css"),
    )
}

/// `GET /merchant-logos/<slug>.png`: the image behind a simulated transaction's `logo_url`.
/// Drawn once per slug and never changing, so browsers may keep it for a day.
async fn merchant_logo(file: web::Path<String>) -> Result<HttpResponse, SimError> {
    let png = file
        .strip_suffix(".png")
        .and_then(super::merchant_logos::png)
        .ok_or_else(SimError::not_found)?;
    Ok(HttpResponse::Ok()
        .content_type("image/png")
        .insert_header((
            actix_web::http::header::CACHE_CONTROL,
            "public, max-age=86400",
        ))
        .body(png))
}

fn asset(content_type: &str, body: &'static str) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(content_type)
        .insert_header((actix_web::http::header::CACHE_CONTROL, "no-cache"))
        .body(body)
}
