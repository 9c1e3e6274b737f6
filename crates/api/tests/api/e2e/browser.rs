//! A headless Chromium for one test: its own ChromeDriver, profile and screenshot, and a check
//! that the page logged no error.

use crate::helpers::TestApp;
use fantoccini::elements::Element;
use fantoccini::key::Key;
use fantoccini::wd::WebDriverCompatibleCommand;
use fantoccini::{Client, ClientBuilder, Locator};
use futures_util::FutureExt;
use std::future::Future;
use std::net::TcpListener;
use std::panic::AssertUnwindSafe;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const WAIT: Duration = Duration::from_secs(20);

pub struct Browser {
    client: Client,
    base_url: String,
}

/// Runs `test` in a fresh browser on `app`, then saves `target/screenshots/<name>.png`, fails if
/// the page logged an error, and closes the browser whatever happened.
pub async fn with_browser<F, Fut>(app: &TestApp, name: &str, test: F)
where
    F: FnOnce(Browser) -> Fut,
    Fut: Future<Output = ()>,
{
    let driver = ChromeDriver::start();
    let profile = tempfile::tempdir().unwrap();
    let client = connect(&driver, profile.path()).await;
    let browser = Browser {
        client: client.clone(),
        base_url: app.address.clone(),
    };

    let outcome = AssertUnwindSafe(test(browser)).catch_unwind().await;
    let checker = Browser {
        client: client.clone(),
        base_url: app.address.clone(),
    };
    let screenshot = checker.screenshot(name).await;
    let errors = checker.console_errors().await;
    let _ = client.close().await;
    drop(driver);

    if let Err(panic) = outcome {
        std::panic::resume_unwind(panic);
    }
    screenshot.unwrap();
    assert!(errors.is_empty(), "the page logged errors: {errors:#?}");
}

impl Browser {
    pub async fn goto(&self, path: &str) {
        self.client
            .goto(&format!("{}{path}", self.base_url))
            .await
            .unwrap();
    }

    pub async fn path(&self) -> String {
        self.client.current_url().await.unwrap().path().to_owned()
    }

