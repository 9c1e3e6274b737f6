//! The numbers in the browser: net worth with manual assets and its history, spending by
//! category, recent transactions, and the transactions page with its filters, pages and CSV.
//!
//! The bank is linked through the API for the person the browser registered (what Link's
//! `onSuccess` would have led to), so these tests need no Link in the page.

use super::browser::{with_browser, Browser};
use super::steps::{register, register_and_link, row_texts};
use crate::api_calls::{new_asset, PASSWORD};
use crate::helpers::TestApp;
use chrono::{Datelike, Local, Months, NaiveDate};
use fantoccini::Locator;
use reqwest::StatusCode;
use rust_decimal::{Decimal, RoundingStrategy};
use serde_json::json;
use sqlx::PgPool;
use std::time::{Duration, Instant};
use tally_shared::api::insights::{NetWorth, Spending};
use tally_shared::api::transactions::{TransactionFilter, TransactionPage};

const WAIT: Duration = Duration::from_secs(20);
const DESKTOP: (u32, u32) = (1280, 900);
const PHONE: (u32, u32) = (390, 844);

/// The `count` newest transactions.
fn newest(count: u32) -> TransactionFilter {
    TransactionFilter {
        limit: Some(count),
        ..TransactionFilter::default()
    }
}

/// The number in a money text such as "$12,345.67" or "-$5.00" (en-US, the test browser's).
fn amount_of(text: &str) -> Option<Decimal> {
    let kept: String = text
        .chars()
        .filter(|c| c.is_ascii_digit() || *c == '.' || *c == '-')
        .collect();
    kept.parse().ok()
}

