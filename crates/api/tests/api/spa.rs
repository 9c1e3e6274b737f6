//! The web app's files: every client-side route loads the app, with the right cache headers.

use crate::helpers::{spa_dir, spawn_app};
use reqwest::StatusCode;
use sqlx::PgPool;

fn built_index() -> String {
    std::fs::read_to_string(spa_dir().join("index.html"))
        .expect("the web app must be built first (make web, or make test does it)")
}

#[sqlx::test(migrations = "../../migrations")]
async fn client_routes_get_the_app_and_it_is_never_cached(db: PgPool) {
    let index = built_index();
    let app = spawn_app(db).await;

    for path in [
        "/",
        "/dashboard",
        "/oauth-link",
        "/admin",
        "/oauth-link?oauth_state_id=abc",
        "/no/such/page",
    ] {
        let response = app.get(path).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        let headers = response.headers().clone();
        assert_eq!(headers["cache-control"], "no-cache", "{path}");
        assert!(headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html"));
        let csp = headers["content-security-policy"]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(
            csp.contains("script-src 'self' 'wasm-unsafe-eval' 'sha256-"),
            "{csp}"
        );
        assert!(
            !csp.contains("plaid.com"),
            "simulator mode needs no Plaid host: {csp}"
        );
        assert_eq!(
            headers["referrer-policy"],
            "strict-origin-when-cross-origin"
        );
        assert_eq!(response.text().await.unwrap(), index, "{path}");
    }
}

#[sqlx::test(migrations = "../../migrations")]
async fn hashed_assets_are_cached_for_a_year(db: PgPool) {
    let wasm = std::fs::read_dir(spa_dir())
        .unwrap()
        .filter_map(Result::ok)
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .find(|name| name.ends_with("_bg.wasm"))
        .expect("a built .wasm file");
    let app = spawn_app(db).await;

    let response = app.get(&format!("/{wasm}")).await;

    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "application/wasm");
    assert_eq!(
        response.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
}

#[sqlx::test(migrations = "../../migrations")]
async fn missing_files_are_404_not_the_app(db: PgPool) {
    let app = spawn_app(db).await;

    for path in [
        "/web-0000000000000000.js",
        "/favicon.ico",
        "/style/main.css",
    ] {
        assert_eq!(
            app.get(path).await.status(),
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
    let post = app.client.post(app.url("/dashboard")).send().await.unwrap();
    assert_eq!(post.status(), StatusCode::METHOD_NOT_ALLOWED);
}

#[sqlx::test(migrations = "../../migrations")]
async fn sandbox_mode_allows_plaids_link_script_and_nothing_more(db: PgPool) {
    let app = crate::helpers::spawn_app_with(
        db,
        &[("PLAID_CLIENT_ID", "client"), ("PLAID_SECRET", "secret")],
    )
    .await;

    let response = app.get("/").await;

    let csp = response.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        csp.contains("https://cdn.plaid.com/link/v2/stable/link-initialize.js"),
        "{csp}"
    );
    assert!(
        csp.contains("frame-src 'self' https://cdn.plaid.com"),
        "{csp}"
    );
    assert!(!csp.contains("production.plaid.com"), "{csp}");
}
