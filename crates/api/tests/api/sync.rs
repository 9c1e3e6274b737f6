//! The sync engine against the simulator: webhooks (valid, forged, duplicated, reordered),
//! retries, restarts, a failure mid-write, the scheduler, and pending transactions posting.

use crate::api_calls::{create_item_request, decoded};
use crate::banking_support::*;
use crate::helpers::{captured_logs, count, spawn_app_with, TestApp};
use crate::simulator_support::{add_bank_account, advance_clock, inject_fault};
use reqwest::StatusCode;
use serde_json::{json, Value};
use sqlx::PgPool;
use tally::simulator::SigningKey;
use tally_shared::api::items::{Item, ItemStatus};

/// Retries come quickly in tests; everything else as in production.
const FAST_RETRIES: (&str, &str) = ("SYNC_RETRY_BASE", "50ms");

async fn app(db: &PgPool) -> TestApp {
    spawn_app_with(db.clone(), &[FAST_RETRIES]).await
}

async fn webhook_rows(db: &PgPool) -> i64 {
    count(db, "webhook_event").await
}

async fn queued_jobs(db: &PgPool) -> i64 {
    count(db, "sync_job where state = 'queued'").await
}

#[sqlx::test(migrations = "../../migrations")]
async fn new_activity_announced_by_webhook_is_synced(db: PgPool) {
    let app = app(&db).await;
    let (alice, item) = app.sign_up_with_bank("alice").await;
    let before = transaction_count(&db, &item).await;

    // A week passes at the bank; the simulator sends SYNC_UPDATES_AVAILABLE.
    advance_clock(&app, 7).await;
    let item = app
        .wait_until(&alice, &item, |now| {
            now.last_webhook_at.is_some() && synced_since(now, item.last_synced_at)
        })
        .await;

    assert!(transaction_count(&db, &item).await > before);
    assert_matches_bank(&db, &item).await;
}

#[sqlx::test(migrations = "../../migrations")]
async fn forged_webhooks_are_refused_and_change_nothing(db: PgPool) {
    let app = app(&db).await;
    let (alice, item) = app.sign_up_with_bank("alice").await;
    let plaid_id = plaid_item_id(&db, &item).await;
    let body = json!({
        "webhook_type": "ITEM", "webhook_code": "ERROR", "item_id": plaid_id,
        "error": {"error_type": "ITEM_ERROR", "error_code": "ITEM_LOGIN_REQUIRED",
                  "error_message": "forged", "display_message": null}
    });
    let bytes = serde_json::to_vec(&body).unwrap();
    let signature = SigningKey::load_or_create(&db)
        .await
        .unwrap()
        .sign(&bytes, chrono::Utc::now().timestamp())
        .unwrap();

    let unsigned = app
        .client
        .post(app.url("/webhooks/plaid"))
        .json(&body)
        .send()
        .await
        .unwrap();
    // Signed, then one byte of the body changed.
    let mut tampered = bytes.clone();
    let last = tampered.len() - 2;
    tampered[last] = b' ';
    let altered = app
        .client
        .post(app.url("/webhooks/plaid"))
        .header("Plaid-Verification", &signature)
        .body(tampered)
        .send()
        .await
        .unwrap();
    let stale_signature = SigningKey::load_or_create(&db)
        .await
        .unwrap()
        .sign(&bytes, chrono::Utc::now().timestamp() - 3600)
        .unwrap();
    let replayed = app
        .client
        .post(app.url("/webhooks/plaid"))
        .header("Plaid-Verification", stale_signature)
        .body(bytes)
        .send()
        .await
        .unwrap();

    for response in [unsigned, altered, replayed] {
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
        let error: Value = response.json().await.unwrap();
        assert_eq!(error["code"], "bad_request");
    }
    assert_eq!(webhook_rows(&db).await, 0, "a forged webhook was recorded");
    assert_eq!(queued_jobs(&db).await, 0, "a forged webhook queued work");
    assert_eq!(app.item(&alice, item.id).await.status, ItemStatus::Good);
}

