//! Settings: changing the password and signing other browsers out, in the browser.

use super::browser::{with_browser, Browser};
use super::steps::submit_credentials;
use crate::api_calls::login_request;
use crate::helpers::{spawn_app, TestApp};
use reqwest::{Client, StatusCode};
use sqlx::PgPool;
use std::time::{Duration, Instant};

const PASSWORD: &str = "correct horse battery";
const NEW_PASSWORD: &str = "staple battery horse correct";
const FIREFOX_ON_WINDOWS: &str =
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0";
const SAFARI_ON_IPHONE: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1";

/// Another device signing in as `username` through the API.
async fn other_device(app: &TestApp, user_agent: &str, username: &str) -> Client {
    let client = Client::builder()
        .user_agent(user_agent)
        .cookie_store(true)
        .build()
        .unwrap();
    let response = app
        .log_in(&client, &login_request(username, PASSWORD))
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    client
}

/// From `desk`, signed in as the browser's user, revokes the one other session: the browser's.
async fn revoke_the_other_session(app: &TestApp, desk: &Client) {
    let sessions = app.sessions(desk).await.sessions;
    let others: Vec<_> = sessions.iter().filter(|s| !s.current).collect();
    assert_eq!(others.len(), 1, "{sessions:?}");
    let revoked = app.revoke_session(desk, others[0].id).await;
    assert_eq!(revoked.status(), StatusCode::NO_CONTENT);
}

/// How many sessions the Settings page lists.
async fn listed_sessions(browser: &Browser) -> u64 {
    browser
        .run_js("return document.querySelectorAll('[data-testid=session-row]').length")
        .await
        .as_u64()
        .unwrap()
}

/// Waits until the page lists `count` sessions.
async fn wait_for_sessions(browser: &Browser, count: u64) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while listed_sessions(browser).await != count {
        assert!(
            Instant::now() < deadline,
            "the page does not list {count} sessions"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[sqlx::test(migrations = "../../migrations")]
async fn change_the_password_and_revoke_a_session_on_the_settings_page(db: PgPool) {
    let app = spawn_app(db).await;
    let app = &app;
    with_browser(app, "settings-sessions", |browser| async move {
        super::steps::register(&browser, "dora", PASSWORD).await;
        let laptop = other_device(app, FIREFOX_ON_WINDOWS, "dora").await;
        let phone = other_device(app, SAFARI_ON_IPHONE, "dora").await;
        browser.click_link("Settings").await;
        browser.wait_for_text("h1", "Settings").await;
        browser.wait_for_text("td", "Firefox on Windows 10").await;
        browser.wait_for_text(".badge", "This device").await;
        wait_for_sessions(&browser, 3).await;
        browser
            .screenshot_page("settings-sessions-light", 1200, 900)
            .await;
        browser
            .screenshot_page("settings-sessions-phone", 390, 844)
            .await;
        browser.resize(1200, 900).await;

        // Revoke the laptop: it is signed out and leaves the list.
        browser.click_button("Revoke Firefox on Windows 10").await;
        wait_for_sessions(&browser, 2).await;
        assert_eq!(
            app.who_am_i(&laptop).await.status(),
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(app.who_am_i(&phone).await.status(), StatusCode::OK);

        // A wrong current password changes nothing.
        browser.fill("Current password", "not my password").await;
        browser.fill("New password", NEW_PASSWORD).await;
        browser.fill("New password again", NEW_PASSWORD).await;
        browser.click_button("Change password").await;
        browser
            .wait_for_text("[role=alert]", "not your current password")
            .await;
        assert_eq!(app.who_am_i(&phone).await.status(), StatusCode::OK);

        // The right one: the phone is signed out, this browser stays.
        browser.fill("Current password", PASSWORD).await;
        browser.click_button("Change password").await;
        browser
            .wait_for_text("[role=status]", "Your password was changed")
            .await;
        wait_for_sessions(&browser, 1).await;
        assert_eq!(
            app.who_am_i(&phone).await.status(),
            StatusCode::UNAUTHORIZED
        );
        browser.prefer_color_scheme("dark").await;
        browser
            .screenshot_page("settings-sessions-dark", 1200, 900)
            .await;
        browser.prefer_color_scheme("light").await;

        // The new password is the one that logs in.
        browser.click_button("Log out").await;
        browser.wait_for_text("h1", "Log in to Tally").await;
        submit_credentials(&browser, "dora", PASSWORD, "Log in").await;
        browser
            .wait_for_text("[role=alert]", "Wrong username or password.")
            .await;
        browser.fill("Password", NEW_PASSWORD).await;
        browser.click_button("Log in").await;
        browser
            .wait_for_text("[data-testid=signed-in-as]", "dora")
            .await;
        browser.click_link("Settings").await;
        wait_for_sessions(&browser, 1).await;

        // Revoked from another device, this tab learns it through its closed live socket and
        // asks the person to log in again, without a reload.
        let desk = Client::builder().cookie_store(true).build().unwrap();
        let response = app
            .log_in(&desk, &login_request("dora", NEW_PASSWORD))
            .await;
        assert_eq!(response.status(), StatusCode::OK);
        revoke_the_other_session(app, &desk).await;
        browser
            .wait_for_text("h2", "Log in to see your money")
            .await;
    })
    .await;
}

#[sqlx::test(migrations = "../../migrations")]
async fn a_tab_that_cannot_check_its_session_waits_instead_of_knocking_with_it(db: PgPool) {
    let app = spawn_app(db).await;
    let app = &app;
    with_browser(app, "settings-session-unchecked", |browser| async move {
        super::steps::register(&browser, "erin", PASSWORD).await;
        browser.wait_for_text(".live-status", "Updating live").await;
        browser.click_link("Settings").await;
        wait_for_sessions(&browser, 1).await;

        // The tab cannot ask the server about its session for now, when its session is revoked
        // from another device, which closes its live socket.
        browser.block_requests(&["*/api/session"]).await;
        let desk = other_device(app, FIREFOX_ON_WINDOWS, "erin").await;
        revoke_the_other_session(app, &desk).await;

        // Its socket closed, it asks after one second and again after two more; both questions
        // fail (so it still shows the page), and it does not open a socket with a session the
        // server has not vouched for.
        tokio::time::sleep(Duration::from_millis(3_500)).await;
        let signed_out = browser
            .run_js(
                "return [...document.querySelectorAll('h2')]
                     .some(h => h.textContent.includes('Log in to see your money'))",
            )
            .await;
        assert_eq!(
            signed_out,
            serde_json::json!(false),
            "the tab learnt it was signed out: its questions were not blocked"
        );
        let errors = browser.console_errors().await;
        assert!(
            !errors.iter().any(|error| error.contains("/api/ws")),
            "the tab knocked with a revoked session: {errors:#?}"
        );

        // Once it can ask again, it learns that it was signed out.
        browser.block_requests(&[]).await;
        browser
            .wait_for_text("h2", "Log in to see your money")
            .await;
    })
    .await;
}
