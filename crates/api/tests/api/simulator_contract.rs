//! The sync contract, randomized: simulator activity (new days, refreshes with churn, faults,
//! mutation during pagination) interleaved with the reference sync loop. After every round the
//! client's state equals the simulator's ground truth: nothing duplicated, nothing lost.

use crate::simulator_support::{advance_clock, inject_fault, link, simulator, Replica};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::json;
use sqlx::PgPool;

async fn run_contract(db: PgPool, seed: u64) {
    let (app, plaid) = simulator(db).await;
    let item = link(&plaid, "user_transactions_dynamic", "x", None).await;
    let mut rng = StdRng::seed_from_u64(seed);
    let mut replica = Replica::default();

    for round in 0..10 {
        let mut actions = Vec::new();
        for _ in 0..rng.random_range(1..=3) {
            match rng.random_range(0..5) {
                0 => {
                    let days = rng.random_range(1..=4);
                    advance_clock(&app, days).await;
                    actions.push(format!("advance {days}"));
                }
                1 | 2 => {
                    plaid.transactions_refresh(&item).await.unwrap();
                    actions.push("refresh".to_owned());
                }
                3 => {
                    let kind = ["server_error", "rate_limit"][rng.random_range(0..2)];
                    inject_fault(
                        &app,
                        json!({"endpoint": "/transactions/sync", "kind": kind, "count": 1}),
                    )
                    .await;
                    actions.push(kind.to_owned());
                }
                _ => {
                    inject_fault(&app, json!({"endpoint": "/transactions/sync", "kind": "mutation_during_pagination", "count": 1})).await;
                    actions.push("mutation during pagination".to_owned());
                }
            }
        }
        let count = [7, 50, 100, 500][rng.random_range(0..4)];
        // Retryable failures end a run without applying anything; the next run starts from
        // the stored cursor, as Tally's sync engine will.
        let mut attempts = 0;
        loop {
            attempts += 1;
            match replica.sync(&plaid, &item, count).await {
                Ok(_) => break,
                Err(error) if error.is_retryable() && attempts < 5 => continue,
                Err(error) => panic!("seed {seed} round {round} ({actions:?}): {error}"),
            }
        }
        replica.assert_matches_truth(&app.db, &item).await;
    }
    assert!(replica.transactions.len() > 1000);
}

#[sqlx::test(migrations = "../../migrations")]
async fn sync_contract_holds_for_seed_1(db: PgPool) {
    run_contract(db, 1).await;
}

#[sqlx::test(migrations = "../../migrations")]
async fn sync_contract_holds_for_seed_2(db: PgPool) {
    run_contract(db, 2).await;
}

#[sqlx::test(migrations = "../../migrations")]
async fn sync_contract_holds_for_seed_3(db: PgPool) {
    run_contract(db, 3).await;
}
