//! Live events: one websocket per tab to `/api/ws`, opened while someone is signed in,
//! reconnecting with backoff. What an event makes stale is decided in `state::refresh`, which
//! pages follow through `on_stale`; a new connection counts as "anything may have changed".

use crate::api;
use crate::state::session::use_session;
use futures_util::StreamExt;
use gloo_net::websocket::{futures::WebSocket, Message};
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::time::Duration;
use tally_shared::ws::ServerEvent;

/// One event as it arrived. `seq` grows with every event, so two equal events still differ.
#[derive(Debug, Clone, PartialEq)]
pub struct LiveEvent {
    pub seq: u64,
    /// `None`: the socket (re)connected, and anything may have changed while it was away.
    pub event: Option<ServerEvent>,
}

#[derive(Clone, Copy)]
pub struct LiveEvents {
    latest: RwSignal<Option<LiveEvent>>,
    connected: RwSignal<bool>,
}

impl LiveEvents {
    /// The most recent event (heartbeats excluded).
    pub fn latest(&self) -> ReadSignal<Option<LiveEvent>> {
        self.latest.read_only()
    }

    pub fn is_connected(&self) -> bool {
        self.connected.get()
    }

    fn push(&self, event: Option<ServerEvent>) {
        let seq = self
            .latest
            .with_untracked(|l| l.as_ref().map_or(0, |l| l.seq + 1));
        self.latest.set(Some(LiveEvent { seq, event }));
    }
}

/// The first reconnect waits this long; each next one twice as long, up to `MAX_BACKOFF`.
const FIRST_BACKOFF: Duration = Duration::from_secs(1);
const MAX_BACKOFF: Duration = Duration::from_secs(30);

/// Provides `LiveEvents` and keeps the socket open for as long as a user is signed in.
pub fn provide_live_events() {
    let live = LiveEvents {
        latest: RwSignal::new(None),
        connected: RwSignal::new(false),
    };
    provide_context(live);
    let session = use_session();
    let running = StoredValue::new(false);
    Effect::new(move |_| {
        if session.user().is_some() && !running.get_value() {
            running.set_value(true);
            spawn_local(async move {
                keep_connected(live, session).await;
                // Signed out: the next sign-in in this tab connects again.
                running.set_value(false);
            });
        }
    });
}

async fn keep_connected(live: LiveEvents, session: crate::state::session::Session) {
    let mut backoff = FIRST_BACKOFF;
    // Whether the server vouched for this tab's session since the socket last closed: it did
    // when the loop starts (a sign-in, or the session's first check, set the user).
    let mut vouched = true;
    while session.user().is_some() {
        if vouched {
            match WebSocket::open(&socket_url()) {
                Ok(socket) => {
                    let (_, mut incoming) = socket.split();
                    let mut announced = false;
                    while let Some(message) = incoming.next().await {
                        let Ok(Message::Text(text)) = message else {
                            break;
                        };
                        if !announced {
                            announced = true;
                            backoff = FIRST_BACKOFF;
                            live.connected.set(true);
                            live.push(None);
                        }
                        match serde_json::from_str::<ServerEvent>(&text) {
                            Ok(ServerEvent::Heartbeat) => {}
                            Ok(event) => live.push(Some(event)),
                            Err(error) => {
                                leptos::logging::warn!("unreadable live event: {error}");
                            }
                        }
                    }
                    live.connected.set(false);
                }
                Err(error) => {
                    leptos::logging::warn!("cannot open the live events socket: {error}");
                }
            }
        }
        gloo_timers::future::sleep(backoff).await;
        backoff = (backoff * 2).min(MAX_BACKOFF);
        // Asked before knocking again: the server closes a socket when its session is signed
        // out elsewhere (revoked, a password change), and this tab then shows that it is signed
        // out, instead of retrying with a dead cookie. When the question itself fails (the server
        // is out of reach or failing), the tab asks again later rather than knocking with a
        // session nobody vouched for.
        vouched = match api::session::current_user().await {
            Ok(Some(_)) => true,
            Ok(None) => {
                session.set(None);
                false
            }
            Err(_) => false,
        };
    }
}

/// `ws(s)://<this host>/api/ws`.
fn socket_url() -> String {
    let location = web_sys::window().map(|w| w.location());
    let scheme = match location.as_ref().and_then(|l| l.protocol().ok()).as_deref() {
        Some("https:") => "wss",
        _ => "ws",
    };
    let host = location
        .and_then(|l| l.host().ok())
        .unwrap_or_else(|| "localhost".to_owned());
    format!("{scheme}://{host}/api/ws")
}

pub fn use_live_events() -> LiveEvents {
    expect_context::<LiveEvents>()
}
