//! Keeping each item's recurring streams current: a refresh is asked for after every sync
//! that changed the item's transactions and on Plaid's `RECURRING_TRANSACTIONS_UPDATE`; a
//! worker in each process fetches the streams (or, where Plaid refuses the product, runs
//! Tally's own detector) and stores them, outside any sync's transaction.
//!
//! The queue is `recurring_refresh` (one row per item): requests that arrive while one waits or
//! runs fold into one more run, runs of one item never overlap (a lease), and they are at least
//! [`MIN_GAP`] apart, well within Plaid's 20 calls a minute per item.

mod from_plaid;
mod local;
mod queue;
mod refresh;

pub use queue::RecurringQueue;

use crate::db;
use crate::db::recurring_refresh::RefreshClaim;
use crate::state::AppState;
use chrono::Utc;
use refresh::RefreshError;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// The least time between two refreshes of one item: a burst of syncs and webhooks becomes
/// one or two calls, and Plaid's limit (20 a minute per item) is never reached.
pub const MIN_GAP: Duration = Duration::from_secs(3);
/// How long a claimed refresh is the worker's: far longer than one Plaid call may take.
const LEASE: Duration = Duration::from_secs(5 * 60);
/// How often an idle worker looks for refreshes asked for by other processes.
const POLL: Duration = Duration::from_secs(1);
/// Attempts of a refresh that fails for a passing reason before it waits for the next request.
const MAX_ATTEMPTS: i32 = 5;
const RETRY_BASE: Duration = Duration::from_secs(5);
const MAX_BACKOFF: Duration = Duration::from_secs(10 * 60);

/// Runs this process's refresh worker until `cancel`.
pub async fn run(state: AppState, cancel: CancellationToken) {
    loop {
        let claimed = tokio::select! {
            () = cancel.cancelled() => return,
            claimed = db::recurring_refresh::claim(&state.db, LEASE) => claimed,
        };
        match claimed {
            Ok(Some(claim)) => {
                handle(&state, &claim).await;
                continue;
            }
            Ok(None) => {}
            Err(error) => tracing::warn!(%error, "cannot claim a recurring refresh"),
        }
        tokio::select! {
            () = cancel.cancelled() => return,
            () = state.recurring_queue.requested() => {}
            () = tokio::time::sleep(POLL) => {}
        }
    }
}

#[tracing::instrument(name = "recurring refresh", skip_all, fields(item_id = %claim.item_id, attempt = claim.attempts))]
async fn handle(state: &AppState, claim: &RefreshClaim) {
    let outcome = refresh::refresh_item(state, claim).await;
    let settled = match &outcome {
        Ok(()) => db::recurring_refresh::finish(&state.db, claim, MIN_GAP, None).await,
        Err(error) if error.is_passing() && claim.attempts < MAX_ATTEMPTS => {
            let wait = backoff(claim.attempts);
            tracing::info!(%error, wait_ms = wait.as_millis(), "recurring refresh will be retried");
            db::recurring_refresh::retry_at(&state.db, claim, Utc::now() + wait, &error.to_string())
                .await
        }
        Err(error) => {
            // The streams stay as they were; the next sync or webhook asks again.
            tracing::warn!(%error, "recurring refresh failed");
            db::recurring_refresh::finish(&state.db, claim, MIN_GAP, Some(&error.to_string())).await
        }
    };
    if let Err(error) = settled {
        // The claim keeps its lease and is taken again when it runs out.
        tracing::error!(%error, "cannot record the outcome of a recurring refresh");
    }
}

/// `base · 2^(attempt − 1)`, capped.
fn backoff(attempt: i32) -> Duration {
    let doublings = u32::try_from(attempt.saturating_sub(1))
        .unwrap_or(0)
        .min(16);
    RETRY_BASE.saturating_mul(1 << doublings).min(MAX_BACKOFF)
}

impl RefreshError {
    /// Worth trying again soon: Plaid's or the network's passing trouble, or the database's.
    fn is_passing(&self) -> bool {
        match self {
            Self::Plaid(plaid) => plaid.is_retryable(),
            Self::Database(_) => true,
            Self::Cipher(_) | Self::Publish(_) | Self::Detector(_) => false,
        }
    }
}
