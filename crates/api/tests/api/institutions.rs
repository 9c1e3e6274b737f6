//! `GET /api/institutions/{institution_id}`: asked of Plaid (the simulator) once, then kept.

use crate::api_calls::{assert_unauthorized, decoded};
use crate::helpers::spawn_app;
use crate::simulator_support::{inject_fault, pending_faults};
use reqwest::StatusCode;
use serde_json::json;
use sqlx::PgPool;
use tally_shared::api::institutions::Institution;
use tally_shared::{ApiError, ErrorCode};

async fn stored_names(db: &PgPool) -> Vec<(String, String)> {
    sqlx::query_as("select institution_id, name from institution order by institution_id")
        .fetch_all(db)
        .await
        .unwrap()
}

#[sqlx::test(migrations = "../../migrations")]
async fn fetches_from_plaid_once_and_keeps_it(db: PgPool) {
    let app = spawn_app(db).await;
    let client = app.sign_up("alice").await.client;
    assert!(stored_names(&app.db).await.is_empty());

    let response = app.institution(&client, "ins_109508").await;

    let first: Institution = decoded(response, StatusCode::OK).await;
    assert_eq!(first.id, "ins_109508");
    assert_eq!(first.name, "First Platypus Bank");
    assert!(first
        .primary_color
        .as_deref()
        .is_some_and(|c| c.starts_with('#')));
    assert_eq!(
        stored_names(&app.db).await,
        [("ins_109508".to_owned(), "First Platypus Bank".to_owned())]
    );

    let again: Institution =
        decoded(app.institution(&client, "ins_109508").await, StatusCode::OK).await;
    assert_eq!(again, first);
}

#[sqlx::test(migrations = "../../migrations")]
async fn a_kept_institution_is_served_without_asking_plaid(db: PgPool) {
    let app = spawn_app(db).await;
    let client = app.sign_up("alice").await.client;
    // Plaid does not know this one; only the table does.
    sqlx::query(
        "insert into institution (institution_id, name, primary_color, oauth)
         values ('ins_900001', 'Kept Bank', '#123456', true)",
    )
    .execute(&app.db)
    .await
    .unwrap();

    let kept: Institution =
        decoded(app.institution(&client, "ins_900001").await, StatusCode::OK).await;

    assert_eq!(
        kept,
        Institution {
            id: "ins_900001".into(),
            name: "Kept Bank".into(),
            logo: None,
            primary_color: Some("#123456".into()),
            url: None,
            oauth: true,
        }
    );
}

#[sqlx::test(migrations = "../../migrations")]
async fn unknown_and_malformed_ids_are_not_found(db: PgPool) {
    let app = spawn_app(db).await;
    let client = app.sign_up("alice").await.client;

    for id in ["ins_999999999", "not-an-id", "ins_", "ins_1%20OR%201=1"] {
        let response = app.institution(&client, id).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{id}");
        let body: ApiError = response.json().await.unwrap();
        assert_eq!(body.code, ErrorCode::NotFound);
    }
    assert!(stored_names(&app.db).await.is_empty());
}

#[sqlx::test(migrations = "../../migrations")]
async fn an_id_plaid_does_not_know_is_not_asked_about_again_at_once(db: PgPool) {
    let app = spawn_app(db).await;
    let client = app.sign_up("alice").await.client;
    let made_up = "ins_999999999";
    assert_eq!(
        app.institution(&client, made_up).await.status(),
        StatusCode::NOT_FOUND
    );

    // Were Plaid asked again, this would answer it (and the answer would be 503).
    inject_fault(
        &app,
        json!({"endpoint": "/institutions/get_by_id", "kind": "server_error", "count": 1}),
    )
    .await;
    for _ in 0..3 {
        let again = app.institution(&client, made_up).await;
        assert_eq!(again.status(), StatusCode::NOT_FOUND);
        let body: ApiError = again.json().await.unwrap();
        assert_eq!(body.code, ErrorCode::NotFound);
    }
    assert_eq!(pending_faults(&app).await.len(), 1, "Plaid was asked again");
    assert!(stored_names(&app.db).await.is_empty());

    // A real bank is still asked about.
    assert_eq!(
        app.institution(&client, "ins_109508").await.status(),
        StatusCode::SERVICE_UNAVAILABLE
    );
    assert!(pending_faults(&app).await.is_empty());
}

#[sqlx::test(migrations = "../../migrations")]
async fn plaid_down_is_service_unavailable_and_not_remembered(db: PgPool) {
    let app = spawn_app(db).await;
    let client = app.sign_up("alice").await.client;
    inject_fault(
        &app,
        json!({"endpoint": "/institutions/get_by_id", "kind": "server_error", "count": 1}),
    )
    .await;

    let down = app.institution(&client, "ins_109508").await;
    assert_eq!(down.status(), StatusCode::SERVICE_UNAVAILABLE);
    let body: ApiError = down.json().await.unwrap();
    assert_eq!(body.code, ErrorCode::ServiceUnavailable);
    assert!(!body.message.is_empty());
    assert!(stored_names(&app.db).await.is_empty());

    let back = app.institution(&client, "ins_109508").await;
    assert_eq!(back.status(), StatusCode::OK);
}

#[sqlx::test(migrations = "../../migrations")]
async fn logged_out_is_unauthorized(db: PgPool) {
    let app = spawn_app(db).await;

    let response = app.institution(&app.client, "ins_109508").await;

    assert_unauthorized(response).await;
    assert!(stored_names(&app.db).await.is_empty());
}