    /// The first element matching `css` whose text contains `text`, waiting for it to appear.
    pub async fn wait_for_text(&self, css: &str, text: &str) -> Element {
        let deadline = Instant::now() + WAIT;
        let mut seen = Vec::new();
        loop {
            seen.clear();
            for element in self.client.find_all(Locator::Css(css)).await.unwrap() {
                let found = element.text().await.unwrap_or_default();
                if found.contains(text) {
                    return element;
                }
                seen.push(found);
            }
            assert!(
                Instant::now() < deadline,
                "no {css:?} containing {text:?} after {WAIT:?}; saw {seen:?}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Runs JavaScript in the page and returns its result.
    pub async fn run_js(&self, script: &str) -> serde_json::Value {
        self.client.execute(script, Vec::new()).await.unwrap()
    }

    /// Waits for an element, then returns it.
    pub async fn wait_for(&self, locator: Locator<'_>) -> Element {
        self.client
            .wait()
            .at_most(WAIT)
            .for_element(locator)
            .await
            .unwrap_or_else(|e| panic!("no element {locator:?} after {WAIT:?}: {e}"))
    }

    /// Scrolls the element into the middle of the window (clear of the sticky header), then
    /// clicks it. A live refetch may redraw the element between finding and clicking it: then it
    /// is found again, as a person would see it again, until `WAIT` runs out.
    pub async fn click(&self, locator: Locator<'_>) {
        let deadline = Instant::now() + WAIT;
        loop {
            let element = self.wait_for(locator).await;
            let scrolled = self
                .client
                .execute(
                    "arguments[0].scrollIntoView({ block: 'center' })",
                    vec![serde_json::to_value(&element).unwrap()],
                )
                .await;
            let clicked = match scrolled {
                Ok(_) => element.click().await.map(drop),
                Err(error) => Err(error),
            };
            match clicked {
                Ok(()) => return,
                Err(error) if error.is_stale_element_reference() && Instant::now() < deadline => {}
                Err(error) => panic!("cannot click {locator:?}: {error}"),
            }
        }
    }

    /// Types into the input whose `<label>` reads `label`.
    pub async fn fill(&self, label: &str, value: &str) {
        // A label pointing at its input (`for`), or wrapping it with its text in a `span`.
        let xpath = format!(
            "(//input[@id=//label[normalize-space(.)='{label}']/@for] | //label[span[normalize-space(.)='{label}']]//input)"
        );
        let input = self.wait_for(Locator::XPath(&xpath)).await;
        input.clear().await.unwrap();
        input.send_keys(value).await.unwrap();
    }

    /// Clicks the enabled button whose text (or `aria-label`) is `text`.
    pub async fn click_button(&self, text: &str) {
        let xpath = format!(
            "//button[(normalize-space(.)='{text}' or @aria-label='{text}') and not(@disabled)]"
        );
        let deadline = Instant::now() + WAIT;
        loop {
            if let Ok(button) = self.client.find(Locator::XPath(&xpath)).await {
                if button.click().await.is_ok() {
                    return;
                }
            }
            assert!(
                Instant::now() < deadline,
                "no clickable button {text:?} after {WAIT:?}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Presses Tab until the keyboard focus is on the control named `name` (its `aria-label`,
    /// its field's label, or its text), as a keyboard user gets there; at most 80 presses.
    pub async fn tab_to(&self, name: &str) {
        for _ in 0..80 {
            if self.focused_name().await == name {
                return;
            }
            self.press(Key::Tab).await;
        }
        panic!("Tab never reaches {name:?}");
    }

    /// The name of the focused control, as `tab_to` reads it.
    pub async fn focused_name(&self) -> String {
        let script = "const e = document.activeElement; \
            const label = e.labels && e.labels[0] && e.labels[0].querySelector('.field-label'); \
            return (e.getAttribute('aria-label') || (label && label.innerText) || e.innerText || '').trim();";
        self.run_js(script).await.as_str().unwrap_or("").to_owned()
    }

    /// Types `text` into whatever has the keyboard focus.
    pub async fn type_text(&self, text: &str) {
        let focused = self.client.active_element().await.unwrap();
        focused.send_keys(text).await.unwrap();
    }

    /// Presses `key` on whatever has the keyboard focus.
    pub async fn press(&self, key: Key) {
        self.type_text(&char::from(key).to_string()).await;
    }

    /// Runs an asynchronous script (it calls `arguments[arguments.length - 1]` when done).
    pub async fn run_async_js(
        &self,
        script: &str,
        args: Vec<serde_json::Value>,
    ) -> serde_json::Value {
        self.client.execute_async(script, args).await.unwrap()
    }

    pub async fn click_link(&self, text: &str) {
        self.client
            .find(Locator::LinkText(text))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
    }

    /// Chooses the option shown as `option` in the `<select>` whose `<label>` reads `label`.
    pub async fn select(&self, label: &str, option: &str) {
        let xpath = format!(
            "(//select[@id=//label[normalize-space(.)='{label}']/@for] | //label[span[normalize-space(.)='{label}']]//select)"
        );
        let select = self.wait_for(Locator::XPath(&xpath)).await;
        select.select_by_label(option).await.unwrap();
    }

    /// Makes the page's viewport `width` × `height` CSS pixels (headless Chromium's window is
    /// as wide as its viewport but taller).
    pub async fn resize(&self, width: u32, height: u32) {
        self.client.set_window_size(width, height).await.unwrap();
        let frame = self
            .run_js("return window.outerHeight - window.innerHeight")
            .await
            .as_u64()
            .and_then(|extra| u32::try_from(extra).ok())
            .unwrap_or(0);
        if frame > 0 {
            self.client
                .set_window_size(width, height + frame)
                .await
                .unwrap();
        }
    }

    /// Saves `target/screenshots/<name>.png` of the whole page, `width` CSS pixels wide (the
    /// window grows as tall as the page for it, then goes back to `width` × `height`).
    pub async fn screenshot_page(&self, name: &str, width: u32, height: u32) {
        self.resize(width, height).await;
        self.run_js("window.scrollTo(0, 0)").await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        let page_height = self
            .run_js("return document.documentElement.scrollHeight")
            .await
            .as_u64()
            .and_then(|h| u32::try_from(h).ok())
            .unwrap_or(height);
        self.resize(width, page_height.max(height)).await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        self.screenshot(name).await.unwrap();
        self.resize(width, height).await;
    }

    /// Saves the page a screenful at a time, as someone scrolling a `width` × `height` screen
    /// sees it: `target/screenshots/<name>-1.png`, `-2`, … (at most 8).
    pub async fn screenshot_screens(&self, name: &str, width: u32, height: u32) {
        self.resize(width, height).await;
        for screen in 1..=8 {
            self.run_js(&format!("window.scrollTo(0, {})", (screen - 1) * height))
                .await;
            tokio::time::sleep(Duration::from_millis(200)).await;
            self.screenshot(&format!("{name}-{screen}")).await.unwrap();
            let at_bottom = self
                .run_js("return window.scrollY + window.innerHeight >= document.documentElement.scrollHeight - 1")
                .await;
            if at_bottom == true {
                break;
            }
        }
        self.run_js("window.scrollTo(0, 0)").await;
    }

    /// Sends a command fantoccini has no method for (such as the WebAuthn extension's virtual
    /// authenticators) and returns its value.
    pub async fn issue(&self, command: WebDriverCommand) -> serde_json::Value {
        self.client.issue_cmd(command).await.unwrap()
    }

    /// Renders the page as for someone whose system prefers `scheme` (`light` or `dark`).
    pub async fn prefer_color_scheme(&self, scheme: &str) {
        let command = WebDriverCommand::dev_tools(
            "Emulation.setEmulatedMedia",
            serde_json::json!({
                "features": [{ "name": "prefers-color-scheme", "value": scheme }],
            }),
        );
        self.client.issue_cmd(command).await.unwrap();
    }

    /// Makes the page's requests to addresses matching `patterns` (DevTools wildcards, e.g.
    /// `*/api/session`) fail as if the network refused them; none again with `&[]`.
    pub async fn block_requests(&self, patterns: &[&str]) {
        for command in [
            WebDriverCommand::dev_tools("Network.enable", serde_json::json!({})),
            WebDriverCommand::dev_tools(
                "Network.setBlockedURLs",
                serde_json::json!({ "urls": patterns }),
            ),
        ] {
            self.client.issue_cmd(command).await.unwrap();
        }
    }

    /// Saves `target/screenshots/<name>.png` now.
    pub async fn screenshot(&self, name: &str) -> std::io::Result<()> {
        let png = self
            .client
            .screenshot()
            .await
            .map_err(std::io::Error::other)?;
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/screenshots");
        std::fs::create_dir_all(&dir)?;
        std::fs::write(dir.join(format!("{name}.png")), png)
    }

    /// Everything the page logged at error level (console.error, uncaught exceptions, failed
    /// loads, CSP violations) since the last call.
    pub async fn console_errors(&self) -> Vec<String> {
        let entries = self
            .client
            .issue_cmd(WebDriverCommand::browser_log())
            .await
            .unwrap_or_default();
        entries
            .as_array()
            .into_iter()
            .flatten()
            .filter(|entry| entry["level"] == "SEVERE")
            // Chrome logs every 4xx as a failed load. The API's answers to a person's mistakes
            // (not logged in, wrong password, refused, taken name, invalid field, too many tries)
            // are expected and shown by the page; 400, 404 and 5xx still count as errors.
            .filter(|entry| {
                let message = entry["message"].as_str().unwrap_or_default();
                let expected = ["401", "403", "409", "422", "429"]
                    .iter()
                    .any(|status| message.contains(&format!("status of {status} ")));
                !(message.contains("/api/") && expected)
            })
            .map(|entry| entry["message"].as_str().unwrap_or_default().to_owned())
            .collect()
    }
}

/// A command under `/session/{id}/` that fantoccini has no method for: ChromeDriver's own
/// (`se/log`, the console; `goog/cdp/execute`, DevTools), not in the W3C protocol, and WebDriver
/// extensions' (`webauthn/…`). A body makes it a POST, none a GET.
#[derive(Debug)]
pub struct WebDriverCommand {
    endpoint: String,
    body: Option<serde_json::Value>,
}

impl WebDriverCommand {
    pub fn session(endpoint: String, body: Option<serde_json::Value>) -> Self {
        Self { endpoint, body }
    }

    fn browser_log() -> Self {
        Self::session(
            "se/log".to_owned(),
            Some(serde_json::json!({ "type": "browser" })),
        )
    }

    fn dev_tools(command: &str, params: serde_json::Value) -> Self {
        Self::session(
            "goog/cdp/execute".to_owned(),
            Some(serde_json::json!({ "cmd": command, "params": params })),
        )
    }
}

impl WebDriverCompatibleCommand for WebDriverCommand {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!(
            "session/{}/{}",
            session_id.unwrap_or_default(),
            self.endpoint
        ))
    }

    fn method_and_body(&self, _request_url: &url::Url) -> (http::Method, Option<String>) {
        match &self.body {
            Some(body) => (http::Method::POST, Some(body.to_string())),
            None => (http::Method::GET, None),
        }
    }
}

/// A ChromeDriver of this test's own, in its own process group so that ending it ends the
/// browsers it started too.
struct ChromeDriver {
    child: Child,
    port: u16,
}

impl ChromeDriver {
    fn start() -> Self {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let binary = std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "chromedriver".to_owned());
        let child = std::os::unix::process::CommandExt::process_group(
            Command::new(&binary)
                .arg(format!("--port={port}"))
                .stdout(Stdio::null())
                .stderr(Stdio::null()),
            0,
        )
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {binary} (make test installs it): {e}"));
        Self { child, port }
    }
}

impl Drop for ChromeDriver {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-s", "KILL", "--", &format!("-{}", self.child.id())])
            .status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn connect(driver: &ChromeDriver, profile: &std::path::Path) -> Client {
    let chrome = std::env::var("CHROME_BIN").unwrap_or_else(|_| "/usr/bin/chromium".to_owned());
    let capabilities = serde_json::json!({
        "browserName": "chrome",
        "goog:chromeOptions": {
            "binary": chrome,
            "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--window-size=1280,900",
                format!("--user-data-dir={}", profile.display()),
            ],
        },
        "goog:loggingPrefs": { "browser": "ALL" },
    });
    let capabilities = capabilities.as_object().unwrap().clone();
    let url = format!("http://127.0.0.1:{}", driver.port);
    let deadline = Instant::now() + WAIT;
    loop {
        let attempt = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(capabilities.clone())
            .connect(&url)
            .await;
        match attempt {
            Ok(client) => return client,
            Err(error) if Instant::now() < deadline => {
                let _ = error;
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            Err(error) => panic!("cannot open a browser session through ChromeDriver: {error}"),
        }
    }
}
