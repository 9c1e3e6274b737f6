//! Registering, logging in and out, sessions, and the defences around them.

use crate::helpers::{browser_like_client, captured_logs, spawn_app, spawn_app_with, TestApp};
use reqwest::StatusCode;
use serde_json::{json, Value};
use sqlx::PgPool;
use tally_shared::api::session::SessionResponse;

async fn register(
    app: &TestApp,
    client: &reqwest::Client,
    username: &str,
    password: &str,
) -> reqwest::Response {
    client
        .post(app.url("/api/users"))
        .json(&json!({ "username": username, "password": password }))
        .send()
        .await
        .unwrap()
}

async fn log_in(
    app: &TestApp,
    client: &reqwest::Client,
    username: &str,
    password: &str,
) -> reqwest::Response {
    client
        .post(app.url("/api/session"))
        .json(&json!({ "username": username, "password": password }))
        .send()
        .await
        .unwrap()
}

async fn who_am_i(app: &TestApp, client: &reqwest::Client) -> reqwest::Response {
    client.get(app.url("/api/session")).send().await.unwrap()
}

const PASSWORD: &str = "a long enough password";

#[sqlx::test(migrations = "../../migrations")]
async fn register_log_out_log_in_and_ask_who_i_am(db: PgPool) {
    let app = spawn_app(db).await;

    let response = register(&app, &app.client, "Alice", PASSWORD).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let cookie = response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(cookie.starts_with("tally_session="), "{cookie}");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && cookie.contains("Path=/")
    );
    assert!(
        !cookie.contains("Secure"),
        "http PUBLIC_URL: no Secure flag"
    );
    let registered: SessionResponse = response.json().await.unwrap();
    assert_eq!(registered.user.username, "Alice");
    assert!(registered.user.is_admin, "the first user is an admin");

    let me: SessionResponse = who_am_i(&app, &app.client).await.json().await.unwrap();
    assert_eq!(me, registered);

    let out = app
        .client
        .delete(app.url("/api/session"))
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        who_am_i(&app, &app.client).await.status(),
        StatusCode::UNAUTHORIZED
    );

    let again = log_in(&app, &app.client, "alice", PASSWORD).await;
    assert_eq!(again.status(), StatusCode::OK);
    let me: SessionResponse = who_am_i(&app, &app.client).await.json().await.unwrap();
    assert_eq!(me.user.id, registered.user.id);

    let second = browser_like_client();
    let bob: SessionResponse = register(&app, &second, "bob", PASSWORD)
        .await
        .json()
        .await
        .unwrap();
    assert!(
        !bob.user.is_admin,
        "only the first user is an admin by default"
    );
}

#[sqlx::test(migrations = "../../migrations")]
async fn usernames_are_unique_whatever_their_case(db: PgPool) {
    let app = spawn_app(db).await;
    assert_eq!(
        register(&app, &app.client, "Carol", PASSWORD)
            .await
            .status(),
        StatusCode::CREATED
    );

    let response = register(&app, &browser_like_client(), "cAROL", PASSWORD).await;

    assert_eq!(response.status(), StatusCode::CONFLICT);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["code"], "conflict");
}

#[sqlx::test(migrations = "../../migrations")]
async fn every_rule_is_checked_and_named(db: PgPool) {
    let app = spawn_app(db).await;
    let cases = [
        ("ab", PASSWORD, vec!["username"]),
        (&"x".repeat(33)[..], PASSWORD, vec!["username"]),
        ("has space", PASSWORD, vec!["username"]),
        ("dan", "too short", vec!["password"]),
        ("dan", &"p".repeat(1025)[..], vec!["password"]),
        ("d", "short", vec!["username", "password"]),
    ];
    for (username, password, fields) in cases {
        let response = register(&app, &browser_like_client(), username, password).await;
        assert_eq!(
            response.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{username}"
        );
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["code"], "validation");
        let named: Vec<&str> = body["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["field"].as_str().unwrap())
            .collect();
        assert_eq!(named, fields, "{username} / {} chars", password.len());
    }
    let missing = app
        .client
        .post(app.url("/api/users"))
        .json(&json!({"username": "dan"}))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), StatusCode::BAD_REQUEST);
}

#[sqlx::test(migrations = "../../migrations")]
async fn a_wrong_password_and_an_unknown_user_look_the_same(db: PgPool) {
    let app = spawn_app(db).await;
    register(&app, &app.client, "erin", PASSWORD).await;

    let wrong = log_in(&app, &browser_like_client(), "erin", "not the password").await;
    let unknown = log_in(&app, &browser_like_client(), "nobody", "not the password").await;

    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(unknown.status(), StatusCode::UNAUTHORIZED);
    assert!(wrong.headers().get("set-cookie").is_none());
    let (wrong, unknown): (Value, Value) =
        (wrong.json().await.unwrap(), unknown.json().await.unwrap());
    assert_eq!(wrong, unknown);
}

#[sqlx::test(migrations = "../../migrations")]
async fn a_logged_out_cookie_is_dead_even_if_replayed(db: PgPool) {
    let app = spawn_app(db).await;
    let response = register(&app, &app.client, "frank", PASSWORD).await;
    let token = response
        .cookies()
        .find(|c| c.name() == "tally_session")
        .unwrap()
        .value()
        .to_owned();
    app.client
        .delete(app.url("/api/session"))
        .send()
        .await
        .unwrap();

    let replay = reqwest::Client::new()
        .get(app.url("/api/session"))
        .header("cookie", format!("tally_session={token}"))
        .send()
        .await
        .unwrap();

    assert_eq!(replay.status(), StatusCode::UNAUTHORIZED);
}

