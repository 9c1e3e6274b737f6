//! Tally's own sync engine, randomized: rounds of bank activity (new days, refreshes with
//! churn, an account opened mid-sync) and trouble (5xx and 429 answers, mutation during
//! pagination, dropped, duplicated and reordered webhooks, a sync that outlives its lease, an
//! api process that dies mid-sync). The test only acts on the bank and waits: webhooks, the
//! workers and the scheduler do the syncing, as in production. After every round Tally's
//! accounts and transactions equal the simulator's ground truth, field for field. Before every
//! round each person edits a few transactions by hand; after it their edits are where the
//! bank's changes put them (`edits`).

mod edits;

use crate::banking_support::{announce_updates, plaid_item_id};
use crate::helpers::{spawn_app_with, test_settings, TestApp};
use crate::simulator_support::{add_bank_account, advance_clock, inject_fault, plaid};
use edits::Person;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use secrecy::SecretString;
use serde_json::{json, Value};
use sqlx::postgres::PgPoolOptions;
use sqlx::PgPool;
use std::time::Duration;
use tally::plaid::ItemAccess;
use tally::startup::Application;

/// Quick retries, a short lease and a scheduler that syncs any item not synced for 2 seconds
/// (so dropped webhooks only delay a sync).
const SETTINGS: &[(&str, &str)] = &[
    ("SYNC_RETRY_BASE", "50ms"),
    ("SYNC_LEASE", "1s"),
    ("SYNC_INTERVAL", "2s"),
    ("SYNC_MAX_ATTEMPTS", "10"),
];
const ROUNDS: usize = 6;

/// One linked bank: Tally's id and the simulator's, with its access token, and its person.
struct Bank {
    item_id: tally_shared::ids::ItemId,
    plaid_id: String,
    access: ItemAccess,
    person: Person,
}

/// The settings of every api process of a run: `SETTINGS` and the run's one encryption key.
fn settings(key: &str) -> Vec<(&str, &str)> {
    let mut settings = SETTINGS.to_vec();
    settings.push(("TALLY_ENCRYPTION_KEY", key));
    settings
}

async fn run(db: PgPool, seed: u64) {
    let key = tally::crypto::TokenCipher::generate_key();
    let key = secrecy::ExposeSecret::expose_secret(&key);
    let app = spawn_app_with(db.clone(), &settings(key)).await;
    let mut banks = Vec::new();
    for person in ["alice", "bob"] {
        let client = app.sign_up(person).await.client;
        let item = app.link_bank(&client, "user_transactions_dynamic").await;
        let plaid_id = plaid_item_id(&db, &item).await;
        let access_token: String =
            sqlx::query_scalar("select access_token from plaid_sim.item where item_id = $1")
                .bind(&plaid_id)
                .fetch_one(&db)
                .await
                .unwrap();
        banks.push(Bank {
            item_id: item.id,
            access: ItemAccess {
                item_id: plaid_id.clone(),
                access_token: SecretString::from(access_token),
            },
            person: Person::new(&app, person, client, item.id, plaid_id.clone()).await,
            plaid_id,
        });
    }
    let mut rng = StdRng::seed_from_u64(seed);
    for round in 0..ROUNDS {
        let started = now(&db).await;
        let mut actions = Vec::new();
        for bank in &mut banks {
            actions.push(bank.person.edit_some(&app, &mut rng).await);
        }
        for _ in 0..rng.random_range(1..=4) {
            let bank = &banks[rng.random_range(0..banks.len())];
            actions.push(act(&app, key, bank, &mut rng).await);
        }
        let context = format!("seed {seed}, round {round}: {actions:?}");
        wait_until_tally_equals_bank(&db, &banks, started, &context).await;
        let mut edits = Vec::new();
        for bank in &mut banks {
            edits.push(bank.person.follow_the_bank(&db).await);
            bank.person.assert_edits_kept(&db, &context).await;
        }
        println!("{context}: Tally equals the bank, and the edits are kept: {edits:?}");
    }
}

