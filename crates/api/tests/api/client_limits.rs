//! Log-in limits by client address: forwarding headers count only from `TRUSTED_PROXIES`,
//! failures count per (username, address), and an IPv6 caller is its /64.

use crate::api_calls::{login_request, PASSWORD};
use crate::helpers::{captured_logs, client_with_header, spawn_app_with, TestApp};
use reqwest::StatusCode;
use sqlx::PgPool;

/// Guesses `username`'s password through `client` until refused; how many were let through.
async fn guesses_until_refused(app: &TestApp, client: &reqwest::Client, username: &str) -> usize {
    for allowed in 0..10 {
        let response = app
            .log_in(client, &login_request(username, "not the password at all"))
            .await;
        match response.status() {
            StatusCode::UNAUTHORIZED => continue,
            StatusCode::TOO_MANY_REQUESTS => return allowed,
            other => panic!("guess {allowed}: {other}"),
        }
    }
    panic!("ten guesses were all allowed");
}

fn forwarded_for(address: &str) -> reqwest::Client {
    client_with_header("x-forwarded-for", address)
}

#[sqlx::test(migrations = "../../migrations")]
async fn a_forged_forwarded_for_from_an_untrusted_peer_changes_nothing(db: PgPool) {
    let app = spawn_app_with(db, &[("LOGIN_ATTEMPTS_PER_MINUTE", "2")]).await;
    app.register_as(&app.client, "kim").await;

    // Each guess claims another address; all of them come from this machine all the same.
    let mut refused_after = None;
    for (guess, claimed) in ["203.0.113.61", "203.0.113.62", "203.0.113.63"]
        .into_iter()
        .enumerate()
    {
        let response = app
            .log_in(
                &forwarded_for(claimed),
                &login_request("kim", "not the password at all"),
            )
            .await;
        if response.status() == StatusCode::TOO_MANY_REQUESTS {
            refused_after = Some(guess);
            break;
        }
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    }
    assert_eq!(refused_after, Some(2));
    let forwarded = client_with_header("forwarded", "for=203.0.113.64");
    assert_eq!(
        app.log_in(&forwarded, &login_request("kim", "not the password at all"))
            .await
            .status(),
        StatusCode::TOO_MANY_REQUESTS
    );
    let logs = captured_logs();
    assert!(
        !logs.contains("203.0.113.61"),
        "a forged address reached the log"
    );
}

#[sqlx::test(migrations = "../../migrations")]
async fn a_trusted_proxy_names_the_caller_and_the_owner_is_not_locked_out(db: PgPool) {
    let app = spawn_app_with(
        db,
        &[
            ("LOGIN_ATTEMPTS_PER_MINUTE", "2"),
            ("TRUSTED_PROXIES", "10.0.0.0/8, 127.0.0.1"),
        ],
    )
    .await;
    app.register_as(&app.client, "kim").await;

    let attacker = forwarded_for("203.0.113.71");
    assert_eq!(guesses_until_refused(&app, &attacker, "kim").await, 2);
    // The proxy says who is calling, through any number of trusted proxies; the address the
    // caller wrote itself (first in the list) is not believed.
    let through_two = forwarded_for("198.51.100.1, 203.0.113.71, 10.1.2.3");
    assert_eq!(
        app.log_in(&through_two, &login_request("kim", PASSWORD))
            .await
            .status(),
        StatusCode::TOO_MANY_REQUESTS
    );

    // Kim, at home, signs in: the guesses slowed only the attacker's address.
    let owner = forwarded_for("198.51.100.9");
    assert_eq!(
        app.log_in(&owner, &login_request("kim", PASSWORD))
            .await
            .status(),
        StatusCode::OK
    );
    // And the attacker's address is still free to sign in as someone else.
    app.register_as(&app.client, "lee").await;
    assert_eq!(
        app.log_in(&attacker, &login_request("lee", PASSWORD))
            .await
            .status(),
        StatusCode::OK
    );
    let logs = captured_logs();
    assert!(
        logs.contains("http.client_ip=198.51.100.9"),
        "the log names the proxied caller"
    );
}

#[sqlx::test(migrations = "../../migrations")]
async fn an_ipv6_caller_is_counted_by_its_64(db: PgPool) {
    let app = spawn_app_with(
        db,
        &[
            ("LOGIN_ATTEMPTS_PER_MINUTE", "2"),
            ("TRUSTED_PROXIES", "127.0.0.1"),
        ],
    )
    .await;
    app.register_as(&app.client, "kim").await;

    assert_eq!(
        guesses_until_refused(&app, &forwarded_for("2001:db8:5:6::1"), "kim").await,
        2
    );
    // Another address of the same /64 is the same caller.
    let same_64 = client_with_header("forwarded", "for=\"[2001:db8:5:6:abcd::2]:51000\"");
    assert_eq!(
        app.log_in(&same_64, &login_request("kim", "not the password at all"))
            .await
            .status(),
        StatusCode::TOO_MANY_REQUESTS
    );
    let next_64 = forwarded_for("2001:db8:5:7::1");
    assert_eq!(
        app.log_in(&next_64, &login_request("kim", PASSWORD))
            .await
            .status(),
        StatusCode::OK
    );
}

#[test]
fn trusted_proxies_are_checked_at_start() {
    let error = tally::config::Settings::from_vars([("TRUSTED_PROXIES", "10.0.0.0/8, my-proxy")])
        .unwrap_err()
        .to_string();
    assert!(
        error.starts_with("TRUSTED_PROXIES") && error.contains("my-proxy"),
        "{error}"
    );
}

#[sqlx::test(migrations = "../../migrations")]
async fn the_session_list_records_the_same_address(db: PgPool) {
    let untrusting = spawn_app_with(db.clone(), &[]).await;
    let forged = forwarded_for("203.0.113.81");
    untrusting.register_as(&forged, "kim").await;
    let listed = untrusting.sessions(&forged).await;
    assert_eq!(listed.sessions[0].address.as_deref(), Some("127.0.0.1"));

    let behind_proxy = spawn_app_with(db, &[("TRUSTED_PROXIES", "127.0.0.1")]).await;
    let proxied = forwarded_for("198.51.100.82");
    assert_eq!(
        behind_proxy
            .log_in(&proxied, &login_request("kim", PASSWORD))
            .await
            .status(),
        StatusCode::OK
    );
    let listed = behind_proxy.sessions(&proxied).await;
    let addresses: Vec<Option<&str>> = listed
        .sessions
        .iter()
        .map(|session| session.address.as_deref())
        .collect();
    assert_eq!(addresses, [Some("198.51.100.82"), Some("127.0.0.1")]);
}
