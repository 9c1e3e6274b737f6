//! A webhook sent again within its five minutes, signature and all: recorded, and nothing else.

use crate::banking_support::*;
use crate::helpers::{count, spawn_app, TestApp};
use reqwest::StatusCode;
use serde_json::json;
use sqlx::PgPool;
use tally::simulator::SigningKey;
use tally_shared::api::items::ItemStatus;

/// A webhook as it travels: its exact bytes and their `Plaid-Verification` header.
struct SignedWebhook {
    body: Vec<u8>,
    signature: String,
}

impl SignedWebhook {
    /// `body` signed now by the simulator's (Plaid's) key.
    async fn new(db: &PgPool, body: &serde_json::Value) -> Self {
        let body = serde_json::to_vec_pretty(body).unwrap();
        let key = SigningKey::load_or_create(db).await.unwrap();
        let signature = key.sign(&body, chrono::Utc::now().timestamp()).unwrap();
        Self { body, signature }
    }

    async fn deliver(&self, app: &TestApp) -> StatusCode {
        app.client
            .post(app.url("/webhooks/plaid"))
            .header("Content-Type", "application/json")
            .header("Plaid-Verification", &self.signature)
            .body(self.body.clone())
            .send()
            .await
            .unwrap()
            .status()
    }
}

#[sqlx::test(migrations = "../../migrations")]
async fn a_replayed_webhook_is_recorded_and_does_nothing(db: PgPool) {
    let app = spawn_app(db.clone()).await;
    let (alice, item) = app.sign_up_with_bank("alice").await;
    let plaid_id = plaid_item_id(&db, &item).await;
    let error = SignedWebhook::new(
        &db,
        &json!({
            "webhook_type": "ITEM", "webhook_code": "ERROR", "item_id": plaid_id,
            "error": {"error_type": "ITEM_ERROR", "error_code": "ITEM_LOGIN_REQUIRED",
                      "error_message": "the login details of this item have changed"},
            "environment": "sandbox"
        }),
    )
    .await;

    // Delivered: the item shows the error at once, and the sync it queues finds the bank fine.
    assert_eq!(error.deliver(&app).await, StatusCode::OK);
    assert_eq!(
        app.item(&alice, item.id).await.status,
        ItemStatus::LoginRequired
    );
    let settled = app
        .wait_until(&alice, &item, |now| {
            now.status == ItemStatus::Good && synced_since(now, item.last_synced_at)
        })
        .await;

    // Someone who captured it sends it again: recorded as a replay, and nothing else happens.
    assert_eq!(error.deliver(&app).await, StatusCode::OK);
    let after = app.item(&alice, item.id).await;
    assert_eq!(after.status, ItemStatus::Good, "the replay set the status");
    assert_eq!(after.last_webhook_at, settled.last_webhook_at);
    assert_eq!(count(&db, "sync_job").await, 0, "the replay queued a sync");
    assert_eq!(
        count(
            &db,
            "webhook_event where webhook_code = 'ERROR' and not replayed"
        )
        .await,
        1
    );
    assert_eq!(
        count(
            &db,
            "webhook_event where webhook_code = 'ERROR' and replayed"
        )
        .await,
        1
    );
}

#[sqlx::test(migrations = "../../migrations")]
async fn the_same_notice_of_new_transactions_queues_a_sync_a_few_times_only(db: PgPool) {
    let app = spawn_app(db.clone()).await;
    let (alice, item) = app.sign_up_with_bank("alice").await;
    let plaid_id = plaid_item_id(&db, &item).await;
    // Two genuine notices for one item within a second are these very bytes.
    let updates = SignedWebhook::new(
        &db,
        &json!({"webhook_type": "TRANSACTIONS", "webhook_code": "SYNC_UPDATES_AVAILABLE",
                "item_id": plaid_id, "initial_update_complete": true,
                "historical_update_complete": true, "environment": "sandbox"}),
    )
    .await;

    let mut last_synced_at = item.last_synced_at;
    for copy in 0..=2 {
        assert_eq!(updates.deliver(&app).await, StatusCode::OK);
        let synced = app
            .wait_until(&alice, &item, |now| synced_since(now, last_synced_at))
            .await;
        assert!(synced.last_synced_at > last_synced_at, "copy {copy} synced");
        last_synced_at = synced.last_synced_at;
    }

    // Beyond that, a copy is a replay that makes Tally call Plaid no more.
    assert_eq!(updates.deliver(&app).await, StatusCode::OK);
    assert_eq!(
        count(&db, "sync_job").await,
        0,
        "a third copy queued a sync"
    );
    assert_eq!(
        count(
            &db,
            "webhook_event where webhook_code = 'SYNC_UPDATES_AVAILABLE' and replayed"
        )
        .await,
        3
    );
}
