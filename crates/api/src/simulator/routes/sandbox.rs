//! The sandbox-only endpoints and the webhook verification key.

use super::{answer, Sim};
use crate::simulator::error::SimError;
use crate::simulator::{institutions, store, users};
use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::json;

#[derive(serde::Deserialize)]
struct PublicTokenBody {
    institution_id: String,
    initial_products: Vec<String>,
    #[serde(default)]
    options: Option<PublicTokenOptions>,
}

#[derive(serde::Deserialize, Default)]
struct PublicTokenOptions {
    #[serde(default)]
    webhook: Option<String>,
    #[serde(default)]
    override_username: Option<String>,
    #[serde(default)]
    override_password: Option<String>,
    #[serde(default)]
    transactions: Option<TransactionsOptions>,
}

#[derive(serde::Deserialize)]
struct TransactionsOptions {
    #[serde(default)]
    days_requested: Option<u32>,
}

/// Two years, so a new item looks lived-in (Plaid's sandbox defaults to 90 days).
pub const DEFAULT_HISTORY_DAYS: u32 = 730;

/// An item made without Link, logged in as `user_good` unless the options say otherwise.
pub async fn create_public_token(
    sim: Sim,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, SimError> {
    let request = sim.read(&req, &body)?;
    request.require(&["institution_id", "initial_products"])?;
    let parsed: PublicTokenBody = request.into_typed()?;
    if parsed.initial_products.is_empty() {
        return Err(SimError::invalid_field(
            "initial_products must not be empty",
        ));
    }
    let institution =
        institutions::find(&parsed.institution_id).ok_or_else(SimError::invalid_institution)?;
    let options = parsed.options.unwrap_or_default();
    let username = options
        .override_username
        .unwrap_or_else(|| "user_good".to_owned());
    let password = options
        .override_password
        .unwrap_or_else(|| "pass_good".to_owned());
    let user = users::log_in(&username, &password)?;
    let days_requested = options
        .transactions
        .and_then(|t| t.days_requested)
        .unwrap_or(DEFAULT_HISTORY_DAYS);
    if !(1..=730).contains(&days_requested) {
        return Err(SimError::invalid_field(
            "options.transactions.days_requested must be between 1 and 730",
        ));
    }
    let (_, public_token) = store::create_item(
        &sim.db,
        store::NewItem {
            institution,
            username: &username,
            password: &password,
            user: &user,
            webhook: options.webhook.as_deref(),
            days_requested,
        },
    )
    .await?;
    Ok(answer(json!({ "public_token": public_token })))
}

/// Puts the item into `ITEM_LOGIN_REQUIRED` until update mode repairs it.
pub async fn reset_login(
    sim: Sim,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, SimError> {
    let access_token = sim.read(&req, &body)?.required_text("access_token")?;
    let item = store::item_by_access_token(&sim.db, &access_token).await?;
    store::set_login_required(&sim.db, &item.item_id, true).await?;
    Ok(answer(json!({ "reset_login": true })))
}

pub async fn verification_key(
    sim: Sim,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, SimError> {
    let key_id = sim.read(&req, &body)?.required_text("key_id")?;
    if key_id != sim.signing_key().kid {
        return Err(SimError::invalid_verification_key());
    }
    Ok(answer(json!({ "key": sim.signing_key().jwk() })))
}
