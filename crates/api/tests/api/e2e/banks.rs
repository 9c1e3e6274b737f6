//! The dashboard's banks, in the browser as a person uses them: linking through the simulator's
//! Link (and a bank's OAuth page), a refused second link, a login that breaks and is repaired,
//! new transactions arriving live, removing a bank, and choosing the accounts a bank opened.

use super::browser::{with_browser, Browser};
use super::steps::{leave_success, log_in_to_bank, register, share_accounts};
use crate::helpers::spawn_app_at_public_url as spawn_app;
use fantoccini::Locator;
use sqlx::PgPool;
use std::time::{Duration, Instant};

const PASSWORD: &str = "correct horse battery";
const PLATYPUS: &str = "First Platypus Bank";
const OAUTH_BANK: &str = "Platypus OAuth Bank";

async fn sign_up(browser: &Browser, username: &str) {
    register(browser, username, PASSWORD).await;
}

/// "Link a bank", then First Platypus Bank in Link with `username` (its password is taken).
async fn link_platypus(browser: &Browser, username: &str) {
    browser.click_button("Link a bank").await;
    browser.wait_for_text("h2", "Select your bank").await;
    browser.click_button(PLATYPUS).await;
    browser
        .wait_for_text("h2", &format!("Log in to {PLATYPUS}"))
        .await;
    log_in_to_bank(browser, username, "pass_good").await;
    share_accounts(browser).await;
}

/// `//article` of the bank card titled `bank`.
fn card(bank: &str) -> String {
    format!("//article[@data-testid='bank-card'][.//h3[normalize-space(.)='{bank}']]")
}

async fn wait_for_status(browser: &Browser, bank: &str, status: &str) {
    let xpath = format!(
        "{}//*[@data-testid='bank-status'][normalize-space(.)='{status}']",
        card(bank)
    );
    browser.wait_for(Locator::XPath(&xpath)).await;
}

/// Clicks the enabled button reading `text` on `bank`'s card (opening its menu first when
/// `in_menu`).
async fn click_on_card(browser: &Browser, bank: &str, text: &str, in_menu: bool) {
    if in_menu {
        let toggle = format!(
            "{}//button[@aria-label='More actions for {bank}']",
            card(bank)
        );
        click_xpath(browser, &toggle).await;
    }
    let xpath = format!(
        "{}//button[normalize-space(.)='{text}' and not(@disabled)]",
        card(bank)
    );
    click_xpath(browser, &xpath).await;
}

async fn click_xpath(browser: &Browser, xpath: &str) {
    browser.click(Locator::XPath(xpath)).await;
}

/// Fails the test if the page reloaded since [`mark_document`].
async fn assert_same_document(browser: &Browser) {
    let same = browser
        .run_js("return window.__sameDocument === true")
        .await;
    assert_eq!(same, true, "the page reloaded");
}

async fn mark_document(browser: &Browser) {
    browser.run_js("window.__sameDocument = true").await;
}

async fn dismiss_toasts(browser: &Browser) {
    browser
        .run_js("document.querySelectorAll('[data-testid=toast] button').forEach(b => b.click())")
        .await;
}

