//! Under `/api`, every failure answers in the one JSON error shape with the right status.

use crate::helpers::{spawn_app, spawn_app_with};
use reqwest::StatusCode;
use sqlx::PgPool;
use tally_shared::{ApiError, ErrorCode};

async fn error_body(response: reqwest::Response) -> ApiError {
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert!(
        content_type.starts_with("application/json"),
        "content type {content_type}"
    );
    response.json().await.unwrap()
}

#[sqlx::test(migrations = "../../migrations")]
async fn unknown_api_paths_are_json_404s(db: PgPool) {
    let app = spawn_app(db).await;

    for path in ["/api/nope", "/api", "/api/health/extra", "/api/../api/x"] {
        let response = app.get(path).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
        let body = error_body(response).await;
        assert_eq!(body.code, ErrorCode::NotFound, "{path}");
    }
}

#[sqlx::test(migrations = "../../migrations")]
async fn wrong_methods_are_json_405s(db: PgPool) {
    let app = spawn_app(db).await;

    let response = app
        .client
        .delete(app.url("/api/health"))
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(error_body(response).await.code, ErrorCode::MethodNotAllowed);
}

#[sqlx::test(migrations = "../../migrations")]
async fn a_10_mb_body_is_refused_before_it_is_read(db: PgPool) {
    let app = spawn_app(db).await;

    let response = app
        .client
        .post(app.url("/api/config"))
        .header("content-type", "application/json")
        .body(vec![b' '; 10 * 1024 * 1024])
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(error_body(response).await.code, ErrorCode::PayloadTooLarge);
}

#[sqlx::test(migrations = "../../migrations")]
async fn api_responses_carry_the_security_headers(db: PgPool) {
    let app = spawn_app(db).await;

    let response = app.get("/api/health").await;

    let headers = response.headers();
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(headers["x-frame-options"], "DENY");
    let request_id = headers["x-request-id"].to_str().unwrap();
    assert!(uuid::Uuid::parse_str(request_id).is_ok(), "{request_id}");
    assert!(headers["content-security-policy"]
        .to_str()
        .unwrap()
        .contains("frame-ancestors 'none'"));
}

#[sqlx::test(migrations = "../../migrations")]
async fn api_answers_and_exports_are_never_cached(db: PgPool) {
    let app = spawn_app(db).await;
    let person = app.sign_up("noa").await;

    let health = app.get("/api/health").await;
    let missing = app.get("/api/nope").await;
    let csv = app
        .export_transactions(&person.client, &Vec::<(&str, &str)>::new())
        .await;
    assert_eq!(csv.status(), StatusCode::OK);

    for (what, response) in [("health", health), ("a 404", missing), ("the CSV", csv)] {
        assert_eq!(response.headers()["cache-control"], "no-store", "{what}");
        // Served over plain http, browsers are not told to insist on https.
        assert!(
            !response.headers().contains_key("strict-transport-security"),
            "{what}"
        );
    }
}

#[sqlx::test(migrations = "../../migrations")]
async fn a_server_at_an_https_address_tells_browsers_to_keep_to_https(db: PgPool) {
    let app = spawn_app_with(db, &[("PUBLIC_URL", "https://tally.example")]).await;

    for path in ["/api/health", "/"] {
        let response = app.get(path).await;
        assert_eq!(
            response.headers()["strict-transport-security"],
            "max-age=31536000",
            "{path}"
        );
    }
}
