//! A person's labels follow a pending transaction to the posted one that replaces it
//! (`docs/architecture.md`, "Labels"). Plaid reports the pair as the pending one removed and the
//! posted one added, in either order, on one page, on two pages, or in two passes; so the labels
//! travel through `carried_labels` always: taken from the pending row when it is removed (or when
//! its posted row arrives while it is still there), handed to the posted row when it is first
//! stored. A Plaid modification needs nothing: the upsert writes only Plaid's columns.

use super::run::SyncError;
use crate::db;
use crate::db::sync::TransactionRows;
use crate::ws::{EventHub, PublishError};
use sqlx::PgConnection;
use std::collections::BTreeMap;
use tally_shared::ids::{ItemId, UserId};
use tally_shared::ws::ServerEvent;

/// Transaction ids per `splits_removed` event, well within a notification's size.
const EVENT_IDS: usize = 100;

/// The posted transactions of one page that are new, and the pending ones they name; found
/// before the page is written, since an upsert cannot tell new rows from modified ones after.
pub(super) struct Posting {
    posted: Vec<String>,
    pending: Vec<String>,
}

impl Posting {
    pub(super) async fn before_write(
        tx: &mut PgConnection,
        item_id: ItemId,
        rows: &TransactionRows,
    ) -> Result<Self, SyncError> {
        let naming: BTreeMap<&str, &str> = rows
            .pending_ids()
            .filter_map(|(id, pending)| pending.map(|pending| (id, pending)))
            .collect();
        let candidates: Vec<String> = naming.keys().map(|id| (*id).to_owned()).collect();
        let posted = db::carried_labels::not_stored(tx, item_id, &candidates).await?;
        let pending = posted
            .iter()
            .filter_map(|id| naming.get(id.as_str()).map(|p| (*p).to_owned()))
            .collect();
        Ok(Self { posted, pending })
    }

    /// After the write: the new posted rows take what their pending ones carried. A pending
    /// row still stored hands its labels over first.
    pub(super) async fn after_write(
        self,
        tx: &mut PgConnection,
        item_id: ItemId,
    ) -> Result<(), SyncError> {
        if self.posted.is_empty() {
            return Ok(());
        }
        db::carried_labels::carry(tx, item_id, &self.pending, false).await?;
        let dropped = db::carried_labels::claim(tx, item_id, &self.posted).await?;
        let mut by_user: BTreeMap<_, Vec<_>> = BTreeMap::new();
        for split in dropped {
            by_user
                .entry(split.user_id.0)
                .or_default()
                .push(split.transaction_id);
        }
        for (user_id, transaction_ids) in by_user {
            tracing::info!(
                splits = transaction_ids.len(),
                "carried splits that no longer add up were flagged for review"
            );
            // A notification holds a few kilobytes: a long list goes out in parts.
            for part in transaction_ids.chunks(EVENT_IDS) {
                let event = ServerEvent::SplitsRemoved {
                    transaction_ids: part.to_vec(),
                };
                match EventHub::publish_with(&mut *tx, UserId(user_id), event).await {
                    Ok(()) => {}
                    Err(PublishError::Database(error)) => return Err(error.into()),
                    // The flags are stored; only the live news of them is lost.
                    Err(error) => tracing::warn!(%error, "cannot announce removed splits"),
                }
            }
        }
        Ok(())
    }
}

/// Before pending transactions are deleted: keeps the labels of those whose posted transaction
/// has not arrived yet. A removed posted transaction takes its labels with it.
pub(super) async fn keep_removed(
    tx: &mut PgConnection,
    item_id: ItemId,
    removed: &[String],
) -> Result<(), SyncError> {
    db::carried_labels::carry(tx, item_id, removed, true).await?;
    Ok(())
}
