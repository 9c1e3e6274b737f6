//! `/api/assets`: manual assets, mine only, validated at the boundary.

use crate::helpers::{spawn_app, TestApp};
use crate::insights_fixtures::{dec, register, Person};
use reqwest::StatusCode;
use serde_json::{json, Value};
use sqlx::PgPool;
use tally_shared::api::assets::{Asset, AssetList};
use tally_shared::{ApiError, ErrorCode};

async fn create(app: &TestApp, person: &Person, body: Value) -> reqwest::Response {
    person
        .client
        .post(app.url("/api/assets"))
        .json(&body)
        .send()
        .await
        .unwrap()
}

async fn list(app: &TestApp, person: &Person) -> Vec<Asset> {
    let response = person
        .client
        .get(app.url("/api/assets"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    response.json::<AssetList>().await.unwrap().assets
}

async fn delete(app: &TestApp, person: &Person, id: &str) -> StatusCode {
    person
        .client
        .delete(app.url(&format!("/api/assets/{id}")))
        .send()
        .await
        .unwrap()
        .status()
}

#[sqlx::test(migrations = "../../migrations")]
async fn i_add_list_and_delete_my_assets(db: PgPool) {
    let app = spawn_app(db).await;
    let ana = register(&app, "ana").await;
    assert!(list(&app, &ana).await.is_empty());

    let response = create(
        &app,
        &ana,
        json!({"description": "  House  ", "value": "250000.00", "currency": "USD"}),
    )
    .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let house: Asset = response.json().await.unwrap();
    assert_eq!(house.description, "House");
    assert_eq!(house.value.amount.to_string(), "250000.00");
    assert_eq!(house.value.currency.as_str(), "USD");
    let car: Asset = create(
        &app,
        &ana,
        json!({"description": "Car", "value": "1500000", "currency": "JPY"}),
    )
    .await
    .json()
    .await
    .unwrap();

    // Newest first, and the value keeps the digits as written.
    let assets = list(&app, &ana).await;
    assert_eq!(assets, vec![car.clone(), house.clone()]);
    let raw: Value = ana
        .client
        .get(app.url("/api/assets"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        raw["assets"][1]["value"],
        json!({"amount": "250000.00", "currency": "USD"})
    );

    assert_eq!(
        delete(&app, &ana, &house.id.to_string()).await,
        StatusCode::NO_CONTENT
    );
    assert_eq!(list(&app, &ana).await, vec![car]);
    assert_eq!(
        delete(&app, &ana, &house.id.to_string()).await,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        delete(&app, &ana, "not-a-uuid").await,
        StatusCode::NOT_FOUND
    );
}

#[sqlx::test(migrations = "../../migrations")]
async fn every_invalid_field_is_reported(db: PgPool) {
    let app = spawn_app(db).await;
    let ana = register(&app, "ana").await;
    let valid = json!({"description": "House", "value": "1.00", "currency": "USD"});
    let with = |field: &str, value: &str| {
        let mut body = valid.clone();
        body[field] = json!(value);
        body
    };

    let cases = [
        (with("description", ""), "description", "Describe"),
        (with("description", "   "), "description", "Describe"),
        (with("description", &"x".repeat(201)), "description", "200"),
        (with("description", "two\nlines"), "description", "control"),
        (with("value", "-5"), "value", "negative"),
        (with("value", "-0.01"), "value", "negative"),
        (with("value", "1.23456"), "value", "4 digits"),
        (with("value", "1000000000000000"), "value", "less than"),
        (with("value", "12abc"), "value", "plain number"),
        (with("value", "1e6"), "value", "plain number"),
        (with("value", ""), "value", "plain number"),
        (with("currency", "usd"), "currency", "ISO 4217"),
        (with("currency", "EURO"), "currency", "ISO 4217"),
        (with("currency", ""), "currency", "ISO 4217"),
    ];
    for (body, field, message) in cases {
        let response = create(&app, &ana, body.clone()).await;
        assert_eq!(
            response.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body}"
        );
        let error: ApiError = response.json().await.unwrap();
        assert_eq!(error.code, ErrorCode::Validation);
        assert_eq!(error.fields.len(), 1, "{body}: {:?}", error.fields);
        assert_eq!(error.fields[0].field, field, "{body}");
        assert!(
            error.fields[0].message.contains(message),
            "{body}: {}",
            error.fields[0].message
        );
    }

    // Everything wrong at once: every field reported in one answer.
    let response = create(
        &app,
        &ana,
        json!({"description": "a\tb", "value": "-1", "currency": "us"}),
    )
    .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let error: ApiError = response.json().await.unwrap();
    let fields: Vec<_> = error.fields.iter().map(|f| f.field.as_str()).collect();
    assert_eq!(fields, ["description", "value", "currency"]);

    // The edges that are allowed.
    for (value, currency) in [
        ("0", "USD"),
        ("1.2345", "BHD"),
        ("999999999999999.9999", "USD"),
    ] {
        let body = json!({"description": "x".repeat(200), "value": value, "currency": currency});
        let response = create(&app, &ana, body).await;
        assert_eq!(response.status(), StatusCode::CREATED, "{value} {currency}");
        let asset: Asset = response.json().await.unwrap();
        assert_eq!(asset.value.amount, dec(value));
    }
    assert_eq!(list(&app, &ana).await.len(), 3);
}

#[sqlx::test(migrations = "../../migrations")]
async fn someone_elses_asset_is_not_found_and_stays(db: PgPool) {
    let app = spawn_app(db).await;
    let ana = register(&app, "ana").await;
    let bob = register(&app, "bob").await;
    let boat: Asset = create(
        &app,
        &bob,
        json!({"description": "Boat", "value": "9000", "currency": "EUR"}),
    )
    .await
    .json()
    .await
    .unwrap();

    assert!(list(&app, &ana).await.is_empty());
    assert_eq!(
        delete(&app, &ana, &boat.id.to_string()).await,
        StatusCode::NOT_FOUND
    );
    assert_eq!(list(&app, &bob).await, vec![boat]);
}

#[sqlx::test(migrations = "../../migrations")]
async fn logged_out_is_401(db: PgPool) {
    let app = spawn_app(db).await;
    let body = json!({"description": "House", "value": "1", "currency": "USD"});

    let listed = app.get("/api/assets").await;
    let created = app
        .client
        .post(app.url("/api/assets"))
        .json(&body)
        .send()
        .await
        .unwrap();
    let deleted = app
        .client
        .delete(app.url(&format!("/api/assets/{}", uuid::Uuid::new_v4())))
        .send()
        .await
        .unwrap();

    for response in [listed, created, deleted] {
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    }
    let stored: i64 = sqlx::query_scalar("select count(*) from manual_asset")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(stored, 0);
}
