//! Steps a person takes through Tally's account forms and the simulator's Link stand-in.

use super::browser::Browser;
use crate::api_calls::{login_request, PASSWORD};
use crate::helpers::{browser_like_client, TestApp};
use reqwest::StatusCode;
use tally_shared::api::items::Item;

/// Fills "Username" and "Password" and clicks `button`: Tally's register and log-in forms, and a
/// bank's log-in screen in Link, all read these two fields.
pub async fn submit_credentials(browser: &Browser, username: &str, password: &str, button: &str) {
    browser.fill("Username", username).await;
    browser.fill("Password", password).await;
    browser.click_button(button).await;
}

/// Registers `username` on the register page and waits for the empty dashboard.
pub async fn register(browser: &Browser, username: &str, password: &str) {
    browser.goto("/register").await;
    submit_credentials(browser, username, password, "Create account").await;
    browser.wait_for_text("h2", "No banks linked yet").await;
}

/// The bank's log-in screen in Link: fills it in and submits it.
pub async fn log_in_to_bank(browser: &Browser, username: &str, password: &str) {
    submit_credentials(browser, username, password, "Submit").await;
}

/// "Select accounts": shares every account offered, then leaves through the success screen.
pub async fn share_accounts(browser: &Browser) {
    browser.wait_for_text("h2", "Select accounts").await;
    browser.click_button("Continue").await;
    leave_success(browser).await;
}

/// The success screen: Continue closes Link and calls `onSuccess`.
pub async fn leave_success(browser: &Browser) {
    browser.wait_for_text("h2", "Success").await;
    browser.click_button("Continue").await;
}

/// Registers `username` in the browser (which keeps its own session cookie), then, as the same
/// person through the API, links First Platypus Bank and waits for its first sync: what Link's
/// `onSuccess` would have led to, without Link in the page.
pub async fn register_and_link(
    app: &TestApp,
    browser: &Browser,
    username: &str,
) -> (reqwest::Client, Item) {
    register(browser, username, PASSWORD).await;
    let api = browser_like_client();
    let response = app.log_in(&api, &login_request(username, PASSWORD)).await;
    assert_eq!(response.status(), StatusCode::OK);
    let item = app.link_bank(&api, "user_good").await;
    (api, item)
}

/// The text of every transaction row on the page.
pub async fn row_texts(browser: &Browser) -> Vec<String> {
    let texts = browser
        .run_js(
            "return [...document.querySelectorAll('[data-testid=transaction-row]')]
                 .map(row => row.textContent)",
        )
        .await;
    serde_json::from_value(texts).unwrap()
}
