//! The simulator's webhooks, fault injection and clock, as Tally's tests will use them.

use crate::simulator_support::{
    advance_clock, correct_amount, inject_fault, link, post_to_simulator, simulator, Replica,
    WebhookReceiver,
};
use serde_json::json;
use sqlx::PgPool;
use std::time::{Duration, Instant};
use tally::plaid::webhook::WebhookVerifier;

#[sqlx::test(migrations = "../../migrations")]
async fn refresh_announces_new_data_with_a_verifiable_signature(db: PgPool) {
    let (app, plaid) = simulator(db).await;
    let mut receiver = WebhookReceiver::start(0).await;
    let item = link(
        &plaid,
        "user_transactions_dynamic",
        "x",
        Some(receiver.url.clone()),
    )
    .await;

    // Before the first /transactions/sync, Plaid sends no SYNC_UPDATES_AVAILABLE.
    plaid.transactions_refresh(&item).await.unwrap();
    receiver.assert_quiet(Duration::from_millis(500)).await;

    let mut replica = Replica::default();
    replica.sync(&plaid, &item, 500).await.unwrap();
    plaid.transactions_refresh(&item).await.unwrap();
    let webhook = receiver.next().await;

    assert_eq!(
        webhook.json(),
        json!({
            "environment": "sandbox",
            "historical_update_complete": true,
            "initial_update_complete": true,
            "item_id": item.item_id,
            "webhook_code": "SYNC_UPDATES_AVAILABLE",
            "webhook_type": "TRANSACTIONS",
        })
    );
    assert!(
        String::from_utf8_lossy(&webhook.body).contains("\n  \""),
        "Plaid pretty-prints"
    );
    let verifier = WebhookVerifier::new(plaid.clone());
    verifier
        .verify(
            webhook.signature.as_deref(),
            &webhook.body,
            chrono::Utc::now().timestamp(),
        )
        .await
        .unwrap();
    replica.sync_to_truth(&plaid, &item, 500, &app.db).await;
}

#[sqlx::test(migrations = "../../migrations")]
async fn webhooks_are_retried_until_the_receiver_takes_them(db: PgPool) {
    let (_app, plaid) = simulator(db).await;
    let mut receiver = WebhookReceiver::start(2).await;
    let item = link(&plaid, "user_good", "pass_good", Some(receiver.url.clone())).await;

    plaid.sandbox_item_reset_login(&item).await.unwrap();

    let attempts = [
        receiver.next().await,
        receiver.next().await,
        receiver.next().await,
    ];
    for attempt in &attempts {
        let body = attempt.json();
        assert_eq!(
            (body["webhook_type"].as_str(), body["webhook_code"].as_str()),
            (Some("ITEM"), Some("ERROR"))
        );
        assert_eq!(body["error"]["error_code"], "ITEM_LOGIN_REQUIRED");
    }
    receiver.assert_quiet(Duration::from_millis(1500)).await;
    let item_status = plaid.item_get(&item).await.unwrap().status.unwrap();
    assert_eq!(
        item_status.last_webhook.unwrap().code_sent.as_deref(),
        Some("ERROR")
    );
}

#[sqlx::test(migrations = "../../migrations")]
async fn the_sandbox_fires_the_webhooks_it_is_asked_for(db: PgPool) {
    let (_app, plaid) = simulator(db).await;
    let mut receiver = WebhookReceiver::start(0).await;
    let item = link(&plaid, "user_good", "pass_good", Some(receiver.url.clone())).await;

    for (code, kind) in [
        ("SYNC_UPDATES_AVAILABLE", "TRANSACTIONS"),
        ("LOGIN_REPAIRED", "ITEM"),
        ("USER_PERMISSION_REVOKED", "ITEM"),
        ("PENDING_DISCONNECT", "ITEM"),
    ] {
        let fired = plaid
            .sandbox_item_fire_webhook(&item, code, None)
            .await
            .unwrap();
        assert!(fired.webhook_fired);
        let body = receiver.next().await.json();
        assert_eq!(
            (body["webhook_code"].as_str(), body["webhook_type"].as_str()),
            (Some(code), Some(kind))
        );
    }
    let unknown = plaid
        .sandbox_item_fire_webhook(&item, "NOT_A_CODE", None)
        .await
        .unwrap_err();
    assert_eq!(unknown.code(), Some("INVALID_FIELD"));

    let silent = link(&plaid, "user_good", "pass_good", None).await;
    let error = plaid
        .sandbox_item_fire_webhook(&silent, "LOGIN_REPAIRED", None)
        .await
        .unwrap_err();
    assert_eq!(error.code(), Some("SANDBOX_WEBHOOK_INVALID"));
}

