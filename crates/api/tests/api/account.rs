//! `/api/account`: changing the password, the list of signed-in browsers, revoking them, and
//! how long a session lives.

use crate::api_calls::{assert_unauthorized, decoded, login_request, named_fields, PASSWORD};
use crate::helpers::{browser_like_client, count, spawn_app, spawn_app_with, TestApp};
use reqwest::{Client, StatusCode};
use sqlx::PgPool;
use std::time::Duration;
use tally_shared::api::account::ActiveSession;
use tally_shared::{ApiError, ErrorCode};
use uuid::Uuid;

const CHROME_ON_LINUX: &str = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
const FIREFOX_ON_WINDOWS: &str =
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0";
const NEW_PASSWORD: &str = "an entirely new password";

/// A tab of a browser that says what it is.
fn browser(user_agent: &str) -> Client {
    Client::builder()
        .user_agent(user_agent)
        .cookie_store(true)
        .build()
        .unwrap()
}

/// The session of `client` as its own list shows it.
async fn own_session(app: &TestApp, client: &Client) -> ActiveSession {
    let list = app.sessions(client).await;
    list.sessions.into_iter().find(|s| s.current).unwrap()
}

#[sqlx::test(migrations = "../../migrations")]
async fn changing_the_password_signs_out_every_other_browser_but_this_one(db: PgPool) {
    let app = spawn_app(db).await;
    let here = app.sign_up("alice").await.client;
    let laptop = app.sign_in_as("alice").await;
    let phone = app.sign_in_as("alice").await;
    let bob = app.sign_up("bob").await.client;

    let changed = app.change_password(&here, PASSWORD, NEW_PASSWORD).await;

    assert_eq!(changed.status(), StatusCode::NO_CONTENT);
    assert_eq!(app.who_am_i(&here).await.status(), StatusCode::OK);
    assert_unauthorized(app.who_am_i(&laptop).await).await;
    assert_unauthorized(app.who_am_i(&phone).await).await;
    assert_eq!(app.who_am_i(&bob).await.status(), StatusCode::OK);
    let old = app
        .log_in(&browser_like_client(), &login_request("alice", PASSWORD))
        .await;
    assert_eq!(old.status(), StatusCode::UNAUTHORIZED);
    let new = app
        .log_in(
            &browser_like_client(),
            &login_request("alice", NEW_PASSWORD),
        )
        .await;
    assert_eq!(new.status(), StatusCode::OK);
}

