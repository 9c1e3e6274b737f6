//! `/api/items` and `/api/link/*`: linking, duplicates, removal, repair, and nobody else's items.

use crate::banking_support::*;
use crate::helpers::{spawn_app, spawn_app_with};
use crate::simulator_support::plaid;
use reqwest::StatusCode;
use secrecy::SecretString;
use serde_json::{json, Value};
use sqlx::PgPool;
use tally_shared::api::items::{Item, ItemList, ItemStatus, LinkTokenResponse};

#[sqlx::test(migrations = "../../migrations")]
async fn linking_a_bank_stores_it_sealed_and_syncs_exactly_what_the_bank_has(db: PgPool) {
    let app = spawn_app(db.clone()).await;
    let alice = signed_in(&app, "alice").await;

    let item = link_bank(&app, &alice, "user_good").await;

    assert_eq!(item.institution_name, "First Platypus Bank");
    // Link passed no name: it was asked of Plaid once and kept for `/api/institutions`.
    let kept: Option<String> =
        sqlx::query_scalar("select name from institution where institution_id = $1")
            .bind(FIRST_PLATYPUS)
            .fetch_optional(&db)
            .await
            .unwrap();
    assert_eq!(kept.as_deref(), Some("First Platypus Bank"));
    assert_eq!(item.status, ItemStatus::Good);
    assert_eq!(item.account_count, 12);
    assert!(
        transaction_count(&db, &item).await > 500,
        "two years of history"
    );
    assert_matches_bank(&db, &item).await;
    let list: ItemList = alice
        .get(app.url("/api/items"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list.items, vec![item.clone()]);

    // The token at rest is ciphertext, and no API event row holds it.
    let (sealed,): (Vec<u8>,) = sqlx::query_as("select access_token from plaid_item")
        .fetch_one(&db)
        .await
        .unwrap();
    assert!(
        !sealed.windows(7).any(|w| w == b"access-"),
        "plaintext token at rest"
    );
    let api_events: Vec<(String, Option<String>)> = sqlx::query_as(
        "select method, plaid_item_id from plaid_api_event order by plaid_api_event_id",
    )
    .fetch_all(&db)
    .await
    .unwrap();
    assert!(api_events
        .iter()
        .any(|(method, _)| method == "/item/public_token/exchange"));
    assert!(api_events
        .iter()
        .any(|(method, _)| method == "/transactions/sync"));
    let dumped: String =
        sqlx::query_scalar("select coalesce(string_agg(t::text, ''), '') from plaid_api_event t")
            .fetch_one(&db)
            .await
            .unwrap();
    assert!(
        !dumped.contains("access-"),
        "a token reached the API event log"
    );
}

#[sqlx::test(migrations = "../../migrations")]
async fn a_second_link_to_the_same_bank_is_refused_without_exchanging_its_token(db: PgPool) {
    let app = spawn_app(db.clone()).await;
    let alice = signed_in(&app, "alice").await;
    link_bank(&app, &alice, "user_good").await;

    let second_token = public_token(&app, FIRST_PLATYPUS, "user_good").await;
    let response = post_item(&app, &alice, &second_token, FIRST_PLATYPUS).await;

    assert_eq!(response.status(), StatusCode::CONFLICT);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["code"], "duplicate_item");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("First Platypus Bank"),
        "{body}"
    );
    // Public tokens are single-use: the refused one still exchanges, so it was never used.
    plaid(&app)
        .item_public_token_exchange(&SecretString::from(second_token))
        .await
        .expect("the refused public token was exchanged by Tally");
    let items: i64 = sqlx::query_scalar("select count(*) from plaid_item")
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(items, 1);
}

#[sqlx::test(migrations = "../../migrations")]
async fn two_tabs_linking_the_same_bank_at_once_get_one_item(db: PgPool) {
    let app = spawn_app(db.clone()).await;
    let alice = signed_in(&app, "alice").await;
    let (first, second) = (
        public_token(&app, FIRST_PLATYPUS, "user_good").await,
        public_token(&app, FIRST_PLATYPUS, "user_good").await,
    );

    let (a, b) = tokio::join!(
        post_item(&app, &alice, &first, FIRST_PLATYPUS),
        post_item(&app, &alice, &second, FIRST_PLATYPUS)
    );

    let mut statuses = [a.status(), b.status()];
    statuses.sort();
    assert_eq!(statuses, [StatusCode::CREATED, StatusCode::CONFLICT]);
    let items: i64 = sqlx::query_scalar("select count(*) from plaid_item")
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(items, 1);
}

