//! The sandbox-only endpoints and the webhook verification key.

use super::{answer, Sim};
use crate::simulator::error::SimError;
use crate::simulator::{institutions, new_accounts, store, users, SigningKey};
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
    if let Some(webhook) = options.webhook.as_deref() {
        sim.targets.check_webhook("options.webhook", webhook)?;
    }
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
    let item = sim.item_of(&req, &body).await?;
    store::set_login_required(&sim.db, &item.item_id, true).await?;
    if let Some(url) = item.webhook.as_deref() {
        sim.webhooks.send(
            url,
            &item.item_id,
            "ITEM",
            "ERROR",
            json!({ "error": SimError::item_login_required().object() }),
        );
    }
    Ok(answer(json!({ "reset_login": true })))
}

pub async fn verification_key(
    sim: Sim,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, SimError> {
    let key_id = sim.read(&req, &body)?.required_text("key_id")?;
    let key = SigningKey::published(&sim.db, &key_id)
        .await
        .map_err(|error| {
            tracing::error!(%error, "simulator: reading a signing key");
            SimError::internal()
        })?
        .ok_or_else(SimError::invalid_verification_key)?;
    Ok(answer(json!({ "key": key })))
}

/// Sends one of the webhooks Plaid's sandbox can fire, with its fields.
pub async fn fire_webhook(
    sim: Sim,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, SimError> {
    let request = sim.read(&req, &body)?;
    request.require(&["access_token", "webhook_code"])?;
    let access_token = request.required_text("access_token")?;
    let code = request.required_text("webhook_code")?;
    let item = store::item_by_access_token(&sim.db, &access_token).await?;
    let Some(url) = item.webhook.as_deref() else {
        return Err(SimError::sandbox_webhook_invalid());
    };
    let accounts = store::accounts(&sim.db, &item.item_id).await?;
    let (webhook_type, extra) = match code.as_str() {
        "SYNC_UPDATES_AVAILABLE" => (
            "TRANSACTIONS",
            json!({ "initial_update_complete": true, "historical_update_complete": true }),
        ),
        "DEFAULT_UPDATE" => ("TRANSACTIONS", json!({ "new_transactions": 0 })),
        "RECURRING_TRANSACTIONS_UPDATE" => (
            "TRANSACTIONS",
            json!({ "account_ids": accounts.iter().map(|a| a.account_id.as_str()).collect::<Vec<_>>() }),
        ),
        "LOGIN_REPAIRED" => ("ITEM", json!({})),
        "NEW_ACCOUNTS_AVAILABLE" => {
            // What the webhook announces: the bank has opened an account the item does not
            // share yet, which Link offers in update mode with account selection.
            new_accounts::open_account(&sim.db, &item.item_id).await?;
            ("ITEM", json!({ "error": null }))
        }
        "ERROR" => (
            "ITEM",
            json!({ "error": SimError::item_login_required().object() }),
        ),
        "USER_PERMISSION_REVOKED" => (
            "ITEM",
            json!({ "error": SimError::user_permission_revoked().object() }),
        ),
        "USER_ACCOUNT_REVOKED" => (
            "ITEM",
            json!({ "account_id": accounts.first().map(|a| a.account_id.as_str()) }),
        ),
        "PENDING_DISCONNECT" => (
            "ITEM",
            json!({
                "reason": "INSTITUTION_TOKEN_EXPIRATION",
                "disconnect_time": (chrono::Utc::now() + chrono::Duration::days(7))
                    .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            }),
        ),
        "PENDING_EXPIRATION" => (
            "ITEM",
            json!({
                "consent_expiration_time": (chrono::Utc::now() + chrono::Duration::days(7))
                    .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            }),
        ),
        other => {
            return Err(SimError::invalid_field(format!(
                "webhook_code {other:?} cannot be fired in the sandbox"
            )))
        }
    };
    sim.webhooks
        .send(url, &item.item_id, webhook_type, &code, extra);
    Ok(answer(json!({ "webhook_fired": true })))
}
