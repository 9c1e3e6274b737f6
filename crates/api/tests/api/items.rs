//! `/api/items` and `/api/link/*`: linking, duplicates, removal, repair, and nobody else's items.

use crate::api_calls::{
    assert_unauthorized, create_item_request, decoded, link_event, named_fields, PASSWORD,
};
use crate::banking_support::*;
use crate::helpers::{count, spawn_app, spawn_app_with};
use crate::simulator_support::plaid;
use reqwest::StatusCode;
use secrecy::SecretString;
use serde_json::json;
use sqlx::PgPool;
use tally_shared::api::items::{
    Item, ItemStatus, LinkEventKind, LinkEventRequest, LinkTokenRequest, LinkTokenResponse,
};
use tally_shared::{ApiError, ErrorCode};

/// How many items the simulator (Plaid) holds under its id `plaid_item_id`.
async fn items_at_plaid(db: &PgPool, plaid_item_id: &str) -> i64 {
    sqlx::query_scalar("select count(*) from plaid_sim.item where item_id = $1")
        .bind(plaid_item_id)
        .fetch_one(db)
        .await
        .unwrap()
}

#[sqlx::test(migrations = "../../migrations")]
async fn linking_a_bank_stores_it_sealed_and_syncs_exactly_what_the_bank_has(db: PgPool) {
    let app = spawn_app(db.clone()).await;
    let alice = app.sign_up("alice").await.client;

    let item = app.link_bank(&alice, "user_good").await;

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
    let list = app.items(&alice).await;
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
    let alice = app.sign_up("alice").await.client;
    app.link_bank(&alice, "user_good").await;

    let second_token = app.public_token(FIRST_PLATYPUS, "user_good").await;
    let response = app
        .create_item(&alice, &create_item_request(&second_token, FIRST_PLATYPUS))
        .await;

    let body: ApiError = decoded(response, StatusCode::CONFLICT).await;
    assert_eq!(body.code, ErrorCode::DuplicateItem);
    assert!(body.message.contains("First Platypus Bank"), "{body:?}");
    // Public tokens are single-use: the refused one still exchanges, so it was never used.
    plaid(&app)
        .item_public_token_exchange(&SecretString::from(second_token))
        .await
        .expect("the refused public token was exchanged by Tally");
    let items: i64 = count(&db, "plaid_item").await;
    assert_eq!(items, 1);
}

/// Tartan Bank, a bank other than First Platypus.
const TARTAN: &str = "ins_109511";

#[sqlx::test(migrations = "../../migrations")]
async fn naming_another_bank_does_not_link_the_same_bank_twice(db: PgPool) {
    let app = spawn_app(db.clone()).await;
    let alice = app.sign_up("alice").await.client;
    app.link_bank(&alice, "user_good").await;

    // First Platypus again, with the client saying it is Tartan Bank.
    let second_token = app.public_token(FIRST_PLATYPUS, "user_good").await;
    let response = app
        .create_item(&alice, &create_item_request(&second_token, TARTAN))
        .await;

    let body: ApiError = decoded(response, StatusCode::CONFLICT).await;
    assert_eq!(body.code, ErrorCode::DuplicateItem);
    assert!(body.message.contains("First Platypus Bank"), "{body:?}");
    assert_eq!(count(&db, "plaid_item").await, 1);
    // The item the exchange made is removed at Plaid: only the first one is left there.
    assert_eq!(count(&db, "plaid_sim.item").await, 1);
    assert_eq!(app.items(&alice).await.items.len(), 1);
}

#[sqlx::test(migrations = "../../migrations")]
async fn a_bank_named_wrongly_is_stored_as_the_bank_plaid_reports(db: PgPool) {
    let app = spawn_app(db.clone()).await;
    let alice = app.sign_up("alice").await.client;

    let token = app.public_token(TARTAN, "user_good").await;
    let item: Item = decoded(
        app.create_item(&alice, &create_item_request(&token, FIRST_PLATYPUS))
            .await,
        StatusCode::CREATED,
    )
    .await;

    assert_eq!(item.institution_id, TARTAN);
    assert_eq!(item.institution_name, "Tartan Bank");
    // So First Platypus can still be linked.
    app.link_bank(&alice, "user_good").await;
    assert_eq!(app.items(&alice).await.items.len(), 2);
}

#[sqlx::test(migrations = "../../migrations")]
async fn two_tabs_linking_the_same_bank_at_once_get_one_item(db: PgPool) {
    let app = spawn_app(db.clone()).await;
    let alice = app.sign_up("alice").await.client;
    let (first, second) = (
        app.public_token(FIRST_PLATYPUS, "user_good").await,
        app.public_token(FIRST_PLATYPUS, "user_good").await,
    );
    let first = create_item_request(&first, FIRST_PLATYPUS);
    let second = create_item_request(&second, FIRST_PLATYPUS);

    let (a, b) = tokio::join!(
        app.create_item(&alice, &first),
        app.create_item(&alice, &second)
    );

    let mut statuses = [a.status(), b.status()];
    statuses.sort();
    assert_eq!(statuses, [StatusCode::CREATED, StatusCode::CONFLICT]);
    let items: i64 = count(&db, "plaid_item").await;
    assert_eq!(items, 1);
}

