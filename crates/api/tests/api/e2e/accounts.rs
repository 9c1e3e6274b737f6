//! Creating an account, logging out and in, and the admin page, in the browser.

use super::browser::with_browser;
use super::steps::submit_credentials;
use crate::api_calls::register_request;
use crate::helpers::{browser_like_client, spawn_app, spawn_app_with, TestApp};
use sqlx::PgPool;

const PASSWORD: &str = "correct horse battery";

#[sqlx::test(migrations = "../../migrations")]
async fn register_log_out_and_log_back_in(db: PgPool) {
    let app = spawn_app(db).await;
    with_browser(&app, "accounts-register", |browser| async move {
        browser.goto("/register").await;
        browser.wait_for_text("h1", "Create your account").await;
        submit_credentials(&browser, "nora", "short", "Create account").await;
        browser
            .wait_for_text(".field-error", "at least 10 characters")
            .await;

        browser.fill("Password", PASSWORD).await;
        browser.click_button("Create account").await;
        browser.wait_for_text("h2", "No banks linked yet").await;
        assert_eq!(browser.path().await, "/dashboard");
        browser
            .wait_for_text("[data-testid=signed-in-as]", "nora")
            .await;
        browser.wait_for_text("nav a", "Admin").await;

        browser.click_button("Log out").await;
        browser.wait_for_text("h1", "Log in to Tally").await;
        submit_credentials(&browser, "nora", "not the password", "Log in").await;
        browser
            .wait_for_text("[role=alert]", "Wrong username or password.")
            .await;
        browser.fill("Password", PASSWORD).await;
        browser.click_button("Log in").await;
        browser
            .wait_for_text("[data-testid=signed-in-as]", "nora")
            .await;
        assert_eq!(browser.path().await, "/dashboard");
    })
    .await;
}

#[sqlx::test(migrations = "../../migrations")]
async fn the_admin_page_is_for_admins(db: PgPool) {
    let app = spawn_app(db).await;
    for name in ["root", "olga"] {
        let request = register_request(name, PASSWORD);
        let response = app.register(&browser_like_client(), &request).await;
        assert!(response.status().is_success());
    }
    with_browser(&app, "accounts-admin", |browser| async move {
        browser.goto("/login").await;
        submit_credentials(&browser, "olga", PASSWORD, "Log in").await;
        browser
            .wait_for_text("[data-testid=signed-in-as]", "olga")
            .await;
        browser.goto("/admin").await;
        browser.wait_for_text("h2", "Not allowed").await;

        browser.click_button("Log out").await;
        browser.wait_for_text("h1", "Log in to Tally").await;
        submit_credentials(&browser, "root", PASSWORD, "Log in").await;
        browser
            .wait_for_text("[data-testid=signed-in-as]", "root")
            .await;
        browser.click_link("Admin").await;
        browser.wait_for_text("td", "olga").await;
        // Nobody has linked a bank: no banks, never synced.
        browser.wait_for_text("td", "Never").await;
        // An administrator cannot delete themself here: their row offers no Delete.
        let rows = browser
            .run_js(
                "return [...document.querySelectorAll('tbody tr')].map(r => \
                 [r.cells[0].textContent, r.cells[3].textContent, r.cells[4].textContent, \
                  r.cells[5].textContent, !!r.querySelector('button')])",
            )
            .await;
        // Name, two-factor codes, passkeys, banks, and whether the row offers buttons.
        assert_eq!(
            rows,
            serde_json::json!([
                ["root", "Off", "0", "0", false],
                ["olga", "Off", "0", "0", true]
            ])
        );
        browser.screenshot("accounts-admin-list").await.unwrap();
    })
    .await;
}

#[sqlx::test(migrations = "../../migrations")]
async fn the_home_page_signs_people_up_and_then_sends_them_on(db: PgPool) {
    let app = spawn_app(db).await;
    with_browser(&app, "home-sign-up", |browser| async move {
        browser.goto("/").await;
        browser
            .wait_for_text(".sim-badge", "Simulated bank data")
            .await;
        browser.wait_for_text("h2", "Create an account").await;
        browser.wait_for_text("h2", "Log in").await;
        // The first form on the page is "Create an account", once the server said sign-up is
        // open (until then only the log-in form is there).
        browser.wait_for_text("button", "Create account").await;
        submit_credentials(&browser, "hana", PASSWORD, "Create account").await;
        browser.wait_for_text("h2", "No banks linked yet").await;
        assert_eq!(browser.path().await, "/dashboard");

        // Opened afresh when signed in, the home page sends its visitor on without its part.
        browser.goto("/").await;
        browser.wait_for_text("h1", "Dashboard").await;
        assert_eq!(browser.path().await, "/dashboard");
        let home_part = browser
            .run_js(
                "return performance.getEntriesByType('resource')
                     .filter(entry => entry.name.includes('home_page')).length",
            )
            .await;
        assert_eq!(home_part, 0);
    })
    .await;
}

