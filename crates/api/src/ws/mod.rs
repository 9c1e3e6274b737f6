//! Live events: `/api/ws` pushes each `ServerEvent` to the open sockets of the user it concerns,
//! whichever replica they are connected to.
//!
//! Publishing is a PostgreSQL `NOTIFY` on [`CHANNEL`], so every api process on the database hears
//! it. In each process the [`listener`] task receives the notifications and hands them to the
//! [`hub`] task, the one owner of "which sockets belong to which user"; each socket's [`session`]
//! subscribes through the hub and writes what it is given. All of it stops when the server does.

mod hub;
mod listener;
mod session;

pub use hub::{Delivery, HubStopped, Subscription};
pub use session::serve;

use crate::db;
use serde::{Deserialize, Serialize};
use sqlx::{PgExecutor, PgPool};
use tally_shared::ids::{SessionId, UserId};
use tally_shared::ws::ServerEvent;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

/// The `LISTEN`/`NOTIFY` channel that carries events between api processes.
pub const CHANNEL: &str = "tally_events";

/// The channel that tells every api process which sessions were signed out, so that each closes
/// the sockets those sessions opened on it.
pub const SESSIONS_CHANNEL: &str = "tally_sessions_ended";

/// PostgreSQL refuses a `NOTIFY` payload of 8000 bytes or more.
const MAX_PAYLOAD_BYTES: usize = 7999;

/// Commands waiting for the hub. Senders wait when it is full, so this only smooths bursts.
const HUB_QUEUE: usize = 1024;

/// One notification's payload: an event and the user it is for.
#[derive(Debug, Serialize, Deserialize)]
pub struct Envelope {
    pub user_id: UserId,
    pub event: ServerEvent,
}

/// Which of a user's sessions were signed out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EndedSessions {
    One(SessionId),
    /// All but this one ("sign out everywhere else", a password change).
    AllBut(SessionId),
    All,
}

impl EndedSessions {
    fn includes(self, session_id: SessionId) -> bool {
        match self {
            Self::One(ended) => ended == session_id,
            Self::AllBut(kept) => kept != session_id,
            Self::All => true,
        }
    }
}

/// A [`SESSIONS_CHANNEL`] notification's payload.
#[derive(Debug, Serialize, Deserialize)]
pub struct SessionsEnded {
    pub user_id: UserId,
    pub ended: EndedSessions,
}

