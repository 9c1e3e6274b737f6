//! One refresh of one item's streams: from Plaid, or from Tally's detector where Plaid refuses
//! the product; stored in one transaction with the events it causes.

use super::from_plaid;
use crate::crypto::CipherError;
use crate::db;
use crate::db::items::PlaidItem;
use crate::db::recurring::FoundStream;
use crate::db::recurring_refresh::RefreshClaim;
use crate::items;
use crate::plaid::PlaidError;
use crate::state::AppState;
use crate::ws::{EventHub, PublishError};
use chrono::Utc;
use tally_shared::api::items::ItemStatus;
use tally_shared::api::recurring::StreamSource;
use tally_shared::ws::ServerEvent;

/// After Plaid refused the product for an item, Tally's detector stands in this long before
/// Plaid is asked again (a client can be enabled for it later).
const ASK_PLAID_AGAIN_AFTER: chrono::TimeDelta = chrono::TimeDelta::days(1);

#[derive(Debug, thiserror::Error)]
pub enum RefreshError {
    #[error(transparent)]
    Plaid(#[from] PlaidError),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    #[error("the access token cannot be opened")]
    Cipher(#[from] CipherError),
    #[error(transparent)]
    Publish(#[from] PublishError),
    #[error("the recurring detector failed")]
    Detector(#[from] tokio::task::JoinError),
}

/// Fetches (or detects) the item's streams and stores them.
pub async fn refresh_item(state: &AppState, claim: &RefreshClaim) -> Result<(), RefreshError> {
    let Some(item) = db::items::by_id(&state.db, claim.item_id).await? else {
        return Ok(());
    };
    if [ItemStatus::LoginRequired, ItemStatus::PermissionRevoked]
        .iter()
        .any(|status| status.as_str() == item.status)
    {
        // Plaid answers nothing until the person logs in again; the repair's sync asks again.
        return Ok(());
    }
    let refused_lately = claim
        .plaid_refused_at
        .is_some_and(|at| Utc::now() - at < ASK_PLAID_AGAIN_AFTER);
    let (source, streams) = if refused_lately {
        (
            StreamSource::Local,
            super::local::streams(state, &item).await?,
        )
    } else {
        let access = items::access(&state.cipher, &item)?;
        match state.plaid.transactions_recurring_get(&access).await {
            Ok(response) => {
                if claim.plaid_refused_at.is_some() {
                    db::recurring_refresh::set_plaid_refused(&state.db, item.item_id, None).await?;
                }
                let streams = from_plaid::streams(&state.db, item.item_id, &response).await?;
                (StreamSource::Plaid, streams)
            }
            Err(error) if error.is_product_refused() => {
                tracing::info!(%error, "Plaid refuses recurring transactions: Tally's detector stands in");
                db::recurring_refresh::set_plaid_refused(&state.db, item.item_id, Some(Utc::now()))
                    .await?;
                (
                    StreamSource::Local,
                    super::local::streams(state, &item).await?,
                )
            }
            Err(error) if error.is_login_required() || error.is_item_gone() => {
                // The item's own status follows from its sync.
                tracing::info!(%error, "the item cannot be read now");
                return Ok(());
            }
            Err(error) => return Err(error.into()),
        }
    };
    store(state, &item, source, &streams).await
}

/// Stores the streams from `source` and tombstones the other source's (an item has one at a
/// time), announcing what changed when the transaction commits.
async fn store(
    state: &AppState,
    item: &PlaidItem,
    source: StreamSource,
    streams: &[FoundStream],
) -> Result<(), RefreshError> {
    let other = match source {
        StreamSource::Plaid => StreamSource::Local,
        StreamSource::Local => StreamSource::Plaid,
    };
    let mut tx = state.db.begin().await?;
    let stored = db::recurring::store(&mut tx, item.item_id, item.user_id, source, streams).await?;
    let retired = db::recurring::store(&mut tx, item.item_id, item.user_id, other, &[]).await?;
    if stored.changed || retired.changed {
        EventHub::publish_with(&mut *tx, item.user_id, ServerEvent::RecurringChanged).await?;
    }
    for change in stored
        .price_changes
        .into_iter()
        .chain(retired.price_changes)
    {
        tracing::info!(stream_id = %change.stream_id, "a recurring price changed");
        EventHub::publish_with(
            &mut *tx,
            change.user_id,
            ServerEvent::RecurringPriceChanged {
                stream_id: change.stream_id,
                name: change.name,
                previous_amount: change.previous_amount,
                last_amount: change.last_amount,
                currency: change.currency,
            },
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}
