//! The hub: one task owns every user's open sockets and delivers each event to that user's only.
//! Everyone else reaches it through a bounded command queue.

use super::EndedSessions;
use bytestring::ByteString;
use std::collections::HashMap;
use tally_shared::ids::SessionId;
use tokio::sync::{mpsc, oneshot};
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

/// Events waiting to be written to one socket. A socket that falls this far behind is dropped
/// (not the event): its browser reconnects and refetches, instead of silently missing a change.
const SOCKET_QUEUE: usize = 32;

/// A socket's number in this process.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ConnectionId(u64);

pub(super) enum Command {
    Connect {
        user_id: Uuid,
        socket: Socket,
        reply: oneshot::Sender<ConnectionId>,
    },
    Disconnect {
        user_id: Uuid,
        connection: ConnectionId,
    },
    /// `message` is one `ServerEvent` as JSON, written as it is to each of the user's sockets.
    Deliver { user_id: Uuid, message: ByteString },
    /// These sessions of the user were signed out: their sockets close.
    EndSessions { user_id: Uuid, ended: EndedSessions },
}

/// One socket as the hub holds it: where its events go, the session that opened it, and how to
/// tell it that session has ended.
pub(super) struct Socket {
    events: mpsc::Sender<ByteString>,
    session_id: SessionId,
    signed_out: CancellationToken,
}

/// The hub has stopped: the server is shutting down.
#[derive(Debug, thiserror::Error)]
#[error("the event hub has stopped")]
pub struct HubStopped;

#[derive(Default)]
struct Hub {
    sockets: HashMap<Uuid, HashMap<ConnectionId, Socket>>,
    next_connection: u64,
}

pub(super) async fn run(mut commands: mpsc::Receiver<Command>, shutdown: CancellationToken) {
    let mut hub = Hub::default();
    loop {
        let command = tokio::select! {
            () = shutdown.cancelled() => break,
            command = commands.recv() => match command {
                Some(command) => command,
                None => break,
            },
        };
        hub.handle(command);
    }
    // Dropping the hub drops every socket's sender; the sessions see the shutdown and close.
    tracing::info!("event hub stopped");
}

impl Hub {
    fn handle(&mut self, command: Command) {
        match command {
            Command::Connect {
                user_id,
                socket,
                reply,
            } => {
                let connection = ConnectionId(self.next_connection);
                self.next_connection = self.next_connection.wrapping_add(1);
                let sockets = self.sockets.entry(user_id).or_default();
                // Forget sockets whose disconnect never reached us (see `Subscription::drop`).
                sockets.retain(|_, socket| !socket.events.is_closed());
                sockets.insert(connection, socket);
                // A session that gave up waiting leaves a closed sender, forgotten as above.
                let _ = reply.send(connection);
            }
            Command::Disconnect {
                user_id,
                connection,
            } => {
                if let Some(sockets) = self.sockets.get_mut(&user_id) {
                    sockets.remove(&connection);
                    if sockets.is_empty() {
                        self.sockets.remove(&user_id);
                    }
                }
            }
            Command::Deliver { user_id, message } => self.deliver(user_id, &message),
            Command::EndSessions { user_id, ended } => self.end_sessions(user_id, ended),
        }
    }

    fn end_sessions(&mut self, user_id: Uuid, ended: EndedSessions) {
        let Some(sockets) = self.sockets.get_mut(&user_id) else {
            return;
        };
        sockets.retain(|_, socket| {
            if ended.includes(socket.session_id) {
                socket.signed_out.cancel();
                false
            } else {
                true
            }
        });
        if sockets.is_empty() {
            self.sockets.remove(&user_id);
        }
    }

    /// Never waits: a full socket is dropped rather than holding up everyone else's events.
    fn deliver(&mut self, user_id: Uuid, message: &ByteString) {
        let Some(sockets) = self.sockets.get_mut(&user_id) else {
            return;
        };
        sockets.retain(
            |connection, socket| match socket.events.try_send(message.clone()) {
                Ok(()) => true,
                Err(mpsc::error::TrySendError::Full(_)) => {
                    tracing::warn!(%user_id, ?connection, "socket too slow for its events: dropped");
                    false
                }
                Err(mpsc::error::TrySendError::Closed(_)) => false,
            },
        );
        if sockets.is_empty() {
            self.sockets.remove(&user_id);
        }
    }
}

