//! The database pool under contention: from several threads (vendor/sqlx-core's patch), and
//! from the callers of the embedded simulator.

use crate::helpers::{browser_like_client, count, test_settings, TestApp};
use sqlx::postgres::PgPoolOptions;
use sqlx::PgPool;
use std::time::{Duration, Instant};
use tally::startup::Application;
use tally_shared::api::items::ItemStatus;

/// Unpatched, a connection returned on one thread while another takes it wraps the idle count to
/// `usize::MAX` for an instant, and a maintenance sweep that reads it then spins forever. Without
/// the patch this sees the wrapped count within milliseconds; with it the count never exceeds the
/// pool's size.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_idle_count_never_wraps_when_threads_race_for_connections() {
    const SIZE: u32 = 3;
    let url = std::env::var("DATABASE_URL").expect("DATABASE_URL (make test sets it)");
    let pool = PgPoolOptions::new()
        .max_connections(SIZE)
        .connect(&url)
        .await
        .unwrap();
    let until = Instant::now() + Duration::from_secs(2);
    let churn: Vec<_> = (0..6)
        .map(|_| {
            let pool = pool.clone();
            tokio::spawn(async move {
                while Instant::now() < until {
                    drop(pool.try_acquire());
                    tokio::task::yield_now().await;
                }
            })
        })
        .collect();

    let mut largest = 0;
    let mut samples = 0_u64;
    while Instant::now() < until {
        largest = largest.max(pool.num_idle());
        samples += 1;
        if samples.is_multiple_of(1_000) {
            tokio::task::yield_now().await;
        }
    }
    for task in churn {
        task.await.unwrap();
    }
    pool.close().await;

    assert!(samples > 10_000, "only {samples} samples");
    assert!(
        largest <= usize::try_from(SIZE).unwrap(),
        "the pool counted {largest} idle connections of {SIZE}"
    );
}

/// A sync holds one of Tally's connections through its pass, and a bank's linking one through
/// its exchange, while they wait on Plaid. Built from its settings in simulator mode, the server
/// opens one more per sync worker beyond `DATABASE_MAX_CONNECTIONS`, and gives the embedded
/// simulator (Plaid's stand-in, which answers those calls) connections of its own. So with a
/// single configured connection two people still link and sync their banks at once. When they
/// shared it, the simulator waited for a connection its callers held and every call failed.
#[sqlx::test(migrations = "../../migrations")]
async fn syncs_and_links_never_wait_on_a_simulator_they_starve(db: PgPool) {
    let options = db.connect_options();
    let url = format!(
        "postgres://{}@{}:{}/{}",
        options.get_username(),
        options.get_host(),
        options.get_port(),
        options.get_database().expect("the test's database"),
    );
    let settings = test_settings(&[
        ("DATABASE_URL", &url),
        ("DATABASE_MAX_CONNECTIONS", "1"),
        ("SYNC_WORKERS", "2"),
    ]);
    let application = Application::build(settings).await.unwrap();
    let app = TestApp {
        address: application.local_url(),
        db: db.clone(),
        client: browser_like_client(),
    };
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(application.run_until_stopped(async {
        let _ = stopped.await;
    }));

    let ana = app.sign_up("ana").await.client;
    let bob = app.sign_up("bob").await.client;
    let (ana_bank, bob_bank) = tokio::join!(
        app.link_bank(&ana, "user_good"),
        app.link_bank(&bob, "user_good")
    );
    for item in [&ana_bank, &bob_bank] {
        assert_eq!(item.status, ItemStatus::Good, "{item:?}");
        let stored = count(
            &db,
            &format!("bank_transaction where item_id = '{}'", item.id.0),
        )
        .await;
        assert!(stored > 0, "{item:?} synced nothing");
    }

    stop.send(()).unwrap();
    server.await.unwrap().unwrap();
}