#[sqlx::test(migrations = "../../migrations")]
async fn forgeries_naming_made_up_keys_are_throttled(db: PgPool) {
    let app = app(&db).await;
    let body = json!({"webhook_type": "TRANSACTIONS", "webhook_code": "SYNC_UPDATES_AVAILABLE", "item_id": "x"});
    let bytes = serde_json::to_vec(&body).unwrap();
    let genuine = SigningKey::load_or_create(&db)
        .await
        .unwrap()
        .sign(&bytes, chrono::Utc::now().timestamp())
        .unwrap();
    let rest = genuine.split_once('.').unwrap().1;

    let mut statuses = Vec::new();
    for n in 0..15 {
        let header = base64::Engine::encode(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD,
            format!(r#"{{"alg":"ES256","kid":"made-up-{n}","typ":"JWT"}}"#),
        );
        let response = app
            .client
            .post(app.url("/webhooks/plaid"))
            .header("Plaid-Verification", format!("{header}.{rest}"))
            .body(bytes.clone())
            .send()
            .await
            .unwrap();
        statuses.push(response.status());
        if response.status() == StatusCode::TOO_MANY_REQUESTS {
            assert!(response.headers().contains_key("retry-after"));
            let error: Value = response.json().await.unwrap();
            assert_eq!(error["code"], "rate_limited");
        }
    }

    let looked_up = statuses
        .iter()
        .filter(|status| **status == StatusCode::BAD_REQUEST)
        .count();
    assert_eq!(looked_up, 10, "{statuses:?}");
    assert!(statuses[10..]
        .iter()
        .all(|status| *status == StatusCode::TOO_MANY_REQUESTS));
    assert_eq!(webhook_rows(&db).await, 0, "a forged webhook was recorded");
}

#[sqlx::test(migrations = "../../migrations")]
async fn unknown_items_and_codes_are_recorded_and_answered(db: PgPool) {
    let app = app(&db).await;
    for body in [
        json!({"webhook_type": "TRANSACTIONS", "webhook_code": "SYNC_UPDATES_AVAILABLE", "item_id": "no-such-item"}),
        json!({"webhook_type": "BRAND_NEW", "webhook_code": "SOMETHING", "item_id": null}),
    ] {
        let response = send_webhook(&app, &db, &body).await;
        assert_eq!(response.status(), StatusCode::OK);
    }
    assert_eq!(webhook_rows(&db).await, 2);
    assert_eq!(queued_jobs(&db).await, 0);
}

#[sqlx::test(migrations = "../../migrations")]
async fn duplicated_and_reordered_webhooks_end_in_the_true_state(db: PgPool) {
    let app = app(&db).await;
    let (alice, item) = app.sign_up_with_bank("alice").await;
    let plaid_id = plaid_item_id(&db, &item).await;

    // Duplicates: every webhook of a clock advance arrives twice.
    inject_fault(&app, json!({"kind": "webhook_duplicate", "count": 5})).await;
    advance_clock(&app, 3).await;
    let synced = app.wait_for_sync(&alice, &item, item.last_synced_at).await;
    assert_matches_bank(&db, &synced).await;

    // Reordered: the bank broke and was repaired, but "repaired" arrives before "error".
    let error = json!({
        "webhook_type": "ITEM", "webhook_code": "ERROR", "item_id": plaid_id,
        "error": {"error_type": "ITEM_ERROR", "error_code": "ITEM_LOGIN_REQUIRED",
                  "error_message": "the login details of this item have changed"}
    });
    let repaired =
        json!({"webhook_type": "ITEM", "webhook_code": "LOGIN_REPAIRED", "item_id": plaid_id});
    assert_eq!(
        send_webhook(&app, &db, &repaired).await.status(),
        StatusCode::OK
    );
    assert_eq!(
        send_webhook(&app, &db, &error).await.status(),
        StatusCode::OK
    );

    // The queued sync asks the bank, which works: the stale error does not stick.
    let settled = app
        .wait_until(&alice, &synced, |now| {
            now.status == ItemStatus::Good && synced_since(now, synced.last_synced_at)
        })
        .await;
    assert_eq!(settled.error_code, None);
    assert_matches_bank(&db, &settled).await;
}

#[sqlx::test(migrations = "../../migrations")]
async fn an_item_error_webhook_shows_login_required_when_the_bank_agrees(db: PgPool) {
    let app = app(&db).await;
    let (alice, item) = app.sign_up_with_bank("alice").await;
    let plaid_id = plaid_item_id(&db, &item).await;
    sqlx::query("update plaid_sim.item set login_required = true where item_id = $1")
        .bind(&plaid_id)
        .execute(&db)
        .await
        .unwrap();

    let error = json!({
        "webhook_type": "ITEM", "webhook_code": "ERROR", "item_id": plaid_id,
        "error": {"error_type": "ITEM_ERROR", "error_code": "ITEM_LOGIN_REQUIRED", "error_message": "x"}
    });
    assert_eq!(
        send_webhook(&app, &db, &error).await.status(),
        StatusCode::OK
    );

    let broken = app.wait_until(&alice, &item, |now| !now.syncing).await;
    assert_eq!(broken.status, ItemStatus::LoginRequired);
    assert_eq!(broken.error_code.as_deref(), Some("ITEM_LOGIN_REQUIRED"));

    let expiring = json!({
        "webhook_type": "ITEM", "webhook_code": "PENDING_EXPIRATION", "item_id": plaid_id,
        "consent_expiration_time": "2027-01-05T00:00:00Z"
    });
    assert_eq!(
        send_webhook(&app, &db, &expiring).await.status(),
        StatusCode::OK
    );
    let now = app.item(&alice, item.id).await;
    assert_eq!(now.status, ItemStatus::PendingExpiration);
    assert_eq!(
        now.consent_expires_at.unwrap().to_rfc3339(),
        "2027-01-05T00:00:00+00:00"
    );
}

#[sqlx::test(migrations = "../../migrations")]
async fn a_mutation_during_pagination_restarts_the_run_and_loses_nothing(db: PgPool) {
    let app = app(&db).await;
    let alice = app.sign_up("alice").await.client;
    inject_fault(
        &app,
        json!({"endpoint": "/transactions/sync", "kind": "mutation_during_pagination", "count": 2}),
    )
    .await;

    let item = app.link_bank(&alice, "user_good").await;

    assert_eq!(item.status, ItemStatus::Good);
    assert_matches_bank(&db, &item).await;
    let faults: Value = app
        .get("/sim/plaid/control/faults")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(faults["faults"], json!([]), "the faults never fired");
}

#[sqlx::test(migrations = "../../migrations")]
async fn rate_limits_and_outages_are_retried_until_the_sync_succeeds(db: PgPool) {
    let app = app(&db).await;
    let alice = app.sign_up("alice").await.client;
    for kind in ["rate_limit", "server_error"] {
        inject_fault(
            &app,
            json!({"endpoint": "/transactions/sync", "kind": kind, "count": 2}),
        )
        .await;
    }

    let item = app.link_bank(&alice, "user_good").await;

    assert_eq!(item.status, ItemStatus::Good);
    assert_matches_bank(&db, &item).await;
    let failures: i64 = count(
        &db,
        "plaid_api_event where method = '/transactions/sync' and error_code is not null",
    )
    .await;
    assert_eq!(failures, 4, "each fault was one failed call, then retried");
}

#[sqlx::test(migrations = "../../migrations")]
async fn when_retries_run_out_the_item_shows_the_error_and_recovers_later(db: PgPool) {
    let app = spawn_app_with(db.clone(), &[FAST_RETRIES, ("SYNC_MAX_ATTEMPTS", "2")]).await;
    let alice = app.sign_up("alice").await.client;
    // Two attempts of three tries each.
    inject_fault(
        &app,
        json!({"endpoint": "/transactions/sync", "kind": "server_error", "count": 6}),
    )
    .await;
    let token = app.public_token(FIRST_PLATYPUS, "user_good").await;
    let item: Item = app
        .create_item(&alice, &create_item_request(&token, FIRST_PLATYPUS))
        .await
        .json()
        .await
        .unwrap();

    let failed = app
        .wait_until(&alice, &item, |now| now.status == ItemStatus::Error)
        .await;
    assert_eq!(failed.error_code.as_deref(), Some("INTERNAL_SERVER_ERROR"));
    assert_eq!(transaction_count(&db, &item).await, 0);

    let refreshed = app.refresh_item(&alice, item.id).await;
    assert_eq!(refreshed.status(), StatusCode::ACCEPTED);
    let recovered = app
        .wait_until(&alice, &item, |now| {
            now.status == ItemStatus::Good && synced_since(now, None)
        })
        .await;
    assert_matches_bank(&db, &recovered).await;
}

#[sqlx::test(migrations = "../../migrations")]
async fn a_sync_that_dies_while_writing_leaves_nothing_and_the_next_one_completes(db: PgPool) {
    // The database refuses the first batch of transactions, once: the run dies mid-write,
    // after its accounts and balances went in.
    sqlx::raw_sql(
        // A sequence, because nextval is the one thing a rollback does not undo.
        "create sequence sabotage;
         create function refuse_once() returns trigger as $$
         begin
             if nextval('sabotage') = 1 then
                 raise exception 'disk full';
             end if;
             return new;
         end $$ language plpgsql;
         create trigger refuse_once before insert on bank_transaction
             for each statement execute function refuse_once();",
    )
    .execute(&db)
    .await
    .unwrap();
    let app = app(&db).await;
    let alice = app.sign_up("alice").await.client;

    let item = app.link_bank(&alice, "user_good").await;

    let attempts: i64 = count(&db, "plaid_api_event where method = '/accounts/get'").await;
    assert!(attempts >= 2, "the sabotaged run never happened");
    let fired: i64 = sqlx::query_scalar("select last_value from sabotage")
        .fetch_one(&db)
        .await
        .unwrap();
    assert!(fired >= 2, "the sabotage never fired");
    assert_eq!(item.status, ItemStatus::Good);
    assert_matches_bank(&db, &item).await;
}

#[sqlx::test(migrations = "../../migrations")]
async fn a_failed_write_keeps_the_old_cursor_and_no_partial_rows(db: PgPool) {
    let app = spawn_app_with(db.clone(), &[FAST_RETRIES, ("SYNC_MAX_ATTEMPTS", "1")]).await;
    let (alice, item) = app.sign_up_with_bank("alice").await;
    let (cursor_before,): (Option<String>,) = sqlx::query_as("select sync_cursor from plaid_item")
        .fetch_one(&db)
        .await
        .unwrap();
    let count_before = transaction_count(&db, &item).await;
    sqlx::raw_sql(
        "create function refuse() returns trigger as $$
         begin raise exception 'disk full'; end $$ language plpgsql;
         create trigger refuse before update on plaid_item
             for each row when (old.sync_cursor is distinct from new.sync_cursor)
             execute function refuse();",
    )
    .execute(&db)
    .await
    .unwrap();

    advance_clock(&app, 10).await;
    let failed = app
        .wait_until(&alice, &item, |now| now.status == ItemStatus::Error)
        .await;

    // Everything but the cursor was written first, then thrown away with it.
    assert_eq!(transaction_count(&db, &failed).await, count_before);
    let (cursor_after,): (Option<String>,) = sqlx::query_as("select sync_cursor from plaid_item")
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(cursor_after, cursor_before);

    sqlx::raw_sql("drop trigger refuse on plaid_item")
        .execute(&db)
        .await
        .unwrap();
    app.refresh_item(&alice, item.id).await;
    let recovered = app
        .wait_until(&alice, &item, |now| {
            now.status == ItemStatus::Good && synced_since(now, item.last_synced_at)
        })
        .await;
    assert_matches_bank(&db, &recovered).await;
}

/// An item's first pass inserts its pages without the conflict check of later passes. A
/// transaction whose Plaid id is stored already, under another item, still fails the pass whole:
/// nothing of the new item is kept, the error says why, and the next pass after the conflict is
/// gone stores everything.
#[sqlx::test(migrations = "../../migrations")]
async fn a_first_pass_meeting_an_id_stored_under_another_item_keeps_nothing(db: PgPool) {
    let app = spawn_app_with(db.clone(), &[FAST_RETRIES, ("SYNC_MAX_ATTEMPTS", "1")]).await;
    let (_, alices) = app.sign_up_with_bank("alice").await;
    let bob = app.sign_up("bob").await.client;
    // Bob's bank exists at the simulator before he links it: one of Alice's stored transactions
    // is given the Plaid id of one of his.
    let token = app.public_token(FIRST_PLATYPUS, "user_good").await;
    let (taken, alices_own): (String, String) = sqlx::query_as(
        "with bobs as (select t.transaction_id from plaid_sim.transaction t
                       join plaid_sim.public_token p using (item_id)
                       where p.public_token = $1 and not t.removed
                       order by t.transaction_id limit 1),
              alices as (select transaction_id, plaid_transaction_id from bank_transaction
                         where item_id = $2 order by transaction_id limit 1)
         update bank_transaction b set plaid_transaction_id = bobs.transaction_id
         from bobs, alices
         where b.transaction_id = alices.transaction_id
         returning bobs.transaction_id, alices.plaid_transaction_id",
    )
    .bind(&token)
    .bind(alices.id.0)
    .fetch_one(&db)
    .await
    .unwrap();

    let request = create_item_request(&token, FIRST_PLATYPUS);
    let item: Item = decoded(app.create_item(&bob, &request).await, StatusCode::CREATED).await;
    let failed = app
        .wait_until(&bob, &item, |now| now.status == ItemStatus::Error)
        .await;
    assert_eq!(transaction_count(&db, &failed).await, 0);
    let error: Option<String> = sqlx::query_scalar(
        "select last_error from sync_job where item_id = $1 and state = 'failed'",
    )
    .bind(item.id.0)
    .fetch_one(&db)
    .await
    .unwrap();
    assert_eq!(
        error.as_deref(),
        Some("a transaction's id is stored under another item")
    );
    let still_alices: i64 = count(
        &db,
        &format!("bank_transaction where plaid_transaction_id = '{taken}'"),
    )
    .await;
    assert_eq!(still_alices, 1, "Alice's row must be left as it was");

    sqlx::query(
        "update bank_transaction set plaid_transaction_id = $1 where plaid_transaction_id = $2",
    )
    .bind(&alices_own)
    .bind(&taken)
    .execute(&db)
    .await
    .unwrap();
    app.refresh_item(&bob, item.id).await;
    let recovered = app
        .wait_until(&bob, &item, |now| {
            now.status == ItemStatus::Good && now.last_synced_at.is_some()
        })
        .await;
    assert_matches_bank(&db, &recovered).await;
    assert_matches_bank(&db, &alices).await;
}