#[sqlx::test(migrations = "../../migrations")]
async fn sessions_expire_when_idle_and_slide_when_used(db: PgPool) {
    let app = spawn_app(db).await;
    register(&app, &app.client, "grace", PASSWORD).await;

    // Used after an hour: the expiry moves forward.
    sqlx::query("update user_session set last_seen_at = now() - interval '2 hours', expires_at = now() + interval '1 day'")
        .execute(&app.db)
        .await
        .unwrap();
    assert_eq!(who_am_i(&app, &app.client).await.status(), StatusCode::OK);
    let days_left: f64 = sqlx::query_scalar(
        "select extract(epoch from expires_at - now())::float8 / 86400 from user_session",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert!(
        days_left > 13.0,
        "expiry did not slide: {days_left} days left"
    );

    // Idle past its expiry: gone.
    sqlx::query("update user_session set expires_at = now() - interval '1 second'")
        .execute(&app.db)
        .await
        .unwrap();
    assert_eq!(
        who_am_i(&app, &app.client).await.status(),
        StatusCode::UNAUTHORIZED
    );
}

#[sqlx::test(migrations = "../../migrations")]
async fn deleting_an_account_signs_out_every_browser(db: PgPool) {
    let app = spawn_app(db).await;
    register(&app, &app.client, "heidi", PASSWORD).await;
    let other_tab = browser_like_client();
    log_in(&app, &other_tab, "heidi", PASSWORD).await;

    let deleted = app
        .client
        .delete(app.url("/api/users/me"))
        .send()
        .await
        .unwrap();

    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        who_am_i(&app, &other_tab).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        log_in(&app, &other_tab, "heidi", PASSWORD).await.status(),
        StatusCode::UNAUTHORIZED
    );
    let left: i64 = sqlx::query_scalar("select count(*) from user_session")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(left, 0);
    assert_eq!(
        app.client
            .delete(app.url("/api/users/me"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::UNAUTHORIZED
    );
}

#[sqlx::test(migrations = "../../migrations")]
async fn admin_usernames_are_admins(db: PgPool) {
    let app = spawn_app_with(db, &[("ADMIN_USERNAMES", "root, Ivan")]).await;
    register(&app, &app.client, "first", PASSWORD).await;

    let ivan: SessionResponse = register(&app, &browser_like_client(), "ivan", PASSWORD)
        .await
        .json()
        .await
        .unwrap();
    let judy: SessionResponse = register(&app, &browser_like_client(), "judy", PASSWORD)
        .await
        .json()
        .await
        .unwrap();

    assert!(ivan.user.is_admin);
    assert!(!judy.user.is_admin);
}

#[sqlx::test(migrations = "../../migrations")]
async fn guessing_is_slowed_down_and_then_allowed_again(db: PgPool) {
    let app = spawn_app_with(db, &[("LOGIN_ATTEMPTS_PER_MINUTE", "60")]).await;
    register(&app, &app.client, "kim", PASSWORD).await;

    let mut refused = None;
    for _ in 0..70 {
        let response = log_in(&app, &browser_like_client(), "kim", "guess guess guess").await;
        if response.status() == StatusCode::TOO_MANY_REQUESTS {
            refused = Some(response);
            break;
        }
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    }
    let refused = refused.expect("61 guesses in a minute were all allowed");
    let retry_after: u64 = refused.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry_after));
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["code"], "rate_limited");

    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    assert_eq!(
        log_in(&app, &browser_like_client(), "kim", PASSWORD)
            .await
            .status(),
        StatusCode::OK
    );
}

#[sqlx::test(migrations = "../../migrations")]
async fn writes_from_another_site_are_refused(db: PgPool) {
    let app = spawn_app(db).await;
    register(&app, &app.client, "leo", PASSWORD).await;

    let forged = app
        .client
        .delete(app.url("/api/users/me"))
        .header("origin", "https://evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    let fetched = app
        .client
        .delete(app.url("/api/session"))
        .header("sec-fetch-site", "cross-site")
        .send()
        .await
        .unwrap();
    assert_eq!(fetched.status(), StatusCode::FORBIDDEN);
    let form = reqwest::Client::new()
        .post(app.url("/api/session"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("username=leo&password=a+long+enough+password")
        .send()
        .await
        .unwrap();
    assert_eq!(form.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(
        who_am_i(&app, &app.client).await.status(),
        StatusCode::OK,
        "still signed in"
    );

    let same_site = app
        .client
        .delete(app.url("/api/session"))
        .header("origin", app.address.as_str())
        .send()
        .await
        .unwrap();
    assert_eq!(same_site.status(), StatusCode::NO_CONTENT);
}

#[sqlx::test(migrations = "../../migrations")]
async fn passwords_and_tokens_never_reach_the_log(db: PgPool) {
    let app = spawn_app(db).await;
    let password = "unmistakable-password-7f3a";
    let response = register(&app, &app.client, "mallory", password).await;
    let token = response
        .cookies()
        .find(|c| c.name() == "tally_session")
        .unwrap()
        .value()
        .to_owned();
    log_in(&app, &browser_like_client(), "mallory", password).await;
    log_in(
        &app,
        &browser_like_client(),
        "mallory",
        "wrong-unmistakable-guess",
    )
    .await;

    let logs = captured_logs();
    assert!(
        logs.contains("registered") && logs.contains("log-in refused"),
        "nothing was logged"
    );
    for secret in [password, "wrong-unmistakable-guess", &token] {
        if let Some(at) = logs.find(secret) {
            let start = logs[..at].rfind('\n').unwrap_or(0);
            let end = logs[at..].find('\n').map_or(logs.len(), |e| at + e);
            panic!("{secret} is in the log: {}", &logs[start..end]);
        }
    }
}