#[sqlx::test(migrations = "../../migrations")]
async fn a_wrong_current_password_or_a_weak_new_one_changes_nothing(db: PgPool) {
    let app = spawn_app(db).await;
    let here = app.sign_up("alice").await.client;
    let laptop = app.sign_in_as("alice").await;

    let wrong: ApiError = decoded(
        app.change_password(&here, "not my password", NEW_PASSWORD)
            .await,
        StatusCode::FORBIDDEN,
    )
    .await;
    assert_eq!(wrong.code, ErrorCode::Forbidden);
    assert!(
        wrong.message.contains("not your current password"),
        "{wrong:?}"
    );
    let weak: ApiError = decoded(
        app.change_password(&here, PASSWORD, "short").await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(named_fields(&weak), ["new_password"]);
    let empty: ApiError = decoded(
        app.change_password(&here, "", "short").await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(named_fields(&empty), ["current_password", "new_password"]);
    let endless = "x".repeat(100_000);
    let refused = app.change_password(&here, &endless, NEW_PASSWORD).await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);

    assert_eq!(app.who_am_i(&laptop).await.status(), StatusCode::OK);
    let old = app
        .log_in(&browser_like_client(), &login_request("alice", PASSWORD))
        .await;
    assert_eq!(old.status(), StatusCode::OK, "the password is unchanged");
}

#[sqlx::test(migrations = "../../migrations")]
async fn guessing_the_current_password_is_slowed_like_logging_in(db: PgPool) {
    let app = spawn_app_with(db, &[("LOGIN_ATTEMPTS_PER_MINUTE", "2")]).await;
    let here = app.sign_up("alice").await.client;

    let mut statuses = Vec::new();
    for _ in 0..3 {
        let response = app
            .change_password(&here, "guess guess guess", NEW_PASSWORD)
            .await;
        statuses.push(response.status());
    }

    assert_eq!(
        statuses,
        [
            StatusCode::FORBIDDEN,
            StatusCode::FORBIDDEN,
            StatusCode::TOO_MANY_REQUESTS
        ]
    );
}

#[sqlx::test(migrations = "../../migrations")]
async fn the_session_list_names_each_browser_and_marks_this_one(db: PgPool) {
    let app = spawn_app(db).await;
    let chrome = browser(CHROME_ON_LINUX);
    let registered = app.register_as(&chrome, "alice").await;
    let chrome_token = crate::api_calls::session_token(&registered);
    let firefox = browser(FIREFOX_ON_WINDOWS);
    let logged_in = app
        .log_in(&firefox, &login_request("alice", PASSWORD))
        .await;
    let firefox_token = crate::api_calls::session_token(&logged_in);
    app.sign_up("bob").await;

    let response = app.get_from(&chrome, "/api/account/sessions").await;
    let raw = response.text().await.unwrap();
    let list = app.sessions(&chrome).await;

    let described: Vec<(&str, bool, Option<&str>)> = list
        .sessions
        .iter()
        .map(|s| (s.device.as_str(), s.current, s.address.as_deref()))
        .collect();
    assert_eq!(
        described,
        [
            ("Chrome on Linux", true, Some("127.0.0.1")),
            ("Firefox on Windows 10", false, Some("127.0.0.1")),
        ]
    );
    for token in [&chrome_token, &firefox_token] {
        assert!(
            !raw.contains(token.as_str()),
            "a token is in the list: {raw}"
        );
    }
    let from_firefox = own_session(&app, &firefox).await;
    assert_eq!(from_firefox.id, list.sessions[1].id);
    assert!(from_firefox.created_at <= from_firefox.last_used_at);
}

#[sqlx::test(migrations = "../../migrations")]
async fn revoking_a_session_signs_that_browser_out_and_only_the_owner_may(db: PgPool) {
    let app = spawn_app(db).await;
    let here = app.sign_up("alice").await.client;
    let laptop = app.sign_in_as("alice").await;
    let bob = app.sign_up("bob").await.client;
    let laptop_session = own_session(&app, &laptop).await.id;
    let alice_session = own_session(&app, &here).await.id;

    let by_bob = app.revoke_session(&bob, laptop_session).await;
    let unknown = app.revoke_session(&here, Uuid::new_v4()).await;
    let malformed = app.revoke_session(&here, "not-an-id").await;

    for refused in [by_bob, unknown, malformed] {
        let error: ApiError = decoded(refused, StatusCode::NOT_FOUND).await;
        assert_eq!(error.code, ErrorCode::NotFound);
    }
    assert_eq!(app.who_am_i(&laptop).await.status(), StatusCode::OK);

    let revoked = app.revoke_session(&here, laptop_session).await;

    assert_eq!(revoked.status(), StatusCode::NO_CONTENT);
    assert_unauthorized(app.who_am_i(&laptop).await).await;
    assert_eq!(app.who_am_i(&here).await.status(), StatusCode::OK);
    let listed: Vec<_> = app.sessions(&here).await.sessions;
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].id, alice_session);
    let again = app.revoke_session(&here, laptop_session).await;
    assert_eq!(again.status(), StatusCode::NOT_FOUND);
}

