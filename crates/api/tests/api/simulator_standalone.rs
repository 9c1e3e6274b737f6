//! `tally simulator`: the offline Plaid on its own, with credentials enforced when configured.

use crate::helpers::captured_logs;
use secrecy::SecretString;
use sqlx::PgPool;
use tally::plaid::{PlaidClient, PlaidCredentials};
use tally::simulator::SimulatorKeys;
use tally::startup::SimulatorServer;

fn client(url: &str, secret: &str) -> PlaidClient {
    PlaidClient::new(
        url::Url::parse(url).unwrap(),
        PlaidCredentials {
            client_id: "my-client".to_owned(),
            secret: SecretString::from(secret),
        },
    )
    .unwrap()
}

#[sqlx::test(migrations = "../../migrations")]
async fn the_simulator_runs_alone_and_checks_keys(db: PgPool) {
    let keys = SimulatorKeys {
        client_id: "my-client".to_owned(),
        secret: SecretString::from("my-secret"),
    };
    let server = SimulatorServer::build(db, [127, 0, 0, 1].into(), 0, Some(keys))
        .await
        .unwrap();
    let url = server.plaid_url();
    tokio::spawn(server.run_until_stopped(std::future::pending()));

    let institution = client(&url, "my-secret")
        .institutions_get_by_id("ins_109508", &["US"], false)
        .await
        .unwrap();
    assert_eq!(institution.institution.name, "First Platypus Bank");

    let refused = client(&url, "wrong-secret")
        .institutions_get_by_id("ins_109508", &["US"], false)
        .await
        .unwrap_err();
    assert_eq!(refused.code(), Some("INVALID_API_KEYS"));
    assert_eq!(refused.status(), Some(400));
}

/// Its log names the TCP peer: a forwarded header, which anyone can write, never reaches it.
#[sqlx::test(migrations = "../../migrations")]
async fn a_forged_forwarded_address_does_not_reach_the_log(db: PgPool) {
    captured_logs();
    let server = SimulatorServer::build(db, [127, 0, 0, 1].into(), 0, None)
        .await
        .unwrap();
    let url = server.plaid_url();
    tokio::spawn(server.run_until_stopped(std::future::pending()));

    let refused = reqwest::Client::new()
        .post(format!("{url}/control/clock/advance"))
        .header("X-Forwarded-For", "203.0.113.77")
        .json(&serde_json::json!({ "days": 1 }))
        .send()
        .await
        .unwrap();
    // A proxied caller is not local (see `simulator::guard`), and the refusal is logged.
    assert_eq!(refused.status(), 403);
    let logs = captured_logs();
    assert!(
        logs.contains("refused a simulator control call"),
        "the refusal was not logged"
    );
    assert!(
        !logs.contains("203.0.113.77"),
        "a forged address reached the log"
    );
}
