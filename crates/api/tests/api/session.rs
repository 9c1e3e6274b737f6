//! Registering, logging in and out, sessions, and the defences around them.

use crate::api_calls::{
    decoded, login_request, named_fields, register_request, session_token, PASSWORD,
};
use crate::helpers::{browser_like_client, captured_logs, count, spawn_app, spawn_app_with};
use reqwest::StatusCode;
use serde_json::{json, Value};
use sqlx::PgPool;
use tally_shared::api::session::SessionResponse;
use tally_shared::{ApiError, ErrorCode};

#[sqlx::test(migrations = "../../migrations")]
async fn register_log_out_log_in_and_ask_who_i_am(db: PgPool) {
    let app = spawn_app(db).await;

    let response = app.register_as(&app.client, "Alice").await;
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

    let me: SessionResponse = app.who_am_i(&app.client).await.json().await.unwrap();
    assert_eq!(me, registered);

    let out = app.log_out(&app.client).await;
    assert_eq!(out.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        app.who_am_i(&app.client).await.status(),
        StatusCode::UNAUTHORIZED
    );

    let again = app
        .log_in(&app.client, &login_request("alice", PASSWORD))
        .await;
    assert_eq!(again.status(), StatusCode::OK);
    let me: SessionResponse = app.who_am_i(&app.client).await.json().await.unwrap();
    assert_eq!(me.user.id, registered.user.id);

    let second = browser_like_client();
    let bob: SessionResponse = app.register_as(&second, "bob").await.json().await.unwrap();
    assert!(
        !bob.user.is_admin,
        "only the first user is an admin by default"
    );
}

#[sqlx::test(migrations = "../../migrations")]
async fn usernames_are_unique_whatever_their_case(db: PgPool) {
    let app = spawn_app(db).await;
    assert_eq!(
        app.register_as(&app.client, "Carol").await.status(),
        StatusCode::CREATED
    );

    let response = app.register_as(&browser_like_client(), "cAROL").await;

    let body: ApiError = decoded(response, StatusCode::CONFLICT).await;
    assert_eq!(body.code, ErrorCode::Conflict);
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
        let response = app
            .register(
                &browser_like_client(),
                &register_request(username, password),
            )
            .await;
        assert_eq!(
            response.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{username}"
        );
        let body: ApiError = response.json().await.unwrap();
        assert_eq!(body.code, ErrorCode::Validation);
        assert_eq!(
            named_fields(&body),
            fields,
            "{username} / {} chars",
            password.len()
        );
    }
    // Raw on purpose: a body with no password is not a `RegisterRequest`.
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
    app.register_as(&app.client, "erin").await;

    let wrong = app
        .log_in(
            &browser_like_client(),
            &login_request("erin", "not the password"),
        )
        .await;
    let unknown = app
        .log_in(
            &browser_like_client(),
            &login_request("nobody", "not the password"),
        )
        .await;

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
    let response = app.register_as(&app.client, "frank").await;
    let token = session_token(&response);
    app.log_out(&app.client).await;

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
    app.register_as(&app.client, "grace").await;

    // Used after an hour: the expiry moves forward.
    sqlx::query("update user_session set last_seen_at = now() - interval '2 hours', expires_at = now() + interval '1 day'")
        .execute(&app.db)
        .await
        .unwrap();
    assert_eq!(app.who_am_i(&app.client).await.status(), StatusCode::OK);
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
        app.who_am_i(&app.client).await.status(),
        StatusCode::UNAUTHORIZED
    );
}

#[sqlx::test(migrations = "../../migrations")]
async fn deleting_an_account_signs_out_every_browser(db: PgPool) {
    let app = spawn_app(db).await;
    app.register_as(&app.client, "heidi").await;
    let other_tab = browser_like_client();
    app.log_in(&other_tab, &login_request("heidi", PASSWORD))
        .await;

    let deleted = app.delete_me(&app.client).await;

    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        app.who_am_i(&other_tab).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.log_in(&other_tab, &login_request("heidi", PASSWORD))
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
    let left: i64 = count(&app.db, "user_session").await;
    assert_eq!(left, 0);
    assert_eq!(
        app.delete_me(&app.client).await.status(),
        StatusCode::UNAUTHORIZED
    );
}

#[sqlx::test(migrations = "../../migrations")]
async fn admin_usernames_are_admins(db: PgPool) {
    let app = spawn_app_with(db, &[("ADMIN_USERNAMES", "root, Ivan")]).await;
    app.register_as(&app.client, "first").await;

    let ivan: SessionResponse = app
        .register_as(&browser_like_client(), "ivan")
        .await
        .json()
        .await
        .unwrap();
    let judy: SessionResponse = app
        .register_as(&browser_like_client(), "judy")
        .await
        .json()
        .await
        .unwrap();

    assert!(ivan.user.is_admin);
    assert!(!judy.user.is_admin);
}

#[sqlx::test(migrations = "../../migrations")]
async fn guessing_is_slowed_down_and_then_allowed_again(db: PgPool) {
    // Six a minute: one more every ten seconds, so the seventh guess is refused however slowly
    // a busy machine hashes the first six.
    let app = spawn_app_with(db, &[("LOGIN_ATTEMPTS_PER_MINUTE", "6")]).await;
    app.register_as(&app.client, "kim").await;

    let mut refused = None;
    for _ in 0..20 {
        let response = app
            .log_in(
                &browser_like_client(),
                &login_request("kim", "guess guess guess"),
            )
            .await;
        if response.status() == StatusCode::TOO_MANY_REQUESTS {
            refused = Some(response);
            break;
        }
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    }
    let refused = refused.expect("20 guesses at six a minute were all allowed");
    let retry_after: u64 = refused.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        (1..=10).contains(&retry_after),
        "retry after {retry_after} s"
    );
    let body: ApiError = refused.json().await.unwrap();
    assert_eq!(body.code, ErrorCode::RateLimited);

    tokio::time::sleep(std::time::Duration::from_secs(retry_after)).await;
    assert_eq!(
        app.log_in(&browser_like_client(), &login_request("kim", PASSWORD))
            .await
            .status(),
        StatusCode::OK
    );
}

#[sqlx::test(migrations = "../../migrations")]
async fn writes_from_another_site_are_refused(db: PgPool) {
    let app = spawn_app(db).await;
    app.register_as(&app.client, "leo").await;

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
        app.who_am_i(&app.client).await.status(),
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
    let response = app
        .register(&app.client, &register_request("mallory", password))
        .await;
    let token = session_token(&response);
    app.log_in(&browser_like_client(), &login_request("mallory", password))
        .await;
    app.log_in(
        &browser_like_client(),
        &login_request("mallory", "wrong-unmistakable-guess"),
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