#[sqlx::test(migrations = "../../migrations")]
async fn injected_faults_fail_the_next_calls_then_clear(db: PgPool) {
    let (app, plaid) = simulator(db).await;
    let item = link(&plaid, "user_good", "pass_good", None).await;

    inject_fault(
        &app,
        json!({"endpoint": "/accounts/get", "kind": "server_error", "count": 2}),
    )
    .await;
    for _ in 0..2 {
        let error = plaid.accounts_get(&item).await.unwrap_err();
        assert_eq!(error.status(), Some(500));
        assert!(error.is_retryable() && !error.is_rate_limited());
    }
    plaid.accounts_get(&item).await.unwrap();

    inject_fault(
        &app,
        json!({"endpoint": "/transactions/sync", "kind": "rate_limit", "count": 1}),
    )
    .await;
    let limited = plaid.transactions_sync(&item, None, 10).await.unwrap_err();
    assert!(limited.is_rate_limited());
    assert_eq!(limited.code(), Some("TRANSACTIONS_SYNC_LIMIT"));

    inject_fault(
        &app,
        json!({"endpoint": "/item/get", "kind": "latency", "count": 1, "latency_ms": 400}),
    )
    .await;
    let started = Instant::now();
    plaid.item_get(&item).await.unwrap();
    assert!(started.elapsed() >= Duration::from_millis(400));

    inject_fault(
        &app,
        json!({"endpoint": "/transactions/sync", "kind": "mutation_during_pagination", "count": 1}),
    )
    .await;
    let first = plaid.transactions_sync(&item, None, 100).await.unwrap();
    let error = plaid
        .transactions_sync(&item, Some(&first.next_cursor), 100)
        .await
        .unwrap_err();
    assert!(error.is_mutation_during_pagination());
    let mut replica = Replica::default();
    replica.sync_to_truth(&plaid, &item, 100, &app.db).await;
}

#[sqlx::test(migrations = "../../migrations")]
async fn webhooks_can_be_dropped_duplicated_and_reordered(db: PgPool) {
    let (app, plaid) = simulator(db).await;
    let mut receiver = WebhookReceiver::start(0).await;
    let item = link(&plaid, "user_good", "pass_good", Some(receiver.url.clone())).await;
    let code_of = |webhook: crate::simulator_support::ReceivedWebhook| {
        webhook.json()["webhook_code"].as_str().unwrap().to_owned()
    };

    inject_fault(&app, json!({"kind": "webhook_drop", "count": 1})).await;
    plaid
        .sandbox_item_fire_webhook(&item, "LOGIN_REPAIRED", None)
        .await
        .unwrap();
    receiver.assert_quiet(Duration::from_millis(500)).await;

    inject_fault(&app, json!({"kind": "webhook_duplicate", "count": 1})).await;
    plaid
        .sandbox_item_fire_webhook(&item, "LOGIN_REPAIRED", None)
        .await
        .unwrap();
    assert_eq!(code_of(receiver.next().await), "LOGIN_REPAIRED");
    assert_eq!(code_of(receiver.next().await), "LOGIN_REPAIRED");

    inject_fault(&app, json!({"kind": "webhook_reorder", "count": 1})).await;
    plaid
        .sandbox_item_fire_webhook(&item, "LOGIN_REPAIRED", None)
        .await
        .unwrap();
    receiver.assert_quiet(Duration::from_millis(300)).await;
    plaid
        .sandbox_item_fire_webhook(&item, "SYNC_UPDATES_AVAILABLE", None)
        .await
        .unwrap();
    assert_eq!(code_of(receiver.next().await), "SYNC_UPDATES_AVAILABLE");
    assert_eq!(code_of(receiver.next().await), "LOGIN_REPAIRED");
}

