//! One open socket: writes its user's events, keeps the connection honest with heartbeats, and
//! closes it when the client goes quiet, misbehaves, or the server stops.

use super::{Delivery, Subscription};
use actix_ws::{CloseCode, CloseReason, Closed, Message, MessageStream, ProtocolError, Session};
use bytestring::ByteString;
use std::future::Future;
use std::time::{Duration, Instant};

/// How often the server sends a `heartbeat` event and a ping. The first goes out at once, which
/// also tells the client that its subscription is in place.
const HEARTBEAT_INTERVAL: Duration = Duration::from_secs(15);

/// A client not heard from (not even a pong) for this long is gone: three missed heartbeats.
const CLIENT_TIMEOUT: Duration = Duration::from_secs(45);

/// Clients have nothing to say beyond pings and close frames; anything larger closes the socket.
const MAX_INCOMING_FRAME_BYTES: usize = 1024;

/// How long a write may wait for room before the client counts as stuck.
const WRITE_TIMEOUT: Duration = Duration::from_secs(10);

/// The close reason of a socket whose session was signed out or revoked.
const SIGNED_OUT: &str = "Signed out.";

/// `ServerEvent::Heartbeat` as JSON (a test checks it).
const HEARTBEAT: &str = r#"{"type":"heartbeat"}"#;

/// Serves one upgraded connection until either side ends it.
pub async fn serve(mut socket: Session, frames: MessageStream, mut subscription: Subscription) {
    let mut frames = frames.max_frame_size(MAX_INCOMING_FRAME_BYTES);
    let mut heartbeat = tokio::time::interval(HEARTBEAT_INTERVAL);
    heartbeat.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut last_heard = Instant::now();
    tracing::info!("event socket open");

    // The first frame is a heartbeat, before any event, so that a client knows from it that the
    // hub has the socket; the interval ticks next a period later.
    heartbeat.reset();
    if written(socket.text(ByteString::from_static(HEARTBEAT)))
        .await
        .is_err()
    {
        tracing::info!("event socket closed");
        return;
    }

    let close_reason = loop {
        tokio::select! {
            delivery = subscription.next() => match delivery {
                Delivery::Event(message) => {
                    if written(socket.text(message)).await.is_err() {
                        break None;
                    }
                }
                Delivery::Dropped => break Some(CloseReason {
                    code: CloseCode::Again,
                    description: Some("Too far behind; reconnect.".to_owned()),
                }),
                Delivery::ShuttingDown => break Some(CloseCode::Away.into()),
                Delivery::SignedOut => break Some(CloseReason {
                    code: CloseCode::Policy,
                    description: Some(SIGNED_OUT.to_owned()),
                }),
            },
            frame = frames.recv() => {
                let frame = match frame {
                    Some(Ok(frame)) => frame,
                    Some(Err(ProtocolError::Overflow)) => break Some(CloseCode::Size.into()),
                    Some(Err(error)) => {
                        tracing::debug!(%error, "the client's frames failed");
                        break Some(CloseCode::Protocol.into());
                    }
                    None => break None,
                };
                last_heard = Instant::now();
                match frame {
                    Message::Ping(bytes) => {
                        if written(socket.pong(&bytes)).await.is_err() {
                            break None;
                        }
                    }
                    Message::Close(reason) => break reason,
                    // Nothing a client sends means anything here; it only proves it is alive.
                    Message::Text(_)
                    | Message::Binary(_)
                    | Message::Continuation(_)
                    | Message::Pong(_)
                    | Message::Nop => {}
                }
            }
            _ = heartbeat.tick() => {
                if last_heard.elapsed() > CLIENT_TIMEOUT {
                    tracing::info!("event socket silent too long");
                    break Some(CloseCode::Away.into());
                }
                let heartbeat = ByteString::from_static(HEARTBEAT);
                if written(socket.text(heartbeat)).await.is_err()
                    || written(socket.ping(b"")).await.is_err()
                {
                    break None;
                }
            }
        }
    };

    // Best effort: a client that stopped reading may never take the close frame.
    let _ = tokio::time::timeout(WRITE_TIMEOUT, socket.close(close_reason)).await;
    tracing::info!("event socket closed");
}

/// Waits for one write to be taken. A client that stops reading counts as gone.
async fn written(write: impl Future<Output = Result<(), Closed>>) -> Result<(), Closed> {
    tokio::time::timeout(WRITE_TIMEOUT, write)
        .await
        .unwrap_or_else(|_elapsed| {
            tracing::info!("event socket stuck: the client is not reading");
            Err(Closed)
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use tally_shared::ws::ServerEvent;

    #[test]
    fn the_heartbeat_text_is_the_heartbeat_event() {
        let event: ServerEvent = serde_json::from_str(HEARTBEAT).unwrap();
        assert_eq!(event, ServerEvent::Heartbeat);
        assert_eq!(serde_json::to_string(&event).unwrap(), HEARTBEAT);
    }
}