/// As the browser shows money: rounded to cents, halves away from zero.
fn cents(amount: Decimal) -> Decimal {
    amount.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

/// This calendar month (the browser's, which is this machine's), as the dashboard shows it.
pub(super) fn this_month() -> (NaiveDate, NaiveDate) {
    let today = Local::now().date_naive();
    let first = today.with_day(1).unwrap();
    let last = first
        .checked_add_months(Months::new(1))
        .unwrap()
        .pred_opt()
        .unwrap();
    (first, last)
}

/// Waits until the element at `css` shows `expected` (as money).
pub(super) async fn wait_for_amount(browser: &Browser, css: &str, expected: Decimal) {
    let deadline = Instant::now() + WAIT;
    loop {
        let text = browser
            .run_js(&format!(
                "const e = document.querySelector('{css}'); return e ? e.textContent : null"
            ))
            .await;
        let shown = text.as_str().and_then(amount_of);
        if shown == Some(cents(expected)) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{css} shows {text:?}, not {expected} after {WAIT:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Waits until the rows on the page satisfy `done`, and returns them.
async fn wait_for_rows(
    browser: &Browser,
    what: &str,
    done: impl Fn(&[String]) -> bool,
) -> Vec<String> {
    let deadline = Instant::now() + WAIT;
    loop {
        let rows = row_texts(browser).await;
        if done(&rows) {
            return rows;
        }
        assert!(
            Instant::now() < deadline,
            "the rows never became {what}: {rows:#?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The part of the address after `?`.
async fn query(browser: &Browser) -> String {
    browser
        .run_js("return window.location.search")
        .await
        .as_str()
        .unwrap_or_default()
        .trim_start_matches('?')
        .to_owned()
}

async fn wait_for_query(browser: &Browser, expected: &str) {
    let deadline = Instant::now() + WAIT;
    while query(browser).await != expected {
        assert!(
            Instant::now() < deadline,
            "the address has ?{}, not ?{expected}",
            query(browser).await
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[sqlx::test(migrations = "../../migrations")]
async fn the_dashboard_adds_up_a_linked_bank_live(db: PgPool) {
    let app = spawn(db).await;
    let app = &app;
    with_browser(app, "numbers-dashboard", |browser| async move {
        // The dashboard stays open while the bank is linked: the live events bring the numbers.
        let (api, _) = register_and_link(app, &browser, "nina").await;

        let net_worth: NetWorth = app.get_json(&api, "/api/insights/net-worth").await;
        let usd = net_worth
            .currencies
            .iter()
            .find(|c| c.currency == "USD")
            .expect("user_good's accounts are in dollars");
        wait_for_amount(&browser, "[data-testid=net-worth-USD]", usd.net).await;
        wait_for_amount(&browser, "[data-testid=assets-USD]", usd.assets).await;
        wait_for_amount(&browser, "[data-testid=liabilities-USD]", usd.liabilities).await;
        for kind in [
            "Checking",
            "Savings",
            "Credit card",
            "Student loan",
            "Mortgage",
            "401(k)",
        ] {
            browser.wait_for_text(".nw-kinds li", kind).await;
        }
        browser.wait_for(Locator::Css(".chart svg[role=img]")).await;

        // Spending: this calendar month, the browser's, in words and with its total.
        let (first, last) = this_month();
        let spending: Spending = app
            .get_json(
                &api,
                &format!("/api/insights/spending?from={first}&to={last}&include_pending=false"),
            )
            .await;
        match spending.currencies.iter().find(|c| c.currency == "USD") {
            Some(usd) => {
                wait_for_amount(&browser, "[data-testid=spending-total-USD]", usd.total).await;
                let biggest = &usd.categories[0];
                let words = biggest.name.to_lowercase();
                let shown = browser.wait_for(Locator::Css(".bar-row .bar-name")).await;
                assert_eq!(shown.text().await.unwrap().to_lowercase(), words);
            }
            None => {
                browser.wait_for_text(".empty-line", "No spending in").await;
            }
        }
        browser.wait_for_text(".note", "not spending").await;

        // The ten newest transactions, newest first, and the way to all of them.
        let newest: TransactionPage = app.transactions(&api, &newest(10)).await;
        let deadline = Instant::now() + WAIT;
        loop {
            let count = browser
                .run_js(
                    "return document.querySelectorAll('[data-testid=recent-transaction]').length",
                )
                .await;
            if count == 10 {
                break;
            }
            assert!(Instant::now() < deadline, "{count} recent transactions");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let first_shown = browser
            .wait_for(Locator::Css("[data-testid=recent-transaction]"))
            .await
            .text()
            .await
            .unwrap();
        let newest_name = newest.transactions[0]
            .merchant_name
            .clone()
            .unwrap_or_else(|| newest.transactions[0].name.clone());
        assert!(first_shown.contains(&newest_name), "{first_shown:?}");

        // Categories in words, never Plaid's codes.
        let text = browser
            .run_js("return document.querySelector('.dashboard').innerText")
            .await;
        let text = text.as_str().unwrap();
        assert!(
            !text.split_whitespace().any(|word| word.contains('_')
                && word
                    .chars()
                    .filter(char::is_ascii_alphabetic)
                    .all(|c| c.is_ascii_uppercase())),
            "a raw category code on the dashboard: {text}"
        );

        // Two months of history (as daily syncs would have recorded it) draw a line.
        sqlx::query(
            "insert into balance_snapshot
                 (account_id, user_id, snapshot_date, current_balance, available_balance, currency)
             select account_id, user_id, snapshot_date - d,
                    current_balance + d * 45.5 + (d % 7) * 120, null, currency
             from balance_snapshot, generate_series(1, 60) d
             where user_id = (select user_id from app_user where username = 'nina')",
        )
        .execute(&app.db)
        .await
        .unwrap();
        browser.goto("/dashboard").await;
        // The net worth chart's, not the Next 30 days card's (which says "lowest" too).
        browser
            .wait_for_text("desc[id^=net-worth-chart]", "lowest")
            .await;
        let labels = browser
            .run_js(
                "return document.querySelector('desc[id^=net-worth-chart]').closest('figure')
                     .querySelectorAll('.chart-x span').length",
            )
            .await;
        assert_eq!(labels, 4);
        wait_for_amount(&browser, "[data-testid=net-worth-USD]", usd.net).await;

        browser
            .screenshot_page("numbers-dashboard-desktop", DESKTOP.0, DESKTOP.1)
            .await;
        browser
            .screenshot_screens("numbers-dashboard-phone", PHONE.0, PHONE.1)
            .await;
        browser.prefer_color_scheme("dark").await;
        browser
            .screenshot_page("numbers-dashboard-dark", DESKTOP.0, DESKTOP.1)
            .await;
        browser.prefer_color_scheme("light").await;
        browser.resize(DESKTOP.0, DESKTOP.1).await;

        browser.click_link("See all transactions").await;
        browser.wait_for_text("h1", "Transactions").await;
        assert_eq!(browser.path().await, "/transactions");
    })
    .await;
}

#[sqlx::test(migrations = "../../migrations")]
async fn assets_are_added_and_deleted_after_a_confirmation(db: PgPool) {
    let app = spawn(db).await;
    let app = &app;
    with_browser(app, "numbers-assets", |browser| async move {
        let (api, _) = register_and_link(app, &browser, "olek").await;
        let before: NetWorth = app.get_json(&api, "/api/insights/net-worth").await;
        let net_before = before.currencies[0].net;
        wait_for_amount(&browser, "[data-testid=net-worth-USD]", net_before).await;

        // The server's objection appears beside the field it is about.
        browser.fill("Description", "House").await;
        browser.fill("Value", "lots").await;
        browser.fill("Currency", "USD").await;
        browser.click_button("Add asset").await;
        browser.wait_for_text(".field-error", "plain number").await;

        browser.fill("Value", "250000").await;
        browser.click_button("Add asset").await;
        browser
            .wait_for_text("[data-testid=manual-assets] li", "House")
            .await;
        wait_for_amount(
            &browser,
            "[data-testid=net-worth-USD]",
            net_before + Decimal::from(250_000),
        )
        .await;
        browser
            .wait_for_text(".nw-kinds li", "Entered by you")
            .await;

        // Deleting asks first; Cancel keeps the asset.
        browser.click_button("Delete House").await;
        browser
            .wait_for_text("dialog[open] h2", "Delete “House”?")
            .await;
        browser.screenshot("numbers-assets-confirm").await.unwrap();
        browser.click_button("Cancel").await;
        let open = browser
            .run_js("return document.querySelector('dialog').open")
            .await;
        assert_eq!(open, false);
        browser
            .wait_for_text("[data-testid=manual-assets] li", "House")
            .await;

        browser.click_button("Delete House").await;
        browser.click_button("Delete asset").await;
        browser.wait_for_text(".manual-assets p", "None yet.").await;
        wait_for_amount(&browser, "[data-testid=net-worth-USD]", net_before).await;
        let assets: serde_json::Value = app.get_json(&api, "/api/assets").await;
        assert_eq!(assets["assets"], json!([]));

        // An asset added elsewhere (another tab) arrives by itself; a second currency gets a
        // balance sheet of its own, never added to the first.
        let flat = new_asset("Flat in Lyon", "180000", "EUR");
        let response = app.create_asset(&api, &flat).await;
        assert_eq!(response.status(), StatusCode::CREATED);
        browser
            .wait_for_text("[data-testid=manual-assets] li", "Flat in Lyon")
            .await;
        browser.wait_for_text(".nw-label", "In EUR").await;
        let euros = browser
            .wait_for(Locator::Css("[data-testid=net-worth-EUR]"))
            .await
            .text()
            .await
            .unwrap();
        assert!(euros.contains("180,000.00"), "{euros}");
        wait_for_amount(&browser, "[data-testid=net-worth-USD]", net_before).await;
        browser
            .screenshot_page("numbers-assets-two-currencies", DESKTOP.0, DESKTOP.1)
            .await;
    })
    .await;
}

#[sqlx::test(migrations = "../../migrations")]
async fn transactions_are_searched_filtered_paged_and_exported(db: PgPool) {
    let app = spawn(db).await;
    let app = &app;
    with_browser(app, "numbers-transactions", |browser| async move {
        let (api, _) = register_and_link(app, &browser, "tomas").await;

        // A link with a search shows only what matches, and keeps it on reload.
        browser.goto("/transactions?q=coffee").await;
        let expected: TransactionPage = app.transactions(&api, &TransactionFilter { q: Some("coffee".into()), ..TransactionFilter::default() }).await;
        assert!(!expected.transactions.is_empty());
        let rows = wait_for_rows(&browser, "the coffee ones", |rows| {
            rows.len() == expected.transactions.len()
        })
        .await;
        assert!(rows.iter().all(|row| row.to_lowercase().contains("coffee")), "{rows:#?}");
        let search = browser
            .run_js("return document.querySelector('input[name=q]').value")
            .await;
        assert_eq!(search, "coffee");

        // The CSV link carries the filter, and the file holds only what matches.
        let href = browser
            .run_js("return [...document.querySelectorAll('a')].find(a => a.textContent.trim() === 'Download CSV').getAttribute('href')")
            .await;
        assert_eq!(href, "/api/transactions/export.csv?q=coffee");
        let csv = api.get(app.url(href.as_str().unwrap())).send().await.unwrap();
        assert_eq!(csv.status(), StatusCode::OK);
        let csv = csv.text().await.unwrap();
        let lines: Vec<&str> = csv.lines().skip(1).collect();
        assert!(lines.len() >= expected.transactions.len());
        assert!(lines.iter().all(|line| line.to_lowercase().contains("coffee")));

        // Typing searches once typing pauses, and the address follows.
        browser.click_button("Clear filters").await;
        wait_for_query(&browser, "").await;
        wait_for_rows(&browser, "a full page", |rows| rows.len() == 50).await;
        browser.fill("Search", "Starbucks").await;
        wait_for_query(&browser, "q=Starbucks").await;
        wait_for_rows(&browser, "Starbucks only", |rows| {
            !rows.is_empty() && rows.iter().all(|row| row.contains("Starbucks"))
        })
        .await;

        // Category and status, in words, reflected in the address.
        browser.select("Category", "Food and drink").await;
        wait_for_query(&browser, "q=Starbucks&category=FOOD_AND_DRINK").await;
        browser.click_button("Clear filters").await;
        wait_for_query(&browser, "").await;
        browser.select("Category", "Food and drink").await;
        wait_for_query(&browser, "category=FOOD_AND_DRINK").await;
        wait_for_rows(&browser, "food and drink", |rows| {
            rows.len() == 50 && rows.iter().all(|row| row.contains("Food and drink"))
        })
        .await;
        browser.select("Status", "Pending").await;
        wait_for_query(&browser, "category=FOOD_AND_DRINK&pending=true").await;
        let pending: TransactionPage =
            app.transactions(&api, &TransactionFilter { category: Some("FOOD_AND_DRINK".into()), pending: Some(true), ..TransactionFilter::default() }).await;
        let rows = wait_for_rows(&browser, "the pending ones", |rows| {
            rows.len() == pending.transactions.len()
        })
        .await;
        assert!(rows.iter().all(|row| row.contains("Pending")));

        // Pages: the server's keyset pages, forward and back; one page in the DOM at a time.
        browser.goto("/transactions").await;
        let first_page = wait_for_rows(&browser, "a full page", |rows| rows.len() == 50).await;
        let page_one = app.transactions(&api, &TransactionFilter::default()).await;
        let after_one = TransactionFilter {
            cursor: Some(page_one.next_cursor.clone().unwrap()),
            ..TransactionFilter::default()
        };
        let page_two = app.transactions(&api, &after_one).await;
        browser.click_button("Next page").await;
        browser.wait_for_text("[data-testid=page-number]", "Page 2").await;
        let second_page = wait_for_rows(&browser, "page two", |rows| {
            rows.len() == 50 && rows != first_page
        })
        .await;
        let second_first = &page_two.transactions[0];
        let who = second_first
            .merchant_name
            .clone()
            .unwrap_or_else(|| second_first.name.clone());
        assert!(second_page[0].contains(&who), "{:?} is not {who}", second_page[0]);
        browser.click_button("Next page").await;
        browser.wait_for_text("[data-testid=page-number]", "Page 3").await;
        browser.click_button("Previous page").await;
        browser.wait_for_text("[data-testid=page-number]", "Page 2").await;
        browser.click_button("Previous page").await;
        browser.wait_for_text("[data-testid=page-number]", "Page 1").await;
        wait_for_rows(&browser, "page one again", |rows| rows == first_page).await;

        // Logos are the simulator's own and load (a failed one would be a console error).
        let broken = browser
            .run_js(
                "return [...document.querySelectorAll('img.logo')]
                     .filter(img => img.complete && img.naturalWidth === 0).length",
            )
            .await;
        assert_eq!(broken, 0);

        browser.screenshot_page("numbers-transactions-desktop", DESKTOP.0, DESKTOP.1).await;
        browser.screenshot_screens("numbers-transactions-phone", PHONE.0, PHONE.1).await;
        browser.prefer_color_scheme("dark").await;
        browser.screenshot_screens("numbers-transactions-dark-phone", PHONE.0, PHONE.1).await;
        browser.prefer_color_scheme("light").await;
        browser.resize(DESKTOP.0, DESKTOP.1).await;
    })
    .await;
}

#[sqlx::test(migrations = "../../migrations")]
async fn another_person_sees_none_of_it(db: PgPool) {
    let app = spawn(db).await;
    let app = &app;
    let ada = app.sign_up("ada").await.client;
    app.link_bank(&ada, "user_good").await;
    let boat = new_asset("Ada's boat", "9000", "USD");
    let response = app.create_asset(&ada, &boat).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let adas: TransactionPage = app.transactions(&ada, &newest(1)).await;
    let adas_account = adas.transactions[0].account_id;

    with_browser(app, "numbers-another-person", |browser| async move {
        register(&browser, "bob", PASSWORD).await;
        browser
            .wait_for_text(".empty-line", "Nothing to add up yet")
            .await;
        browser.wait_for_text(".manual-assets p", "None yet.").await;
        let text = browser.run_js("return document.body.innerText").await;
        assert!(!text.as_str().unwrap().contains("Ada's boat"));

        browser.click_link("Transactions").await;
        browser
            .wait_for_text(".empty-line", "No transactions yet.")
            .await;
        assert!(row_texts(&browser).await.is_empty());

        // Not even by asking for Ada's account.
        browser
            .goto(&format!("/transactions?account_id={adas_account}"))
            .await;
        browser
            .wait_for_text(".empty-line", "No transactions match these filters.")
            .await;
        assert!(row_texts(&browser).await.is_empty());
    })
    .await;
}

async fn spawn(db: PgPool) -> TestApp {
    crate::helpers::spawn_app(db).await
}
