//! The Categories page, in the browser: add a category under a primary, a name that is taken,
//! rename one of Plaid's, change a kind, hide one from the keyboard, and delete one's own with
//! somewhere for its transactions to go.

use super::browser::{with_browser, Browser};
use crate::api_calls::PASSWORD;
use crate::helpers::{spawn_app, TestApp};
use fantoccini::key::Key;
use fantoccini::Locator;
use reqwest::Client;
use sqlx::PgPool;
use std::time::{Duration, Instant};
use tally_shared::api::categories::{Category, CategoryKind};

/// The row of the category called `name`, once the page shows it.
async fn row(browser: &Browser, name: &str) -> fantoccini::elements::Element {
    browser
        .wait_for(Locator::Css(&format!(
            "[data-testid=category-row][data-name=\"{name}\"]"
        )))
        .await
}

/// Waits until the server's categories for `client` pass `check` (the page saves in the
/// background), and returns them.
async fn wait_for_server(
    app: &TestApp,
    client: &Client,
    what: &str,
    check: impl Fn(&[Category]) -> bool,
) -> Vec<Category> {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let categories = app.categories(client).await.categories;
        if check(&categories) {
            return categories;
        }
        assert!(Instant::now() < deadline, "the server never had {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn named<'a>(categories: &'a [Category], name: &str) -> Option<&'a Category> {
    categories.iter().find(|c| c.name == name)
}

#[sqlx::test(migrations = "../../migrations")]
async fn manage_categories_on_the_categories_page(db: PgPool) {
    let app = spawn_app(db).await;
    let app = &app;
    with_browser(app, "categories", |browser| async move {
        super::steps::register(&browser, "cleo", PASSWORD).await;
        let api = app.sign_in_as("cleo").await;
        browser.click_link("Categories").await;
        browser.wait_for_text("h1", "Categories").await;
        row(&browser, "Coffee").await;
        let rows = browser
            .run_js("return document.querySelectorAll('[data-testid=category-row]').length")
            .await;
        assert_eq!(rows, 141, "every Plaid category is listed");

        // Add one under Food and drink: it takes the primary's kind and shows as mine.
        browser.fill("Name", "Coffee beans").await;
        browser.select("Under", "Food and drink").await;
        browser.click_button("Add category").await;
        browser
            .wait_for_text("[role=status]", "“Coffee beans” was added.")
            .await;
        let beans = row(&browser, "Coffee beans").await;
        assert!(beans.text().await.unwrap().contains("Yours"));
        let categories = app.categories(&api).await.categories;
        let food = categories
            .iter()
            .find(|c| c.plaid_code.as_deref() == Some("FOOD_AND_DRINK"))
            .unwrap();
        let mine = named(&categories, "Coffee beans").unwrap();
        assert_eq!(mine.parent_id, Some(food.id));
        assert_eq!(mine.kind, CategoryKind::Spending);

        // A visible sibling's name is refused, and said so.
        browser.fill("Name", "coffee").await;
        browser.click_button("Add category").await;
        browser
            .wait_for_text("[role=alert]", "already called “coffee”")
            .await;

        // Rename one of Plaid's in place: Enter saves, and Plaid's name stays in sight.
        browser.click_button("Rename Restaurants").await;
        let input = browser
            .wait_for(Locator::Css("input[aria-label='New name for Restaurants']"))
            .await;
        input.clear().await.unwrap();
        input
            .send_keys(&format!("Eating out{}", char::from(Key::Enter)))
            .await
            .unwrap();
        let renamed = row(&browser, "Eating out").await;
        assert!(renamed
            .text()
            .await
            .unwrap()
            .contains("Plaid: “Restaurants”"));
        wait_for_server(app, &api, "Eating out", |c| named(c, "Eating out").is_some()).await;

        // Change a kind with its select.
        browser
            .wait_for(Locator::Css("select[aria-label='Kind of Coffee beans']"))
            .await
            .select_by_label("Transfer")
            .await
            .unwrap();
        wait_for_server(app, &api, "Coffee beans as a transfer", |c| {
            named(c, "Coffee beans").is_some_and(|c| c.kind == CategoryKind::Transfer)
        })
        .await;

        // Hide Plaid's Coffee from the keyboard: focus stays on the button, which now shows it.
        let hide = browser
            .wait_for(Locator::Css("button[aria-label='Hide Coffee']"))
            .await;
        browser
            .run_js("document.querySelector(\"button[aria-label='Hide Coffee']\").focus()")
            .await;
        hide.send_keys(&char::from(Key::Enter).to_string())
            .await
            .unwrap();
        browser
            .wait_for_text("[data-testid=category-row][data-name=Coffee]", "Hidden")
            .await;
        let focused = browser
            .run_js("return document.activeElement.getAttribute('aria-label')")
            .await;
        assert_eq!(focused, "Show Coffee");
        wait_for_server(app, &api, "Coffee hidden", |c| {
            named(c, "Coffee").is_some_and(|c| c.hidden)
        })
        .await;

        browser.screenshot_page("categories-light", 1200, 900).await;
        browser.screenshot_screens("categories-phone", 390, 844).await;
        browser.prefer_color_scheme("dark").await;
        browser.screenshot_screens("categories-dark", 1200, 900).await;

        // Delete mine: its transactions go where I choose (its primary is offered first).
        browser.click_button("Delete Coffee beans").await;
        browser
            .wait_for_text("#delete-category-title", "Delete “Coffee beans”?")
            .await;
        browser.screenshot("categories-delete-dark").await.unwrap();
        browser.prefer_color_scheme("light").await;
        browser
            .select("Move its transactions to", "Food and drink › Eating out")
            .await;
        browser.click_button("Delete category").await;
        wait_for_server(app, &api, "Coffee beans deleted", |c| {
            named(c, "Coffee beans").is_none()
        })
        .await;
        let deadline = Instant::now() + Duration::from_secs(20);
        while browser
            .run_js("return document.querySelector('[data-testid=category-row][data-name=\"Coffee beans\"]') !== null")
            .await
            == true
        {
            assert!(Instant::now() < deadline, "the deleted row stays");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert_eq!(app.categories(&api).await.categories.len(), 141);
    })
    .await;
}
