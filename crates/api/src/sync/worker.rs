//! A sync worker: claims due jobs one at a time, runs them, and decides what a failure means
//! for the item (retry later, or show the person what is wrong).

use super::run::{sync_item, SyncError};
use super::POLL;
use crate::db;
use crate::db::sync_jobs::SyncJob;
use crate::items;
use crate::state::AppState;
use chrono::Utc;
use std::time::Duration;
use tally_shared::api::items::ItemStatus;
use tally_shared::ws::ServerEvent;
use tokio_util::sync::CancellationToken;

/// Transaction ids per `splits_removed` event: 39 bytes each in JSON, so 150 fit one `NOTIFY`.
const SPLITS_REMOVED_PER_EVENT: usize = 150;

/// The longest wait between two attempts.
const MAX_BACKOFF: Duration = Duration::from_secs(10 * 60);

pub async fn run(state: AppState, cancel: CancellationToken, worker: usize) {
    tracing::debug!(worker, "sync worker started");
    loop {
        let claimed = tokio::select! {
            () = cancel.cancelled() => return,
            claimed = db::sync_jobs::claim(&state.db, state.settings.sync.lease) => claimed,
        };
        match claimed {
            Ok(Some(job)) => {
                // A job is finished even during shutdown: its writes are one transaction, and
                // an interrupted run would only be redone after its lease.
                handle(&state, &job).await;
                continue;
            }
            Ok(None) => {}
            Err(error) => tracing::warn!(%error, "cannot claim a sync job"),
        }
        tokio::select! {
            () = cancel.cancelled() => return,
            () = state.sync_queue.queued() => {}
            () = tokio::time::sleep(POLL) => {}
        }
    }
}

#[tracing::instrument(name = "sync job", skip_all, fields(job = job.sync_job_id, item_id = %job.item_id, attempt = job.attempts))]
async fn handle(state: &AppState, job: &SyncJob) {
    let outcome = run_holding_lease(state, job).await;
    if let Err(error) = settle(state, job, outcome).await {
        // The job keeps its lease and is run again when it runs out.
        tracing::error!(%error, "cannot record the outcome of a sync job");
    }
}

/// Runs the sync while renewing the job's lease every third of it, so that a long sync keeps
/// its job and no other worker takes it for orphaned. A run whose job was taken anyway (the
/// renewals failed for a whole lease) still finishes: its writes are one transaction under the
/// item's lock, and `settle` then leaves the job to its new holder.
async fn run_holding_lease(
    state: &AppState,
    job: &SyncJob,
) -> Result<Option<super::SyncOutcome>, SyncError> {
    let lease = state.settings.sync.lease;
    let run = sync_item(state, job.item_id);
    tokio::pin!(run);
    let mut renewals = tokio::time::interval((lease / 3).max(Duration::from_millis(10)));
    renewals.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    // The first tick is at once; the claim has just set the lease.
    renewals.tick().await;
    loop {
        tokio::select! {
            outcome = &mut run => return outcome,
            _ = renewals.tick() => match db::sync_jobs::renew(&state.db, job, lease).await {
                Ok(true) => {}
                Ok(false) => tracing::warn!("the job's lease ran out and another worker took it"),
                Err(error) => tracing::warn!(%error, "cannot renew the job's lease"),
            },
        }
    }
}

