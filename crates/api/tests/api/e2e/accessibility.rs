//! Accessibility checked by a tool: axe-core runs on every page of the app and every screen of
//! the simulator's Link stand-in, in light and in dark mode, and any WCAG 2.1 A or AA violation
//! fails the test with the rule, the element and (for contrast) the colours and their ratio.
//!
//! axe-core comes from npm: `scripts/ensure-tools.sh axe` installs it in `target/axe-core`
//! (`make test` does).

use super::browser::{with_browser, Browser};
use super::steps::{leave_success, log_in_to_bank, register};
use crate::api_calls::{login_request, PASSWORD};
use crate::helpers::{browser_like_client, spawn_app_at_public_url as spawn_app, TestApp};
use fantoccini::key::Key;
use fantoccini::Locator;
use reqwest::StatusCode;
use serde_json::json;
use sqlx::PgPool;
use std::path::PathBuf;
use tally_shared::api::rules::{
    Condition, ConditionField, ConditionOp, ConditionValue, NewRule, RuleActions,
};

/// What is checked: WCAG 2.0 and 2.1, levels A and AA.
const TAGS: [&str; 4] = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];

/// Runs axe on the page as it is now, in light and then in dark mode (the app and the stand-in
/// follow `prefers-color-scheme`), and collects what it found: each violation once, with the
/// pages it was seen on (the footer is on every page).
pub(super) struct Audit {
    axe: String,
    found: Vec<(String, Vec<String>)>,
}

impl Audit {
    pub(super) fn new() -> Self {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../target/axe-core/node_modules/axe-core/axe.min.js");
        let axe = std::fs::read_to_string(&path).unwrap_or_else(|e| {
            panic!(
                "cannot read {} ({e}): run scripts/ensure-tools.sh axe (make test does)",
                path.display()
            )
        });
        Self {
            axe,
            found: Vec::new(),
        }
    }

    /// Checks the page in both schemes, saving each as
    /// `target/screenshots/a11y-<page>-<scheme>.png`.
    pub(super) async fn check(&mut self, browser: &Browser, page: &str) {
        let slug: String = page
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_ascii_lowercase()
                } else {
                    '-'
                }
            })
            .collect();
        let slug = slug
            .split('-')
            .filter(|part| !part.is_empty())
            .collect::<Vec<_>>()
            .join("-");
        for scheme in ["light", "dark"] {
            browser.prefer_color_scheme(scheme).await;
            self.run(browser, &format!("{page} ({scheme})")).await;
            browser
                .screenshot(&format!("a11y-{slug}-{scheme}"))
                .await
                .unwrap();
        }
        browser.prefer_color_scheme("light").await;
    }

    async fn run(&mut self, browser: &Browser, page: &str) {
        // A page change (or a navigation) may have dropped axe: load it again when it is gone.
        if browser.run_js("return typeof window.axe").await != "object" {
            browser
                .run_js(&format!("{}\n;return typeof window.axe", self.axe))
                .await;
        }
        // Colours that are still easing from one scheme to the other are neither, so axe runs
        // once the page's finite transitions and animations have ended.
        let violations = browser
            .run_async_js(
                r#"const [tags, done] = arguments;
                   const settling = document.getAnimations()
                     .filter(a => a.effect && a.effect.getComputedTiming().endTime !== Infinity)
                     .map(a => a.finished.catch(() => {}));
                   Promise.all(settling)
                     .then(() => axe.run(document, {
                       runOnly: { type: 'tag', values: tags },
                       resultTypes: ['violations'],
                     }))
                     .then(results => done(results.violations.flatMap(v => v.nodes.map(node => {
                       const contrast = [...node.any, ...node.all, ...node.none]
                         .map(check => check.data)
                         .find(data => data && data.contrastRatio !== undefined);
                       return {
                         id: v.id,
                         help: v.help,
                         target: node.target.join(' '),
                         html: node.html.slice(0, 160),
                         contrast: contrast ? `${contrast.contrastRatio}:1 (needs ${contrast.expectedContrastRatio}), ${contrast.fgColor} on ${contrast.bgColor}, ${contrast.fontSize} ${contrast.fontWeight}` : null,
                         summary: node.failureSummary,
                       };
                     }))))
                     .catch(error => done([{ id: 'axe-error', help: String(error) }]));"#,
                vec![json!(TAGS)],
            )
            .await;
        let violations = violations
            .as_array()
            .unwrap_or_else(|| panic!("axe answered {violations} on {page}"));
        for v in violations {
            let detail = match v["contrast"].as_str() {
                Some(contrast) => contrast.to_owned(),
                None => v["summary"].as_str().unwrap_or_default().replace('\n', " "),
            };
            let violation = format!(
                "{} ({}) at `{}`: {detail}\n    {}",
                v["id"].as_str().unwrap_or_default(),
                v["help"].as_str().unwrap_or_default(),
                v["target"].as_str().unwrap_or_default(),
                v["html"].as_str().unwrap_or_default(),
            );
            match self.found.iter_mut().find(|(seen, _)| *seen == violation) {
                Some((_, pages)) => pages.push(page.to_owned()),
                None => self.found.push((violation, vec![page.to_owned()])),
            }
        }
    }

    pub(super) fn assert_none(self) {
        let report: Vec<String> = self
            .found
            .iter()
            .map(|(violation, pages)| format!("{violation}\n    on: {}", pages.join(", ")))
            .collect();
        assert!(
            report.is_empty(),
            "axe-core found {} WCAG 2.1 AA violations:\n{}",
            report.len(),
            report.join("\n")
        );
    }
}