#[sqlx::test(migrations = "../../migrations")]
async fn bad_link_requests_leave_nothing_behind(db: PgPool) {
    let app = spawn_app(db.clone()).await;
    let alice = signed_in(&app, "alice").await;

    let response = post_item(&app, &alice, "", "not-an-institution").await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = response.json().await.unwrap();
    let fields: Vec<&str> = body["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["public_token", "institution_id"]);

    let response = post_item(&app, &alice, "public-sandbox-made-up", FIRST_PLATYPUS).await;
    assert_eq!(response.status(), StatusCode::BAD_GATEWAY);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["code"], "plaid_error");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("Link the bank again"),
        "{body}"
    );

    let items: i64 = sqlx::query_scalar("select count(*) from plaid_item")
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(items, 0, "a failed exchange left a claim behind");
    // The bank can still be linked.
    link_bank(&app, &alice, "user_good").await;
}

#[sqlx::test(migrations = "../../migrations")]
async fn removing_a_bank_removes_it_at_plaid_and_all_its_data(db: PgPool) {
    let app = spawn_app(db.clone()).await;
    let alice = signed_in(&app, "alice").await;
    let item = link_bank(&app, &alice, "user_good").await;
    let plaid_id = plaid_item_id(&db, &item).await;

    let response = alice
        .delete(app.url(&format!("/api/items/{}", item.id)))
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let at_plaid: i64 =
        sqlx::query_scalar("select count(*) from plaid_sim.item where item_id = $1")
            .bind(&plaid_id)
            .fetch_one(&db)
            .await
            .unwrap();
    assert_eq!(at_plaid, 0, "still linked at Plaid");
    for table in [
        "plaid_item",
        "account",
        "bank_transaction",
        "balance_snapshot",
        "sync_job",
    ] {
        let rows: i64 = sqlx::query_scalar(&format!("select count(*) from {table}"))
            .fetch_one(&db)
            .await
            .unwrap();
        assert_eq!(rows, 0, "{table} kept rows");
    }
    let again = alice
        .delete(app.url(&format!("/api/items/{}", item.id)))
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::NOT_FOUND);
}

#[sqlx::test(migrations = "../../migrations")]
async fn a_bank_plaid_already_forgot_is_still_removed_here(db: PgPool) {
    let app = spawn_app(db.clone()).await;
    let alice = signed_in(&app, "alice").await;
    let item = link_bank(&app, &alice, "user_good").await;
    sqlx::query("delete from plaid_sim.item where item_id = $1")
        .bind(plaid_item_id(&db, &item).await)
        .execute(&db)
        .await
        .unwrap();

    let response = alice
        .delete(app.url(&format!("/api/items/{}", item.id)))
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_eq!(transaction_count(&db, &item).await, 0);
}

#[sqlx::test(migrations = "../../migrations")]
async fn when_plaid_cannot_be_reached_nothing_is_removed(db: PgPool) {
    let app = spawn_app_with(db.clone(), &[("SYNC_RETRY_BASE", "50ms")]).await;
    let alice = signed_in(&app, "alice").await;
    let item = link_bank(&app, &alice, "user_good").await;
    crate::simulator_support::control(
        &app,
        "/faults",
        json!({"endpoint": "/item/remove", "kind": "server_error", "count": 1}),
    )
    .await;

    let response = alice
        .delete(app.url(&format!("/api/items/{}", item.id)))
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(get_item(&app, &alice, &item).await.id, item.id);
    assert!(transaction_count(&db, &item).await > 0);
}

