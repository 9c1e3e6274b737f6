//! `POST /webhooks/plaid`: Plaid telling us something changed. The signature is checked against
//! the raw body before anything else; a verified webhook is recorded, answered at once, and its
//! work queued. Doing the work twice, or in another order, changes nothing: a status a webhook
//! sets is confirmed (or undone) by the sync it queues.

use crate::db;
use crate::db::events::ReceivedWebhook;
use crate::db::items::PlaidItem;
use crate::db::sync_jobs::SyncReason;
use crate::error::ApiError;
use crate::items;
use crate::plaid::webhook::{WebhookRejection, KEY_LOOKUPS_PER_MINUTE};
use crate::plaid::PlaidErrorBody;
use crate::state::AppState;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::Value;
use tally_shared::api::items::ItemStatus;

/// Plaid's webhooks are a few hundred bytes.
const MAX_WEBHOOK_BYTES: usize = 64 * 1024;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/plaid")
            .app_data(web::PayloadConfig::new(MAX_WEBHOOK_BYTES))
            .post(receive),
    );
}

#[derive(Deserialize)]
struct Webhook {
    webhook_type: String,
    webhook_code: String,
    #[serde(default)]
    item_id: Option<String>,
    #[serde(default)]
    error: Option<PlaidErrorBody>,
    #[serde(default)]
    consent_expiration_time: Option<DateTime<Utc>>,
}

/// What a webhook asks of us.
enum Work {
    Sync,
    Status(ItemStatus),
    SyncAfterStatus(ItemStatus),
    Nothing,
}

#[utoipa::path(post, path = "/webhooks/plaid", tag = "webhooks",
    params(("Plaid-Verification" = String, Header, description = "Plaid's ES256 JWT over the body")),
    request_body(content = String, description = "Plaid's webhook JSON, exactly as signed"),
    responses((status = 200, description = "Verified and recorded; its work is queued"),
              (status = 400, description = "The signature does not verify; nothing happened", body = tally_shared::ApiError),
              (status = 429, description = "Signed by a key not yet known while key lookups are paused (too many lately); nothing happened", body = tally_shared::ApiError)))]
#[tracing::instrument(name = "webhook", skip_all, fields(code))]
async fn receive(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let signature = req
        .headers()
        .get("Plaid-Verification")
        .and_then(|value| value.to_str().ok());
    if let Err(rejection) = state
        .webhook_verifier
        .verify(signature, &body, Utc::now().timestamp())
        .await
    {
        tracing::warn!(%rejection, "webhook refused");
        return Err(match rejection {
            // Not a verdict on this webhook: Plaid sends it again later, when lookups resume.
            WebhookRejection::KeyLookupsExhausted => ApiError::RateLimited {
                retry_after_secs: u64::from(60 / KEY_LOOKUPS_PER_MINUTE),
            },
            _ => ApiError::BadRequest("The webhook's signature does not verify.".to_owned()),
        });
    }
    let (Ok(raw), Ok(webhook)) = (
        serde_json::from_slice::<Value>(&body),
        serde_json::from_slice::<Webhook>(&body),
    ) else {
        return Err(ApiError::BadRequest(
            "The webhook is not one of Plaid's.".to_owned(),
        ));
    };
    tracing::Span::current().record(
        "code",
        format!("{}.{}", webhook.webhook_type, webhook.webhook_code),
    );

    let item = match &webhook.item_id {
        Some(plaid_item_id) => db::items::by_plaid_item_id(&state.db, plaid_item_id).await?,
        None => None,
    };
    let error_code = webhook.error.as_ref().map(|e| e.error_code.as_str());
    db::events::insert_webhook_event(
        &state.db,
        &ReceivedWebhook {
            plaid_item_id: webhook.item_id.as_deref(),
            item_id: item.as_ref().map(|item| item.item_id),
            webhook_type: &webhook.webhook_type,
            webhook_code: &webhook.webhook_code,
            error_code,
            body: &raw,
        },
    )
    .await?;
    match item {
        Some(item) => act(&state, &item, &webhook).await?,
        None => tracing::info!("webhook for an item Tally does not have: recorded only"),
    }
    Ok(HttpResponse::Ok().json(serde_json::json!({ "received": true })))
}

fn work(webhook: &Webhook) -> Work {
    match (webhook.webhook_type.as_str(), webhook.webhook_code.as_str()) {
        (
            "TRANSACTIONS",
            "SYNC_UPDATES_AVAILABLE"
            | "INITIAL_UPDATE"
            | "HISTORICAL_UPDATE"
            | "DEFAULT_UPDATE"
            | "TRANSACTIONS_REMOVED",
        ) => Work::Sync,
        ("ITEM", "ERROR") => match webhook.error.as_ref().map(|e| e.error_code.as_str()) {
            Some("ITEM_LOGIN_REQUIRED") => Work::SyncAfterStatus(ItemStatus::LoginRequired),
            _ => Work::SyncAfterStatus(ItemStatus::Error),
        },
        ("ITEM", "LOGIN_REPAIRED") => Work::Sync,
        ("ITEM", "PENDING_EXPIRATION") => Work::Status(ItemStatus::PendingExpiration),
        ("ITEM", "PENDING_DISCONNECT") => Work::Status(ItemStatus::PendingDisconnect),
        ("ITEM", "USER_PERMISSION_REVOKED" | "USER_ACCOUNT_REVOKED") => {
            Work::Status(ItemStatus::PermissionRevoked)
        }
        ("ITEM", "NEW_ACCOUNTS_AVAILABLE") => Work::Status(ItemStatus::NewAccountsAvailable),
        _ => Work::Nothing,
    }
}

async fn act(state: &AppState, item: &PlaidItem, webhook: &Webhook) -> Result<(), ApiError> {
    db::items::touch_webhook(&state.db, item.item_id).await?;
    let (status, sync) = match work(webhook) {
        Work::Sync => (None, true),
        Work::Status(status) => (Some(status), false),
        Work::SyncAfterStatus(status) => (Some(status), true),
        Work::Nothing => {
            tracing::info!("nothing to do for this webhook");
            (None, false)
        }
    };
    if let Some(status) = status {
        if webhook.webhook_code == "PENDING_EXPIRATION" {
            db::items::set_consent_expiry(&state.db, item.item_id, webhook.consent_expiration_time)
                .await?;
        }
        let error_code = match status {
            ItemStatus::LoginRequired | ItemStatus::Error => {
                webhook.error.as_ref().map(|e| e.error_code.clone())
            }
            _ => Some(webhook.webhook_code.clone()),
        };
        items::set_status(state, item.item_id, status, error_code.as_deref()).await?;
    }
    if sync {
        state
            .sync_queue
            .queue(&state.db, item.item_id, SyncReason::Webhook)
            .await?;
    }
    Ok(())
}
