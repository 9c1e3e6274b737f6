//! `/api/assets`: manual assets, mine only, validated at the boundary.

use crate::api_calls::{assert_unauthorized, decoded, named_fields, new_asset, Person};
use crate::helpers::{count, spawn_app, TestApp};
use crate::insights_fixtures::dec;
use reqwest::StatusCode;
use serde_json::{json, Value};
use sqlx::PgPool;
use tally_shared::api::assets::{Asset, AssetList, NewAsset};
use tally_shared::{ApiError, ErrorCode};

/// Adds an asset that must be accepted.
async fn add(app: &TestApp, person: &Person, asset: NewAsset) -> Asset {
    let response = app.create_asset(&person.client, &asset).await;
    decoded(response, StatusCode::CREATED).await
}

async fn list(app: &TestApp, person: &Person) -> Vec<Asset> {
    app.get_json::<AssetList>(&person.client, "/api/assets")
        .await
        .assets
}

async fn delete(app: &TestApp, person: &Person, id: &str) -> StatusCode {
    app.delete_asset(&person.client, id).await.status()
}

#[sqlx::test(migrations = "../../migrations")]
async fn i_add_list_and_delete_my_assets(db: PgPool) {
    let app = spawn_app(db).await;
    let ana = app.sign_up("ana").await;
    assert!(list(&app, &ana).await.is_empty());

    let response = app
        .create_asset(&ana.client, &new_asset("  House  ", "250000.00", "USD"))
        .await;
    let house: Asset = decoded(response, StatusCode::CREATED).await;
    assert_eq!(house.description, "House");
    assert_eq!(house.value.amount.to_string(), "250000.00");
    assert_eq!(house.value.currency.as_str(), "USD");
    let car = add(&app, &ana, new_asset("Car", "1500000", "JPY")).await;

    // Newest first, and the value keeps the digits as written.
    let assets = list(&app, &ana).await;
    assert_eq!(assets, vec![car.clone(), house.clone()]);
    let raw: Value = app.get_json(&ana.client, "/api/assets").await;
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
    let ana = app.sign_up("ana").await;
    let description = |description: &str| new_asset(description, "1.00", "USD");
    let value = |value: &str| new_asset("House", value, "USD");
    let currency = |currency: &str| new_asset("House", "1.00", currency);

    let cases = [
        (description(""), "description", "Describe"),
        (description("   "), "description", "Describe"),
        (description(&"x".repeat(201)), "description", "200"),
        (description("two\nlines"), "description", "control"),
        (value("-5"), "value", "negative"),
        (value("-0.01"), "value", "negative"),
        (value("1.23456"), "value", "4 digits"),
        (value("1000000000000000"), "value", "less than"),
        (value("12abc"), "value", "plain number"),
        (value("1e6"), "value", "plain number"),
        (value(""), "value", "plain number"),
        (currency("usd"), "currency", "ISO 4217"),
        (currency("EURO"), "currency", "ISO 4217"),
        (currency(""), "currency", "ISO 4217"),
    ];
    for (body, field, message) in cases {
        let response = app.create_asset(&ana.client, &body).await;
        let error: ApiError = decoded(response, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(error.code, ErrorCode::Validation);
        assert_eq!(error.fields.len(), 1, "{body:?}: {:?}", error.fields);
        assert_eq!(error.fields[0].field, field, "{body:?}");
        assert!(
            error.fields[0].message.contains(message),
            "{body:?}: {}",
            error.fields[0].message
        );
    }

    // Everything wrong at once: every field reported in one answer.
    let response = app
        .create_asset(&ana.client, &new_asset("a\tb", "-1", "us"))
        .await;
    let error: ApiError = decoded(response, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(named_fields(&error), ["description", "value", "currency"]);

    // The edges that are allowed.
    for (value, currency) in [
        ("0", "USD"),
        ("1.2345", "BHD"),
        ("999999999999999.9999", "USD"),
    ] {
        let body = new_asset(&"x".repeat(200), value, currency);
        let response = app.create_asset(&ana.client, &body).await;
        assert_eq!(response.status(), StatusCode::CREATED, "{value} {currency}");
        let asset: Asset = response.json().await.unwrap();
        assert_eq!(asset.value.amount, dec(value));
    }
    assert_eq!(list(&app, &ana).await.len(), 3);
}

#[sqlx::test(migrations = "../../migrations")]
async fn someone_elses_asset_is_not_found_and_stays(db: PgPool) {
    let app = spawn_app(db).await;
    let ana = app.sign_up("ana").await;
    let bob = app.sign_up("bob").await;
    let boat = add(&app, &bob, new_asset("Boat", "9000", "EUR")).await;

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

    let listed = app.get("/api/assets").await;
    let created = app
        .create_asset(&app.client, &new_asset("House", "1", "USD"))
        .await;
    let deleted = app.delete_asset(&app.client, uuid::Uuid::new_v4()).await;

    for response in [listed, created, deleted] {
        assert_unauthorized(response).await;
    }
    let stored: i64 = count(&app.db, "manual_asset").await;
    assert_eq!(stored, 0);
}
