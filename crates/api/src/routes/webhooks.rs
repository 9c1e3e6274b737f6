//! `POST /webhooks/plaid`: Plaid telling us something changed. The signature is checked against
//! the raw body before anything else; a verified webhook is recorded, answered at once, and its
//! work queued. Doing the work twice, or in another order, changes nothing: a status a webhook
//! sets is confirmed (or undone) by the sync it queues. A replay of a webhook already received
//! (the same signature, within its five minutes) is recorded as one and does nothing, so a
//! captured webhook cannot be used to make Tally call Plaid again and again. Except for a few
//! copies of a notice that only says "new transactions": Plaid's signature covers the body and
//! the second it was sent, so two genuine notices for one item within a second are the very
//! same bytes, and dropping the second would leave its change to the next scheduled sync.
//! Such a copy queues a sync (which folds into one already queued), at most
//! `HONOURED_SYNC_COPIES` times.

use crate::db;
use crate::db::events::{Arrival, ReceivedWebhook};
use crate::db::items::PlaidItem;
use crate::db::sync_jobs::SyncReason;
use crate::error::ApiError;
use crate::items;
use crate::plaid::webhook::{Event, Webhook, WebhookRejection, KEY_LOOKUPS_PER_MINUTE};
use crate::state::AppState;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::Utc;
use tally_shared::api::items::ItemStatus;

/// Plaid's webhooks are a few hundred bytes.
const MAX_WEBHOOK_BYTES: usize = 64 * 1024;

/// How many copies of a "new transactions" notice still queue a sync.
const HONOURED_SYNC_COPIES: i64 = 2;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/plaid")
            .app_data(web::PayloadConfig::new(MAX_WEBHOOK_BYTES))
            .post(receive),
    );
}

#[utoipa::path(post, path = "/webhooks/plaid", tag = "webhooks",
    params(("Plaid-Verification" = String, Header, description = "Plaid's ES256 JWT over the body")),
    request_body(content = String, description = "Plaid's webhook JSON, exactly as signed"),
    responses((status = 200, description = "Verified and recorded; its work is queued (a replay of one already received is recorded only, but for two copies of a notice of new transactions, which queue a sync)"),
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
    let signed = match state
        .webhook_verifier
        .verify(signature, &body, Utc::now().timestamp())
        .await
    {
        Ok(signed) => signed,
        Err(rejection) => {
            tracing::warn!(%rejection, "webhook refused");
            return Err(match rejection {
                // Not a verdict on this webhook: Plaid sends it again later, when lookups resume.
                WebhookRejection::KeyLookupsExhausted => ApiError::RateLimited {
                    retry_after_secs: u64::from(60 / KEY_LOOKUPS_PER_MINUTE),
                },
                _ => ApiError::BadRequest("The webhook's signature does not verify.".to_owned()),
            });
        }
    };
    let webhook = Webhook::parse(&body)
        .map_err(|_| ApiError::BadRequest("The webhook is not one of Plaid's.".to_owned()))?;
    tracing::Span::current().record(
        "code",
        format!("{}.{}", webhook.webhook_type, webhook.webhook_code),
    );

    let item = match &webhook.plaid_item_id {
        Some(plaid_item_id) => db::items::by_plaid_item_id(&state.db, plaid_item_id).await?,
        None => None,
    };
    let arrival = db::events::insert_webhook_event(
        &state.db,
        &ReceivedWebhook {
            plaid_item_id: webhook.plaid_item_id.as_deref(),
            item_id: item.as_ref().map(|item| item.item_id),
            webhook_type: &webhook.webhook_type,
            webhook_code: &webhook.webhook_code,
            error_code: webhook.error_code.as_deref(),
            body: &webhook.body,
            signature_digest: &signed.digest,
        },
    )
    .await?;
    match (arrival, item) {
        (Arrival::Replay { copy }, Some(item))
            if copy <= HONOURED_SYNC_COPIES
                && matches!(webhook.event, Event::TransactionsChanged) =>
        {
            tracing::info!(
                copy,
                "the same notice of new transactions again: a sync is queued"
            );
            state
                .sync_queue
                .queue(&state.db, item.item_id, SyncReason::Webhook)
                .await?;
        }
        (Arrival::Replay { .. }, _) => {
            tracing::warn!("a replay of a webhook already received: recorded only")
        }
        (Arrival::First, Some(item)) => {
            if let Err(error) = act(&state, &item, &webhook).await {
                db::events::release_signature(&state.db, &signed.digest).await?;
                return Err(error);
            }
        }
        (Arrival::First, None) => {
            tracing::info!("webhook for an item Tally does not have: recorded only")
        }
    }
    Ok(HttpResponse::Ok().json(serde_json::json!({ "received": true })))
}

async fn act(state: &AppState, item: &PlaidItem, webhook: &Webhook) -> Result<(), ApiError> {
    db::items::touch_webhook(&state.db, item.item_id).await?;
    let (status, sync) = match webhook.event {
        Event::TransactionsChanged | Event::LoginRepaired => (None, true),
        Event::LoginRequired => (Some(ItemStatus::LoginRequired), true),
        Event::ItemError => (Some(ItemStatus::Error), true),
        Event::PendingExpiration { consent_expires_at } => {
            db::items::set_consent_expiry(&state.db, item.item_id, consent_expires_at).await?;
            (Some(ItemStatus::PendingExpiration), false)
        }
        Event::PendingDisconnect => (Some(ItemStatus::PendingDisconnect), false),
        Event::PermissionRevoked => (Some(ItemStatus::PermissionRevoked), false),
        Event::NewAccountsAvailable => (Some(ItemStatus::NewAccountsAvailable), false),
        Event::RecurringChanged => {
            state
                .recurring_queue
                .request(&state.db, item.item_id)
                .await?;
            (None, false)
        }
        Event::Other => {
            tracing::info!("nothing to do for this webhook");
            (None, false)
        }
    };
    if let Some(status) = status {
        // An error status keeps the error's code; any other, the webhook's own.
        let error_code = match status {
            ItemStatus::LoginRequired | ItemStatus::Error => webhook.error_code.as_deref(),
            _ => Some(webhook.webhook_code.as_str()),
        };
        items::set_status(state, item.item_id, status, error_code).await?;
    }
    if sync {
        state
            .sync_queue
            .queue(&state.db, item.item_id, SyncReason::Webhook)
            .await?;
    }
    Ok(())
}
