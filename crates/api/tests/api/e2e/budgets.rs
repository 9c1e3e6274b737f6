//! Budgets in the browser: give a budget to a category from "Not in any budget", watch its bar
//! move live when the bank corrects a transaction in it, hear the alert, edit it in place, and
//! see the dashboard's card. The bank is linked through the API for the person the browser
//! registered, as in `numbers.rs`; what the page saved is checked through the API.

use super::accessibility::Audit;
use super::browser::with_browser;
use super::steps::register_and_link;
use crate::banking_support::{plaid_item_id, plaid_transaction_id};
use crate::helpers::spawn_app;
use crate::simulator_support::correct_amount;
use chrono::{Datelike, Utc};
use fantoccini::Locator;
use rust_decimal::Decimal;
use sqlx::PgPool;
use tally_shared::api::budgets::{BudgetMonth, BudgetStatus};
use tally_shared::api::transactions::{TransactionFilter, TransactionPage};

#[sqlx::test(migrations = "../../migrations")]
async fn a_budget_set_on_the_page_follows_the_bank_live_and_alerts(db: PgPool) {
    let app = spawn_app(db).await;
    let app = &app;
    with_browser(app, "budgets", |browser| async move {
        let (api, item) = register_and_link(app, &browser, "bea").await;
        // The category this month's spending went to most that has a posted charge in it.
        let month: BudgetMonth = app.get_json(&api, "/api/budgets").await;
        let mut spent = month.unbudgeted.clone();
        spent.sort_by_key(|u| std::cmp::Reverse(u.spent));
        let today = Utc::now().date_naive();
        let mut found = None;
        for candidate in spent {
            let filter = TransactionFilter {
                category_id: Some(candidate.category_id),
                from: today.with_day(1),
                pending: Some(false),
                limit: Some(100),
                ..TransactionFilter::default()
            };
            let page: TransactionPage = app.transactions(&api, &filter).await;
            let charge = page
                .transactions
                .into_iter()
                .find(|t| t.amount > Decimal::ZERO && t.splits.is_empty());
            if let Some(charge) = charge {
                found = Some((candidate, charge));
                break;
            }
        }
        let (top, charge) = found.expect("a posted charge this month");

        // Plan for twice what was spent: half used, on track.
        let planned = (top.spent * Decimal::TWO).round();
        browser.goto("/budgets").await;
        let input = browser
            .wait_for(Locator::Css(&format!(
                "[data-testid=unbudgeted-row] input[aria-label='Monthly budget for {}']",
                top.category_name
            )))
            .await;
        input.send_keys(&planned.to_string()).await.unwrap();
        browser
            .click(Locator::XPath(&format!(
                "//li[@data-testid='unbudgeted-row'][.//span[normalize-space(.)='{}']]//button",
                top.category_name
            )))
            .await;
        let row_css = format!(
            "[data-testid=budget-row][data-category='{}']",
            top.category_id
        );
        browser.wait_for_text(&row_css, "On track").await;
        let set: BudgetMonth = app.get_json(&api, "/api/budgets").await;
        let budget = set
            .budgets
            .iter()
            .find(|b| b.category_id == top.category_id)
            .expect("the budget the page set");
        assert_eq!((budget.budgeted, budget.spent), (planned, top.spent));
        browser.screenshot_page("budgets-light", 1280, 900).await;
        let mut audit = Audit::new();
        audit.check(&browser, "/budgets").await;
        audit.assert_none();

        // The bank corrects the charge upward past the plan: the bar turns to "Over budget"
        // without a reload, and the alert arrives as a toast.
        let over = charge.amount + planned;
        correct_amount(
            app,
            &plaid_item_id(&app.db, &item).await,
            &plaid_transaction_id(&app.db, charge.id).await,
            &over.to_string(),
        )
        .await;
        browser.wait_for_text(&row_css, "Over budget").await;
        browser
            .wait_for_text("[data-testid=toast]", "budget is used up")
            .await;
        let now: BudgetMonth = app.get_json(&api, "/api/budgets").await;
        let budget = now
            .budgets
            .iter()
            .find(|b| b.category_id == top.category_id)
            .unwrap();
        assert_eq!(budget.spent, top.spent - charge.amount + over);
        assert_eq!(budget.status, BudgetStatus::Over);
        browser.prefer_color_scheme("dark").await;
        browser.screenshot_page("budgets-dark", 1280, 900).await;
        browser.prefer_color_scheme("light").await;

        // Edited in place: a larger plan puts it back on track.
        browser
            .click(Locator::Css(&format!("{row_css} button[aria-expanded]")))
            .await;
        let amount = browser
            .wait_for(Locator::Css(&format!("{row_css} input[name=amount]")))
            .await;
        amount.clear().await.unwrap();
        let generous = budget.spent * Decimal::TEN;
        amount
            .send_keys(&generous.round().to_string())
            .await
            .unwrap();
        browser.click_button("Save").await;
        browser.wait_for_text(&row_css, "On track").await;

        // The dashboard's card shows the month's progress.
        browser.goto("/dashboard").await;
        browser
            .wait_for_text("[data-testid=budget-card]", "Every budget is on track")
            .await;
        browser.screenshot_screens("budgets-phone", 390, 844).await;
    })
    .await;
}
