//! Ending sessions. A session's row goes and the sockets it opened close, on every replica, in
//! one step: the close is a notification sent when the caller's transaction commits, so no
//! caller can delete a session and leave its sockets open, or close sockets of a session that
//! stays. Ended sessions (idle, or past their lifetime) are purged the same way, periodically.

use super::session;
use crate::db;
use crate::error::ApiError;
use crate::state::AppState;
use crate::ws::{EndedSessions, EventHub};
use sqlx::PgConnection;
use tally_shared::ids::{SessionId, UserId};
use tokio_util::sync::CancellationToken;

/// Signs out one of the user's sessions; `false` if they have none with that id.
pub async fn one(
    conn: &mut PgConnection,
    user_id: UserId,
    session_id: SessionId,
) -> Result<bool, ApiError> {
    if !db::sessions::delete_for_user(&mut *conn, user_id, session_id).await? {
        return Ok(false);
    }
    close_sockets(conn, user_id, EndedSessions::One(session_id)).await?;
    Ok(true)
}

/// Signs out every session of the user but `keep`; how many there were.
pub async fn all_but(
    conn: &mut PgConnection,
    user_id: UserId,
    keep: SessionId,
) -> Result<u64, ApiError> {
    let ended = db::sessions::delete_all_but(&mut *conn, user_id, keep).await?;
    close_sockets(conn, user_id, EndedSessions::AllBut(keep)).await?;
    Ok(ended)
}

/// Signs out every session of the user, this browser's too (an administrator reset their
/// second factor); how many there were.
pub async fn all(conn: &mut PgConnection, user_id: UserId) -> Result<u64, ApiError> {
    let ended = db::sessions::delete_all(&mut *conn, user_id).await?;
    close_sockets(conn, user_id, EndedSessions::All).await?;
    Ok(ended)
}

/// Closes every socket of the user (their account is being deleted: the sessions go with it).
pub async fn everywhere(conn: &mut PgConnection, user_id: UserId) -> Result<(), ApiError> {
    close_sockets(conn, user_id, EndedSessions::All).await
}

async fn close_sockets(
    conn: &mut PgConnection,
    user_id: UserId,
    ended: EndedSessions,
) -> Result<(), ApiError> {
    EventHub::end_sessions_with(conn, user_id, ended)
        .await
        .map_err(|error| ApiError::Unexpected(error.into()))
}

/// Purges ended sessions (and labels carried too long) at start and then every
/// `SESSION_PURGE_INTERVAL`, until `stop`.
pub async fn purge_periodically(state: AppState, stop: CancellationToken) {
    let mut every = tokio::time::interval(state.settings.auth.session_purge_interval);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            () = stop.cancelled() => break,
            _ = every.tick() => {}
        }
        match purge(&state).await {
            Ok(0) => {}
            Ok(purged) => tracing::info!(sessions = purged, "purged ended sessions"),
            Err(error) => tracing::warn!(%error, "cannot purge ended sessions"),
        }
        // The same schedule drops pending transactions' labels that no posted one claimed.
        match db::carried_labels::prune(&state.db, db::carried_labels::KEEP_DAYS).await {
            Ok(0) => {}
            Ok(pruned) => tracing::info!(pruned, "forgot labels carried for too long"),
            Err(error) => tracing::warn!(%error, "cannot prune carried labels"),
        }
    }
}

/// Deletes the sessions that have ended and closes any socket one of them still has open.
async fn purge(state: &AppState) -> Result<usize, ApiError> {
    let lifetime = state.settings.auth.session_lifetime;
    let mut tx = state.db.begin().await?;
    let ended = db::sessions::purge_ended(&mut *tx, session::oldest_live_start(lifetime)).await?;
    for session in &ended {
        close_sockets(
            &mut tx,
            session.user_id,
            EndedSessions::One(session.session_id),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(ended.len())
}
