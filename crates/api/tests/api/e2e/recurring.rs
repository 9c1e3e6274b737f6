//! The Recurring page and the dashboard's "Next 30 days", in the browser, on the simulator's
//! `user_good` with the streams the simulator's Plaid reports for its history.

use super::accessibility::Audit;
use super::browser::{with_browser, Browser};
use crate::helpers::{spawn_app, TestApp};
use fantoccini::Locator;
use rust_decimal::Decimal;
use sqlx::PgPool;
use std::time::{Duration, Instant};
use tally_shared::api::insights::{CashFlow, Upcoming};
use tally_shared::api::recurring::Direction;
use tally_shared::ids::ItemId;
use uuid::Uuid;

/// "$1,234.50", "-$24.75": money as the browser (en-US) writes it.
fn dollars(amount: Decimal) -> String {
    let cents = amount.abs().round_dp(2);
    let whole = cents.trunc().to_string();
    let mut grouped = String::new();
    for (index, digit) in whole.chars().enumerate() {
        if index > 0 && (whole.len() - index).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    let fraction = format!("{:.2}", cents.fract());
    let sign = if amount.is_sign_negative() && !amount.is_zero() {
        "-"
    } else {
        ""
    };
    format!("{sign}${grouped}{}", fraction.trim_start_matches('0'))
}

/// Waits for the refresh after the first sync to store the item's streams; returns their owner.
async fn wait_for_streams(db: &PgPool, item: ItemId) -> Uuid {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let owner: Option<Uuid> =
            sqlx::query_scalar("select user_id from recurring_stream where item_id = $1 limit 1")
                .bind(item.0)
                .fetch_optional(db)
                .await
                .unwrap();
        if let Some(owner) = owner {
            return owner;
        }
        assert!(Instant::now() < deadline, "no streams were stored");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Waits until `query` (one row, one text column) answers `expected` for the stream named
/// `name`: the page saves in the background.
async fn wait_for_state(db: &PgPool, user: Uuid, name: &str, expected: &str) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let states: Vec<String> = sqlx::query_scalar(
            "select state from recurring_stream
             where user_id = $1 and coalesce(user_name, merchant_name, description) = $2",
        )
        .bind(user)
        .bind(name)
        .fetch_all(db)
        .await
        .unwrap();
        if states.iter().any(|state| state == expected) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{name} never became {expected}: {states:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The name of one of the person's suggested, active streams in `direction`, other than `but`,
/// and not a transfer between their accounts (which the page folds away).
async fn suggested(db: &PgPool, user: Uuid, direction: &str, but: &str) -> String {
    sqlx::query_scalar(
        "select coalesce(s.user_name, s.merchant_name, s.description)
         from recurring_stream s left join category c on c.category_id = s.plaid_category_id
         where s.user_id = $1 and s.state = 'suggested' and s.is_active and s.direction = $2
           and coalesce(s.user_name, s.merchant_name, s.description) <> $3
           and coalesce(c.plaid_code, '') not like 'TRANSFER%'
           and coalesce(c.plaid_code, '') <> 'LOAN_PAYMENTS_CREDIT_CARD_PAYMENT'
         order by s.status = 'mature' desc, s.last_amount desc limit 1",
    )
    .bind(user)
    .bind(direction)
    .bind(but)
    .fetch_one(db)
    .await
    .unwrap()
}

async fn screenshots(browser: &Browser, name: &str) {
    browser
        .screenshot_page(&format!("{name}-desktop"), 1280, 900)
        .await;
    browser
        .screenshot_page(&format!("{name}-phone"), 390, 844)
        .await;
    browser.prefer_color_scheme("dark").await;
    browser
        .screenshot_page(&format!("{name}-dark"), 1280, 900)
        .await;
    browser.prefer_color_scheme("light").await;
}

#[sqlx::test(migrations = "../../migrations")]
async fn confirm_and_dismiss_on_the_recurring_page(db: PgPool) {
    let app = spawn_app(db.clone()).await;
    let app: &TestApp = &app;
    let db = &db;
    with_browser(app, "recurring", |browser| async move {
        let (_, item) = super::steps::register_and_link(app, &browser, "rita").await;
        let user = wait_for_streams(db, item.id).await;
        let bill = suggested(db, user, "outflow", "").await;
        let other = suggested(db, user, "outflow", &bill).await;

        browser.click_link("Recurring").await;
        browser.wait_for_text("h1", "Recurring").await;
        browser.wait_for_text("#rec-income-title", "INCOME").await;
        browser
            .wait_for(Locator::Css("[data-testid=recurring-stream]"))
            .await;
        let totals = browser.wait_for_text("[data-testid=recurring-totals]", "a year").await;
        assert!(totals.text().await.unwrap().contains("a month"));

        browser.click_button(&format!("Confirm {bill}")).await;
        wait_for_state(db, user, &bill, "confirmed").await;
        let shows_confirmed = format!(
            "return [...document.querySelectorAll('[data-testid=recurring-stream]')]
                 .some(row => row.textContent.includes({bill:?}) && row.textContent.includes('Confirmed')
                              && !row.querySelector('button[aria-label=\"Confirm {bill}\"]'))"
        );
        let deadline = Instant::now() + Duration::from_secs(20);
        while browser.run_js(&shows_confirmed).await != true {
            assert!(Instant::now() < deadline, "{bill} never showed as confirmed");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }

        browser.click_button(&format!("Dismiss {other}")).await;
        wait_for_state(db, user, &other, "dismissed").await;
        browser.wait_for_text("#rec-dismissed summary", "DISMISSED (1)").await;
        let dismissed = browser
            .run_js("return document.querySelector('#rec-dismissed').textContent")
            .await;
        assert!(dismissed.as_str().unwrap().contains(&other));
        screenshots(&browser, "recurring").await;
        let mut audit = Audit::new();
        audit.check(&browser, "/recurring").await;
        audit.assert_none();

        // Its transactions: the transactions page, narrowed to the stream's account and merchant.
        browser
            .click(Locator::Css(&format!("a[aria-label=\"Transactions of {bill}\"]")))
            .await;
        browser
            .wait_for(Locator::Css("[data-testid=transaction-row]"))
            .await;
        assert!(browser.path().await.starts_with("/transactions"));
        let rows = super::steps::row_texts(&browser).await;
        assert!(!rows.is_empty());
    })
    .await;
}

#[sqlx::test(migrations = "../../migrations")]
async fn the_dashboard_shows_the_next_30_days(db: PgPool) {
    let app = spawn_app(db.clone()).await;
    let app: &TestApp = &app;
    let db = &db;
    with_browser(app, "next-30-days", |browser| async move {
        let (api, item) = super::steps::register_and_link(app, &browser, "noor").await;
        wait_for_streams(db, item.id).await;
        let upcoming: Upcoming = app.get_json(&api, "/api/insights/upcoming?days=30").await;
        let cash_flow: CashFlow = app.get_json(&api, "/api/insights/cash-flow?days=30").await;
        assert!(!upcoming.payments.is_empty());

        browser.goto("/dashboard").await;
        browser
            .wait_for_text("#upcoming-heading", "NEXT 30 DAYS")
            .await;
        browser
            .wait_for(Locator::Css("[data-testid=upcoming-payment]"))
            .await;
        let listed = browser
            .run_js("return document.querySelectorAll('[data-testid=upcoming-payment]').length")
            .await;
        assert_eq!(listed, upcoming.payments.len().min(8));
        let first = browser
            .run_js("return document.querySelector('[data-testid=upcoming-payment]').textContent")
            .await;
        assert!(first.as_str().unwrap().contains(&upcoming.payments[0].name));

        // The lowest balance before the next income, in words, as computed from the forecast.
        let usd = cash_flow
            .currencies
            .iter()
            .find(|c| c.currency == "USD")
            .unwrap();
        let income = upcoming
            .payments
            .iter()
            .find(|p| p.direction == Direction::Inflow && p.currency == "USD");
        let words = browser
            .wait_for(Locator::Css("[data-testid=upcoming-lowest]"))
            .await
            .text()
            .await
            .unwrap();
        match income {
            Some(income) if income.date > usd.points[0].date => {
                let lowest = usd
                    .points
                    .iter()
                    .filter(|p| p.date < income.date)
                    .map(|p| p.balance)
                    .min()
                    .unwrap();
                assert!(
                    words.starts_with(&format!("Before your next income ({}", income.name)),
                    "{words}"
                );
                assert!(
                    words.contains(&format!("lowest at {}", dollars(lowest))),
                    "{words}: {lowest}"
                );
            }
            Some(_) => assert!(words.contains("is due today"), "{words}"),
            None => assert!(
                words.contains(&format!("lowest at {}", dollars(usd.lowest_balance))),
                "{words}"
            ),
        }

        // The line: from today's balance, one step a day.
        let path = browser
            .run_js(
                "return document.querySelector('[data-testid=cash-flow-line]').getAttribute('d')",
            )
            .await;
        let steps = path.as_str().unwrap().matches(" H").count();
        assert_eq!(steps, usd.points.len());
        screenshots(&browser, "next-30-days").await;
        let mut audit = Audit::new();
        audit.check(&browser, "/dashboard (next 30 days)").await;
        audit.assert_none();
    })
    .await;
}

#[test]
fn dollars_are_written_as_the_browser_writes_them() {
    assert_eq!(dollars("1234.5".parse().unwrap()), "$1,234.50");
    assert_eq!(dollars("-24.75".parse().unwrap()), "-$24.75");
    assert_eq!(dollars("0".parse().unwrap()), "$0.00");
    assert_eq!(dollars("1000000".parse().unwrap()), "$1,000,000.00");
}