async fn wait_until(what: &str, mut check: impl AsyncFnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while !check().await {
        assert!(Instant::now() < deadline, "{what} never happened");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[sqlx::test(migrations = "../../migrations")]
async fn a_linked_bank_shows_its_accounts_and_cannot_be_linked_twice(db: PgPool) {
    let app = spawn_app(db).await;
    let pool = app.db.clone();
    with_browser(&app, "banks-linked", |browser| async move {
        sign_up(&browser, "pia").await;
        mark_document(&browser).await;
        link_platypus(&browser, "user_good").await;

        wait_for_status(&browser, PLATYPUS, "Up to date").await;
        for text in ["Plaid Checking", "Checking", "••0000", "$110.00"] {
            browser
                .wait_for_text("[data-testid=bank-card] li", text)
                .await;
        }
        browser
            .wait_for_text("[data-testid=bank-card] li", "Plaid Credit Card")
            .await;
        let credit = browser
            .wait_for_text("[data-testid=bank-card] li", "Plaid Credit Card")
            .await
            .text()
            .await
            .unwrap();
        assert!(
            credit.contains("$410.00") && credit.contains("owed"),
            "{credit}"
        );
        browser
            .wait_for_text("[data-testid=bank-card] .bank-synced", "Synced")
            .await;
        browser
            .wait_for_text("[data-testid=toast]", &format!("{PLATYPUS}: "))
            .await;
        assert_same_document(&browser).await;
        browser
            .screenshot_page("banks-dashboard-desktop", 1280, 900)
            .await;
        browser
            .screenshot_screens("banks-dashboard-phone", 390, 844)
            .await;
        browser.prefer_color_scheme("dark").await;
        browser
            .screenshot_screens("banks-dashboard-phone-dark", 390, 844)
            .await;
        browser.prefer_color_scheme("light").await;

        // Nothing sticks out of a small phone's screen (the navigation scrolls on its own).
        browser.resize(360, 740).await;
        browser.run_js("window.scrollTo(0, 0)").await;
        browser.screenshot("banks-dashboard-phone-360").await.unwrap();
        let wide = browser
            .run_js(
                "return [...document.querySelectorAll('body *')]
                   .filter(e => !e.closest('.nav'))
                   .filter(e => e.getBoundingClientRect().right > window.innerWidth + 0.5)
                   .map(e => e.tagName + '.' + e.className + ' ' + e.getBoundingClientRect().right);",
            )
            .await;
        assert_eq!(wide, serde_json::json!([]), "{wide}");
        browser.resize(1280, 900).await;

        link_platypus(&browser, "user_good").await;
        browser
            .wait_for_text("[role=alert]", &format!("{PLATYPUS} is already linked"))
            .await;
        browser.screenshot("banks-duplicate").await.unwrap();
        let cards = browser
            .run_js("return document.querySelectorAll('[data-testid=bank-card]').length")
            .await;
        assert_eq!(cards, 1);
        browser.click_button("Dismiss").await;
    })
    .await;

    // Every Link callback was recorded: the successes, the events between, and no exits.
    let kinds: Vec<(String, i64)> =
        sqlx::query_as("select kind, count(*) from link_event group by kind order by kind")
            .fetch_all(&pool)
            .await
            .unwrap();
    let count = |kind: &str| kinds.iter().find(|(k, _)| k == kind).map_or(0, |(_, n)| *n);
    assert_eq!(count("success"), 2, "{kinds:?}");
    assert!(count("event") > 4, "{kinds:?}");
    assert_eq!(count("exit"), 0, "{kinds:?}");
}

#[sqlx::test(migrations = "../../migrations")]
async fn an_oauth_bank_links_through_its_own_consent_page(db: PgPool) {
    let app = spawn_app(db).await;
    with_browser(&app, "banks-oauth", |browser| async move {
        sign_up(&browser, "otto").await;
        browser.click_button("Link a bank").await;
        browser.click_button(OAUTH_BANK).await;
        browser
            .wait_for_text("h2", &format!("You will be sent to {OAUTH_BANK}"))
            .await;
        browser.click_button("Continue").await;

        browser
            .wait_for_text("h1", "Share your accounts with Tally?")
            .await;
        browser.click_button("Authorize").await;

        // Back at /oauth-link, Link opens again where it left off.
        browser.wait_for_text("h2", "Select accounts").await;
        assert_eq!(browser.path().await, "/oauth-link");
        browser.click_button("Continue").await;
        leave_success(&browser).await;

        wait_for_status(&browser, OAUTH_BANK, "Up to date").await;
        assert_eq!(browser.path().await, "/dashboard");
        let pending = browser
            .run_js("return sessionStorage.getItem('tally.pending-link')")
            .await;
        assert!(pending.is_null(), "the link token stayed behind: {pending}");

        // Back again without a link waiting: nothing to finish.
        browser.goto("/oauth-link?oauth_state_id=stale").await;
        browser
            .wait_for_text("h2", "No bank link in progress")
            .await;
        browser.click_link("Go to your dashboard").await;
        wait_for_status(&browser, OAUTH_BANK, "Up to date").await;
    })
    .await;
}

#[sqlx::test(migrations = "../../migrations")]
async fn a_login_that_breaks_shows_live_and_update_login_repairs_it(db: PgPool) {
    let app = spawn_app(db).await;
    with_browser(&app, "banks-update-login", |browser| async move {
        sign_up(&browser, "uma").await;
        link_platypus(&browser, "user_good").await;
        wait_for_status(&browser, PLATYPUS, "Up to date").await;
        mark_document(&browser).await;

        // The menu works from the keyboard: Enter opens it, Escape closes it and gives focus
        // back to its button.
        let toggle = browser
            .wait_for(Locator::XPath(&format!(
                "//button[@aria-label='More actions for {PLATYPUS}']"
            )))
            .await;
        browser
            .run_async_js(
                "const [el, done] = arguments; el.focus(); done(true);",
                vec![serde_json::to_value(&toggle).unwrap()],
            )
            .await;
        toggle.send_keys("\u{E007}").await.unwrap();
        browser.wait_for_text(".menu-list button", "Update login").await;
        assert_eq!(toggle.attr("aria-expanded").await.unwrap().as_deref(), Some("true"));
        browser.screenshot("banks-menu-keyboard").await.unwrap();
        toggle.send_keys("\u{E00C}").await.unwrap();
        wait_until("the menu closing", async || {
            browser
                .run_js("return document.querySelector('.menu-list') === null && document.activeElement.getAttribute('aria-expanded') === 'false'")
                .await
                == true
        })
        .await;

        click_on_card(&browser, PLATYPUS, "Test login required", true).await;
        wait_for_status(&browser, PLATYPUS, "Login required").await;
        browser
            .wait_for_text(
                "[data-testid=toast]",
                &format!("{PLATYPUS} needs you to log in again"),
            )
            .await;
        browser
            .wait_for_text(".bank-attention", "needs you to log in again")
            .await;
        assert_same_document(&browser).await;
        browser
            .run_js("document.getElementById('banks-title').scrollIntoView()")
            .await;
        browser.screenshot("banks-login-required").await.unwrap();

        click_on_card(&browser, PLATYPUS, "Update login", false).await;
        browser
            .wait_for_text("h2", &format!("Log in to {PLATYPUS}"))
            .await;
        log_in_to_bank(&browser, "user_good", "pass_good").await;
        leave_success(&browser).await;

        wait_for_status(&browser, PLATYPUS, "Up to date").await;
        browser
            .wait_for_text(
                "[data-testid=toast]",
                &format!("{PLATYPUS} is connected again"),
            )
            .await;
        assert_same_document(&browser).await;
    })
    .await;
}

#[sqlx::test(migrations = "../../migrations")]
async fn refreshed_transactions_arrive_live_and_removing_asks_first(db: PgPool) {
    let app = spawn_app(db).await;
    with_browser(&app, "banks-refresh-remove", |browser| async move {
        sign_up(&browser, "rio").await;
        link_platypus(&browser, "user_transactions_dynamic").await;
        wait_for_status(&browser, PLATYPUS, "Up to date").await;
        browser
            .wait_for_text("[data-testid=toast]", "new transactions")
            .await;
        dismiss_toasts(&browser).await;
        wait_until("the toasts going", async || {
            browser
                .run_js("return document.querySelectorAll('[data-testid=toast]').length")
                .await
                == 0
        })
        .await;
        mark_document(&browser).await;

        click_on_card(&browser, PLATYPUS, "Refresh transactions", false).await;
        let toast = browser
            .wait_for_text("[data-testid=toast]", "new transaction")
            .await;
        let text = toast.text().await.unwrap();
        assert!(text.starts_with(&format!("{PLATYPUS}: ")), "{text}");
        assert_same_document(&browser).await;
        browser.screenshot("banks-refreshed").await.unwrap();

        click_on_card(&browser, PLATYPUS, "Remove", true).await;
        browser
            .wait_for_text("dialog h2", &format!("Remove {PLATYPUS}?"))
            .await;
        browser.screenshot("banks-remove-dialog").await.unwrap();
        click_xpath(
            &browser,
            "//dialog[@open]//button[normalize-space(.)='Cancel']",
        )
        .await;
        wait_for_status(&browser, PLATYPUS, "Up to date").await;

        click_on_card(&browser, PLATYPUS, "Remove", true).await;
        click_xpath(
            &browser,
            "//dialog[@open]//button[normalize-space(.)='Remove bank']",
        )
        .await;
        browser.wait_for_text("h2", "No banks linked yet").await;
        browser
            .wait_for_text("[data-testid=toast]", &format!("{PLATYPUS} removed"))
            .await;
        assert_same_document(&browser).await;
    })
    .await;
}

#[sqlx::test(migrations = "../../migrations")]
async fn failures_are_told_in_words_and_a_region_that_failed_can_retry(db: PgPool) {
    let app = spawn_app(db).await;
    let pool = app.db.clone();
    with_browser(&app, "banks-failures", |browser| async move {
        sign_up(&browser, "fay").await;

        // A wrong password, then leaving Link: the dashboard says what happened.
        browser.click_button("Link a bank").await;
        browser.click_button(PLATYPUS).await;
        log_in_to_bank(&browser, "user_good", "wrong").await;
        browser
            .wait_for_text("[role=alert]", "The credentials were not correct.")
            .await;
        browser.click_button("Close").await;
        browser
            .wait_for_text(
                ".link-error",
                &format!("Linking {PLATYPUS} did not finish. The credentials were not correct."),
            )
            .await;
        browser.click_button("Dismiss").await;

        // The banks cannot be fetched: a message and Retry, not an empty space.
        browser.goto("/transactions").await;
        browser.wait_for_text("h1", "Transactions").await;
        browser
            .run_js(
                "window.__fetch = window.fetch;
                 window.fetch = (input, init) => String(input.url || input).includes('/api/items')
                   ? Promise.reject(new TypeError('Failed to fetch'))
                   : window.__fetch.call(window, input, init);",
            )
            .await;
        browser.click_link("Dashboard").await;
        browser
            .wait_for_text("[role=alert]", "Your banks could not be loaded.")
            .await;
        browser.screenshot("banks-load-error").await.unwrap();
        browser.run_js("window.fetch = window.__fetch").await;
        browser.click_button("Retry").await;
        browser.wait_for_text("h2", "No banks linked yet").await;
    })
    .await;

    let exit: (Option<String>, Option<String>, Option<String>) = sqlx::query_as(
        "select status, error_code, institution_id from link_event where kind = 'exit'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(
        exit,
        (
            Some("requires_credentials".to_owned()),
            Some("INVALID_CREDENTIALS".to_owned()),
            Some("ins_109508".to_owned())
        )
    );
}

#[sqlx::test(migrations = "../../migrations")]
async fn choose_accounts_shares_the_accounts_a_bank_opened(db: PgPool) {
    let app = spawn_app(db).await;
    let plaid = crate::simulator_support::plaid(&app);
    let pool = app.db.clone();
    with_browser(&app, "banks-choose-accounts", |browser| async move {
        sign_up(&browser, "nia").await;
        link_platypus(&browser, "user_good").await;
        wait_for_status(&browser, PLATYPUS, "Up to date").await;
        mark_document(&browser).await;

        // The bank opens an account and says so (Plaid's sandbox webhook).
        let (item_id, access_token): (String, String) =
            sqlx::query_as("select item_id, access_token from plaid_sim.item")
                .fetch_one(&pool)
                .await
                .unwrap();
        let access = tally::plaid::ItemAccess {
            item_id,
            access_token: secrecy::SecretString::from(access_token),
        };
        plaid
            .sandbox_item_fire_webhook(&access, "NEW_ACCOUNTS_AVAILABLE", None)
            .await
            .unwrap();
        wait_for_status(&browser, PLATYPUS, "New accounts available").await;
        browser
            .wait_for_text(".bank-attention", "accounts you have not shared")
            .await;

        // Link opens on its account chooser: no log-in, the new account offered unticked.
        click_on_card(&browser, PLATYPUS, "Choose accounts", false).await;
        browser.wait_for_text("h2", "Select accounts").await;
        let new_account = browser
            .wait_for(Locator::XPath(
                "//label[.//*[contains(., 'Plaid Bonus Savings')]]//input",
            ))
            .await;
        assert_eq!(
            new_account.prop("checked").await.unwrap().as_deref(),
            Some("false")
        );
        browser
            .screenshot("banks-choose-accounts-link")
            .await
            .unwrap();
        new_account.click().await.unwrap();
        browser.click_button("Continue").await;
        leave_success(&browser).await;

        wait_for_status(&browser, PLATYPUS, "Up to date").await;
        browser
            .wait_for_text("[data-testid=bank-card] li", "Plaid Bonus Savings")
            .await;
        assert_same_document(&browser).await;
    })
    .await;
}
