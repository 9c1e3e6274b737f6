//! Creating an account, logging out and in, and the admin page, in the browser.

use super::browser::with_browser;
use super::steps::submit_credentials;
use crate::api_calls::register_request;
use crate::helpers::{browser_like_client, spawn_app};
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
                 [r.cells[0].textContent, r.cells[3].textContent, !!r.querySelector('button')])",
            )
            .await;
        assert_eq!(
            rows,
            serde_json::json!([["root", "0", false], ["olga", "0", true]])
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
        // The first form on the page is "Create an account".
        submit_credentials(&browser, "hana", PASSWORD, "Create account").await;
        browser.wait_for_text("h2", "No banks linked yet").await;
        assert_eq!(browser.path().await, "/dashboard");

        browser.goto("/").await;
        browser.wait_for_text("h1", "Dashboard").await;
        assert_eq!(browser.path().await, "/dashboard");
    })
    .await;
}