/// Goes to `path`, waits until an element matching the CSS selector `ready.0` shows the text
/// `ready.1` (the page has loaded what it shows), then checks the page.
async fn check_page(audit: &mut Audit, browser: &Browser, path: &str, ready: (&str, &str)) {
    browser.goto(path).await;
    browser.wait_for_text(ready.0, ready.1).await;
    audit.check(browser, path).await;
}

#[sqlx::test(migrations = "../../migrations")]
async fn every_page_of_the_app_passes_axe_in_light_and_dark(db: PgPool) {
    let app = spawn_app(db).await;
    let app = &app;
    with_browser(app, "accessibility-app", |browser| async move {
        let mut audit = Audit::new();
        browser.goto("/").await;
        browser
            .wait_for_text("[data-testid=plaid-mode]", "Simulator")
            .await;
        audit.check(&browser, "/ (home and sign-in)").await;
        check_page(&mut audit, &browser, "/login", ("h1", "Log in to Tally")).await;
        check_page(&mut audit, &browser, "/register", ("h1", "Create")).await;
        check_page(
            &mut audit,
            &browser,
            "/no/such/page",
            ("h2", "Page not found"),
        )
        .await;
        check_page(
            &mut audit,
            &browser,
            "/oauth-link?oauth_state_id=stale",
            ("h2", "No bank link in progress"),
        )
        .await;

        // The first person is the administrator; the bank is linked for them through the API.
        register(&browser, "ada", PASSWORD).await;
        audit.check(&browser, "/dashboard (no bank)").await;
        let api = browser_like_client();
        let response = app.log_in(&api, &login_request("ada", PASSWORD)).await;
        assert_eq!(response.status(), StatusCode::OK);
        app.link_bank(&api, "user_good").await;

        check_page(
            &mut audit,
            &browser,
            "/dashboard",
            ("[data-testid=bank-status]", "Up to date"),
        )
        .await;
        check_page(
            &mut audit,
            &browser,
            "/transactions",
            ("[data-testid=transaction-row]", ""),
        )
        .await;
        check_page(
            &mut audit,
            &browser,
            "/categories",
            ("[data-testid=category-row]", "Coffee"),
        )
        .await;
        check_labels(&mut audit, &browser, app, &api).await;
        check_page(&mut audit, &browser, "/settings", ("td", "This device")).await;
        check_page(&mut audit, &browser, "/admin", ("td", "ada")).await;
        audit.assert_none();
    })
    .await;
}