/// Registers `username` through the API (the first account is the administrator).
async fn register_by_api(app: &TestApp, username: &str) {
    let request = register_request(username, PASSWORD);
    let response = app.register(&browser_like_client(), &request).await;
    assert!(response.status().is_success(), "{}", response.status());
}

/// How many forms on the page ask for a username (log-in and sign-up forms).
async fn username_fields(browser: &super::browser::Browser) -> serde_json::Value {
    browser
        .run_js("return document.querySelectorAll('input[name=username]').length")
        .await
}

#[sqlx::test(migrations = "../../migrations")]
async fn an_invite_link_from_the_admin_page_signs_someone_up(db: PgPool) {
    let app = spawn_app_with(db, &[("REGISTRATION", "invite")]).await;
    register_by_api(&app, "root").await;
    with_browser(&app, "accounts-invite", |browser| async move {
        // Without an invite the home page offers only the log-in form.
        browser.goto("/").await;
        browser
            .wait_for_text(
                "[data-testid=sign-up-closed]",
                "Ask an administrator for an invite",
            )
            .await;
        assert_eq!(username_fields(&browser).await, 1);

        submit_credentials(&browser, "root", PASSWORD, "Log in").await;
        browser
            .wait_for_text("[data-testid=signed-in-as]", "root")
            .await;
        browser.click_link("Admin").await;
        browser.click_button("Create invite").await;
        browser
            .wait_for(fantoccini::Locator::Css("[data-testid=invite-link]"))
            .await;
        let link = browser
            .run_js("return document.querySelector('[data-testid=invite-link]').value")
            .await;
        let link = link.as_str().unwrap().to_owned();
        browser.wait_for_text("td", "Open, expires").await;
        browser.screenshot("accounts-invite-created").await.unwrap();

        browser.click_button("Log out").await;
        browser.wait_for_text("h1", "Log in to Tally").await;
        let (_, token) = link.split_once("/?invite=").unwrap();
        browser.goto(&format!("/?invite={token}")).await;
        browser.wait_for_text(".muted", "You were invited").await;
        let prefilled = browser
            .run_js("return document.querySelector('input[name=invite]').value")
            .await;
        assert_eq!(prefilled, token);
        browser.screenshot("accounts-invite-sign-up").await.unwrap();
        submit_credentials(&browser, "ivy", PASSWORD, "Create account").await;
        browser.wait_for_text("h2", "No banks linked yet").await;
        browser
            .wait_for_text("[data-testid=signed-in-as]", "ivy")
            .await;
    })
    .await;
}

#[sqlx::test(migrations = "../../migrations")]
async fn a_closed_server_shows_no_sign_up_form(db: PgPool) {
    let app = spawn_app_with(db, &[("REGISTRATION", "closed")]).await;
    with_browser(&app, "accounts-closed", |browser| async move {
        // The first account may always be made, and the page says what it will be.
        browser.goto("/register").await;
        browser
            .wait_for_text(".muted", "the first account is this server's administrator")
            .await;
        submit_credentials(&browser, "root", PASSWORD, "Create account").await;
        browser.wait_for_text("h2", "No banks linked yet").await;
        browser.click_button("Log out").await;
        browser.wait_for_text("h1", "Log in to Tally").await;

        browser.goto("/").await;
        browser
            .wait_for_text("[data-testid=sign-up-closed]", "not taking new accounts")
            .await;
        assert_eq!(username_fields(&browser).await, 1);
    })
    .await;
}

#[sqlx::test(migrations = "../../migrations")]
async fn deleting_my_account_asks_for_my_password(db: PgPool) {
    let app = spawn_app(db).await;
    register_by_api(&app, "root").await;
    let app = &app;
    with_browser(app, "accounts-delete-me", |browser| async move {
        super::steps::register(&browser, "dora", PASSWORD).await;
        browser.click_link("Settings").await;
        browser.wait_for_text("h1", "Settings").await;

        browser.fill("Your password", "not my password").await;
        browser.click_button("Delete my account").await;
        browser
            .wait_for_text("dialog[open] h2", "Delete your account?")
            .await;
        browser.click_button("Delete everything").await;
        browser
            .wait_for_text("[role=alert]", "not your password")
            .await;
        browser
            .screenshot("accounts-delete-me-refused")
            .await
            .unwrap();

        browser.fill("Your password", PASSWORD).await;
        browser.click_button("Delete my account").await;
        browser.click_button("Delete everything").await;
        browser.wait_for_text("h2", "Create an account").await;
        assert_eq!(browser.path().await, "/");
        let left = crate::helpers::count(&app.db, "app_user where username = 'dora'").await;
        assert_eq!(left, 0);
    })
    .await;
}