#[sqlx::test(migrations = "../../migrations")]
async fn the_scheduler_syncs_an_item_that_hears_no_webhook(db: PgPool) {
    let app = spawn_app_with(db.clone(), &[FAST_RETRIES, ("SYNC_INTERVAL", "2s")]).await;
    let (alice, item) = app.sign_up_with_bank("alice").await;

    inject_fault(&app, json!({"kind": "webhook_drop", "count": 100})).await;
    let webhooks_before = webhook_rows(&db).await;
    let count_before = transaction_count(&db, &item).await;
    advance_clock(&app, 5).await;
    let later = app.wait_for_sync(&alice, &item, item.last_synced_at).await;

    assert_eq!(
        webhook_rows(&db).await,
        webhooks_before,
        "a webhook got through"
    );
    assert!(transaction_count(&db, &later).await > count_before);
    assert_matches_bank(&db, &later).await;
}

#[sqlx::test(migrations = "../../migrations")]
async fn refreshing_the_dynamic_user_posts_pending_transactions_without_double_counting(
    db: PgPool,
) {
    let app = app(&db).await;
    let alice = app.sign_up("alice").await.client;
    let item = app.link_bank(&alice, "user_transactions_dynamic").await;
    let pending_before: i64 = count(&db, "bank_transaction where pending").await;
    assert!(
        pending_before > 0,
        "the dynamic user starts with pending transactions"
    );

    let mut last = item.clone();
    for _ in 0..3 {
        let response = app.refresh_item(&alice, item.id).await;
        assert_eq!(response.status(), StatusCode::ACCEPTED);
        last = app.wait_for_sync(&alice, &last, last.last_synced_at).await;
        assert_matches_bank(&db, &last).await;
    }

    // A posted transaction never sits beside the pending one it replaced.
    let doubled: i64 = count(
        &db,
        "bank_transaction posted join bank_transaction pending
             on pending.plaid_transaction_id = posted.pending_transaction_id",
    )
    .await;
    assert_eq!(doubled, 0);
    let posted_from_pending: i64 = count(
        &db,
        "bank_transaction where pending_transaction_id is not null",
    )
    .await;
    assert!(posted_from_pending > 0, "nothing posted");
}

