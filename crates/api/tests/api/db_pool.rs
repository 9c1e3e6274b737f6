//! The database pool under contention from several threads (vendor/sqlx-core's patch).

use sqlx::postgres::PgPoolOptions;
use std::time::{Duration, Instant};

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
