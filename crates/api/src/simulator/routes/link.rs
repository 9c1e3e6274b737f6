//! `/link/token/create`.

use super::{answer, Sim};
use crate::simulator::error::SimError;
use crate::simulator::{ids, store};
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{Duration, Utc};
use serde_json::{json, Value};

/// Link tokens for new items last 4 hours; update-mode tokens 30 minutes.
const NEW_ITEM_LIFETIME: Duration = Duration::hours(4);
const UPDATE_MODE_LIFETIME: Duration = Duration::minutes(30);

pub async fn create_link_token(
    sim: Sim,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, SimError> {
    let request = sim.read(&req, &body)?;
    request.require(&["client_name", "language", "country_codes", "user"])?;
    let parsed: LinkTokenBody = request.into_typed()?;
    let client_user_id = parsed
        .user
        .get("client_user_id")
        .and_then(Value::as_str)
        .filter(|id| !id.is_empty())
        .ok_or_else(|| SimError::missing_fields(&["user.client_user_id"]))?;

    let update_item = match parsed.access_token.as_deref() {
        Some(token) => Some(store::item_by_access_token(&sim.db, token).await?),
        None => None,
    };
    if update_item.is_none() && parsed.products.as_ref().is_none_or(Vec::is_empty) {
        return Err(SimError::missing_fields(&["products"]));
    }
    if let Some(webhook) = parsed.webhook.as_deref() {
        sim.targets.check_webhook("webhook", webhook)?;
    }
    if let Some(redirect_uri) = parsed.redirect_uri.as_deref() {
        sim.targets.check_redirect("redirect_uri", redirect_uri)?;
    }
    let days_requested = parsed
        .transactions
        .as_ref()
        .and_then(|t| t.get("days_requested"))
        .and_then(Value::as_i64)
        .unwrap_or(90);
    let days_requested = i32::try_from(days_requested)
        .ok()
        .filter(|days| (1..=730).contains(days))
        .ok_or_else(|| {
            SimError::invalid_field("transactions.days_requested must be between 1 and 730")
        })?;

    let account_selection = parsed
        .update
        .as_ref()
        .and_then(|update| update.get("account_selection_enabled"))
        .and_then(Value::as_bool)
        .unwrap_or(false);
    if account_selection && update_item.is_none() {
        return Err(SimError::invalid_field(
            "update.account_selection_enabled is for update mode: send an access_token",
        ));
    }
    let lifetime = if update_item.is_some() {
        UPDATE_MODE_LIFETIME
    } else {
        NEW_ITEM_LIFETIME
    };
    let expires_at = Utc::now() + lifetime;
    let link_token = ids::token("link");
    store::insert_link_token(
        &sim.db,
        &store::LinkTokenRecord {
            link_token: &link_token,
            client_user_id,
            item_id: update_item.as_ref().map(|item| item.item_id.as_str()),
            webhook: parsed.webhook.as_deref(),
            redirect_uri: parsed.redirect_uri.as_deref(),
            days_requested,
            expires_at,
            account_selection,
        },
    )
    .await?;
    Ok(answer(json!({
        "link_token": link_token,
        "expiration": expires_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
    })))
}

#[derive(serde::Deserialize)]
struct LinkTokenBody {
    user: serde_json::Map<String, Value>,
    #[serde(default)]
    products: Option<Vec<String>>,
    #[serde(default)]
    access_token: Option<String>,
    #[serde(default)]
    webhook: Option<String>,
    #[serde(default)]
    redirect_uri: Option<String>,
    #[serde(default)]
    transactions: Option<serde_json::Map<String, Value>>,
    #[serde(default)]
    update: Option<serde_json::Map<String, Value>>,
}