#[sqlx::test(migrations = "../../migrations")]
async fn bad_link_requests_leave_nothing_behind(db: PgPool) {
    let app = spawn_app(db.clone()).await;
    let alice = app.sign_up("alice").await.client;

    let response = app
        .create_item(&alice, &create_item_request("", "not-an-institution"))
        .await;
    let body: ApiError = decoded(response, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(named_fields(&body), ["public_token", "institution_id"]);

    let response = app
        .create_item(
            &alice,
            &create_item_request("public-sandbox-made-up", FIRST_PLATYPUS),
        )
        .await;
    let body: ApiError = decoded(response, StatusCode::BAD_GATEWAY).await;
    assert_eq!(body.code, ErrorCode::PlaidError);
    assert!(body.message.contains("Link the bank again"), "{body:?}");

    let items: i64 = count(&db, "plaid_item").await;
    assert_eq!(items, 0, "a failed exchange left a claim behind");
    // The bank can still be linked.
    app.link_bank(&alice, "user_good").await;
}

#[sqlx::test(migrations = "../../migrations")]
async fn removing_a_bank_removes_it_at_plaid_and_all_its_data(db: PgPool) {
    let app = spawn_app(db.clone()).await;
    let (alice, item) = app.sign_up_with_bank("alice").await;
    let plaid_id = plaid_item_id(&db, &item).await;

    let response = app.remove_item(&alice, item.id).await;

    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let at_plaid = items_at_plaid(&db, &plaid_id).await;
    assert_eq!(at_plaid, 0, "still linked at Plaid");
    for table in [
        "plaid_item",
        "account",
        "bank_transaction",
        "balance_snapshot",
        "sync_job",
    ] {
        assert_eq!(count(&db, table).await, 0, "{table} kept rows");
    }
    let again = app.remove_item(&alice, item.id).await;
    assert_eq!(again.status(), StatusCode::NOT_FOUND);
}

#[sqlx::test(migrations = "../../migrations")]
async fn a_bank_plaid_already_forgot_is_still_removed_here(db: PgPool) {
    let app = spawn_app(db.clone()).await;
    let (alice, item) = app.sign_up_with_bank("alice").await;
    sqlx::query("delete from plaid_sim.item where item_id = $1")
        .bind(plaid_item_id(&db, &item).await)
        .execute(&db)
        .await
        .unwrap();

    let response = app.remove_item(&alice, item.id).await;

    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_eq!(transaction_count(&db, &item).await, 0);
}

#[sqlx::test(migrations = "../../migrations")]
async fn when_plaid_cannot_be_reached_nothing_is_removed(db: PgPool) {
    let app = spawn_app_with(db.clone(), &[("SYNC_RETRY_BASE", "50ms")]).await;
    let (alice, item) = app.sign_up_with_bank("alice").await;
    crate::simulator_support::inject_fault(
        &app,
        json!({"endpoint": "/item/remove", "kind": "server_error", "count": 1}),
    )
    .await;

    let response = app.remove_item(&alice, item.id).await;

    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(app.item(&alice, item.id).await.id, item.id);
    assert!(transaction_count(&db, &item).await > 0);
}

#[sqlx::test(migrations = "../../migrations")]
async fn login_required_then_repaired(db: PgPool) {
    let app = spawn_app(db.clone()).await;
    let (alice, item) = app.sign_up_with_bank("alice").await;
    let response = app.reset_login(&alice, item.id).await;
    let broken: Item = decoded(response, StatusCode::OK).await;
    assert_eq!(broken.status, ItemStatus::LoginRequired);
    assert_eq!(broken.error_code.as_deref(), Some("ITEM_LOGIN_REQUIRED"));
    // The bank's ITEM_LOGIN_REQUIRED webhook arrives and the sync it asks for fails, as they do
    // well before a person repairs anything. (A sync that fails after a repair marks the item
    // again until the repair's own sync succeeds a moment later.)
    settle_after_error_webhook(&db, &item).await;

    // Refreshing and claiming a repair both fail while the bank still wants a log-in.
    let refresh = app.refresh_item(&alice, item.id).await;
    assert_eq!(refresh.status(), StatusCode::CONFLICT);
    let premature = app.login_repaired(&alice, item.id).await;
    assert_eq!(premature.status(), StatusCode::CONFLICT);

    // Update mode: a link token for this item, then (what Link does) the bank accepts a log-in.
    let update = LinkTokenRequest {
        item_id: Some(item.id),
    };
    let token: LinkTokenResponse = app
        .create_link_token(&alice, &update)
        .await
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
    let response = app.login_repaired(&alice, item.id).await;
    let repaired: Item = decoded(response, StatusCode::OK).await;
    assert_eq!(repaired.status, ItemStatus::Good);
    assert_eq!(repaired.error_code, None);
    app.wait_for_sync(&alice, &item, item.last_synced_at).await;
}

#[sqlx::test(migrations = "../../migrations")]
async fn link_tokens_and_link_events(db: PgPool) {
    let app = spawn_app(db.clone()).await;
    let alice = app.sign_up("alice").await.client;

    let response = app
        .create_link_token(&alice, &LinkTokenRequest::default())
        .await;
    let token: LinkTokenResponse = decoded(response, StatusCode::OK).await;
    assert!(token.link_token.starts_with("link-"));
    assert!(token.expiration > chrono::Utc::now());

    let exit = LinkEventRequest {
        link_session_id: Some("sess-1".to_owned()),
        status: Some("requires_credentials".to_owned()),
        error_type: Some("ITEM_ERROR".to_owned()),
        error_code: Some("INVALID_CREDENTIALS".to_owned()),
        institution_id: Some(FIRST_PLATYPUS.to_owned()),
        institution_name: Some("First Platypus Bank".to_owned()),
        ..link_event(LinkEventKind::Exit)
    };
    let response = app.record_link_event(&alice, &exit).await;
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

    let too_long = LinkEventRequest {
        event_name: Some("x".repeat(1001)),
        ..link_event(LinkEventKind::Event)
    };
    let response = app.record_link_event(&alice, &too_long).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // Raw on purpose: no `LinkEventKind` is called this.
    let unknown_kind = json!({ "kind": "party" });
    let response = alice
        .post(app.url("/api/link/events"))
        .json(&unknown_kind)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);

    let stranger = crate::helpers::browser_like_client();
    let response = app
        .create_link_token(&stranger, &LinkTokenRequest::default())
        .await;
    assert_unauthorized(response).await;
}