async fn settle(
    state: &AppState,
    job: &SyncJob,
    outcome: Result<Option<super::SyncOutcome>, SyncError>,
) -> Result<(), sqlx::Error> {
    let item_id = job.item_id;
    let error = match outcome {
        Ok(Some(synced)) => {
            complete(state, job).await?;
            if synced.added + synced.modified + synced.removed > 0 {
                // The sync asked for a refresh of the item's recurring streams as it committed.
                state.recurring_queue.wake();
            }
            state
                .events
                .announce(
                    synced.user_id,
                    ServerEvent::ItemSynced {
                        item_id,
                        added: synced.added,
                        modified: synced.modified,
                        removed: synced.removed,
                    },
                )
                .await;
            announce_splits_removed(state, &synced).await;
            crate::budgets::check_alerts(state, synced.user_id).await;
            // After the job is done and the person told: nobody waits on these.
            let written = synced.added + synced.modified + synced.removed;
            if written > 0 {
                if let Err(error) = db::sync::merge_pending_entries(&state.db).await {
                    tracing::warn!(%error, "cannot merge the index entries a sync left pending");
                }
            }
            if let Err(error) = db::spending::compact(&state.db, synced.user_id).await {
                tracing::warn!(%error, "cannot fold the spending rollup after a sync");
            }
            if let Err(error) = db::sync::refresh_statistics(&state.db, written).await {
                tracing::warn!(%error, "cannot refresh the statistics after a large sync");
            }
            if synced.recovered {
                state
                    .events
                    .announce(
                        synced.user_id,
                        ServerEvent::ItemStatusChanged {
                            item_id,
                            status: ItemStatus::Good,
                            error_code: None,
                        },
                    )
                    .await;
            }
            return Ok(());
        }
        Ok(None) => return complete(state, job).await,
        Err(error) => error,
    };
    let attempts_left =
        u32::try_from(job.attempts).unwrap_or(u32::MAX) < state.settings.sync.max_attempts;
    match &error {
        SyncError::Busy => {
            // Not a failure: the item is syncing. Look again soon, the attempt given back.
            let at = Utc::now() + state.settings.sync.retry_base;
            db::sync_jobs::retry_at(&state.db, job, at, &error.to_string(), false).await
        }
        SyncError::Plaid(plaid) if plaid.is_login_required() => {
            tracing::info!("the bank wants the person to log in again");
            complete(state, job).await?;
            items::set_status(state, job.item_id, ItemStatus::LoginRequired, plaid.code()).await
        }
        SyncError::Plaid(plaid) if plaid.code() == Some("USER_PERMISSION_REVOKED") => {
            complete(state, job).await?;
            items::set_status(
                state,
                job.item_id,
                ItemStatus::PermissionRevoked,
                plaid.code(),
            )
            .await
        }
        SyncError::Plaid(plaid) if plaid.is_retryable() && attempts_left => {
            retry_later(state, job, &error).await
        }
        SyncError::Database(_)
        | SyncError::KeptChanging
        | SyncError::UnknownAccount(_)
        | SyncError::NotStored(_)
        | SyncError::IdTaken
            if attempts_left =>
        {
            retry_later(state, job, &error).await
        }
        _ => {
            tracing::warn!(%error, "sync failed for good");
            let code = match &error {
                SyncError::Plaid(plaid) => plaid.code().unwrap_or("PLAID_UNREACHABLE"),
                SyncError::Cipher(_) => "ACCESS_TOKEN_UNREADABLE",
                _ => "SYNC_FAILED",
            };
            db::sync_jobs::fail(&state.db, job, &error.to_string()).await?;
            items::set_status(state, job.item_id, ItemStatus::Error, Some(code)).await
        }
    }
}

/// Tells the person which split transactions the bank changed, a notification's worth of ids
/// at a time (a `NOTIFY` payload is under 8,000 bytes).
async fn announce_splits_removed(state: &AppState, synced: &super::SyncOutcome) {
    for transaction_ids in synced.splits_removed.chunks(SPLITS_REMOVED_PER_EVENT) {
        state
            .events
            .announce(
                synced.user_id,
                ServerEvent::SplitsRemoved {
                    transaction_ids: transaction_ids.to_vec(),
                },
            )
            .await;
    }
}

async fn retry_later(
    state: &AppState,
    job: &SyncJob,
    error: &SyncError,
) -> Result<(), sqlx::Error> {
    let wait = backoff(state.settings.sync.retry_base, job.attempts);
    tracing::info!(%error, wait_ms = wait.as_millis(), "sync will be retried");
    let at = Utc::now() + wait;
    db::sync_jobs::retry_at(&state.db, job, at, &error.to_string(), true).await
}

/// Deletes the finished job, unless another worker took it over: then it stays theirs, and
/// whatever was asked of it since (a webhook during this run) still gets its run.
async fn complete(state: &AppState, job: &SyncJob) -> Result<(), sqlx::Error> {
    if !db::sync_jobs::complete(&state.db, job).await? {
        tracing::info!("the job was taken over while it ran; leaving it to its new holder");
    }
    Ok(())
}

/// `base · 2^(attempt − 1)`, capped, plus up to half again at random so that items that failed
/// together do not retry together.
fn backoff(base: Duration, attempt: i32) -> Duration {
    let doublings = u32::try_from(attempt.saturating_sub(1))
        .unwrap_or(0)
        .min(16);
    let wait = base.saturating_mul(1 << doublings).min(MAX_BACKOFF);
    let jitter_ms = u64::try_from(wait.as_millis() / 2).unwrap_or(0);
    wait + Duration::from_millis(rand::random_range(0..=jitter_ms))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_with_jitter_and_is_capped() {
        let base = Duration::from_secs(2);
        for (attempt, floor) in [(1, 2), (2, 4), (3, 8), (4, 16)] {
            let wait = backoff(base, attempt);
            let floor = Duration::from_secs(floor);
            assert!(
                wait >= floor && wait <= floor + floor / 2,
                "attempt {attempt}: {wait:?}"
            );
        }
        assert!(backoff(base, 40) <= MAX_BACKOFF + MAX_BACKOFF / 2);
    }
}