#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    #[error("encoding the event")]
    Encode(#[from] serde_json::Error),
    #[error("the event is {0} bytes, too large for a notification")]
    TooLarge(usize),
    #[error("sending the notification")]
    Database(#[from] sqlx::Error),
}

/// The handle the rest of the server publishes through and sockets subscribe through.
/// Cloning it is cheap.
#[derive(Clone)]
pub struct EventHub {
    db: PgPool,
    commands: mpsc::Sender<hub::Command>,
    shutdown: CancellationToken,
}

/// The hub's and the listener's tasks, to wait for after `shutdown` is cancelled.
pub struct EventTasks {
    hub: JoinHandle<()>,
    listener: JoinHandle<()>,
}

impl EventHub {
    /// Listens on [`CHANNEL`] (so that once this returns, no event published afterwards is
    /// missed) and starts the hub and listener tasks, which stop when `shutdown` is cancelled.
    pub async fn start(
        db: PgPool,
        shutdown: CancellationToken,
    ) -> Result<(Self, EventTasks), sqlx::Error> {
        let pg_listener = listener::listen(&db).await?;
        let (commands, queue) = mpsc::channel(HUB_QUEUE);
        let hub = tokio::spawn(hub::run(queue, shutdown.clone()));
        let listener = tokio::spawn(listener::run(
            pg_listener,
            db.clone(),
            commands.clone(),
            shutdown.clone(),
        ));
        Ok((
            Self {
                db,
                commands,
                shutdown,
            },
            EventTasks { hub, listener },
        ))
    }

    /// Sends `event` to every open socket of `user_id`, on every replica, at once (its own
    /// statement on the pool). Call it after the change it announces has committed, so that a
    /// browser which refetches on the event sees the change. (`user_id` may also be a bare
    /// `Uuid`, as tools and tests hold them; an id of anything else does not compile.)
    pub async fn publish(
        &self,
        user_id: impl Into<UserId>,
        event: ServerEvent,
    ) -> Result<(), PublishError> {
        Self::publish_with(&self.db, user_id, event).await
    }

    /// As [`publish`](Self::publish), for an event that is best-effort: a failure is logged, and
    /// a browser that misses the event catches up on its next fetch.
    pub async fn announce(&self, user_id: UserId, event: ServerEvent) {
        if let Err(error) = self.publish(user_id, event).await {
            tracing::warn!(%error, %user_id, "cannot publish a live event");
        }
    }

    /// As [`publish`](Self::publish), through `executor`. Inside a transaction PostgreSQL holds
    /// the notification until the transaction commits, and drops it if it rolls back: the event
    /// goes out exactly when the change does.
    #[tracing::instrument(skip_all, fields(user_id = tracing::field::Empty))]
    pub async fn publish_with(
        executor: impl PgExecutor<'_>,
        user_id: impl Into<UserId>,
        event: ServerEvent,
    ) -> Result<(), PublishError> {
        let user_id = user_id.into();
        tracing::Span::current().record("user_id", tracing::field::display(user_id));
        let payload = notification_payload(user_id.0, event)?;
        db::notify::notify(executor, CHANNEL, &payload).await?;
        Ok(())
    }

    /// Closes the sockets that `ended` sessions of `user_id` opened, on every replica, once
    /// `executor`'s transaction commits (call it in the transaction that deletes the sessions).
    #[tracing::instrument(skip_all, fields(%user_id, ?ended))]
    pub async fn end_sessions_with(
        executor: impl PgExecutor<'_>,
        user_id: UserId,
        ended: EndedSessions,
    ) -> Result<(), PublishError> {
        let payload = serde_json::to_string(&SessionsEnded { user_id, ended })?;
        db::notify::notify(executor, SESSIONS_CHANNEL, &payload).await?;
        Ok(())
    }

    /// A new socket's subscription to the events of `user_id` published from now on, until
    /// `session_id` is signed out.
    pub async fn subscribe(
        &self,
        user_id: UserId,
        session_id: SessionId,
    ) -> Result<Subscription, HubStopped> {
        hub::subscribe(&self.commands, user_id.0, session_id, self.shutdown.clone()).await
    }
}

/// The `NOTIFY` payload for `event`: an [`Envelope`] as JSON.
fn notification_payload(user_id: Uuid, event: ServerEvent) -> Result<String, PublishError> {
    let envelope = Envelope {
        user_id: UserId(user_id),
        event,
    };
    let payload = serde_json::to_string(&envelope)?;
    if payload.len() > MAX_PAYLOAD_BYTES {
        return Err(PublishError::TooLarge(payload.len()));
    }
    Ok(payload)
}

impl EventTasks {
    /// Waits for both tasks to finish; call it after cancelling their `shutdown` token.
    pub async fn join(self) {
        for (task, name) in [(self.hub, "event hub"), (self.listener, "event listener")] {
            if let Err(error) = task.await {
                tracing::error!(%error, "the {name} task failed");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tally_shared::api::items::ItemStatus;

    fn status_change(error_code: String) -> ServerEvent {
        ServerEvent::ItemStatusChanged {
            item_id: Uuid::new_v4().into(),
            status: ItemStatus::LoginRequired,
            error_code: Some(error_code),
        }
    }

    #[test]
    fn a_payload_is_the_user_and_the_event_as_the_browser_gets_it() {
        let user_id = Uuid::new_v4();
        let event = status_change("ITEM_LOGIN_REQUIRED".to_owned());

        let payload = notification_payload(user_id, event.clone()).unwrap();

        let json: serde_json::Value = serde_json::from_str(&payload).unwrap();
        assert_eq!(json["user_id"], user_id.to_string());
        assert_eq!(json["event"]["type"], "item_status_changed");
        assert_eq!(json["event"], serde_json::to_value(&event).unwrap());
        assert!(payload.len() < 300, "far under the limit: {payload}");
    }

    #[test]
    fn a_payload_postgres_would_refuse_is_an_error_before_sending() {
        let event = status_change("X".repeat(MAX_PAYLOAD_BYTES));

        let result = notification_payload(Uuid::new_v4(), event);

        assert!(
            matches!(result, Err(PublishError::TooLarge(_))),
            "{result:?}"
        );
    }
}