#[sqlx::test(migrations = "../../migrations")]
async fn signing_out_everywhere_else_keeps_this_browser_only(db: PgPool) {
    let app = spawn_app(db).await;
    let here = app.sign_up("alice").await.client;
    let others = [app.sign_in_as("alice").await, app.sign_in_as("alice").await];
    let bob = app.sign_up("bob").await.client;

    let response = app.sign_out_others(&here).await;

    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_eq!(app.who_am_i(&here).await.status(), StatusCode::OK);
    for other in &others {
        assert_unauthorized(app.who_am_i(other).await).await;
    }
    assert_eq!(app.who_am_i(&bob).await.status(), StatusCode::OK);
    assert_eq!(app.sessions(&here).await.sessions.len(), 1);
}

#[sqlx::test(migrations = "../../migrations")]
async fn a_session_ends_at_its_lifetime_however_often_it_is_used(db: PgPool) {
    let app = spawn_app(db).await;
    let here = app.sign_up("alice").await.client;

    // Signed in 29 days and 23 hours ago, used an hour ago: still in, but only for the hour
    // left of its 30 days, not for another 14 idle days.
    sqlx::query(
        "update user_session set created_at = now() - interval '29 days 23 hours',
                last_seen_at = now() - interval '2 hours'",
    )
    .execute(&app.db)
    .await
    .unwrap();
    assert_eq!(app.who_am_i(&here).await.status(), StatusCode::OK);
    let hours_left: f64 = sqlx::query_scalar(
        "select extract(epoch from expires_at - now())::float8 / 3600 from user_session",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert!(hours_left <= 1.0, "{hours_left} hours left");

    // Past 30 days, though used a moment ago and not idle: out.
    sqlx::query(
        "update user_session set created_at = now() - interval '30 days 1 minute',
                last_seen_at = now(), expires_at = now() + interval '14 days'",
    )
    .execute(&app.db)
    .await
    .unwrap();
    assert_unauthorized(app.who_am_i(&here).await).await;
    assert_unauthorized(app.get_from(&here, "/api/account/sessions").await).await;
}

#[sqlx::test(migrations = "../../migrations")]
async fn the_lifetime_is_a_setting(db: PgPool) {
    let app = spawn_app_with(db, &[("SESSION_LIFETIME", "2h")]).await;
    let here = app.sign_up("alice").await.client;
    let laptop = app.sign_in_as("alice").await;

    let expires_in_hours: f64 = sqlx::query_scalar(
        "select max(extract(epoch from expires_at - now()))::float8 / 3600 from user_session",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert!(expires_in_hours <= 2.0, "{expires_in_hours} hours");
    let laptop_session = own_session(&app, &laptop).await.id;
    sqlx::query(
        "update user_session set created_at = now() - interval '3 hours',
                expires_at = now() + interval '1 day' where session_id = $1",
    )
    .bind(laptop_session.0)
    .execute(&app.db)
    .await
    .unwrap();

    assert_unauthorized(app.who_am_i(&laptop).await).await;
    assert_eq!(app.who_am_i(&here).await.status(), StatusCode::OK);
    assert_eq!(
        app.sessions(&here).await.sessions.len(),
        1,
        "an ended session is not listed"
    );
}

#[sqlx::test(migrations = "../../migrations")]
async fn ended_sessions_are_purged_periodically(db: PgPool) {
    let app = spawn_app_with(db, &[("SESSION_PURGE_INTERVAL", "100ms")]).await;
    let here = app.sign_up("alice").await.client;
    let idle = app.sign_in_as("alice").await;
    let old = app.sign_in_as("alice").await;
    let (idle, old) = (
        own_session(&app, &idle).await.id,
        own_session(&app, &old).await.id,
    );

    sqlx::query(
        "update user_session set expires_at = now() - interval '1 second' where session_id = $1",
    )
    .bind(idle.0)
    .execute(&app.db)
    .await
    .unwrap();
    sqlx::query(
        "update user_session set created_at = now() - interval '31 days' where session_id = $1",
    )
    .bind(old.0)
    .execute(&app.db)
    .await
    .unwrap();

    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while count(&app.db, "user_session").await > 1 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "ended sessions were not purged"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(app.who_am_i(&here).await.status(), StatusCode::OK);
    assert_eq!(count(&app.db, "user_session").await, 1);
}
