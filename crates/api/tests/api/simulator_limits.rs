//! What one request may make the simulator do is bounded: a request past a limit gets Plaid's
//! error shape naming the limit, and the server carries on.

use crate::helpers::{count, TestApp};
use crate::simulator_support::{link, post_to_simulator as post, simulator, Replica};
use serde_json::{json, Value};
use sqlx::PgPool;

/// Asserts Plaid's `INVALID_FIELD` answer, its message naming `limit`.
fn assert_refused(answer: &(u16, Value), limit: &str) {
    let (status, error) = answer;
    assert_eq!(*status, 400, "{error}");
    assert_eq!(error["error_type"], "INVALID_REQUEST", "{error}");
    assert_eq!(error["error_code"], "INVALID_FIELD", "{error}");
    assert!(error["request_id"].is_string(), "{error}");
    let message = error["error_message"].as_str().unwrap();
    assert!(message.contains(limit), "{limit} not named in: {message}");
}

async fn assert_still_serving(app: &TestApp) {
    assert_eq!(app.get("/api/health").await.status(), 200);
    let (status, _) = post(app, "/control/clock/advance", &json!({ "days": 1 })).await;
    assert_eq!(status, 200);
}

#[sqlx::test(migrations = "../../migrations")]
async fn the_clock_moves_at_most_a_year_at_a_time(db: PgPool) {
    let (app, _plaid) = simulator(db).await;
    for days in [
        json!(366),
        json!(3650),
        json!(99_999_999_999_i64),
        json!(0),
        json!(-5),
    ] {
        let answer = post(&app, "/control/clock/advance", &json!({ "days": days })).await;
        assert_refused(&answer, "365");
    }
    let (status, moved) = post(&app, "/control/clock/advance", &json!({ "days": 365 })).await;
    assert_eq!(status, 200, "{moved}");
    assert_still_serving(&app).await;
}

#[sqlx::test(migrations = "../../migrations")]
async fn faults_are_bounded_in_count_latency_and_number(db: PgPool) {
    let (app, _plaid) = simulator(db).await;
    let fault = |count: u64, latency_ms: u64| json!({ "endpoint": "/item/get", "kind": "latency", "count": count, "latency_ms": latency_ms });
    assert_refused(
        &post(&app, "/control/faults", &fault(1_001, 10)).await,
        "1000",
    );
    assert_refused(
        &post(&app, "/control/faults", &fault(1, 60_001)).await,
        "60000",
    );
    for _ in 0..100 {
        let (status, _) = post(&app, "/control/faults", &fault(1_000, 10)).await;
        assert_eq!(status, 200);
    }
    assert_refused(
        &post(&app, "/control/faults", &fault(1, 10)).await,
        "100 faults",
    );
    let cleared = app
        .client
        .delete(app.url("/sim/plaid/control/faults"))
        .send()
        .await
        .unwrap();
    assert_eq!(cleared.status(), 200);
    assert_still_serving(&app).await;
}

#[sqlx::test(migrations = "../../migrations")]
async fn custom_users_are_bounded_in_size_history_and_density(db: PgPool) {
    let (app, _plaid) = simulator(db.clone()).await;
    let create = |config: &str| {
        json!({
            "institution_id": "ins_109508",
            "initial_products": ["transactions"],
            "options": { "override_username": "user_custom", "override_password": config },
        })
    };
    let refusals = [
        (r#"{"history_days": 3651}"#, "3650"),
        (
            r#"{"transactions": 4001, "history_days": 2}"#,
            "2000 transactions a day",
        ),
        (
            r#"{"transactions": 1000001, "history_days": 3650}"#,
            "1000000",
        ),
    ];
    for (config, limit) in refusals {
        let answer = post(&app, "/sandbox/public_token/create", &create(config)).await;
        assert_refused(&answer, limit);
    }
    assert_eq!(count(&db, "plaid_sim.item").await, 0);
    assert_still_serving(&app).await;
}

/// 9,000 transactions in ten days are written in several batches; each day stays whole and in
/// order, and a client syncs every one exactly once.
#[sqlx::test(migrations = "../../migrations")]
async fn a_history_written_in_batches_arrives_whole_and_in_order(db: PgPool) {
    let (_app, plaid) = simulator(db.clone()).await;
    let config = r#"{"transactions": 9000, "history_days": 10, "seed": 3,
        "accounts": [{"type": "depository", "subtype": "checking", "balance": "100.00"}]}"#;
    let item = link(&plaid, "user_custom", config, None).await;

    let dates: Vec<chrono::NaiveDate> = sqlx::query_scalar(
        "select date from plaid_sim.transaction where item_id = $1 order by seq",
    )
    .bind(&item.item_id)
    .fetch_all(&db)
    .await
    .unwrap();
    assert!((8_000..=10_000).contains(&dates.len()), "{}", dates.len());
    assert!(
        dates.windows(2).all(|pair| pair[0] <= pair[1]),
        "the change log is in day order"
    );
    let mut replica = Replica::default();
    replica.sync_to_truth(&plaid, &item, 500, &db).await;
}
