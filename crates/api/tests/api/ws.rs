//! `/api/ws`: live events for the signed-in user only, on whichever replica they connect to.

use crate::api_calls::{decoded, new_asset, session_token, PASSWORD};
use crate::helpers::{browser_like_client, captured_logs, spawn_app, test_settings, TestApp};
use futures_util::{SinkExt, StreamExt};
use reqwest::StatusCode;
use serde_json::{json, Value};
use sqlx::PgPool;
use std::time::Duration;
use tally::startup::Application;
use tally::ws::{EventHub, CHANNEL};
use tally_shared::api::assets::Asset;
use tally_shared::api::items::ItemStatus;
use tally_shared::api::session::SessionResponse;
use tally_shared::ws::ServerEvent;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

pub(crate) type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// Long enough to be sure nothing is on its way; never a claim about speed.
pub(crate) const QUIET: Duration = Duration::from_millis(500);
/// How long a test waits for something that should come.
const PATIENCE: Duration = Duration::from_secs(10);

pub(crate) struct User {
    pub(crate) id: Uuid,
    /// `tally_session=<token>`, as a browser would send it.
    pub(crate) cookie: String,
    /// The tab that registered, which holds the cookie.
    pub(crate) tab: reqwest::Client,
}

pub(crate) async fn register(app: &TestApp, username: &str) -> User {
    let tab = browser_like_client();
    let response = app.register_as(&tab, username).await;
    let cookie = format!("tally_session={}", session_token(&response));
    let session: SessionResponse = decoded(response, StatusCode::CREATED).await;
    User {
        id: session.user.id.0,
        cookie,
        tab,
    }
}

