//! Records kept for support: Link's callbacks, Plaid calls and webhooks as received.

use crate::plaid::PlaidApiEvent;
use serde_json::Value;
use sqlx::PgExecutor;
use tally_shared::api::items::LinkEventRequest;
use tally_shared::ids::{ItemId, UserId};

#[tracing::instrument(skip_all)]
pub async fn insert_link_event(
    db: impl PgExecutor<'_>,
    user_id: UserId,
    event: &LinkEventRequest,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "insert into link_event (user_id, kind, event_name, link_session_id, request_id, status,
             error_type, error_code, error_message, institution_id, institution_name)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        user_id.0,
        event.kind.as_str(),
        event.event_name,
        event.link_session_id,
        event.request_id,
        event.status,
        event.error_type,
        event.error_code,
        event.error_message,
        event.institution_id,
        event.institution_name
    )
    .execute(db)
    .await?;
    Ok(())
}

/// Writes a batch of Plaid call records in one statement.
#[tracing::instrument(skip_all, fields(events = events.len()))]
pub async fn insert_plaid_api_events(
    db: impl PgExecutor<'_>,
    events: &[PlaidApiEvent],
) -> Result<(), sqlx::Error> {
    let text = |f: fn(&PlaidApiEvent) -> Option<String>| events.iter().map(f).collect::<Vec<_>>();
    // `as _`: the macros check a text[] only as `&[String]`, not as these nullable columns; the
    // statement's casts fix the types.
    sqlx::query!(
        "insert into plaid_api_event (plaid_item_id, method, request_id, error_type, error_code,
             duration_ms)
         select * from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[],
             $6::int[])",
        text(|e| e.item_id.clone()) as _,
        text(|e| Some(e.method.to_owned())) as _,
        text(|e| e.request_id.clone()) as _,
        text(|e| e.error_type.clone()) as _,
        text(|e| e.error_code.clone()) as _,
        &events
            .iter()
            .map(|e| i32::try_from(e.duration.as_millis()).unwrap_or(i32::MAX))
            .collect::<Vec<_>>()
    )
    .execute(db)
    .await?;
    Ok(())
}

/// A verified webhook, whatever it says. `item_id` is ours when we know the item;
/// `signature_digest` names what its signature signed.
#[derive(Debug)]
pub struct ReceivedWebhook<'a> {
    pub plaid_item_id: Option<&'a str>,
    pub item_id: Option<ItemId>,
    pub webhook_type: &'a str,
    pub webhook_code: &'a str,
    pub error_code: Option<&'a str>,
    pub body: &'a Value,
    pub signature_digest: &'a [u8],
}

/// Whether a recorded webhook is the first with its signature or a copy of one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arrival {
    First,
    /// The `copy`-th copy of a webhook received before (the first copy is 1).
    Replay {
        copy: i64,
    },
}

/// Records the webhook, as a replay when a webhook with the same signature was recorded
/// before. One statement, so two copies arriving at once cannot both be first.
#[tracing::instrument(skip_all)]
pub async fn insert_webhook_event(
    db: impl PgExecutor<'_>,
    webhook: &ReceivedWebhook<'_>,
) -> Result<Arrival, sqlx::Error> {
    let copy = sqlx::query_scalar!(
        r#"with first as (
               insert into webhook_event (plaid_item_id, item_id, webhook_type, webhook_code,
                   error_code, body, signature_digest)
               values ($1, $2, $3, $4, $5, $6, $7)
               on conflict (signature_digest) where not replayed do nothing
               returning webhook_event_id),
           replay as (
               insert into webhook_event (plaid_item_id, item_id, webhook_type, webhook_code,
                   error_code, body, signature_digest, replayed)
               select $1, $2, $3, $4, $5, $6, $7, true
               where not exists (select from first)
               returning webhook_event_id)
           select case when exists (select from first) then 0
                       else 1 + (select count(*) from webhook_event
                                 where signature_digest = $7 and replayed)
                  end as "copy!""#,
        webhook.plaid_item_id,
        webhook.item_id.map(|id| id.0),
        webhook.webhook_type,
        webhook.webhook_code,
        webhook.error_code,
        webhook.body,
        webhook.signature_digest
    )
    .fetch_one(db)
    .await?;
    Ok(match copy {
        0 => Arrival::First,
        copy => Arrival::Replay { copy },
    })
}

/// Frees a recorded webhook's signature when its work failed: Plaid sends it again (perhaps
/// with the very same signature), and that copy must count as the first, not as a replay.
#[tracing::instrument(skip_all)]
pub async fn release_signature(
    db: impl PgExecutor<'_>,
    signature_digest: &[u8],
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "update webhook_event set signature_digest = null
         where signature_digest = $1 and not replayed",
        signature_digest
    )
    .execute(db)
    .await?;
    Ok(())
}