/// One random thing happens at the bank, to Tally, or both; returns what, for the report.
async fn act(app: &TestApp, key: &str, bank: &Bank, rng: &mut StdRng) -> String {
    match rng.random_range(0..8) {
        0 => {
            let days = rng.random_range(1..=3);
            advance_clock(app, days).await;
            format!("{days} days pass")
        }
        1 => {
            plaid(app).transactions_refresh(&bank.access).await.unwrap();
            format!("refresh with churn at {}", bank.plaid_id)
        }
        2 => {
            let kind = ["server_error", "rate_limit"][rng.random_range(0..2)];
            let endpoint = ["/transactions/sync", "/accounts/get"][rng.random_range(0..2)];
            let count = rng.random_range(1..=4);
            inject_fault(
                app,
                json!({"endpoint": endpoint, "kind": kind, "count": count}),
            )
            .await;
            advance_clock(app, 1).await;
            format!("{count} × {kind} on {endpoint}, a day passes")
        }
        3 => {
            inject_fault(app, json!({"endpoint": "/transactions/sync", "kind": "mutation_during_pagination", "count": 1})).await;
            // Enough days for a pass of more than one page.
            advance_clock(app, 60).await;
            "mutation during pagination, 60 days pass".to_owned()
        }
        4 => {
            let kind =
                ["webhook_drop", "webhook_duplicate", "webhook_reorder"][rng.random_range(0..3)];
            inject_fault(app, json!({"kind": kind, "count": rng.random_range(1..=2)})).await;
            advance_clock(app, 1).await;
            format!("{kind}, a day passes")
        }
        5 => {
            let after = ["/accounts/get", "/transactions/sync"][rng.random_range(0..2)];
            let subtype = ["checking", "credit card"][rng.random_range(0..2)];
            add_bank_account(
                app,
                &bank.plaid_id,
                json!({"subtype": subtype, "history_days": rng.random_range(1..=120), "after": after}),
            )
            .await;
            announce_updates(app, &app.db, &bank.plaid_id).await;
            format!("{subtype} opened at {} after {after}", bank.plaid_id)
        }
        6 => {
            let stopped = stop_a_process_mid_sync(&app.db, key, bank).await;
            format!("a process stopped {stopped} syncing {}", bank.plaid_id)
        }
        _ => {
            let endpoint = ["/transactions/sync", "/accounts/get"][rng.random_range(0..2)];
            let latency_ms = rng.random_range(1_500..=2_500);
            inject_fault(
                app,
                json!({"endpoint": endpoint, "kind": "latency", "count": 1, "latency_ms": latency_ms}),
            )
            .await;
            advance_clock(app, 1).await;
            format!("a pass outlives its lease ({latency_ms} ms on {endpoint}), a day passes")
        }
    }
}

