//! The simulator's Link stand-in in a real browser, driven as a person would: choosing a bank,
//! logging in (wrongly, then rightly), leaving, the OAuth round trip, and update mode.

use super::browser::{with_browser, Browser};
use super::steps::{leave_success, log_in_to_bank, share_accounts};
use crate::helpers::{spawn_app_at_public_url as spawn_app, TestApp};
use crate::simulator_support::{link, link_token_request, plaid};
use secrecy::{ExposeSecret, SecretString};
use serde_json::{json, Value};
use sqlx::PgPool;
use std::time::{Duration, Instant};
use tally::plaid::ItemAccess;

/// The page Link opens over: one of the app's with no inputs of its own (logged out,
/// `/transactions` only offers links to log in), so the stand-in's "Username" and "Password" are
/// the only ones to fill. The home page has its own log-in form.
const HOST_PAGE: &str = "/transactions";

async fn link_token(app: &TestApp, update: Option<&ItemAccess>) -> String {
    let access_token = update.map(|item| item.access_token.expose_secret().to_owned());
    let request = link_token_request(access_token, None, &app.url("/oauth-link"));
    plaid(app)
        .link_token_create(&request)
        .await
        .unwrap()
        .link_token
}

/// Loads the Link script into the current page, creates a handler that records its callbacks
/// in `window.__link`, and opens it.
async fn open_link(browser: &Browser, token: &str, received_redirect_uri: Option<String>) {
    let loaded = browser
        .run_async_js(
            r#"const [token, redirect, done] = arguments;
               window.__link = [];
               const script = document.createElement('script');
               script.src = '/sim/plaid/link-initialize.js';
               script.onload = () => {
                 const handler = Plaid.create({
                   token,
                   receivedRedirectUri: redirect || undefined,
                   onSuccess: (public_token, metadata) => __link.push({ event: 'success', public_token, metadata }),
                   onExit: (error, metadata) => __link.push({ event: 'exit', error, metadata }),
                   onEvent: (name, metadata) => __link.push({ event: name, metadata }),
                 });
                 handler.open();
                 done(true);
               };
               document.head.appendChild(script);"#,
            vec![json!(token), json!(received_redirect_uri)],
        )
        .await;
    assert_eq!(loaded, true);
}