/// The transaction editor (its picker open, its split editor), the Rules page with a rule, and
/// the rule editor.
async fn check_labels(audit: &mut Audit, browser: &Browser, app: &TestApp, api: &reqwest::Client) {
    browser.goto("/transactions").await;
    browser
        .click(Locator::Css("[data-testid=transaction-row] .tx-open"))
        .await;
    let picker = browser
        .wait_for(Locator::Css("dialog[open] input[role=combobox]"))
        .await;
    audit.check(browser, "/transactions (editor)").await;
    picker.click().await.unwrap();
    picker.send_keys("co").await.unwrap();
    browser
        .wait_for(Locator::Css(
            "dialog[open] [role=listbox]:not([hidden]) .picker-active",
        ))
        .await;
    audit
        .check(browser, "/transactions (category picker)")
        .await;
    picker
        .send_keys(&char::from(Key::Escape).to_string())
        .await
        .unwrap();
    browser.click_button("Split this transaction").await;
    browser
        .wait_for(Locator::Css("[data-testid=split-remainder]"))
        .await;
    audit.check(browser, "/transactions (split editor)").await;

    let rule = NewRule {
        name: "Coffee".to_owned(),
        conditions: vec![Condition {
            field: ConditionField::Merchant,
            op: ConditionOp::Contains,
            value: ConditionValue::One("starbucks".to_owned()),
        }],
        actions: RuleActions {
            add_tags: vec!["coffee".to_owned()],
            ..RuleActions::default()
        },
        position: None,
    };
    let response = api
        .post(app.url("/api/rules"))
        .json(&rule)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    check_page(
        audit,
        browser,
        "/rules",
        ("[data-testid=rule-row]", "Coffee"),
    )
    .await;
    browser.click_button("Edit Coffee").await;
    browser
        .wait_for_text("[data-testid=rule-match-count]", "Matches")
        .await;
    audit.check(browser, "/rules (rule editor)").await;
}

#[sqlx::test(migrations = "../../migrations")]
async fn every_screen_of_the_link_stand_in_passes_axe_in_light_and_dark(db: PgPool) {
    let app = spawn_app(db).await;
    with_browser(&app, "accessibility-link", |browser| async move {
        let mut audit = Audit::new();
        register(&browser, "lin", PASSWORD).await;

        browser.click_button("Link a bank").await;
        browser.wait_for_text("h2", "Select your bank").await;
        audit.check(&browser, "Link: select your bank").await;
        browser.click_button("Tartan Bank").await;
        browser.wait_for_text("h2", "Log in to Tartan Bank").await;
        audit.check(&browser, "Link: log in").await;
        log_in_to_bank(&browser, "user_good", "wrong").await;
        browser
            .wait_for_text("[role=alert]", "The credentials were not correct.")
            .await;
        audit.check(&browser, "Link: log in, wrong password").await;
        log_in_to_bank(&browser, "user_good", "mfa_device").await;
        browser.wait_for_text("h2", "Verify your identity").await;
        audit.check(&browser, "Link: verify your identity").await;
        browser.fill("Code", "1234").await;
        browser.click_button("Submit").await;
        browser.wait_for_text("h2", "Select accounts").await;
        audit.check(&browser, "Link: select accounts").await;
        browser.click_button("Continue").await;
        browser.wait_for_text("h2", "Success").await;
        audit.check(&browser, "Link: success").await;
        leave_success(&browser).await;

        // A bank that logs in on its own page: Link's hand-off screen, then the bank's consent.
        let oauth_bank = "Platypus OAuth Bank";
        browser
            .wait_for(Locator::Css("[data-testid=bank-card]"))
            .await;
        browser.click_button("Link a bank").await;
        browser.click_button(oauth_bank).await;
        browser
            .wait_for_text("h2", &format!("You will be sent to {oauth_bank}"))
            .await;
        audit.check(&browser, "Link: OAuth hand-off").await;
        browser.click_button("Continue").await;
        browser
            .wait_for_text("h1", "Share your accounts with Tally?")
            .await;
        audit.check(&browser, "the bank's OAuth consent page").await;
        audit.assert_none();
    })
    .await;
}