/// What a socket is told next.
#[derive(Debug, PartialEq, Eq)]
pub enum Delivery {
    /// One `ServerEvent` as JSON.
    Event(ByteString),
    /// The socket fell too far behind and the hub dropped it.
    Dropped,
    /// The server is shutting down.
    ShuttingDown,
    /// The session that opened the socket was signed out or revoked.
    SignedOut,
}

/// One socket's place in the hub. Dropping it leaves the hub.
pub struct Subscription {
    user_id: Uuid,
    connection: ConnectionId,
    events: mpsc::Receiver<ByteString>,
    commands: mpsc::Sender<Command>,
    shutdown: CancellationToken,
    signed_out: CancellationToken,
}

pub(super) async fn subscribe(
    commands: &mpsc::Sender<Command>,
    user_id: Uuid,
    session_id: SessionId,
    shutdown: CancellationToken,
) -> Result<Subscription, HubStopped> {
    let (sender, events) = mpsc::channel(SOCKET_QUEUE);
    let signed_out = CancellationToken::new();
    let (reply, connection) = oneshot::channel();
    commands
        .send(Command::Connect {
            user_id,
            socket: Socket {
                events: sender,
                session_id,
                signed_out: signed_out.clone(),
            },
            reply,
        })
        .await
        .map_err(|_| HubStopped)?;
    let connection = connection.await.map_err(|_| HubStopped)?;
    Ok(Subscription {
        user_id,
        connection,
        events,
        commands: commands.clone(),
        shutdown,
        signed_out,
    })
}

impl Subscription {
    pub fn connection(&self) -> ConnectionId {
        self.connection
    }

