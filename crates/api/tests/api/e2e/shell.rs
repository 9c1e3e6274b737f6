//! The app shell: it loads, reads the server, routes on the client, and deep links work.

use super::browser::{with_browser, Browser};
use crate::helpers::{spa_dir, spawn_app, spawn_app_with};
use fantoccini::Locator;
use sqlx::PgPool;
use std::path::Path;

#[sqlx::test(migrations = "../../migrations")]
async fn home_shows_the_servers_mode_and_health(db: PgPool) {
    let app = spawn_app(db).await;
    with_browser(&app, "home", |browser| async move {
        browser.goto("/").await;

        browser.wait_for_text("h1", "Tally").await;
        wait_for_mode(&browser).await;
        browser
            .wait_for_text("[data-testid=server-health]", "Healthy")
            .await;
        browser
            .wait_for_text("[data-testid=database-health]", "Up")
            .await;
        let title = browser.run_js("return document.title").await;
        assert_eq!(title, "Tally");
    })
    .await;
}

#[sqlx::test(migrations = "../../migrations")]
async fn navigation_happens_in_the_page_without_reloading(db: PgPool) {
    let app = spawn_app(db).await;
    with_browser(&app, "transactions-logged-out", |browser| async move {
        browser.goto("/").await;
        wait_for_mode(&browser).await;
        browser.run_js("window.__sameDocument = true").await;

        browser.click_link("Transactions").await;

        browser.wait_for_text("h1", "Transactions").await;
        assert_eq!(browser.path().await, "/transactions");
        assert_eq!(
            browser
                .run_js("return window.__sameDocument === true")
                .await,
            true,
            "the click reloaded the page"
        );
        let current = browser
            .run_js("return document.querySelector('nav a[aria-current=page]').textContent")
            .await;
        assert_eq!(current, "Transactions");
    })
    .await;
}

/// A fresh browser sent to `address` shows the heading `heading` and ends up at `path`.
async fn lands(db: PgPool, name: &str, address: &str, heading: &str, path: &str) {
    let app = spawn_app(db).await;
    with_browser(&app, name, |browser| async move {
        browser.goto(address).await;

        browser.wait_for_text("h2", heading).await;
        assert_eq!(browser.path().await, path);
    })
    .await;
}

/// The home page has loaded and shown what it read from the server.
async fn wait_for_mode(browser: &Browser) {
    browser
        .wait_for_text("[data-testid=plaid-mode]", "Simulator")
        .await;
}

#[sqlx::test(migrations = "../../migrations")]
async fn the_dashboard_sends_logged_out_people_to_the_log_in_form(db: PgPool) {
    lands(db, "dashboard-logged-out", "/dashboard", "Log in", "/").await;
}

#[sqlx::test(migrations = "../../migrations")]
async fn a_deep_link_to_oauth_link_loads_the_app(db: PgPool) {
    lands(
        db,
        "oauth-link",
        "/oauth-link?oauth_state_id=abc123",
        "No bank link in progress",
        "/oauth-link",
    )
    .await;
}

#[sqlx::test(migrations = "../../migrations")]
async fn unknown_pages_say_so(db: PgPool) {
    let app = spawn_app(db).await;
    with_browser(&app, "not-found", |browser| async move {
        browser.goto("/no/such/page").await;

        browser.wait_for_text("h2", "Page not found").await;
        browser.click_link("Back to the start").await;
        wait_for_mode(&browser).await;
    })
    .await;
}

