//! The listener: hears every event notification on the database and hands it to the hub, which
//! knows whether this process holds a socket of that user.

use super::hub::{Command, HubStopped};
use super::{Envelope, SessionsEnded, CHANNEL, SESSIONS_CHANNEL};
use sqlx::postgres::PgListener;
use sqlx::PgPool;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

/// The first wait before listening again after a failure; it doubles up to `MAX_RETRY_DELAY`.
const FIRST_RETRY_DELAY: Duration = Duration::from_secs(1);
const MAX_RETRY_DELAY: Duration = Duration::from_secs(30);

/// A connection of `db` listening on [`CHANNEL`] and [`SESSIONS_CHANNEL`].
pub(super) async fn listen(db: &PgPool) -> Result<PgListener, sqlx::Error> {
    let mut listener = PgListener::connect_with(db).await?;
    listener.listen_all([CHANNEL, SESSIONS_CHANNEL]).await?;
    Ok(listener)
}

/// Forwards notifications until `shutdown` is cancelled or the pool is closed. Notifications sent
/// while the connection is down are lost (PostgreSQL keeps none for absent listeners), so every
/// reconnection is logged; browsers refetch when their own socket reconnects.
pub(super) async fn run(
    mut listener: PgListener,
    db: PgPool,
    hub: mpsc::Sender<Command>,
    shutdown: CancellationToken,
) {
    loop {
        let received = tokio::select! {
            () = shutdown.cancelled() => break,
            received = listener.try_recv() => received,
        };
        match received {
            Ok(Some(notification)) => {
                let forwarded = if notification.channel() == SESSIONS_CHANNEL {
                    end_sessions(&hub, notification.payload()).await
                } else {
                    forward(&hub, notification.payload()).await
                };
                if forwarded.is_err() {
                    break;
                }
            }
            Ok(None) => {
                tracing::warn!("event listener lost its database connection and reconnected; events sent meanwhile were missed");
            }
            Err(sqlx::Error::PoolClosed) => break,
            Err(error) => {
                tracing::warn!(%error, "event listener failed; listening again");
                match listen_again(&db, &shutdown).await {
                    Some(fresh) => listener = fresh,
                    None => break,
                }
            }
        }
    }
    tracing::info!("event listener stopped");
}

/// A new listener, retrying with a growing delay; `None` once shutting down.
async fn listen_again(db: &PgPool, shutdown: &CancellationToken) -> Option<PgListener> {
    let mut delay = FIRST_RETRY_DELAY;
    loop {
        tokio::select! {
            () = shutdown.cancelled() => return None,
            () = tokio::time::sleep(delay) => {}
        }
        let attempt = tokio::select! {
            () = shutdown.cancelled() => return None,
            attempt = listen(db) => attempt,
        };
        match attempt {
            Ok(listener) => {
                tracing::info!("event listener is listening again");
                return Some(listener);
            }
            Err(sqlx::Error::PoolClosed) => return None,
            Err(error) => {
                delay = (delay * 2).min(MAX_RETRY_DELAY);
                tracing::warn!(%error, retry_in = ?delay, "event listener cannot listen");
            }
        }
    }
}

/// Hands one notification to the hub. A payload that is not an [`Envelope`] is logged (its size,
/// not its content) and skipped; only a stopped hub is an error.
async fn forward(hub: &mpsc::Sender<Command>, payload: &str) -> Result<(), HubStopped> {
    let Envelope { user_id, event } = match serde_json::from_str(payload) {
        Ok(envelope) => envelope,
        Err(error) => {
            tracing::warn!(%error, bytes = payload.len(), "ignored a malformed event notification");
            return Ok(());
        }
    };
    // Re-encoded rather than passed on, so that sockets only ever carry a well-formed event.
    let message = match serde_json::to_string(&event) {
        Ok(message) => message,
        Err(error) => {
            tracing::error!(%error, "cannot encode an event");
            return Ok(());
        }
    };
    hub.send(Command::Deliver {
        user_id: user_id.0,
        message: message.into(),
    })
    .await
    .map_err(|_| HubStopped)
}

/// Tells the hub which sessions ended, so that it closes their sockets on this process.
async fn end_sessions(hub: &mpsc::Sender<Command>, payload: &str) -> Result<(), HubStopped> {
    let SessionsEnded { user_id, ended } = match serde_json::from_str(payload) {
        Ok(ended) => ended,
        Err(error) => {
            tracing::warn!(%error, bytes = payload.len(), "ignored a malformed sessions-ended notification");
            return Ok(());
        }
    };
    hub.send(Command::EndSessions {
        user_id: user_id.0,
        ended,
    })
    .await
    .map_err(|_| HubStopped)
}
