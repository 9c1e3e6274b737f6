//! Labels in the browser: recategorise a transaction in the editor and accept the rule Tally
//! offers, then see the rule label a transaction the bank sends later; split a transaction; tag
//! transactions and filter by the tag; hide one; and the Rules page (make, count, reorder from
//! the keyboard, apply, edit, delete).
//!
//! The bank is linked through the API for the person the browser registered, as in
//! `numbers.rs`; what the page saved is checked through the API.

use super::browser::{with_browser, Browser};
use super::numbers::{this_month, wait_for_amount};
use super::steps::{register_and_link, row_texts};
use crate::banking_support::{plaid_item_id, plaid_transaction_id, synced_since};
use crate::helpers::{spawn_app, TestApp};
use crate::simulator_support::{advance_clock, correct_amount};
use fantoccini::key::Key;
use fantoccini::Locator;
use reqwest::{Client, StatusCode};
use rust_decimal::Decimal;
use sqlx::PgPool;
use std::future::Future;
use std::time::{Duration, Instant};
use tally_shared::api::categories::Category;
use tally_shared::api::insights::Spending;
use tally_shared::api::rules::{
    Condition, ConditionField, ConditionOp, ConditionValue, NewRule, Rule, RuleActions, RuleList,
};
use tally_shared::api::transactions::{
    Transaction, TransactionDetail, TransactionFilter, TransactionPage,
};
use tally_shared::ids::TransactionId;

const WAIT: Duration = Duration::from_secs(20);

/// Every transaction (up to 500) whose merchant is `merchant`, newest first.
/// The merchant's transactions, newest first; only the posted or only the pending ones with
/// `pending`.
async fn from_merchant(
    app: &TestApp,
    api: &Client,
    merchant: &str,
    pending: Option<bool>,
) -> Vec<Transaction> {
    let filter = TransactionFilter {
        q: Some(merchant.to_owned()),
        pending,
        limit: Some(500),
        ..TransactionFilter::default()
    };
    let page: TransactionPage = app.transactions(api, &filter).await;
    page.transactions
        .into_iter()
        .filter(|t| t.merchant_name.as_deref() == Some(merchant))
        .collect()
}

async fn detail(app: &TestApp, api: &Client, id: TransactionId) -> TransactionDetail {
    app.get_json(api, &format!("/api/transactions/{id}")).await
}

fn plaid_category<'a>(categories: &'a [Category], code: &str) -> &'a Category {
    categories
        .iter()
        .find(|c| c.plaid_code.as_deref() == Some(code))
        .unwrap_or_else(|| panic!("no category {code}"))
}

