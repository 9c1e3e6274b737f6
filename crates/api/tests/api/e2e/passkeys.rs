//! Passkeys in the browser, with Chromium's virtual authenticator (WebDriver's WebAuthn
//! extension): add one on Settings, sign out, sign in with it alone, remove it.

use super::browser::{with_browser, Browser, WebDriverCommand};
use crate::helpers::{count, spawn_app_at_localhost};
use serde_json::{json, Value};
use sqlx::PgPool;

const PASSWORD: &str = "correct horse battery";

/// Gives the browser a platform authenticator that keeps passkeys and verifies its user (as a
/// fingerprint reader would); returns its id.
async fn add_virtual_authenticator(browser: &Browser) -> String {
    let options = json!({
        "protocol": "ctap2",
        "transport": "internal",
        "hasResidentKey": true,
        "hasUserVerification": true,
        "isUserVerified": true,
    });
    let id = browser
        .issue(WebDriverCommand::session(
            "webauthn/authenticator".to_owned(),
            Some(options),
        ))
        .await;
    id.as_str().unwrap().to_owned()
}

/// The credentials the virtual authenticator holds.
async fn held_credentials(browser: &Browser, authenticator: &str) -> Vec<Value> {
    let held = browser
        .issue(WebDriverCommand::session(
            format!("webauthn/authenticator/{authenticator}/credentials"),
            None,
        ))
        .await;
    held.as_array().unwrap().clone()
}

#[sqlx::test(migrations = "../../migrations")]
async fn add_a_passkey_sign_in_with_it_alone_and_remove_it(db: PgPool) {
    let app = spawn_app_at_localhost(db).await;
    let app = &app;
    with_browser(app, "passkeys", |browser| async move {
        let authenticator = add_virtual_authenticator(&browser).await;
        super::steps::register(&browser, "erin", PASSWORD).await;
        browser.click_link("Settings").await;
        browser
            .wait_for_text("[data-testid=no-passkeys]", "no passkeys yet")
            .await;

        browser.fill("Name for a new passkey", "Laptop").await;
        browser.click_button("Add a passkey").await;
        browser
            .wait_for_text("[role=status]", "The passkey “Laptop” was added")
            .await;
        let row = browser
            .wait_for_text("[data-testid=passkey-row]", "Laptop")
            .await;
        assert!(row.text().await.unwrap().contains("Never"), "not used yet");
        let held = held_credentials(&browser, &authenticator).await;
        assert_eq!(held.len(), 1, "{held:?}");
        assert_eq!(
            held[0]["isResidentCredential"], true,
            "a discoverable passkey"
        );
        browser
            .screenshot_page("passkeys-settings", 1280, 900)
            .await;
        browser.prefer_color_scheme("dark").await;
        browser
            .screenshot_page("passkeys-settings-dark", 390, 844)
            .await;
        browser.prefer_color_scheme("light").await;

        browser.click_button("Log out").await;
        // Signed out before the page is loaded afresh: a load that overtakes the log-out still
        // finds the session, and its live-events socket is then refused (a console error).
        browser.wait_for_text("h1", "Log in to Tally").await;
        browser.goto("/login").await;
        browser.click_button("Sign in with a passkey").await;
        browser.wait_for_text("h2", "No banks linked yet").await;
        assert_eq!(browser.path().await, "/dashboard");
        assert_eq!(
            count(&app.db, "passkey where last_used_at is not null").await,
            1
        );

        browser.click_link("Settings").await;
        let row = browser
            .wait_for_text("[data-testid=passkey-row]", "Laptop")
            .await;
        assert!(!row.text().await.unwrap().contains("Never"), "used once");
        browser.click_button("Remove passkey Laptop").await;
        browser.click_button("Remove passkey").await;
        browser
            .wait_for_text("[data-testid=no-passkeys]", "no passkeys yet")
            .await;
        assert_eq!(count(&app.db, "passkey").await, 0);

        // The authenticator still holds it, but it signs no one in any more.
        browser.click_button("Log out").await;
        // Signed out before the page is loaded afresh: a load that overtakes the log-out still
        // finds the session, and its live-events socket is then refused (a console error).
        browser.wait_for_text("h1", "Log in to Tally").await;
        browser.goto("/login").await;
        browser.click_button("Sign in with a passkey").await;
        browser
            .wait_for_text("[role=alert]", "not registered with Tally")
            .await;
        browser
            .screenshot_page("passkeys-login-refused", 1280, 900)
            .await;
        assert_eq!(browser.path().await, "/login");
        // The refusal (400) is the one error the page logged, and it is expected here.
        let logged = browser.console_errors().await;
        assert!(
            logged.len() == 1 && logged[0].contains("/api/session/passkey/finish"),
            "{logged:#?}"
        );
    })
    .await;
}