#[sqlx::test(migrations = "../../migrations")]
async fn many_triggers_queue_one_sync(db: PgPool) {
    let app = spawn_app_with(db.clone(), &[FAST_RETRIES, ("SYNC_WORKERS", "1")]).await;
    let (alice, item) = app.sign_up_with_bank("alice").await;
    let plaid_id = plaid_item_id(&db, &item).await;
    // Hold the worker on something slow so that the triggers pile up.
    inject_fault(
        &app,
        json!({"endpoint": "/accounts/get", "kind": "latency", "count": 1, "latency_ms": 1500}),
    )
    .await;

    let updates = json!({"webhook_type": "TRANSACTIONS", "webhook_code": "SYNC_UPDATES_AVAILABLE", "item_id": plaid_id});
    for _ in 0..5 {
        assert_eq!(
            send_webhook(&app, &db, &updates).await.status(),
            StatusCode::OK
        );
        app.refresh_item(&alice, item.id).await;
    }

    let waiting = queued_jobs(&db).await;
    assert!(waiting <= 1, "{waiting} syncs wait for one item");
    let done = app.wait_for_sync(&alice, &item, item.last_synced_at).await;
    assert_matches_bank(&db, &done).await;
}

/// Links the bank with an account that appears at the bank inside the first sync, right after
/// the simulator answers `endpoint`, and returns the synced item.
async fn link_while_an_account_appears(
    app: &TestApp,
    client: &reqwest::Client,
    endpoint: &str,
    subtype: &str,
) -> Item {
    let token = app.public_token(FIRST_PLATYPUS, "user_good").await;
    let plaid_id: String =
        sqlx::query_scalar("select item_id from plaid_sim.public_token where public_token = $1")
            .bind(&token)
            .fetch_one(&app.db)
            .await
            .unwrap();
    let armed = add_bank_account(
        app,
        &plaid_id,
        json!({"name": "Opened mid-sync", "subtype": subtype, "history_days": 90, "after": endpoint}),
    )
    .await;
    assert_eq!(armed["armed"], true);
    let item: Item = app
        .create_item(client, &create_item_request(&token, FIRST_PLATYPUS))
        .await
        .json()
        .await
        .unwrap();
    app.wait_for_sync(client, &item, None).await
}