/// A second api process on the same database (its own pool, its own embedded simulator) is
/// told of new transactions, starts syncing, and dies while its call to `/accounts/get` is
/// held back: its job's lease runs out and the first process takes the job over. Says whether
/// it died mid-sync (another worker may have taken the job first).
async fn stop_a_process_mid_sync(db: &PgPool, key: &str, bank: &Bank) -> &'static str {
    let pool = PgPoolOptions::new()
        .max_connections(5)
        .connect_with(
            (*db.connect_options())
                .clone()
                .application_name(STOPPED_PROCESS),
        )
        .await
        .unwrap();
    let mut settings = settings(key);
    settings.push(("SYNC_WORKERS", "1"));
    let application = Application::build_with_pool(test_settings(&settings), pool.clone())
        .await
        .unwrap();
    let other = TestApp {
        address: application.local_url(),
        db: db.clone(),
        client: reqwest::Client::new(),
    };
    let process = tokio::spawn(application.run_until_stopped(std::future::pending()));
    inject_fault(
        &other,
        json!({"endpoint": "/accounts/get", "kind": "latency", "count": 1, "latency_ms": 10_000}),
    )
    .await;
    announce_updates(&other, db, &bank.plaid_id).await;
    let mut mid_sync = "before";
    for _ in 0..100 {
        let faults: Value = other
            .get("/sim/plaid/control/faults")
            .await
            .json()
            .await
            .unwrap();
        if faults["faults"] == json!([]) {
            mid_sync = "mid-way";
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // Its tasks stop where they are. A sync dropped mid-pass closes its connection, so the
    // item's lock does not outlive it in the pool.
    process.abort();
    let _ = process.await;
    // (The close is sent by a task of its own: wait for it, within a bound.)
    let mut locks_left = -1_i64;
    for _ in 0..200 {
        locks_left = sqlx::query_scalar(
            "select count(*) from pg_locks l join pg_stat_activity a using (pid)
             where l.locktype = 'advisory' and a.application_name = $1
               and a.datname = current_database()",
        )
        .bind(STOPPED_PROCESS)
        .fetch_one(db)
        .await
        .unwrap();
        if locks_left == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(locks_left, 0, "a stopped sync left its item's lock held");
    // Then its database sessions end, as when a process is killed.
    sqlx::query(
        "select pg_terminate_backend(pid) from pg_stat_activity
         where application_name = $1 and datname = current_database()",
    )
    .bind(STOPPED_PROCESS)
    .execute(db)
    .await
    .unwrap();
    pool.close().await;
    mid_sync
}

/// The database sessions of the process that `stop_a_process_mid_sync` stops.
const STOPPED_PROCESS: &str = "tally-stopped-mid-sync";

async fn now(db: &PgPool) -> chrono::DateTime<chrono::Utc> {
    sqlx::query_scalar("select now()")
        .fetch_one(db)
        .await
        .unwrap()
}

/// Waits (up to a minute: this is waiting, not a speed check) until every bank has synced
/// since `since` and is in good standing, no sync waits or runs, and Tally equals the bank.
async fn wait_until_tally_equals_bank(
    db: &PgPool,
    banks: &[Bank],
    since: chrono::DateTime<chrono::Utc>,
    context: &str,
) {
    let mut differences = Vec::new();
    for _ in 0..600 {
        let unsettled: i64 = sqlx::query_scalar(
            "select (select count(*) from sync_job where state in ('queued', 'running'))
                  + (select count(*) from plaid_item
                     where last_synced_at is null or last_synced_at <= $1
                        or status <> 'good')",
        )
        .bind(since)
        .fetch_one(db)
        .await
        .unwrap();
        differences.clear();
        for bank in banks {
            differences.extend(differences_from_truth(db, bank).await);
        }
        if unsettled == 0 && differences.is_empty() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let jobs: Vec<String> = sqlx::query_scalar("select sync_job::text from sync_job")
        .fetch_all(db)
        .await
        .unwrap();
    let items: Vec<String> = sqlx::query_scalar(
        "select concat_ws(' ', plaid_item_id, status, error_code, last_synced_at) from plaid_item",
    )
    .fetch_all(db)
    .await
    .unwrap();
    let locks: Vec<String> = sqlx::query_scalar(
        "select concat_ws(' | ', l.pid, a.state, a.backend_start, a.query) from pg_locks l
         join pg_stat_activity a using (pid) where l.locktype = 'advisory'",
    )
    .fetch_all(db)
    .await
    .unwrap();
    panic!("{context}: Tally never settled equal to the bank: {differences:#?}\njobs: {jobs:#?}\nitems: {items:#?}\nlocks: {locks:#?}");
}

/// Every account and transaction where Tally and the bank differ, field for field (at most
/// ten of each), marked with the side it is on; nothing when they are equal.
async fn differences_from_truth(db: &PgPool, bank: &Bank) -> Vec<String> {
    let mut differences = rows_only_on_one_side(
        db,
        bank,
        "select body->>'transaction_id', body->>'account_id', (body->>'amount')::numeric,
                body->>'iso_currency_code', body->>'unofficial_currency_code',
                (body->>'date')::date, (body->>'authorized_date')::date, body->>'name',
                body->>'merchant_name', body->>'logo_url', body->>'website',
                body->>'payment_channel', body->'personal_finance_category'->>'primary',
                body->'personal_finance_category'->>'detailed',
                body->'personal_finance_category'->>'confidence_level',
                (body->>'pending')::boolean, body->>'pending_transaction_id'
         from plaid_sim.transaction where item_id = $1 and not removed",
        "select t.plaid_transaction_id, a.plaid_account_id, t.amount, t.iso_currency_code,
                t.unofficial_currency_code, t.date, t.authorized_date, t.name, t.merchant_name,
                t.logo_url, t.website, t.payment_channel, t.category_primary,
                t.category_detailed, t.category_confidence, t.pending, t.pending_transaction_id
         from bank_transaction t join account a using (account_id) where t.item_id = $2",
    )
    .await;
    differences.extend(
        rows_only_on_one_side(
            db,
            bank,
            "select account_id, name, official_name, mask, type, subtype, current, available,
                    credit_limit, iso_currency_code, holder_category
             from plaid_sim.account where item_id = $1",
            "select plaid_account_id, name, official_name, mask, type, subtype, current_balance,
                    available_balance, credit_limit, iso_currency_code, holder_category
             from account where item_id = $2",
        )
        .await,
    );
    differences
}

/// The rows (at most ten a side) that only the bank's query (`$1`: its item id) or only
/// Tally's (`$2`: its item id) returns, counting duplicates.
async fn rows_only_on_one_side(db: &PgPool, bank: &Bank, truth: &str, held: &str) -> Vec<String> {
    let rows: Vec<(String, String)> = sqlx::query_as(&format!(
        "with truth as ({truth}), held as ({held}),
             missing as (select * from truth except all select * from held),
             extra as (select * from held except all select * from truth)
         (select 'bank only', missing::text from missing limit 10)
         union all
         (select 'Tally only', extra::text from extra limit 10)"
    ))
    .bind(&bank.plaid_id)
    .bind(bank.item_id.0)
    .fetch_all(db)
    .await
    .unwrap();
    rows.into_iter()
        .map(|(side, row)| format!("{side}: {row}"))
        .collect()
}

#[sqlx::test(migrations = "../../migrations")]
async fn tally_equals_the_bank_after_every_round_for_seed_1(db: PgPool) {
    run(db, 1).await;
}

#[sqlx::test(migrations = "../../migrations")]
async fn tally_equals_the_bank_after_every_round_for_seed_2(db: PgPool) {
    run(db, 2).await;
}

#[sqlx::test(migrations = "../../migrations")]
async fn tally_equals_the_bank_after_every_round_for_seed_3(db: PgPool) {
    run(db, 3).await;
}