/// Waits for the Link callback `event` (`success` or `exit`) and returns it.
async fn callback(browser: &Browser, event: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let found = browser
            .run_js(&format!(
                "return (window.__link || []).find(e => e.event === '{event}') || null"
            ))
            .await;
        if !found.is_null() {
            return found;
        }
        assert!(Instant::now() < deadline, "Link never called on{event}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn log_in(browser: &Browser, password: &str) {
    log_in_to_bank(browser, "user_good", password).await;
}

/// Opens Link with `token` over the host page.
async fn open_link_on_host_page(browser: &Browser, token: &str) {
    browser.goto(HOST_PAGE).await;
    open_link(browser, token, None).await;
}

#[sqlx::test(migrations = "../../migrations")]
async fn link_a_bank_after_a_wrong_password(db: PgPool) {
    let app = spawn_app(db).await;
    let token = link_token(&app, None).await;
    let plaid = plaid(&app);
    with_browser(&app, "link-standin-success", |browser| async move {
        open_link_on_host_page(&browser, &token).await;

        browser.wait_for_text("h2", "Select your bank").await;
        browser
            .wait_for_text("button", "Tattersall Federal Credit Union")
            .await;
        browser.screenshot("link-standin-banks").await.unwrap();
        browser.click_button("First Platypus Bank").await;
        browser
            .wait_for_text("h2", "Log in to First Platypus Bank")
            .await;
        log_in(&browser, "wrong").await;
        browser
            .wait_for_text("[role=alert]", "The credentials were not correct.")
            .await;
        log_in(&browser, "pass_good").await;
        browser.wait_for_text("h2", "Select accounts").await;
        browser.screenshot("link-standin-accounts").await.unwrap();
        browser.click_button("Continue").await;
        leave_success(&browser).await;

        let success = callback(&browser, "success").await;
        assert_eq!(
            success["metadata"]["institution"]["institution_id"],
            "ins_109508"
        );
        assert_eq!(
            success["metadata"]["accounts"].as_array().unwrap().len(),
            12
        );
        assert!(success["metadata"]["link_session_id"].is_string());
        let public_token = success["public_token"].as_str().unwrap().to_owned();
        let item = plaid
            .item_public_token_exchange(&SecretString::from(public_token))
            .await
            .unwrap();
        assert_eq!(plaid.accounts_get(&item).await.unwrap().accounts.len(), 12);
    })
    .await;
}

#[sqlx::test(migrations = "../../migrations")]
async fn leaving_link_reports_where_the_person_was(db: PgPool) {
    let app = spawn_app(db).await;
    let token = link_token(&app, None).await;
    with_browser(&app, "link-standin-exit", |browser| async move {
        open_link_on_host_page(&browser, &token).await;
        browser.click_button("First Platypus Bank").await;
        browser
            .wait_for_text("h2", "Log in to First Platypus Bank")
            .await;

        browser.click_button("Close").await;

        let exit = callback(&browser, "exit").await;
        assert!(exit["error"].is_null(), "{exit}");
        assert_eq!(exit["metadata"]["status"], "requires_credentials");
        assert_eq!(
            exit["metadata"]["institution"]["institution_id"],
            "ins_109508"
        );
    })
    .await;
}

#[sqlx::test(migrations = "../../migrations")]
async fn an_oauth_bank_round_trips_through_its_consent_page(db: PgPool) {
    let app = spawn_app(db).await;
    let token = link_token(&app, None).await;
    let plaid = plaid(&app);
    with_browser(&app, "link-standin-oauth", |browser| async move {
        open_link_on_host_page(&browser, &token).await;
        browser.click_button("Platypus OAuth Bank").await;
        browser
            .wait_for_text("h2", "You will be sent to Platypus OAuth Bank")
            .await;
        browser.click_button("Continue").await;

        browser
            .wait_for_text("h1", "Share your accounts with Tally?")
            .await;
        browser
            .screenshot("link-standin-oauth-consent")
            .await
            .unwrap();
        browser.click_button("Authorize").await;
        browser
            .wait_for_text("h2", "No bank link in progress")
            .await;
        assert_eq!(browser.path().await, "/oauth-link");
        let here = browser.run_js("return window.location.href").await;
        assert!(here.as_str().unwrap().contains("oauth_state_id="), "{here}");

        open_link(&browser, &token, here.as_str().map(str::to_owned)).await;
        share_accounts(&browser).await;

        let success = callback(&browser, "success").await;
        assert_eq!(
            success["metadata"]["institution"]["institution_id"],
            "ins_127287"
        );
        let public_token = success["public_token"].as_str().unwrap().to_owned();
        plaid
            .item_public_token_exchange(&SecretString::from(public_token))
            .await
            .unwrap();
    })
    .await;
}

#[sqlx::test(migrations = "../../migrations")]
async fn update_mode_repairs_a_broken_login(db: PgPool) {
    let app = spawn_app(db).await;
    let plaid = plaid(&app);
    let item = link(&plaid, "user_good", "pass_good", None).await;
    plaid.sandbox_item_reset_login(&item).await.unwrap();
    assert!(plaid
        .accounts_get(&item)
        .await
        .unwrap_err()
        .is_login_required());
    let token = link_token(&app, Some(&item)).await;

    let mut receiver = crate::simulator_support::WebhookReceiver::start(0).await;
    plaid
        .item_webhook_update(&item, Some(&receiver.url))
        .await
        .unwrap();
    assert_eq!(
        receiver.next().await.json()["webhook_code"],
        "WEBHOOK_UPDATE_ACKNOWLEDGED"
    );
    with_browser(&app, "link-standin-update", |browser| async move {
        open_link_on_host_page(&browser, &token).await;
        browser
            .wait_for_text("h2", "Log in to First Platypus Bank")
            .await;
        log_in(&browser, "pass_good").await;
        leave_success(&browser).await;
        callback(&browser, "success").await;
    })
    .await;

    assert!(plaid.item_get(&item).await.unwrap().item.error.is_none());
    plaid.accounts_get(&item).await.unwrap();
    assert_eq!(
        receiver.next().await.json()["webhook_code"],
        "LOGIN_REPAIRED"
    );
}

#[sqlx::test(migrations = "../../migrations")]
async fn a_bank_that_asks_for_a_code_gets_one(db: PgPool) {
    let app = spawn_app(db).await;
    let token = link_token(&app, None).await;
    with_browser(&app, "link-standin-mfa", |browser| async move {
        open_link_on_host_page(&browser, &token).await;
        browser.click_button("Tartan Bank").await;
        log_in(&browser, "mfa_device").await;
        browser.wait_for_text("h2", "Verify your identity").await;
        browser.fill("Code", "9999").await;
        browser.click_button("Submit").await;
        browser.wait_for_text("[role=alert]", "not correct").await;
        browser.fill("Code", "1234").await;
        browser.click_button("Submit").await;
        share_accounts(&browser).await;
        let success = callback(&browser, "success").await;
        assert_eq!(success["metadata"]["institution"]["name"], "Tartan Bank");
    })
    .await;
}