#[sqlx::test(migrations = "../../migrations")]
async fn advancing_the_clock_brings_new_days_and_posts_pending(db: PgPool) {
    let (app, plaid) = simulator(db).await;
    let mut receiver = WebhookReceiver::start(0).await;
    let item = link(&plaid, "user_good", "pass_good", Some(receiver.url.clone())).await;
    let mut replica = Replica::default();
    replica.sync(&plaid, &item, 500).await.unwrap();
    let last_day = replica.transactions.values().map(|t| t.date).max().unwrap();
    let pending: Vec<String> = replica
        .transactions
        .values()
        .filter(|t| t.pending)
        .map(|t| t.transaction_id.clone())
        .collect();
    let before: std::collections::HashSet<String> = replica.transactions.keys().cloned().collect();
    let checking_balance = |accounts: &[tally::plaid::types::Account]| {
        let checking = accounts
            .iter()
            .find(|a| a.mask.as_deref() == Some("0000"))
            .unwrap();
        (
            checking.account_id.clone(),
            checking.balances.current.unwrap(),
        )
    };
    let (checking, balance_before) =
        checking_balance(&plaid.accounts_get(&item).await.unwrap().accounts);

    let advanced = advance_clock(&app, 5).await;
    assert!(advanced["changes"].as_u64().unwrap() > 0, "{advanced}");
    assert_eq!(
        receiver.next().await.json()["webhook_code"],
        "SYNC_UPDATES_AVAILABLE"
    );

    replica.sync_to_truth(&plaid, &item, 500, &app.db).await;
    assert!(replica.transactions.values().any(|t| t.date > last_day));
    // The checking balance moved by exactly the new days' activity (posting a transaction that
    // was pending before does not move it again; checking has no tipped restaurant bills).
    let new_out: rust_decimal::Decimal = replica
        .transactions
        .values()
        .filter(|t| t.account_id == checking && !before.contains(&t.transaction_id))
        .filter(|t| {
            t.pending_transaction_id
                .as_ref()
                .is_none_or(|p| !pending.contains(p))
        })
        .map(|t| t.amount)
        .sum();
    let (_, balance_after) = checking_balance(&plaid.accounts_get(&item).await.unwrap().accounts);
    assert_eq!(balance_after, balance_before - new_out);
    for id in pending {
        assert!(
            !replica.transactions.contains_key(&id),
            "pending {id} did not post"
        );
    }
    let path = format!("/sim/plaid/control/items/{}", item.item_id);
    let truth: serde_json::Value = app.get_json(&app.client, &path).await;
    assert_eq!(
        truth["transactions"].as_array().unwrap().len(),
        replica.transactions.len()
    );
    assert_eq!(truth["accounts"].as_array().unwrap().len(), 12);
}

#[sqlx::test(migrations = "../../migrations")]
async fn a_new_webhook_url_is_acknowledged_there(db: PgPool) {
    let (_app, plaid) = simulator(db).await;
    let item = link(&plaid, "user_good", "pass_good", None).await;
    let mut receiver = WebhookReceiver::start(0).await;

    let updated = plaid
        .item_webhook_update(&item, Some(&receiver.url))
        .await
        .unwrap();

    assert_eq!(updated.item.webhook.as_deref(), Some(receiver.url.as_str()));
    let body = receiver.next().await.json();
    assert_eq!(body["webhook_code"], "WEBHOOK_UPDATE_ACKNOWLEDGED");
    assert_eq!(body["new_webhook_url"], receiver.url.as_str());
    let cleared = plaid.item_webhook_update(&item, None).await.unwrap();
    assert!(cleared.item.webhook.is_none());
}

#[sqlx::test(migrations = "../../migrations")]
async fn a_corrected_amount_is_synced_as_a_modification_and_announced(db: PgPool) {
    let (app, plaid) = simulator(db).await;
    let mut receiver = WebhookReceiver::start(0).await;
    let item = link(&plaid, "user_good", "pass_good", Some(receiver.url.clone())).await;
    let mut replica = Replica::default();
    replica.sync(&plaid, &item, 500).await.unwrap();
    let id = replica.transactions.keys().next().unwrap().clone();

    let answer = correct_amount(&app, &item.item_id, &id, "1234.56").await;
    assert_eq!(answer["transaction"]["transaction_id"], json!(id));
    assert_eq!(
        receiver.next().await.json()["webhook_code"],
        "SYNC_UPDATES_AVAILABLE"
    );
    let page = plaid
        .transactions_sync(&item, replica.cursor.as_deref(), 500)
        .await
        .unwrap();
    assert!(page.added.is_empty() && page.removed.is_empty());
    assert_eq!(page.modified.len(), 1);
    assert_eq!(page.modified[0].transaction_id, id);
    assert_eq!(page.modified[0].amount.to_string(), "1234.56");

    let path = |transaction: &str| {
        format!(
            "/control/items/{}/transactions/{transaction}/amount",
            item.item_id
        )
    };
    let (status, _) = post_to_simulator(&app, &path("nope"), &json!({"amount": "1.00"})).await;
    assert_eq!(status, 404);
    let (status, _) =
        post_to_simulator(&app, &path(&id), &json!({"amount": "1000000000000"})).await;
    assert_eq!(status, 400);
}