#[sqlx::test(migrations = "../../migrations")]
async fn an_account_that_appears_during_a_pass_arrives_with_every_transaction(db: PgPool) {
    let app = app(&db).await;
    // After the pass listed the accounts, before its first page; and between two pages.
    for (person, endpoint, subtype) in [
        ("alice", "/accounts/get", "checking"),
        ("bob", "/transactions/sync", "credit card"),
    ] {
        let client = app.sign_up(person).await.client;
        let item = link_while_an_account_appears(&app, &client, endpoint, subtype).await;

        assert_eq!(item.status, ItemStatus::Good, "{endpoint}");
        let new_account_rows: i64 = sqlx::query_scalar(
            "select count(*) from bank_transaction t join account a using (account_id)
             where t.item_id = $1 and a.name = 'Opened mid-sync'",
        )
        .bind(item.id.0)
        .fetch_one(&db)
        .await
        .unwrap();
        assert!(
            new_account_rows > 0,
            "{endpoint}: the new account's history is missing"
        );
        assert_matches_bank(&db, &item).await;
    }
}

/// Links a bank and starts a sync whose `/accounts/get` answer takes `latency_ms`; once the
/// sync has read its page, an account opens at the bank, whose webhook arrives while the sync
/// still runs. Returns the item.
async fn sync_slowly_while_an_account_opens(app: &TestApp, latency_ms: u64) -> Item {
    let (_client, item) = app.sign_up_with_bank("alice").await;
    let plaid_id = plaid_item_id(&app.db, &item).await;
    inject_fault(
        app,
        json!({"endpoint": "/accounts/get", "kind": "latency", "count": 1, "latency_ms": latency_ms}),
    )
    .await;
    add_bank_account(
        app,
        &plaid_id,
        json!({"name": "Opened mid-sync", "after": "/transactions/sync"}),
    )
    .await;
    announce_updates(app, &app.db, &plaid_id).await;
    item
}

