//! Which host names Tally answers to (DNS rebinding), and which pages may write to it: both
//! judged by `PUBLIC_URL` and `ALLOWED_ORIGINS`, never by the request's own `Host`.

use crate::api_calls::link_event;
use crate::helpers::spawn_app_with;
use reqwest::StatusCode;
use sqlx::PgPool;
use tally_shared::api::items::LinkEventKind;
use tally_shared::{ApiError, ErrorCode};

const PUBLIC_URL: &str = "https://tally.example.com";
const ALLOWED: &str = "https://budget.example.org:8443";

#[sqlx::test(migrations = "../../migrations")]
async fn a_request_for_a_foreign_host_is_refused(db: PgPool) {
    let app = spawn_app_with(
        db,
        &[("PUBLIC_URL", PUBLIC_URL), ("ALLOWED_ORIGINS", ALLOWED)],
    )
    .await;
    let get = |path: &str, host: &str| app.client.get(app.url(path)).header("host", host).send();

    // A page whose own name was rebound to this server's address sends its own name.
    for path in ["/api/config", "/", "/sim/plaid/link-initialize.js"] {
        let refused = get(path, "rebound.evil.example:3001").await.unwrap();
        assert_eq!(refused.status(), StatusCode::BAD_REQUEST, "{path}");
        let body: ApiError = refused.json().await.unwrap();
        assert_eq!(body.code, ErrorCode::BadRequest);
        assert!(body.message.contains(PUBLIC_URL), "{body:?}");
    }
    let control = app
        .client
        .post(app.url("/sim/plaid/control/clock/advance"))
        .header("host", "rebound.evil.example")
        .json(&serde_json::json!({"days": 1}))
        .send()
        .await
        .unwrap();
    assert_eq!(control.status(), StatusCode::BAD_REQUEST);

    // PUBLIC_URL's host (as a reverse proxy passes it on), an allowed origin's, and loopback.
    for host in [
        "tally.example.com",
        "TALLY.example.com.",
        "budget.example.org:8443",
        "localhost:3001",
        "127.0.0.1",
        "[::1]:3001",
    ] {
        let answered = get("/api/health", host).await.unwrap();
        assert_eq!(answered.status(), StatusCode::OK, "{host}");
    }
}

#[sqlx::test(migrations = "../../migrations")]
async fn writes_are_judged_by_public_url_not_by_the_requests_own_host(db: PgPool) {
    let app = spawn_app_with(
        db,
        &[("PUBLIC_URL", PUBLIC_URL), ("ALLOWED_ORIGINS", ALLOWED)],
    )
    .await;
    let write_from = |origin: &str, host: &str| {
        app.client
            .post(app.url("/api/link/events"))
            .header("origin", origin)
            .header("host", host)
            .json(&link_event(LinkEventKind::Exit))
            .send()
    };
    app.register_as(&app.client, "kim").await;

    // Another site on Tally's host name (another port, plain http): its Origin matches the
    // request's own Host, and used to be let in.
    let same_host_other_site =
        write_from("http://tally.example.com:8080", "tally.example.com:8080")
            .await
            .unwrap();
    assert_eq!(same_host_other_site.status(), StatusCode::FORBIDDEN);
    let elsewhere = write_from("https://evil.example", "tally.example.com")
        .await
        .unwrap();
    assert_eq!(elsewhere.status(), StatusCode::FORBIDDEN);

    for (origin, host) in [
        (PUBLIC_URL, "tally.example.com"),
        (ALLOWED, "budget.example.org:8443"),
        // Tally opened on this machine at the address it listens on.
        (
            app.address.as_str(),
            app.address.trim_start_matches("http://"),
        ),
    ] {
        let ours = write_from(origin, host).await.unwrap();
        assert_eq!(ours.status(), StatusCode::NO_CONTENT, "{origin}");
    }
}

#[test]
fn allowed_origins_are_checked_at_start() {
    for bad in [
        "budget.example.org",
        "https://budget.example.org/app",
        "ftp://x.example",
    ] {
        let error = tally::config::Settings::from_vars([("ALLOWED_ORIGINS", bad)])
            .unwrap_err()
            .to_string();
        assert!(
            error.starts_with("ALLOWED_ORIGINS") && error.contains(bad),
            "{error}"
        );
    }
}