#[sqlx::test(migrations = "../../migrations")]
async fn login_required_then_repaired(db: PgPool) {
    let app = spawn_app(db.clone()).await;
    let alice = signed_in(&app, "alice").await;
    let item = link_bank(&app, &alice, "user_good").await;
    let path = |action: &str| app.url(&format!("/api/items/{}/{action}", item.id));

    let response = alice
        .post(path("sandbox/reset-login"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let broken: Item = response.json().await.unwrap();
    assert_eq!(broken.status, ItemStatus::LoginRequired);
    assert_eq!(broken.error_code.as_deref(), Some("ITEM_LOGIN_REQUIRED"));

    // Refreshing and claiming a repair both fail while the bank still wants a log-in.
    let refresh = alice.post(path("refresh")).send().await.unwrap();
    assert_eq!(refresh.status(), StatusCode::CONFLICT);
    let premature = alice.post(path("login-repaired")).send().await.unwrap();
    assert_eq!(premature.status(), StatusCode::CONFLICT);

    // Update mode: a link token for this item, then (what Link does) the bank accepts a log-in.
    let token: LinkTokenResponse = alice
        .post(app.url("/api/link/token"))
        .json(&json!({ "item_id": item.id }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        token.link_token.starts_with("link-"),
        "{}",
        token.link_token
    );
    sqlx::query("update plaid_sim.item set login_required = false where item_id = $1")
        .bind(plaid_item_id(&db, &item).await)
        .execute(&db)
        .await
        .unwrap();
    let repaired = alice.post(path("login-repaired")).send().await.unwrap();
    assert_eq!(repaired.status(), StatusCode::OK);
    let repaired: Item = repaired.json().await.unwrap();
    assert_eq!(repaired.status, ItemStatus::Good);
    assert_eq!(repaired.error_code, None);
    wait_for_sync(&app, &alice, &item, item.last_synced_at).await;
}

#[sqlx::test(migrations = "../../migrations")]
async fn link_tokens_and_link_events(db: PgPool) {
    let app = spawn_app(db.clone()).await;
    let alice = signed_in(&app, "alice").await;

    let response = alice
        .post(app.url("/api/link/token"))
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let token: LinkTokenResponse = response.json().await.unwrap();
    assert!(token.link_token.starts_with("link-"));
    assert!(token.expiration > chrono::Utc::now());

    let event = json!({
        "kind": "exit", "link_session_id": "sess-1", "status": "requires_credentials",
        "error_type": "ITEM_ERROR", "error_code": "INVALID_CREDENTIALS",
        "institution_id": FIRST_PLATYPUS, "institution_name": "First Platypus Bank"
    });
    let response = alice
        .post(app.url("/api/link/events"))
        .json(&event)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let stored: (String, Option<String>) =
        sqlx::query_as("select kind, error_code from link_event")
            .fetch_one(&db)
            .await
            .unwrap();
    assert_eq!(
        stored,
        ("exit".to_owned(), Some("INVALID_CREDENTIALS".to_owned()))
    );

    let too_long = json!({ "kind": "event", "event_name": "x".repeat(1001) });
    let response = alice
        .post(app.url("/api/link/events"))
        .json(&too_long)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let unknown_kind = json!({ "kind": "party" });
    let response = alice
        .post(app.url("/api/link/events"))
        .json(&unknown_kind)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);

    let stranger = crate::helpers::browser_like_client();
    let response = stranger
        .post(app.url("/api/link/token"))
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
}

#[sqlx::test(migrations = "../../migrations")]
async fn another_users_item_is_not_found_on_every_route(db: PgPool) {
    let app = spawn_app(db.clone()).await;
    let alice = signed_in(&app, "alice").await;
    let mallory = signed_in(&app, "mallory").await;
    let item = link_bank(&app, &alice, "user_good").await;
    let id = item.id;

    let attempts = [
        mallory.get(app.url(&format!("/api/items/{id}"))),
        mallory.delete(app.url(&format!("/api/items/{id}"))),
        mallory.post(app.url(&format!("/api/items/{id}/refresh"))),
        mallory.post(app.url(&format!("/api/items/{id}/login-repaired"))),
        mallory.post(app.url(&format!("/api/items/{id}/sandbox/reset-login"))),
        mallory
            .post(app.url("/api/link/token"))
            .json(&json!({ "item_id": id })),
    ];
    for attempt in attempts {
        let response = attempt.send().await.unwrap();
        let url = response.url().to_string();
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{url}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["code"], "not_found", "{url}");
    }
    let list: ItemList = mallory
        .get(app.url("/api/items"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(list.items.is_empty());
    assert_eq!(get_item(&app, &alice, &item).await.status, ItemStatus::Good);
    assert_matches_bank(&db, &item).await;
}

#[sqlx::test(migrations = "../../migrations")]
async fn deleting_my_account_removes_my_banks_at_plaid_first(db: PgPool) {
    let app = spawn_app(db.clone()).await;
    let alice = signed_in(&app, "alice").await;
    let item = link_bank(&app, &alice, "user_good").await;
    let plaid_id = plaid_item_id(&db, &item).await;

    let response = alice.delete(app.url("/api/users/me")).send().await.unwrap();

    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let at_plaid: i64 =
        sqlx::query_scalar("select count(*) from plaid_sim.item where item_id = $1")
            .bind(&plaid_id)
            .fetch_one(&db)
            .await
            .unwrap();
    assert_eq!(at_plaid, 0);
    let left: i64 = sqlx::query_scalar("select count(*) from bank_transaction")
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(left, 0);
}

#[sqlx::test(migrations = "../../migrations")]
async fn the_sandbox_login_reset_does_not_exist_in_production(db: PgPool) {
    let app = spawn_app_with(
        db.clone(),
        &[
            ("PLAID_ENV", "production"),
            ("PLAID_CLIENT_ID", "id"),
            ("PLAID_SECRET", "secret"),
        ],
    )
    .await;
    let alice = signed_in(&app, "alice").await;
    let user_id: uuid::Uuid = sqlx::query_scalar("select user_id from app_user")
        .fetch_one(&db)
        .await
        .unwrap();
    let item_id: uuid::Uuid = sqlx::query_scalar(
        "insert into plaid_item (user_id, institution_id, institution_name, plaid_item_id, access_token)
         values ($1, 'ins_1', 'Bank', 'plaid-1', '\\x00') returning item_id",
    )
    .bind(user_id)
    .fetch_one(&db)
    .await
    .unwrap();
    assert_eq!(
        alice
            .get(app.url(&format!("/api/items/{item_id}")))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );

    let response = alice
        .post(app.url(&format!("/api/items/{item_id}/sandbox/reset-login")))
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}
