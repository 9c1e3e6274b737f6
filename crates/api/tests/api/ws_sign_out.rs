//! A session that ends takes its live-event sockets with it, on whichever replica they are.

use crate::api_calls::{decoded, login_request, new_asset, session_token, PASSWORD};
use crate::helpers::{browser_like_client, spawn_app, TestApp};
use crate::ws::{close_code, connect, next_event, register, User};
use reqwest::StatusCode;
use sqlx::PgPool;
use tally_shared::api::session::SessionResponse;
use tally_shared::ids::SessionId;
use tally_shared::ws::ServerEvent;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;

/// Another browser signing in as `username` (password [`PASSWORD`]).
async fn sign_in(app: &TestApp, username: &str) -> User {
    let tab = browser_like_client();
    let response = app.log_in(&tab, &login_request(username, PASSWORD)).await;
    let cookie = format!("tally_session={}", session_token(&response));
    let session: SessionResponse = decoded(response, StatusCode::OK).await;
    User {
        id: session.user.id.0,
        cookie,
        tab,
    }
}

async fn session_of(app: &TestApp, user: &User) -> SessionId {
    let list = app.sessions(&user.tab).await;
    list.sessions.into_iter().find(|s| s.current).unwrap().id
}

/// An event for every socket of `user` that is still open.
async fn announce_to(app: &TestApp, user: &User) {
    let created = app
        .create_asset(&user.tab, &new_asset("Car", "9000.00", "USD"))
        .await;
    assert_eq!(created.status(), StatusCode::CREATED);
}

#[sqlx::test(migrations = "../../migrations")]
async fn revoking_a_session_closes_its_sockets_and_no_others(db: PgPool) {
    let app = spawn_app(db).await;
    let here = register(&app, "alice").await;
    let laptop = sign_in(&app, "alice").await;
    let mut here_socket = connect(&app, &here).await;
    let mut laptop_socket = connect(&app, &laptop).await;
    let mut laptop_second_tab = connect(&app, &laptop).await;

    let revoked = app
        .revoke_session(&here.tab, session_of(&app, &laptop).await)
        .await;

    assert_eq!(revoked.status(), StatusCode::NO_CONTENT);
    for socket in [&mut laptop_socket, &mut laptop_second_tab] {
        assert_eq!(close_code(socket).await, Some(CloseCode::Policy));
    }
    announce_to(&app, &here).await;
    assert_eq!(
        next_event(&mut here_socket).await,
        Some(ServerEvent::AssetsChanged)
    );
}

#[sqlx::test(migrations = "../../migrations")]
async fn logging_out_closes_that_browsers_socket(db: PgPool) {
    let app = spawn_app(db).await;
    let here = register(&app, "alice").await;
    let laptop = sign_in(&app, "alice").await;
    let mut here_socket = connect(&app, &here).await;
    let mut laptop_socket = connect(&app, &laptop).await;

    let out = app.log_out(&here.tab).await;

    assert_eq!(out.status(), StatusCode::NO_CONTENT);
    assert_eq!(close_code(&mut here_socket).await, Some(CloseCode::Policy));
    announce_to(&app, &laptop).await;
    assert_eq!(
        next_event(&mut laptop_socket).await,
        Some(ServerEvent::AssetsChanged)
    );
}

#[sqlx::test(migrations = "../../migrations")]
async fn a_password_change_closes_the_other_browsers_sockets(db: PgPool) {
    let app = spawn_app(db).await;
    let here = register(&app, "alice").await;
    let laptop = sign_in(&app, "alice").await;
    let bob = register(&app, "bob").await;
    let mut here_socket = connect(&app, &here).await;
    let mut laptop_socket = connect(&app, &laptop).await;
    let mut bob_socket = connect(&app, &bob).await;

    let changed = app
        .change_password(&here.tab, PASSWORD, "an entirely new password")
        .await;

    assert_eq!(changed.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        close_code(&mut laptop_socket).await,
        Some(CloseCode::Policy)
    );
    announce_to(&app, &here).await;
    announce_to(&app, &bob).await;
    assert_eq!(
        next_event(&mut here_socket).await,
        Some(ServerEvent::AssetsChanged)
    );
    assert_eq!(
        next_event(&mut bob_socket).await,
        Some(ServerEvent::AssetsChanged)
    );
}

#[sqlx::test(migrations = "../../migrations")]
async fn a_session_revoked_on_another_replica_closes_its_socket_on_this_one(db: PgPool) {
    let replica_a = spawn_app(db.clone()).await;
    let replica_b = spawn_app(db).await;
    let here = register(&replica_a, "alice").await;
    let laptop = sign_in(&replica_a, "alice").await;
    let mut laptop_socket = connect(&replica_b, &laptop).await;

    let revoked = replica_a
        .revoke_session(&here.tab, session_of(&replica_a, &laptop).await)
        .await;

    assert_eq!(revoked.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        close_code(&mut laptop_socket).await,
        Some(CloseCode::Policy)
    );
}
