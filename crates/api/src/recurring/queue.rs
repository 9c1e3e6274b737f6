//! Asking for a refresh of an item's recurring streams: a row in `recurring_refresh` (seen by
//! every api process) and a wakeup for this process's worker, always together.

use crate::db;
use sqlx::PgPool;
use std::sync::Arc;
use tally_shared::ids::ItemId;
use tokio::sync::Notify;

/// The handle through which refreshes are asked for. Cloning it is cheap.
#[derive(Clone, Default)]
pub struct RecurringQueue(Arc<Notify>);

impl RecurringQueue {
    /// Asks for a refresh of the item's streams and wakes the worker.
    pub async fn request(&self, db: &PgPool, item_id: ItemId) -> Result<(), sqlx::Error> {
        db::recurring_refresh::request(db, item_id).await?;
        self.wake();
        Ok(())
    }

    /// Wakes the worker after a transaction that asked for a refresh
    /// (`db::recurring_refresh::request`) committed.
    pub fn wake(&self) {
        self.0.notify_waiters();
    }

    /// Returns when a refresh is asked for in this process.
    pub async fn requested(&self) {
        self.0.notified().await;
    }
}