    /// Waits for the next event for this socket, or for the reason there will be none.
    pub async fn next(&mut self) -> Delivery {
        tokio::select! {
            biased;
            () = self.shutdown.cancelled() => Delivery::ShuttingDown,
            () = self.signed_out.cancelled() => Delivery::SignedOut,
            event = self.events.recv() => match event {
                Some(message) => Delivery::Event(message),
                None if self.shutdown.is_cancelled() => Delivery::ShuttingDown,
                None => Delivery::Dropped,
            },
        }
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        // Not waiting here: if the queue is full (or the hub gone), the hub finds this socket's
        // closed channel at its user's next event or connection and forgets it then.
        let _ = self.commands.try_send(Command::Disconnect {
            user_id: self.user_id,
            connection: self.connection,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    /// A hub task and its command queue; cancel the token to stop it.
    fn start_hub() -> (mpsc::Sender<Command>, CancellationToken) {
        let (commands, queue) = mpsc::channel(16);
        let shutdown = CancellationToken::new();
        tokio::spawn(run(queue, shutdown.clone()));
        (commands, shutdown)
    }

    fn new_session() -> SessionId {
        SessionId(Uuid::new_v4())
    }

    async fn deliver(commands: &mpsc::Sender<Command>, user_id: Uuid, message: &str) {
        commands
            .send(Command::Deliver {
                user_id,
                message: message.into(),
            })
            .await
            .unwrap();
    }

    async fn next_within_a_second(subscription: &mut Subscription) -> Option<Delivery> {
        tokio::time::timeout(Duration::from_secs(1), subscription.next())
            .await
            .ok()
    }

    #[tokio::test]
    async fn events_reach_every_socket_of_their_user_and_no_one_else() {
        let (commands, _shutdown) = start_hub();
        let (alice, bob) = (Uuid::new_v4(), Uuid::new_v4());
        let shutdown = CancellationToken::new();
        let mut alice_tab = subscribe(&commands, alice, new_session(), shutdown.clone())
            .await
            .unwrap();
        let mut alice_phone = subscribe(&commands, alice, new_session(), shutdown.clone())
            .await
            .unwrap();
        let mut bob_tab = subscribe(&commands, bob, new_session(), shutdown)
            .await
            .unwrap();

        deliver(&commands, alice, "for alice").await;

        for socket in [&mut alice_tab, &mut alice_phone] {
            assert_eq!(
                next_within_a_second(socket).await,
                Some(Delivery::Event("for alice".into()))
            );
        }
        assert_eq!(next_within_a_second(&mut bob_tab).await, None);
    }

    #[tokio::test]
    async fn a_socket_that_falls_behind_is_dropped_and_the_others_go_on() {
        let (commands, _shutdown) = start_hub();
        let user = Uuid::new_v4();
        let shutdown = CancellationToken::new();
        let mut stuck = subscribe(&commands, user, new_session(), shutdown.clone())
            .await
            .unwrap();
        let mut reading = subscribe(&commands, user, new_session(), shutdown)
            .await
            .unwrap();

        for n in 0..=SOCKET_QUEUE {
            deliver(&commands, user, &n.to_string()).await;
            assert_eq!(
                next_within_a_second(&mut reading).await,
                Some(Delivery::Event(n.to_string().into()))
            );
        }

        for n in 0..SOCKET_QUEUE {
            assert_eq!(stuck.next().await, Delivery::Event(n.to_string().into()));
        }
        assert_eq!(stuck.next().await, Delivery::Dropped);
        deliver(&commands, user, "later").await;
        assert_eq!(
            next_within_a_second(&mut reading).await,
            Some(Delivery::Event("later".into()))
        );
    }

    /// Subscribes to a hub that the test drives itself, one command at a time.
    async fn subscribe_to(
        hub: &mut Hub,
        commands: &mpsc::Sender<Command>,
        queue: &mut mpsc::Receiver<Command>,
        user_id: Uuid,
    ) -> Subscription {
        let (subscription, ()) = tokio::join!(
            subscribe(commands, user_id, new_session(), CancellationToken::new()),
            async { hub.handle(queue.recv().await.unwrap()) }
        );
        subscription.unwrap()
    }

    #[tokio::test]
    async fn a_closed_socket_leaves_the_hub_even_if_its_goodbye_is_lost() {
        let mut hub = Hub::default();
        let (commands, mut queue) = mpsc::channel(16);
        let (alice, bob) = (Uuid::new_v4(), Uuid::new_v4());
        let alice_tab = subscribe_to(&mut hub, &commands, &mut queue, alice).await;
        let bob_tab = subscribe_to(&mut hub, &commands, &mut queue, bob).await;
        let bob_phone = subscribe_to(&mut hub, &commands, &mut queue, bob).await;
        assert_ne!(bob_tab.connection(), bob_phone.connection());

        drop(alice_tab);
        hub.handle(queue.try_recv().unwrap());
        assert!(!hub.sockets.contains_key(&alice));

        drop(bob_tab);
        let _lost_goodbye = queue.try_recv().unwrap();
        let _bob_laptop = subscribe_to(&mut hub, &commands, &mut queue, bob).await;
        assert_eq!(hub.sockets[&bob].len(), 2, "the phone and the laptop");
    }

    #[tokio::test]
    async fn shutting_down_stops_the_hub_and_tells_the_sockets() {
        let (commands, shutdown) = start_hub();
        let mut socket = subscribe(&commands, Uuid::new_v4(), new_session(), shutdown.clone())
            .await
            .unwrap();

        shutdown.cancel();

        assert_eq!(socket.next().await, Delivery::ShuttingDown);
        commands.closed().await;
        let late = subscribe(&commands, Uuid::new_v4(), new_session(), shutdown).await;
        assert!(matches!(late, Err(HubStopped)));
    }

    #[tokio::test]
    async fn ending_a_session_signs_out_its_sockets_only() {
        let (commands, _shutdown) = start_hub();
        let (alice, bob) = (Uuid::new_v4(), Uuid::new_v4());
        let (laptop, phone) = (new_session(), new_session());
        let shutdown = CancellationToken::new();
        let mut laptop_tab = subscribe(&commands, alice, laptop, shutdown.clone())
            .await
            .unwrap();
        let mut phone_tab = subscribe(&commands, alice, phone, shutdown.clone())
            .await
            .unwrap();
        // Bob's session id as Alice's: only Alice's own sockets are hers to end.
        let mut bob_tab = subscribe(&commands, bob, phone, shutdown).await.unwrap();

        let end = |ended| Command::EndSessions {
            user_id: alice,
            ended,
        };
        commands.send(end(EndedSessions::One(phone))).await.unwrap();

        assert_eq!(phone_tab.next().await, Delivery::SignedOut);
        deliver(&commands, alice, "still here").await;
        assert_eq!(
            next_within_a_second(&mut laptop_tab).await,
            Some(Delivery::Event("still here".into()))
        );
        commands
            .send(end(EndedSessions::AllBut(phone)))
            .await
            .unwrap();
        assert_eq!(laptop_tab.next().await, Delivery::SignedOut);
        deliver(&commands, bob, "for bob").await;
        assert_eq!(
            next_within_a_second(&mut bob_tab).await,
            Some(Delivery::Event("for bob".into()))
        );
    }
}
