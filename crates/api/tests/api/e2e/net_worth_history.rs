//! The net worth chart of a newly linked bank: the whole history from its first transaction,
//! the reconstructed part told apart in words and by a dashed line, and the loan said to count
//! from its recorded balance only.

use super::browser::with_browser;
use super::steps::register;
use crate::api_calls::{login_request, PASSWORD};
use crate::helpers::{browser_like_client, spawn_app};
use crate::net_worth_reconstruction::link_custom;
use chrono::Utc;
use fantoccini::Locator;
use reqwest::StatusCode;
use sqlx::PgPool;

const DESKTOP: (u32, u32) = (1280, 900);
const PHONE: (u32, u32) = (390, 844);

#[sqlx::test(migrations = "../../migrations")]
async fn the_chart_shows_reconstructed_history_and_says_so(db: PgPool) {
    let app = spawn_app(db).await;
    let app = &app;
    with_browser(app, "net-worth-history", |browser| async move {
        register(&browser, "rosa", PASSWORD).await;
        let api = browser_like_client();
        let response = app.log_in(&api, &login_request("rosa", PASSWORD)).await;
        assert_eq!(response.status(), StatusCode::OK);
        link_custom(app, &api).await;
        browser.goto("/dashboard").await;

        // Recording began today (the day of linking); every day before is reconstructed.
        let today = Utc::now().date_naive().format("%b %-d, %Y").to_string();
        browser
            .wait_for_text(
                "[data-testid=net-worth-reconstructed-note]",
                &format!("Reconstructed from your transactions before {today}"),
            )
            .await;
        browser
            .wait_for_text(
                "[data-testid=net-worth-recorded-only-note]",
                &format!(
                    "Loans and investments count from their recorded balances only, as their \
                     transactions do not explain them: Home mortgage from {today}."
                ),
            )
            .await;
        browser
            .wait_for(Locator::Css(".chart-line-reconstructed"))
            .await;
        let styles = browser
            .run_js(
                "return [...document.querySelectorAll('.chart-line')].map(line => {
                     const style = getComputedStyle(line);
                     return [line.classList.contains('chart-line-reconstructed'),
                             style.strokeDasharray];
                 })",
            )
            .await;
        let styles: Vec<(bool, String)> = serde_json::from_value(styles).unwrap();
        assert!(styles.len() >= 2, "{styles:?}");
        for (reconstructed, dashes) in &styles {
            assert_eq!(*reconstructed, dashes != "none", "{styles:?}");
        }
        // Ninety days of history, not one.
        let notes = browser
            .run_js("return document.querySelector('.chart').innerText")
            .await;
        assert!(
            !notes.as_str().unwrap().contains("One day of history"),
            "{notes}"
        );
        let description = browser
            .run_js("return document.querySelector('.chart desc').textContent")
            .await;
        assert!(
            description.as_str().unwrap().contains("lowest"),
            "{description}"
        );

        browser
            .screenshot_page("net-worth-history-desktop", DESKTOP.0, DESKTOP.1)
            .await;
        browser
            .screenshot_screens("net-worth-history-phone", PHONE.0, PHONE.1)
            .await;
        browser.prefer_color_scheme("dark").await;
        browser
            .screenshot_page("net-worth-history-dark", DESKTOP.0, DESKTOP.1)
            .await;
        browser.prefer_color_scheme("light").await;
        browser.resize(DESKTOP.0, DESKTOP.1).await;
    })
    .await;
}