/// The harness itself: an error in the page must be seen, or every other browser test could
/// pass over a broken page.
#[sqlx::test(migrations = "../../migrations")]
async fn errors_in_the_page_are_caught(db: PgPool) {
    let app = spawn_app(db).await;
    with_browser(&app, "page-error", |browser| async move {
        browser.goto("/").await;
        wait_for_mode(&browser).await;
        assert!(browser.console_errors().await.is_empty());

        browser
            .run_js("setTimeout(() => { throw new Error('deliberate page failure') }, 0)")
            .await;

        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        loop {
            let errors = browser.console_errors().await;
            if errors.iter().any(|e| e.contains("deliberate page failure")) {
                break;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "error not seen: {errors:?}"
            );
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
    })
    .await;
}

/// A page's code is its own download (docs/performance.md, "Web app size"). When it cannot be
/// fetched (here it is gone, as after the server was updated while the tab was open) the page says
/// so and offers a reload, and the rest of the app goes on working: a failed load must not abort
/// the whole wasm.
#[sqlx::test(migrations = "../../migrations")]
async fn a_page_whose_code_cannot_be_fetched_says_so_and_the_app_goes_on(db: PgPool) {
    let served = tempfile::tempdir().unwrap();
    copy_dir(&spa_dir(), served.path());
    let parts = std::fs::read_dir(served.path())
        .unwrap()
        .filter_map(Result::ok)
        .find(|entry| entry.file_name().to_string_lossy().starts_with("parts-"))
        .expect("a folder of lazily loaded parts")
        .path();
    let mut removed = 0;
    for entry in std::fs::read_dir(&parts).unwrap().filter_map(Result::ok) {
        if entry
            .file_name()
            .to_string_lossy()
            .starts_with("settings_page.wasm")
        {
            std::fs::remove_file(entry.path()).unwrap();
            removed += 1;
        }
    }
    assert_eq!(
        removed, 3,
        "the settings page's .wasm, .wasm.br and .wasm.gz"
    );
    let spa = served.path().to_string_lossy().into_owned();
    let app = spawn_app_with(db, &[("SPA_DIR", spa.as_str())]).await;
    with_browser(&app, "part-unavailable", |browser| async move {
        browser.goto("/settings").await;

        browser
            .wait_for_text("[role=alert]", "could not be loaded")
            .await;
        browser.wait_for_text("button", "Reload the page").await;
        browser
            .screenshot("part-unavailable-settings")
            .await
            .unwrap();
        let logged = browser.console_errors().await;
        assert!(
            logged
                .iter()
                .any(|line| line.contains("settings_page.wasm") && line.contains("404")),
            "{logged:#?}"
        );

        browser.click_link("Transactions").await;
        browser.wait_for_text("h1", "Transactions").await;
        assert_eq!(browser.path().await, "/transactions");
    })
    .await;
}

/// While a page's code is on its way, the header shows a progress bar, so that a click on a slow
/// connection visibly does something; it goes once the page is there. (The parts' fetches are
/// held back in the page itself for a second and a half.)
#[sqlx::test(migrations = "../../migrations")]
async fn a_page_whose_code_is_on_its_way_shows_a_progress_bar(db: PgPool) {
    let app = spawn_app(db).await;
    with_browser(&app, "page-loading", |browser| async move {
        browser.goto("/").await;
        wait_for_mode(&browser).await;
        let bar_hidden = "return document.querySelector('[role=progressbar]').hidden";
        assert_eq!(browser.run_js(bar_hidden).await, true);
        browser
            .run_js(
                "const fetched = window.fetch;
                 window.__partsHeld = 0;
                 window.fetch = (resource, init) => {
                     if (String(resource.url ?? resource).includes('/parts-')) {
                         window.__partsHeld += 1;
                         return new Promise(wait => setTimeout(wait, 1500))
                             .then(() => fetched(resource, init));
                     }
                     return fetched(resource, init);
                 };",
            )
            .await;

        browser.click_link("Budgets").await;

        let bar = browser
            .wait_for(Locator::Css(
                "[role=progressbar][aria-label='Loading the page']",
            ))
            .await;
        tokio::time::sleep(std::time::Duration::from_millis(400)).await;
        assert!(bar.is_displayed().await.unwrap(), "the bar is not shown");
        browser.screenshot("page-loading-bar").await.unwrap();
        browser.wait_for_text("h1", "Budgets").await;
        assert_eq!(
            browser.run_js(bar_hidden).await,
            true,
            "the bar stayed after the page came"
        );
        let held = browser.run_js("return window.__partsHeld").await;
        assert!(
            held.as_u64().is_some_and(|n| n > 0),
            "no part was fetched: {held}"
        );
    })
    .await;
}

fn copy_dir(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).unwrap().filter_map(Result::ok) {
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}
