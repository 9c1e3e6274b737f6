//! Starting and stopping the server as `main` does.

use crate::helpers::test_settings;
use sqlx::PgPool;
use std::time::Duration;
use tally::startup::Application;

#[sqlx::test(migrations = "../../migrations")]
async fn a_shutdown_signal_stops_the_server_cleanly(db: PgPool) {
    let application = Application::build_with_pool(test_settings(&[]), db)
        .await
        .unwrap();
    let health = format!("{}/api/health", application.local_url());
    let (signal, signalled) = tokio::sync::oneshot::channel::<()>();
    let running = tokio::spawn(application.run_until_stopped(async {
        let _ = signalled.await;
    }));
    let client = reqwest::Client::new();
    assert!(client
        .get(&health)
        .send()
        .await
        .unwrap()
        .status()
        .is_success());

    signal.send(()).unwrap();

    let stopped = tokio::time::timeout(Duration::from_secs(15), running)
        .await
        .expect("the server did not stop within its grace period");
    stopped.unwrap().unwrap();
    let after = reqwest::Client::new().get(&health).send().await;
    assert!(after.is_err(), "still answering after shutdown: {after:?}");
}