pub(crate) fn handshake(
    app: &TestApp,
    headers: &[(&'static str, &str)],
) -> tokio_tungstenite::tungstenite::handshake::client::Request {
    let url = app.url("/api/ws").replacen("http", "ws", 1);
    let mut request = url.into_client_request().unwrap();
    for (name, value) in headers {
        request.headers_mut().insert(*name, value.parse().unwrap());
    }
    request
}

/// Opens the user's socket and waits for the first heartbeat, after which the hub has it.
pub(crate) async fn connect(app: &TestApp, user: &User) -> Socket {
    let (mut socket, response) =
        tokio_tungstenite::connect_async(handshake(app, &[("cookie", &user.cookie)]))
            .await
            .unwrap();
    assert_eq!(response.status(), StatusCode::SWITCHING_PROTOCOLS);
    assert_eq!(
        next_message(&mut socket).await,
        Some(ServerEvent::Heartbeat)
    );
    socket
}

/// The next event, heartbeat included, or `None` if the socket closes or stays quiet too long.
pub(crate) async fn next_message(socket: &mut Socket) -> Option<ServerEvent> {
    let deadline = tokio::time::Instant::now() + PATIENCE;
    loop {
        let frame = tokio::time::timeout_at(deadline, socket.next())
            .await
            .ok()??;
        match frame.unwrap() {
            Message::Text(text) => return Some(serde_json::from_str(&text).unwrap()),
            Message::Close(_) => return None,
            _ => {}
        }
    }
}

/// The next event that is not a heartbeat, if one comes within `wait`.
pub(crate) async fn next_event_within(socket: &mut Socket, wait: Duration) -> Option<ServerEvent> {
    tokio::time::timeout(wait, async {
        loop {
            match next_message(socket).await {
                Some(ServerEvent::Heartbeat) => {}
                other => return other,
            }
        }
    })
    .await
    .ok()
    .flatten()
}

pub(crate) async fn next_event(socket: &mut Socket) -> Option<ServerEvent> {
    next_event_within(socket, PATIENCE).await
}

/// Waits for the server's close frame, skipping whatever comes before it, and returns its code.
pub(crate) async fn close_code(socket: &mut Socket) -> Option<CloseCode> {
    let close = tokio::time::timeout(PATIENCE, async {
        loop {
            match socket.next().await {
                Some(Ok(Message::Close(frame))) => return frame,
                Some(Ok(_)) => {}
                other => panic!("expected a close frame, got {other:?}"),
            }
        }
    })
    .await
    .unwrap();
    close.map(|frame| frame.code)
}

/// What another replica does to publish: a raw `NOTIFY` with the envelope as payload.
async fn notify(db: &PgPool, payload: &str) {
    sqlx::query("select pg_notify($1, $2)")
        .bind(CHANNEL)
        .bind(payload)
        .execute(db)
        .await
        .unwrap();
}

fn synced(added: u64) -> ServerEvent {
    ServerEvent::ItemSynced {
        item_id: Uuid::new_v4().into(),
        added,
        modified: 0,
        removed: 0,
    }
}

#[sqlx::test(migrations = "../../migrations")]
async fn without_a_session_the_handshake_is_refused_before_upgrading(db: PgPool) {
    let app = spawn_app(db).await;

    let refused = tokio_tungstenite::connect_async(handshake(&app, &[])).await;

    let Err(WsError::Http(response)) = refused else {
        panic!("expected an HTTP error, got {refused:?}");
    };
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let body: Value = serde_json::from_slice(response.body().as_deref().unwrap()).unwrap();
    assert_eq!(body["code"], "unauthorized", "{body}");
    assert!(response.headers().get("upgrade").is_none());
}

#[sqlx::test(migrations = "../../migrations")]
async fn a_page_of_another_site_cannot_open_the_socket(db: PgPool) {
    let app = spawn_app(db).await;
    let alice = register(&app, "alice").await;

    let refused = tokio_tungstenite::connect_async(handshake(
        &app,
        &[("cookie", &alice.cookie), ("origin", "http://evil.test")],
    ))
    .await;

    let Err(WsError::Http(response)) = refused else {
        panic!("expected an HTTP error, got {refused:?}");
    };
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let own_origin = app.address.clone();
    let (_socket, accepted) = tokio_tungstenite::connect_async(handshake(
        &app,
        &[("cookie", &alice.cookie), ("origin", &own_origin)],
    ))
    .await
    .unwrap();
    assert_eq!(accepted.status(), StatusCode::SWITCHING_PROTOCOLS);
}

#[sqlx::test(migrations = "../../migrations")]
async fn a_plain_request_with_a_session_is_a_bad_request(db: PgPool) {
    let app = spawn_app(db).await;
    let alice = register(&app, "alice").await;

    let response = reqwest::Client::new()
        .get(app.url("/api/ws"))
        .header("cookie", &alice.cookie)
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["code"], "bad_request", "{body}");
}

#[sqlx::test(migrations = "../../migrations")]
async fn a_heartbeat_comes_as_soon_as_the_socket_opens(db: PgPool) {
    let app = spawn_app(db).await;
    let alice = register(&app, "alice").await;

    let (mut socket, _) =
        tokio_tungstenite::connect_async(handshake(&app, &[("cookie", &alice.cookie)]))
            .await
            .unwrap();

    let first = socket.next().await.unwrap().unwrap();
    assert_eq!(first, Message::text(r#"{"type":"heartbeat"}"#));
}

#[sqlx::test(migrations = "../../migrations")]
async fn events_reach_every_socket_of_their_user_and_nobody_else(db: PgPool) {
    let app = spawn_app(db).await;
    let (alice, bob) = (register(&app, "alice").await, register(&app, "bob").await);
    let mut alice_tab = connect(&app, &alice).await;
    let mut alice_phone = connect(&app, &alice).await;
    let mut bob_tab = connect(&app, &bob).await;
    let stop = CancellationToken::new();
    let (events, tasks) = EventHub::start(app.db.clone(), stop.clone()).await.unwrap();
    let sync = synced(3);

    events.publish(alice.id, sync.clone()).await.unwrap();
    events
        .publish(alice.id, ServerEvent::AssetsChanged)
        .await
        .unwrap();

    for socket in [&mut alice_tab, &mut alice_phone] {
        assert_eq!(next_event(socket).await, Some(sync.clone()));
        assert_eq!(next_event(socket).await, Some(ServerEvent::AssetsChanged));
    }
    assert_eq!(next_event_within(&mut bob_tab, QUIET).await, None);
    stop.cancel();
    tasks.join().await;
}

#[sqlx::test(migrations = "../../migrations")]
async fn an_event_published_in_a_transaction_goes_out_when_it_commits(db: PgPool) {
    let app = spawn_app(db).await;
    let alice = register(&app, "alice").await;
    let mut socket = connect(&app, &alice).await;

    let mut rolled_back = app.db.begin().await.unwrap();
    EventHub::publish_with(&mut *rolled_back, alice.id, synced(1))
        .await
        .unwrap();
    rolled_back.rollback().await.unwrap();
    let mut committed = app.db.begin().await.unwrap();
    let sync = synced(2);
    EventHub::publish_with(&mut *committed, alice.id, sync.clone())
        .await
        .unwrap();
    assert_eq!(next_event_within(&mut socket, QUIET).await, None);
    committed.commit().await.unwrap();

    assert_eq!(next_event(&mut socket).await, Some(sync));
}

#[sqlx::test(migrations = "../../migrations")]
async fn an_event_published_by_another_replica_reaches_the_socket_on_this_one(db: PgPool) {
    let replica_a = spawn_app(db.clone()).await;
    let replica_b = spawn_app(db.clone()).await;
    let alice = register(&replica_a, "alice").await;
    let mut socket = connect(&replica_b, &alice).await;
    let event = ServerEvent::ItemStatusChanged {
        item_id: Uuid::new_v4().into(),
        status: ItemStatus::LoginRequired,
        error_code: Some("ITEM_LOGIN_REQUIRED".to_owned()),
    };

    notify(
        &db,
        &json!({ "user_id": alice.id, "event": event }).to_string(),
    )
    .await;

    assert_eq!(next_event(&mut socket).await, Some(event));
}

#[sqlx::test(migrations = "../../migrations")]
async fn the_listener_listens_again_after_losing_its_connection(db: PgPool) {
    let app = spawn_app(db).await;
    let alice = register(&app, "alice").await;
    let mut socket = connect(&app, &alice).await;

    let terminated: Vec<bool> = sqlx::query_scalar(
        "select pg_terminate_backend(pid) from pg_stat_activity
         where datname = current_database() and query like 'LISTEN%'",
    )
    .fetch_all(&app.db)
    .await
    .unwrap();
    assert_eq!(terminated, [true], "the app's one listener");

    // Events sent while it is away are lost, so keep sending until one arrives.
    let arrived = tokio::time::timeout(PATIENCE, async {
        loop {
            EventHub::publish_with(&app.db, alice.id, ServerEvent::AssetsChanged)
                .await
                .unwrap();
            if let Some(event) = next_event_within(&mut socket, Duration::from_millis(200)).await {
                return event;
            }
        }
    })
    .await;
    assert_eq!(arrived.ok(), Some(ServerEvent::AssetsChanged));
    let logs = captured_logs();
    assert!(
        logs.contains("event listener lost its database connection")
            || logs.contains("event listener failed"),
        "the loss is logged"
    );
}

#[sqlx::test(migrations = "../../migrations")]
async fn malformed_notifications_are_logged_and_skipped(db: PgPool) {
    let app = spawn_app(db).await;
    let alice = register(&app, "alice").await;
    let mut socket = connect(&app, &alice).await;
    let removed = ServerEvent::ItemRemoved {
        item_id: Uuid::new_v4().into(),
    };

    // Raw on purpose: none of these is an envelope with a `ServerEvent`.
    notify(&app.db, "not json at all").await;
    notify(
        &app.db,
        &json!({ "user_id": alice.id, "event": { "type": "no_such_event" } }).to_string(),
    )
    .await;
    notify(
        &app.db,
        &json!({ "event": { "type": "assets_changed" } }).to_string(),
    )
    .await;
    notify(
        &app.db,
        &json!({ "user_id": alice.id, "event": removed }).to_string(),
    )
    .await;

    assert_eq!(next_event(&mut socket).await, Some(removed));
    let logs = captured_logs();
    assert!(
        logs.matches("ignored a malformed event notification")
            .count()
            >= 3,
        "{logs}"
    );
    assert!(!logs.contains("not json at all"), "payloads are not logged");
}

#[sqlx::test(migrations = "../../migrations")]
async fn pings_are_answered_text_is_ignored_and_oversized_frames_close_the_socket(db: PgPool) {
    let app = spawn_app(db).await;
    let alice = register(&app, "alice").await;
    let mut socket = connect(&app, &alice).await;

    socket.send(Message::text("hello?")).await.unwrap();
    socket
        .send(Message::Ping("are you there".into()))
        .await
        .unwrap();
    let pong = tokio::time::timeout(PATIENCE, async {
        loop {
            match socket.next().await.unwrap().unwrap() {
                Message::Pong(payload) => return payload,
                Message::Text(text) => assert_eq!(text.as_str(), r#"{"type":"heartbeat"}"#),
                Message::Ping(_) => {}
                other => panic!("unexpected {other:?}"),
            }
        }
    })
    .await
    .unwrap();
    assert_eq!(pong.as_ref(), b"are you there");

    socket
        .send(Message::text("x".repeat(64 * 1024)))
        .await
        .unwrap();
    assert_eq!(close_code(&mut socket).await, Some(CloseCode::Size));
}

#[sqlx::test(migrations = "../../migrations")]
async fn a_closing_client_gets_its_close_frame_back(db: PgPool) {
    let app = spawn_app(db).await;
    let alice = register(&app, "alice").await;
    let mut socket = connect(&app, &alice).await;

    socket.close(None).await.unwrap();

    let rest: Vec<_> = tokio::time::timeout(PATIENCE, socket.collect::<Vec<_>>())
        .await
        .unwrap();
    assert!(
        rest.iter()
            .any(|frame| matches!(frame, Ok(Message::Close(_)))),
        "{rest:?}"
    );
}

#[sqlx::test(migrations = "../../migrations")]
async fn deleting_a_user_with_an_open_socket_breaks_nothing(db: PgPool) {
    let app = spawn_app(db).await;
    // The first account is the administrator, who could not leave while alice and bob stay.
    app.sign_up("root").await;
    let (alice, bob) = (register(&app, "alice").await, register(&app, "bob").await);
    let mut alice_socket = connect(&app, &alice).await;
    let mut bob_socket = connect(&app, &bob).await;

    let deleted = app.delete_me(&alice.tab, PASSWORD).await;
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    EventHub::publish_with(&app.db, alice.id, ServerEvent::AssetsChanged)
        .await
        .unwrap();
    EventHub::publish_with(&app.db, bob.id, ServerEvent::AssetsChanged)
        .await
        .unwrap();

    assert_eq!(
        next_event(&mut bob_socket).await,
        Some(ServerEvent::AssetsChanged)
    );
    drop(alice_socket.close(None).await);
    let again =
        tokio_tungstenite::connect_async(handshake(&app, &[("cookie", &alice.cookie)])).await;
    assert!(
        matches!(&again, Err(WsError::Http(response)) if response.status() == StatusCode::UNAUTHORIZED),
        "{again:?}"
    );
}

#[sqlx::test(migrations = "../../migrations")]
async fn shutting_down_closes_open_sockets_as_going_away(db: PgPool) {
    let application = Application::build_with_pool(test_settings(&[]), db.clone())
        .await
        .unwrap();
    let app = TestApp {
        address: application.local_url(),
        db,
        client: browser_like_client(),
    };
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let running = tokio::spawn(application.run_until_stopped(async {
        let _ = stopped.await;
    }));
    let alice = register(&app, "alice").await;
    let mut socket = connect(&app, &alice).await;

    stop.send(()).unwrap();

    assert_eq!(close_code(&mut socket).await, Some(CloseCode::Away));
    running.await.unwrap().unwrap();
}

/// The next event about the bank itself: the recurring refresh that follows a sync announces
/// its streams whenever it finishes, in between.
async fn next_bank_event(socket: &mut Socket) -> Option<ServerEvent> {
    loop {
        match next_event(socket).await {
            Some(ServerEvent::RecurringChanged) => {}
            other => return other,
        }
    }
}

#[sqlx::test(migrations = "../../migrations")]
async fn a_banks_life_reaches_its_owners_socket_and_nobody_elses(db: PgPool) {
    use crate::api_calls::create_item_request;
    use crate::banking_support::{transaction_count, FIRST_PLATYPUS};
    use tally_shared::api::items::Item;
    let app = spawn_app(db.clone()).await;
    let alice = register(&app, "alice").await;
    let mallory = register(&app, "mallory").await;
    let mut alice_socket = connect(&app, &alice).await;
    let mut mallory_socket = connect(&app, &mallory).await;
    let tab = &alice.tab;

    let token = app.public_token(FIRST_PLATYPUS, "user_good").await;
    let item: Item = app
        .create_item(tab, &create_item_request(&token, FIRST_PLATYPUS))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        next_bank_event(&mut alice_socket).await,
        Some(ServerEvent::ItemAdded { item_id: item.id })
    );
    match next_bank_event(&mut alice_socket).await {
        Some(ServerEvent::ItemSynced {
            item_id,
            added,
            modified,
            removed,
        }) => {
            assert_eq!(item_id, item.id);
            assert_eq!(
                i64::try_from(added).unwrap(),
                transaction_count(&db, &item).await
            );
            assert_eq!((modified, removed), (0, 0));
        }
        other => panic!("expected item_synced, got {other:?}"),
    }

    let reset = app.reset_login(tab, item.id).await;
    assert_eq!(reset.status(), StatusCode::OK);
    assert_eq!(
        next_bank_event(&mut alice_socket).await,
        Some(ServerEvent::ItemStatusChanged {
            item_id: item.id,
            status: ItemStatus::LoginRequired,
            error_code: Some("ITEM_LOGIN_REQUIRED".to_owned()),
        })
    );

    let removed = app.remove_item(tab, item.id).await;
    assert_eq!(removed.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        next_bank_event(&mut alice_socket).await,
        Some(ServerEvent::ItemRemoved { item_id: item.id })
    );
    assert_eq!(next_event_within(&mut mallory_socket, QUIET).await, None);
}

#[sqlx::test(migrations = "../../migrations")]
async fn adding_and_deleting_an_asset_tells_the_owners_socket(db: PgPool) {
    let app = spawn_app(db).await;
    let ana = register(&app, "ana").await;
    let ben = register(&app, "ben").await;
    let mut ana_socket = connect(&app, &ana).await;
    let mut ben_socket = connect(&app, &ben).await;

    let house = new_asset("House", "250000.00", "USD");
    let created = app.create_asset(&ana.tab, &house).await;
    assert_eq!(created.status(), StatusCode::CREATED);
    assert_eq!(
        next_event(&mut ana_socket).await,
        Some(ServerEvent::AssetsChanged)
    );
    let asset: Asset = created.json().await.unwrap();
    let deleted = app.delete_asset(&ana.tab, asset.id).await;
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        next_event(&mut ana_socket).await,
        Some(ServerEvent::AssetsChanged)
    );
    assert_eq!(next_event_within(&mut ben_socket, QUIET).await, None);
}
