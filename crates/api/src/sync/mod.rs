//! The sync engine: a job queue in PostgreSQL, workers that run jobs, and a scheduler that
//! keeps every item fresh even when no webhook ever arrives.

mod pending_labels;
mod run;
mod transfers;
mod worker;

pub use run::{sync_item, SyncError, SyncOutcome};

use crate::db;
use crate::state::AppState;
use std::time::Duration;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

/// How often idle workers look for jobs queued by other processes.
const POLL: Duration = Duration::from_secs(1);
/// How long failed jobs are kept for support.
const KEEP_FAILED: Duration = Duration::from_secs(7 * 24 * 3600);

/// Starts the workers and the scheduler; they stop when `cancel` is cancelled.
pub fn start(state: AppState, cancel: CancellationToken) -> JoinSet<()> {
    let mut tasks = JoinSet::new();
    for worker in 0..state.settings.sync.workers {
        tasks.spawn(worker::run(state.clone(), cancel.clone(), worker));
    }
    tasks.spawn(schedule(state, cancel));
    tasks
}

/// Queues a sync for every item not synced within `SYNC_INTERVAL`, due at a random moment
/// within a tenth of the interval so that items do not all sync at once.
async fn schedule(state: AppState, cancel: CancellationToken) {
    let interval = state.settings.sync.interval;
    let jitter = (interval / 10).min(Duration::from_secs(30 * 60));
    let tick = (interval / 10).clamp(Duration::from_secs(1), Duration::from_secs(60));
    loop {
        match state
            .sync_queue
            .queue_stale(&state.db, interval, jitter)
            .await
        {
            Ok(0) => {}
            Ok(queued) => tracing::info!(queued, "scheduled syncs of items not synced lately"),
            Err(error) => tracing::warn!(%error, "cannot schedule syncs"),
        }
        if let Err(error) = db::sync_jobs::prune_failed(&state.db, KEEP_FAILED).await {
            tracing::warn!(%error, "cannot prune failed sync jobs");
        }
        tokio::select! {
            () = cancel.cancelled() => return,
            () = tokio::time::sleep(tick) => {}
        }
    }
}