#[sqlx::test(migrations = "../../migrations")]
async fn another_users_item_is_not_found_on_every_route(db: PgPool) {
    let app = spawn_app(db.clone()).await;
    let alice = app.sign_up("alice").await.client;
    let mallory = app.sign_up("mallory").await.client;
    let item = app.link_bank(&alice, "user_good").await;
    let id = item.id;

    let attempts = [
        mallory.get(app.url(&format!("/api/items/{id}"))),
        mallory.delete(app.url(&format!("/api/items/{id}"))),
        mallory.post(app.url(&format!("/api/items/{id}/refresh"))),
        mallory.post(app.url(&format!("/api/items/{id}/login-repaired"))),
        mallory.post(app.url(&format!("/api/items/{id}/sandbox/reset-login"))),
        mallory
            .post(app.url("/api/link/token"))
            .json(&LinkTokenRequest { item_id: Some(id) }),
    ];
    for attempt in attempts {
        let response = attempt.send().await.unwrap();
        let url = response.url().to_string();
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{url}");
        let body: ApiError = response.json().await.unwrap();
        assert_eq!(body.code, ErrorCode::NotFound, "{url}");
    }
    let list = app.items(&mallory).await;
    assert!(list.items.is_empty());
    assert_eq!(app.item(&alice, item.id).await.status, ItemStatus::Good);
    assert_matches_bank(&db, &item).await;
}

#[sqlx::test(migrations = "../../migrations")]
async fn deleting_my_account_removes_my_banks_at_plaid_first(db: PgPool) {
    let app = spawn_app(db.clone()).await;
    let (alice, item) = app.sign_up_with_bank("alice").await;
    let plaid_id = plaid_item_id(&db, &item).await;

    let response = app.delete_me(&alice, PASSWORD).await;

    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let at_plaid = items_at_plaid(&db, &plaid_id).await;
    assert_eq!(at_plaid, 0);
    let left: i64 = count(&db, "bank_transaction").await;
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
    let alice = app.sign_up("alice").await;
    let item_id = crate::fixtures::item(&db, alice.user_id, "ins_1", "Bank")
        .await
        .item_id
        .into();
    assert_eq!(app.item(&alice.client, item_id).await.id, item_id);

    let response = app.reset_login(&alice.client, item_id).await;

    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}

/// Waits (up to a minute) until the item's ERROR webhook was received and no sync of it waits
/// or runs.
async fn settle_after_error_webhook(db: &PgPool, item: &Item) {
    for _ in 0..600 {
        let (errors, busy): (i64, i64) = sqlx::query_as(
            "select (select count(*) from webhook_event
                     where item_id = $1 and webhook_code = 'ERROR'),
                    (select count(*) from sync_job
                     where item_id = $1 and state in ('queued', 'running'))",
        )
        .bind(item.id.0)
        .fetch_one(db)
        .await
        .unwrap();
        if errors > 0 && busy == 0 {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("the item's ERROR webhook never came, or its sync never ended");
}