/// Waits until a sync of the item is running and its call to `/accounts/get`, held back by
/// a latency fault, is under way.
async fn wait_for_held_pass(app: &TestApp, db: &PgPool) {
    for _ in 0..600 {
        let running = count(db, "sync_job where state = 'running'").await;
        let faults: Value = app
            .get("/sim/plaid/control/faults")
            .await
            .json()
            .await
            .unwrap();
        if running == 1 && faults["faults"] == json!([]) {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("the sync never started");
}

#[sqlx::test(migrations = "../../migrations")]
async fn a_failing_page_is_tried_again_within_the_pass(db: PgPool) {
    // One attempt only: the pass itself must get past the failures.
    let app = spawn_app_with(db.clone(), &[FAST_RETRIES, ("SYNC_MAX_ATTEMPTS", "1")]).await;
    let alice = app.sign_up("alice").await.client;
    for (endpoint, kind) in [
        ("/accounts/get", "rate_limit"),
        ("/transactions/sync", "server_error"),
    ] {
        inject_fault(
            &app,
            json!({"endpoint": endpoint, "kind": kind, "count": 2}),
        )
        .await;
    }

    let item = app.link_bank(&alice, "user_good").await;

    assert_eq!(item.status, ItemStatus::Good);
    assert_matches_bank(&db, &item).await;
    let failures = count(&db, "plaid_api_event where error_code is not null").await;
    assert_eq!(
        failures, 4,
        "each fault was one failed call, then tried again"
    );
}

#[sqlx::test(migrations = "../../migrations")]
async fn a_sync_longer_than_its_lease_keeps_its_job_and_a_webhook_during_it_syncs_again(
    db: PgPool,
) {
    let app = spawn_app_with(db.clone(), &[FAST_RETRIES, ("SYNC_LEASE", "1s")]).await;
    // The pass takes three leases.
    let item = sync_slowly_while_an_account_opens(&app, 3000).await;

    wait_until_matches_bank(&db, &item).await;
    let item_id = item.id.0.to_string();
    let taken_over = captured_logs()
        .lines()
        .any(|line| line.contains(&item_id) && line.contains("taken over"));
    assert!(!taken_over, "another worker took the job while it ran");
}

#[sqlx::test(migrations = "../../migrations")]
async fn a_finished_pass_leaves_a_job_another_worker_took_over(db: PgPool) {
    let app = app(&db).await;
    let item = sync_slowly_while_an_account_opens(&app, 2000).await;
    wait_for_held_pass(&app, &db).await;

    // As if the pass's worker had stalled past its lease: another took the job, found the item
    // busy and put the job back; the webhook of the new account then brings it forward.
    sqlx::query(
        "update sync_job set state = 'queued', lease_token = null, lease_until = null,
             run_after = now() + interval '1 hour'
         where state = 'running'",
    )
    .execute(&db)
    .await
    .unwrap();

    wait_until_matches_bank(&db, &item).await;
}

#[sqlx::test(migrations = "../../migrations")]
async fn waiting_for_a_busy_item_is_not_a_failed_attempt(db: PgPool) {
    let app = app(&db).await;
    let (_alice, item) = app.sign_up_with_bank("alice").await;
    let plaid_id = plaid_item_id(&db, &item).await;
    // Another process syncs the item: it holds the item's lock.
    let mut other = db.acquire().await.unwrap();
    sqlx::query("select pg_advisory_lock(hashtextextended($1::uuid::text, 0))")
        .bind(item.id.0)
        .execute(&mut *other)
        .await
        .unwrap();
    advance_clock(&app, 3).await;
    announce_updates(&app, &db, &plaid_id).await;

    // Watch the job through three claims that found the item busy (each claim has its own
    // lease token). Were a wait counted, the third would show three attempts.
    let mut claims = std::collections::HashSet::new();
    let mut seen = Vec::new();
    for _ in 0..6000 {
        let jobs = sqlx::query_as::<_, (String, i32, Option<String>, Option<uuid::Uuid>)>(
            "select state::text, attempts, last_error, lease_token from sync_job
             where item_id = $1",
        )
        .bind(item.id.0)
        .fetch_all(&db)
        .await
        .unwrap();
        for (state, attempts, last_error, token) in jobs {
            if last_error.as_deref() == Some("another sync of this item is running") {
                // A claim counts an attempt; finding the item busy gives it back.
                let expected = i32::from(state == "running");
                assert!(
                    state != "failed" && attempts == expected,
                    "the wait counted as a failed attempt: {state}, {attempts} attempts"
                );
                claims.extend(token);
            }
            seen.push((state, attempts, last_error));
        }
        if claims.len() >= 3 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    seen.dedup();
    assert!(
        claims.len() >= 3,
        "the job was not retried while the item was busy: {seen:?}"
    );

    sqlx::query("select pg_advisory_unlock(hashtextextended($1::uuid::text, 0))")
        .bind(item.id.0)
        .execute(&mut *other)
        .await
        .unwrap();
    wait_until_matches_bank(&db, &item).await;
}

/// Pages of the search index's pending list (PostgreSQL's GIN fast update) not yet merged.
async fn pending_search_pages(db: &PgPool) -> i64 {
    sqlx::query_scalar(
        "select pending_pages::bigint from pgstatginindex('bank_transaction_search')",
    )
    .fetch_one(db)
    .await
    .unwrap()
}

#[sqlx::test(migrations = "../../migrations")]
async fn a_syncs_search_entries_are_merged_after_it_commits(db: PgPool) {
    sqlx::query("create extension if not exists pgstattuple")
        .execute(&db)
        .await
        .unwrap();
    let app = app(&db).await;
    let (alice, _item) = app.sign_up_with_bank("alice").await;

    // The sync left its entries pending (`db::sync::defer_index_entries`) and merges them once
    // its job is done, a moment after the item shows synced.
    let mut pending = pending_search_pages(&db).await;
    for _ in 0..100 {
        if pending == 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        pending = pending_search_pages(&db).await;
    }
    assert_eq!(pending, 0, "the sync's search entries were never merged");

    // And a search finds what the sync wrote, row for row.
    let merchant: String = sqlx::query_scalar(
        "select merchant_name from bank_transaction where merchant_name is not null
         group by 1 order by count(*) desc, 1 limit 1",
    )
    .fetch_one(&db)
    .await
    .unwrap();
    let word = merchant.split_whitespace().next().unwrap().to_owned();
    let expected: Vec<uuid::Uuid> = sqlx::query_scalar(
        "select transaction_id from bank_transaction
         where coalesce(merchant_name, '') || ' ' || name ilike '%' || $1 || '%'
         order by date desc, transaction_id desc limit 500",
    )
    .bind(&word)
    .fetch_all(&db)
    .await
    .unwrap();
    assert!(!expected.is_empty());
    let page: tally_shared::api::transactions::TransactionPage = app
        .list_transactions(&alice, &[("q", word.as_str()), ("limit", "500")])
        .await
        .json()
        .await
        .unwrap();
    let found: Vec<uuid::Uuid> = page.transactions.iter().map(|t| t.id.0).collect();
    assert_eq!(found, expected, "searching for {word:?}");
}