/// Waits until `check` holds for what `read` reads (from the API, or the page), and returns it.
pub(super) async fn wait_until<T, F: Future<Output = T>>(
    what: &str,
    mut read: impl FnMut() -> F,
    check: impl Fn(&T) -> bool,
) -> T {
    let deadline = Instant::now() + WAIT;
    loop {
        let now = read().await;
        if check(&now) {
            return now;
        }
        assert!(Instant::now() < deadline, "never {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Opens the editor on the first row of the page whose text contains `text`.
pub(super) async fn open_row(browser: &Browser, text: &str) {
    let row = browser
        .wait_for_text("[data-testid=transaction-row]", text)
        .await;
    let button = row.find(Locator::Css(".tx-open")).await.unwrap();
    // From the keyboard: Enter on the row's name opens it.
    button
        .send_keys(&char::from(Key::Enter).to_string())
        .await
        .unwrap();
    browser
        .wait_for(Locator::Css(
            "dialog[open][data-testid=transaction-editor] input[role=combobox]",
        ))
        .await;
}

/// Types `query` into the category picker labelled `label` in the open editor and picks the
/// first match with Enter, as a person would from the keyboard.
async fn pick_category(browser: &Browser, label: &str, query: &str) {
    let xpath = format!(
        "//dialog[@open]//input[@role='combobox'][@id=//label[normalize-space(.)='{label}']/@for or @aria-label='{label}']"
    );
    let input = browser.wait_for(Locator::XPath(&xpath)).await;
    input.click().await.unwrap();
    input.send_keys(query).await.unwrap();
    browser
        .wait_for(Locator::Css(
            "dialog[open] [role=listbox]:not([hidden]) .picker-active",
        ))
        .await;
    input
        .send_keys(&char::from(Key::Enter).to_string())
        .await
        .unwrap();
}

/// Fills the input or textarea of the open dialog labelled `label` (its `<label>`'s text, or its
/// `aria-label`).
async fn fill_in_dialog(browser: &Browser, label: &str, value: &str) {
    let xpath = format!(
        "(//dialog[@open]//label[span[normalize-space(.)='{label}']]//*[self::input or self::textarea] | //dialog[@open]//*[self::input or self::textarea][@aria-label='{label}'] | //dialog[@open]//input[@id=//label[normalize-space(.)='{label}']/@for])"
    );
    let input = browser.wait_for(Locator::XPath(&xpath)).await;
    input.clear().await.unwrap();
    input.send_keys(value).await.unwrap();
}

#[sqlx::test(migrations = "../../migrations")]
async fn recategorise_and_accept_the_offered_rule_then_a_new_transaction_follows_it(db: PgPool) {
    let app = spawn_app(db).await;
    let app = &app;
    with_browser(app, "labels-offered-rule", |browser| async move {
        let (api, item) = register_and_link(app, &browser, "rhea").await;
        let categories = app.categories(&api).await.categories;
        let salary = plaid_category(&categories, "INCOME_SALARY");
        let other = plaid_category(&categories, "INCOME_OTHER");
        // Gusto pays on the 1st and the 15th, so a few will be there and more will come.
        let before = from_merchant(app, &api, "Gusto", None).await;
        assert!(before.len() >= 2, "{} Gusto payments", before.len());
        assert!(before.iter().all(|t| t.category_id == salary.id));

        browser.goto("/transactions?q=Gusto").await;
        open_row(&browser, "Gusto").await;
        browser
            .wait_for_text("[data-testid=source-category]", "From your bank")
            .await;
        pick_category(&browser, "Category", &other.name).await;
        browser.click_button("Save").await;

        let question = format!("Always categorise Gusto as {}?", other.name);
        browser
            .wait_for_text("[data-testid=rule-offer] h3", &question)
            .await;
        // Every other Gusto payment would change; the one just edited has it already.
        let others = before.len() - 1;
        browser
            .wait_for_text(
                "[data-testid=rule-offer-count]",
                &format!("categorise the other {others} transactions from Gusto"),
            )
            .await;
        browser.screenshot("labels-offer-light").await.unwrap();
        browser.click_button("Always categorise").await;
        browser
            .wait_for_text(
                "[data-testid=rule-applied]",
                &format!("Rule created. It changed {others} transactions."),
            )
            .await;
        let rules: RuleList = app.get_json(&api, "/api/rules").await;
        assert_eq!(rules.rules.len(), 1);
        assert_eq!(rules.rules[0].actions.category_id, Some(other.id));
        let now = from_merchant(app, &api, "Gusto", None).await;
        assert!(now.iter().all(|t| t.category_id == other.id), "{now:#?}");
        browser.click_button("Done").await;

        // Two weeks pass at the bank: a new payment arrives by webhook, and the rule labels it
        // inside the sync.
        advance_clock(app, 16).await;
        app.wait_until(&api, &item, |now| {
            now.last_webhook_at.is_some() && synced_since(now, item.last_synced_at)
        })
        .await;
        let after = from_merchant(app, &api, "Gusto", None).await;
        assert!(after.len() > before.len(), "no new Gusto payment");
        assert!(
            after.iter().all(|t| t.category_id == other.id),
            "{after:#?}"
        );
        let newest = &after[0];
        assert!(before.iter().all(|t| t.id != newest.id));
        let sources = detail(app, &api, newest.id).await.sources;
        assert_eq!(
            serde_json::to_value(sources.category_id).unwrap(),
            "rule",
            "the new payment's category is the rule's"
        );
        // The page follows live: every Gusto row shows the new category.
        let script = format!(
            "return [...document.querySelectorAll('[data-testid=transaction-row] .tx-cat')]
                .filter(cell => cell.textContent.includes({:?})).length",
            other.name
        );
        wait_until(
            "every Gusto row showing the rule's category",
            || browser.run_js(&script),
            |shown| *shown == serde_json::json!(after.len()),
        )
        .await;

        browser.goto("/rules").await;
        browser
            .wait_for_text("[data-testid=rule-row]", "Merchant is “Gusto”")
            .await;
    })
    .await;
}

#[sqlx::test(migrations = "../../migrations")]
async fn split_a_transaction_in_the_editor(db: PgPool) {
    let app = spawn_app(db).await;
    let app = &app;
    with_browser(app, "labels-split", |browser| async move {
        let (api, item) = register_and_link(app, &browser, "sita").await;
        let categories = app.categories(&api).await.categories;
        let household = plaid_category(&categories, "HOME_IMPROVEMENT_FURNITURE");
        let shop = from_merchant(app, &api, "Whole Foods", None)
            .await
            .into_iter()
            .find(|t| t.amount > Decimal::from(20))
            .expect("a Whole Foods shop over $20");
        let amount = shop.amount;
        let rest = amount - Decimal::from(12);

        browser.goto("/transactions?q=Whole%20Foods").await;
        open_row(&browser, "Whole Foods").await;
        browser.click_button("Split this transaction").await;
        fill_in_dialog(&browser, "Amount of part 2", "12").await;
        browser
            .wait_for_text("[data-testid=split-remainder]", "Over by $12.00")
            .await;
        browser
            .wait_for_text("[data-testid=split-problem]", "Part 2 needs a category")
            .await;
        let disabled = browser
            .run_js("return [...document.querySelectorAll('dialog[open] button')].find(b => b.textContent.trim() === 'Save split').disabled")
            .await;
        assert_eq!(disabled, true, "a split that does not add up cannot be saved");
        fill_in_dialog(&browser, "Amount of part 1", &(rest - Decimal::ONE).to_string()).await;
        browser
            .wait_for_text("[data-testid=split-remainder]", "Left to split: $1.00")
            .await;
        fill_in_dialog(&browser, "Amount of part 1", &rest.to_string()).await;
        browser
            .wait_for_text("[data-testid=split-remainder]", "The parts add up")
            .await;
        pick_category(&browser, "Category of part 2", &household.name).await;
        fill_in_dialog(&browser, "Note for part 2", "Vase").await;
        browser
            .wait_for_text("[data-testid=split-remainder]", "The parts add up to the amount.")
            .await;
        browser.screenshot("labels-split-light").await.unwrap();
        browser.resize(390, 844).await;
        browser.screenshot("labels-split-phone").await.unwrap();
        browser.prefer_color_scheme("dark").await;
        browser.screenshot("labels-split-phone-dark").await.unwrap();
        browser.prefer_color_scheme("light").await;
        browser.resize(1280, 900).await;
        browser.click_button("Save split").await;
        browser.wait_for_text("dialog[open] [role=status]", "Split saved.").await;

        let saved = wait_until(
            "the split",
            || detail(app, &api, shop.id),
            |d| d.transaction.splits.len() == 2,
        )
        .await;
        let parts = &saved.transaction.splits;
        assert_eq!(parts[0].amount, rest);
        assert_eq!(parts[0].category_id, shop.category_id);
        assert_eq!(parts[1].amount, Decimal::from(12));
        assert_eq!(parts[1].category_id, household.id);
        assert_eq!(parts[1].notes.as_deref(), Some("Vase"));
        assert_eq!(parts[0].amount + parts[1].amount, amount);

        browser.run_js("document.querySelector('dialog[open]').close()").await;
        browser
            .wait_for_text("[data-testid=split-parts]", &household.name)
            .await;

        // The bank corrects the amount by a cent: the parts no longer add up, so the sync
        // removes the split, and the page says so at once and marks the row.
        let plaid_item = plaid_item_id(&app.db, &item).await;
        let corrected = amount + Decimal::new(1, 2);
        correct_amount(
            app,
            &plaid_item,
            &plaid_transaction_id(&app.db, shop.id).await,
            &corrected.to_string(),
        )
        .await;
        browser
            .wait_for_text("[data-testid=toast]", "its split was removed")
            .await;
        let row = browser
            .wait_for_text("[data-testid=transaction-row]", "Needs review")
            .await;
        assert!(row.text().await.unwrap().contains("Whole Foods"));
        let now = detail(app, &api, shop.id).await.transaction;
        assert!(now.needs_review && now.splits.is_empty(), "{now:#?}");
        assert_eq!(now.amount, corrected);
        browser
            .screenshot_page("labels-needs-review-light", 1280, 900)
            .await;

        // "Needs review" lists it alone; saving it unchanged is the person's review.
        browser.goto("/transactions?needs_review=true").await;
        let rows = wait_until(
            "only the transaction to review",
            || row_texts(&browser),
            |rows| rows.len() == 1,
        )
        .await;
        assert!(rows[0].contains("Whole Foods"), "{rows:?}");
        open_row(&browser, "Whole Foods").await;
        browser
            .wait_for_text("[data-testid=needs-review]", "its split was removed")
            .await;
        browser.screenshot("labels-review-editor-light").await.unwrap();
        browser.click_button("Save").await;
        wait_until(
            "the review",
            || detail(app, &api, shop.id),
            |d| !d.transaction.needs_review,
        )
        .await;
        wait_until(
            "the reviewed row gone from “Needs review”",
            || row_texts(&browser),
            |rows| rows.is_empty(),
        )
        .await;
    })
    .await;
}

/// This month's spending in dollars, posted transactions only, as the dashboard counts it.
async fn spent_this_month(app: &TestApp, api: &Client) -> Decimal {
    let (first, last) = this_month();
    let spending: Spending = app
        .get_json(
            api,
            &format!("/api/insights/spending?from={first}&to={last}&include_pending=false"),
        )
        .await;
    spending
        .currencies
        .iter()
        .find(|c| c.currency == "USD")
        .map_or(Decimal::ZERO, |usd| usd.total)
}

/// A posted food or drink purchase of this month, the newest posted one from its merchant (so
/// the first row when the posted transactions are searched for that merchant: its newest may
/// be pending, early in a month often), and not from `but_not`.
async fn food_bought_this_month(app: &TestApp, api: &Client, but_not: &str) -> Transaction {
    let (first, last) = this_month();
    let filter = TransactionFilter {
        from: Some(first),
        to: Some(last),
        pending: Some(false),
        category: Some("FOOD_AND_DRINK".to_owned()),
        limit: Some(500),
        ..TransactionFilter::default()
    };
    let page: TransactionPage = app.transactions(api, &filter).await;
    for bought in page.transactions {
        let Some(merchant) = bought.merchant_name.clone() else {
            continue;
        };
        if bought.amount <= Decimal::ZERO || merchant == but_not {
            continue;
        }
        let posted = from_merchant(app, api, &merchant, Some(false)).await;
        if posted.first().is_some_and(|newest| newest.id == bought.id) {
            return bought;
        }
    }
    panic!("no food bought this month");
}

#[sqlx::test(migrations = "../../migrations")]
async fn tag_transactions_filter_by_a_tag_and_hide_one(db: PgPool) {
    let app = spawn_app(db).await;
    let app = &app;
    with_browser(app, "labels-tags", |browser| async move {
        let (api, _) = register_and_link(app, &browser, "tara").await;
        let coffee = from_merchant(app, &api, "Starbucks", None).await;
        assert!(!coffee.is_empty());
        let meal = food_bought_this_month(app, &api, "Starbucks").await;
        let merchant = meal.merchant_name.clone().unwrap();

        // The dashboard's Recent transactions open the same editor.
        browser.goto("/dashboard").await;
        browser
            .click(Locator::Css("[data-testid=recent-transaction] .tx-open"))
            .await;
        browser
            .wait_for(Locator::Css("dialog[open] [data-testid=source-category]"))
            .await;
        browser
            .click(Locator::Css(
                "dialog[open] button[aria-label='Close the editor']",
            ))
            .await;

        // Two tags with Enter and a comma, one taken off again, and a display name and notes.
        browser.goto("/transactions?q=Starbucks").await;
        open_row(&browser, "Starbucks").await;
        let tags = browser
            .wait_for(Locator::Css("dialog[open] input[name=tag]"))
            .await;
        tags.send_keys(&format!("Treats{}", char::from(Key::Enter)))
            .await
            .unwrap();
        tags.send_keys("work,").await.unwrap();
        browser
            .wait_for_text("dialog[open] [data-testid=tag-chip]", "work")
            .await;
        browser.click_button("Remove tag work").await;
        fill_in_dialog(&browser, "Display name", "Morning coffee").await;
        fill_in_dialog(&browser, "Notes", "With Sam").await;
        browser.screenshot("labels-editor-light").await.unwrap();
        browser.resize(390, 844).await;
        browser.screenshot("labels-editor-phone").await.unwrap();
        browser.resize(1280, 900).await;
        browser.click_button("Save").await;
        let first = wait_until(
            "the tag",
            || detail(app, &api, coffee[0].id),
            |d| !d.transaction.tags.is_empty(),
        )
        .await;
        assert_eq!(first.transaction.tags, vec!["treats".to_owned()]);
        assert_eq!(
            first.transaction.display_name.as_deref(),
            Some("Morning coffee")
        );
        assert_eq!(first.transaction.notes.as_deref(), Some("With Sam"));

        browser
            .goto(&format!(
                "/transactions?q={}&pending=false",
                urlencoding(&merchant)
            ))
            .await;
        open_row(&browser, &merchant).await;
        let tags = browser
            .wait_for(Locator::Css("dialog[open] input[name=tag]"))
            .await;
        tags.send_keys(&format!("treats{}", char::from(Key::Enter)))
            .await
            .unwrap();
        browser.click_button("Save").await;
        wait_until(
            "the second tag",
            || detail(app, &api, meal.id),
            |d| d.transaction.tags == ["treats"],
        )
        .await;

        // Filter by the tag: exactly the two, shown with their tag, the renamed one with the
        // bank's name under it.
        browser.goto("/transactions").await;
        browser.fill("Tag", "Treats").await;
        let rows = wait_until(
            "the two tagged rows",
            || row_texts(&browser),
            |rows| rows.len() == 2 && rows.iter().all(|r| r.contains("treats")),
        )
        .await;
        assert!(rows
            .iter()
            .any(|r| r.contains("Morning coffee") && r.contains("Starbucks")));
        assert!(rows.iter().any(|r| r.contains(&merchant)));
        assert!(browser
            .run_js("return window.location.search")
            .await
            .as_str()
            .unwrap()
            .contains("tag=treats"));
        browser
            .screenshot_page("labels-tag-filter-light", 1280, 900)
            .await;
        browser
            .screenshot_page("labels-tag-filter-phone", 390, 844)
            .await;
        browser.resize(1280, 900).await;

        // Hide the meal: it leaves the list and this month's spending on the dashboard, and
        // "Hidden" shows it with its mark.
        let spent_before = spent_this_month(app, &api).await;
        open_row(&browser, &merchant).await;
        browser
            .click(Locator::XPath(
                "//dialog[@open]//label[contains(., 'Hide this transaction')]/input",
            ))
            .await;
        browser.click_button("Save").await;
        wait_until(
            "the hidden flag",
            || detail(app, &api, meal.id),
            |d| d.transaction.hidden,
        )
        .await;
        wait_until(
            "the hidden one gone from the list",
            || row_texts(&browser),
            |rows| rows.len() == 1 && rows[0].contains("Morning coffee"),
        )
        .await;
        browser.select("Hidden", "Hidden").await;
        browser
            .wait_for_text("[data-testid=transaction-row]", "Hidden")
            .await;

        let expected = spent_before - meal.amount;
        assert_eq!(spent_this_month(app, &api).await, expected);
        browser.goto("/dashboard").await;
        wait_for_amount(&browser, "[data-testid=spending-total-USD]", expected).await;
    })
    .await;
}

/// `text` as it goes in an address's query.
fn urlencoding(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

fn merchant_rule(name: &str, merchant: &str, tag: &str) -> NewRule {
    NewRule {
        name: name.to_owned(),
        conditions: vec![Condition {
            field: ConditionField::Merchant,
            op: ConditionOp::Equals,
            value: ConditionValue::One(merchant.to_owned()),
        }],
        actions: RuleActions {
            add_tags: vec![tag.to_owned()],
            ..RuleActions::default()
        },
        position: None,
    }
}

async fn rules(app: &TestApp, api: &Client) -> Vec<Rule> {
    app.get_json::<RuleList>(api, "/api/rules").await.rules
}

#[sqlx::test(migrations = "../../migrations")]
async fn make_reorder_apply_edit_and_delete_rules_on_the_rules_page(db: PgPool) {
    let app = spawn_app(db).await;
    let app = &app;
    with_browser(app, "labels-rules", |browser| async move {
        let (api, _) = register_and_link(app, &browser, "ruth").await;
        let coffee = from_merchant(app, &api, "Starbucks", None).await;

        browser.click_link("Rules").await;
        browser
            .wait_for_text("[data-testid=no-rules]", "No rules yet")
            .await;

        // A rule from the page, with its live count.
        browser.click_button("New rule").await;
        fill_in_dialog(&browser, "Name", "Coffee").await;
        browser
            .wait_for(Locator::Css(
                "dialog[open] select[aria-label='Comparison of condition 1']",
            ))
            .await
            .select_by_label("is")
            .await
            .unwrap();
        fill_in_dialog(&browser, "Value of condition 1", "starbucks").await;
        browser
            .wait_for_text(
                "[data-testid=rule-match-count]",
                &format!("Matches {} transaction", coffee.len()),
            )
            .await;
        let tags = browser
            .wait_for(Locator::Css("dialog[open] input[name=tag]"))
            .await;
        tags.send_keys(&format!("caffeine{}", char::from(Key::Enter)))
            .await
            .unwrap();
        browser
            .screenshot("labels-rule-editor-light")
            .await
            .unwrap();
        browser.click_button("Save rule").await;
        browser
            .wait_for_text("[data-testid=rule-row]", "Merchant is “starbucks”")
            .await;

        // A second one through the API; the page hears of it live.
        let response = api
            .post(app.url("/api/rules"))
            .json(&merchant_rule("Rides", "Uber", "rides"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::CREATED);
        browser
            .wait_for_text("[data-testid=rule-row]", "Rides")
            .await;

        // Move Rides up from the keyboard; focus stays on its move buttons.
        let up = browser
            .wait_for(Locator::Css("button[aria-label='Move Rides up']"))
            .await;
        browser
            .run_js("document.querySelector(\"button[aria-label='Move Rides up']\").focus()")
            .await;
        up.send_keys(&char::from(Key::Enter).to_string())
            .await
            .unwrap();
        wait_until(
            "Rides first",
            || rules(app, &api),
            |r| r.first().is_some_and(|r| r.name == "Rides"),
        )
        .await;
        wait_until(
            "Rides first, with focus on its move button",
            || {
                browser.run_js(
                    "return [document.activeElement.getAttribute('aria-label'),
                             document.querySelector('[data-testid=rule-row]').dataset.name]",
                )
            },
            |now| *now == serde_json::json!(["Move Rides down", "Rides"]),
        )
        .await;

        // Apply Coffee to the past: every Starbucks transaction gets the tag.
        browser
            .click_button("Apply to past transactions: Coffee")
            .await;
        browser
            .wait_for_text("[data-testid=rule-applied]", "transactions changed")
            .await;
        let tagged = from_merchant(app, &api, "Starbucks", None).await;
        assert!(tagged
            .iter()
            .all(|t| t.tags.contains(&"caffeine".to_owned())));
        browser
            .screenshot_page("labels-rules-light", 1280, 900)
            .await;
        browser.prefer_color_scheme("dark").await;
        browser
            .screenshot_screens("labels-rules-dark", 1280, 900)
            .await;
        browser
            .screenshot_screens("labels-rules-phone", 390, 844)
            .await;
        browser.prefer_color_scheme("light").await;
        browser.resize(1280, 900).await;

        // Edit its name.
        browser.click_button("Edit Coffee").await;
        fill_in_dialog(&browser, "Name", "Coffee shops").await;
        browser.click_button("Save rule").await;
        browser
            .wait_for_text("[data-testid=rule-row] h3", "Coffee shops")
            .await;

        // Delete Rides, after saying yes.
        browser.click_button("Delete Rides").await;
        browser
            .wait_for_text("#confirm-dialog-title", "Delete “Rides”?")
            .await;
        browser.click_button("Delete rule").await;
        wait_until("Rides deleted", || rules(app, &api), |r| r.len() == 1).await;
        wait_until(
            "the deleted rule gone from the page",
            || browser.run_js("return document.querySelectorAll('[data-testid=rule-row]').length"),
            |rows| *rows == 1,
        )
        .await;
    })
    .await;
}
