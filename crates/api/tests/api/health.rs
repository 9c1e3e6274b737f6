use crate::helpers::spawn_app;
use reqwest::StatusCode;
use sqlx::{Connection, PgConnection, PgPool};
use tally_shared::api::config::{ConfigResponse, PlaidMode};
use tally_shared::api::health::{ComponentStatus, HealthResponse};

#[sqlx::test(migrations = "../../migrations")]
async fn health_is_up_when_the_database_answers(db: PgPool) {
    let app = spawn_app(db).await;

    let response = app.get("/api/health").await;

    assert_eq!(response.status(), StatusCode::OK);
    let health: HealthResponse = response.json().await.unwrap();
    assert_eq!(health.status, ComponentStatus::Up);
    assert_eq!(health.database, ComponentStatus::Up);
    assert_eq!(health.version, env!("CARGO_PKG_VERSION"));
}

#[sqlx::test(migrations = "../../migrations")]
async fn health_is_503_while_the_database_refuses_and_recovers_after(db: PgPool) {
    let app = spawn_app(db).await;
    assert_eq!(app.get("/api/health").await.status(), StatusCode::OK);

    // From another database, refuse new connections to the app's and cut its existing ones.
    let database: String = sqlx::query_scalar("select current_database()")
        .fetch_one(&app.db)
        .await
        .unwrap();
    let mut admin =
        PgConnection::connect_with(&(*app.db.connect_options()).clone().database("postgres"))
            .await
            .unwrap();
    let allow_connections =
        |allow: bool| format!(r#"alter database "{database}" with allow_connections {allow}"#);
    sqlx::query(&allow_connections(false))
        .execute(&mut admin)
        .await
        .unwrap();
    sqlx::query("select pg_terminate_backend(pid) from pg_stat_activity where datname = $1")
        .bind(&database)
        .execute(&mut admin)
        .await
        .unwrap();

    let response = app.get("/api/health").await;
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    let health: HealthResponse = response.json().await.unwrap();
    assert_eq!(health.status, ComponentStatus::Down);
    assert_eq!(health.database, ComponentStatus::Down);

    sqlx::query(&allow_connections(true))
        .execute(&mut admin)
        .await
        .unwrap();
    assert_eq!(app.get("/api/health").await.status(), StatusCode::OK);
}

#[sqlx::test(migrations = "../../migrations")]
async fn config_tells_the_browser_the_plaid_mode_and_link_script(db: PgPool) {
    let app = spawn_app(db).await;

    let response = app.get("/api/config").await;

    assert_eq!(response.status(), StatusCode::OK);
    let config: ConfigResponse = response.json().await.unwrap();
    assert_eq!(config.plaid_mode, PlaidMode::Simulator);
    assert_eq!(config.link_script_url, "/sim/plaid/link-initialize.js");
    assert_eq!(config.version, env!("CARGO_PKG_VERSION"));
}

// An empty database: the app itself must migrate it.
#[sqlx::test(migrations = false)]
async fn migrations_are_applied_at_start(db: PgPool) {
    let app = spawn_app(db).await;

    let helper: Option<String> = sqlx::query_scalar(
        "select proname::text from pg_proc where proname = 'trigger_updated_at'",
    )
    .fetch_optional(&app.db)
    .await
    .unwrap();
    assert_eq!(helper.as_deref(), Some("trigger_updated_at"));
}

#[sqlx::test(migrations = "../../migrations")]
async fn tally_will_not_start_without_an_encryption_key(db: PgPool) {
    let mut settings = crate::helpers::test_settings(&[]);
    settings.encryption_key = None;

    let refused = tally::startup::Application::build_with_pool(settings, db).await;

    let error = refused.err().expect("started without an encryption key");
    assert!(
        error.to_string().contains("TALLY_ENCRYPTION_KEY"),
        "{error}"
    );
}
