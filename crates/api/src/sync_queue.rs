//! Queueing syncs: a job in `sync_job` (seen by every api process) and a wakeup for this
//! process's workers, so they need not wait for their poll. Each way of queueing does both, so
//! no caller can queue a job without waking the workers.
//!
//! The handle sits below `AppState`, the item operations and the sync engine, which all hold or
//! use it; it depends on `db` only.

use crate::db;
use crate::db::sync_jobs::SyncReason;
use sqlx::{PgPool, Postgres, Transaction};
use std::sync::Arc;
use std::time::Duration;
use tally_shared::ids::ItemId;
use tokio::sync::Notify;

/// The handle through which syncs are queued and workers wait for them. Cloning it is cheap.
#[derive(Clone, Default)]
pub struct SyncQueue(Arc<Notify>);

impl SyncQueue {
    /// Queues a sync of the item now (or brings a waiting one forward) and wakes the workers.
    pub async fn queue(
        &self,
        db: &PgPool,
        item_id: ItemId,
        reason: SyncReason,
    ) -> Result<(), sqlx::Error> {
        db::sync_jobs::enqueue(db, item_id, reason).await?;
        self.wake();
        Ok(())
    }

    /// Queues a sync of the item inside `tx` and commits it; the workers are woken once the
    /// job is visible to them.
    pub async fn queue_and_commit(
        &self,
        mut tx: Transaction<'_, Postgres>,
        item_id: ItemId,
        reason: SyncReason,
    ) -> Result<(), sqlx::Error> {
        db::sync_jobs::enqueue(&mut *tx, item_id, reason).await?;
        tx.commit().await?;
        self.wake();
        Ok(())
    }

    /// Queues a sync of every item not synced within `interval`, due within `jitter`, and wakes
    /// the workers if there is one. Returns how many were queued.
    pub async fn queue_stale(
        &self,
        db: &PgPool,
        interval: Duration,
        jitter: Duration,
    ) -> Result<u64, sqlx::Error> {
        let queued = db::sync_jobs::schedule_stale(db, interval, jitter).await?;
        if queued > 0 {
            self.wake();
        }
        Ok(queued)
    }

    /// Returns when a sync is queued in this process.
    pub async fn queued(&self) {
        self.0.notified().await;
    }

    fn wake(&self) {
        self.0.notify_waiters();
    }
}
