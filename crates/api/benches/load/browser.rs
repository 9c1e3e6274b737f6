//! The dashboard's calls as a person's browser makes them: headless Chromium opens the
//! dashboard, the calls it made are read from the page's resource timing, and each is then
//! fetched again and again from the page itself, on the kept-alive, compressed connection the
//! app uses: one call after another, round after round, so that whatever else the machine does
//! meanwhile (autovacuum after the bench's rules, say) falls on every call alike.

use super::LABEL_WIDTH;
use fantoccini::{Client, ClientBuilder};
use serde_json::{json, Value};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Fetches of each call, one at a time, in rounds over all of them.
const REPEATS: usize = 100;
/// What every dashboard call should take at p95, in milliseconds.
const TARGET_MS: f64 = 10.0;

/// Signs `username` in from a Chromium page, opens the dashboard and prints each of its API
/// calls' p50/p95 as fetched from the page.
pub async fn dashboard_calls(base: &str, username: &str, password: &str) {
    let driver = ChromeDriver::start();
    let profile = tempfile::tempdir().unwrap();
    let browser = connect(driver.port, profile.path()).await;
    browser.goto(base).await.unwrap();
    browser
        .wait()
        .at_most(Duration::from_secs(60))
        .for_element(fantoccini::Locator::Css("form"))
        .await
        .expect("the home page's forms");
    let home_code = downloaded_code(&browser).await;
    let status = browser
        .execute_async(
            "const [body, done] = arguments;
             fetch('/api/session', {method: 'POST', body,
                                    headers: {'Content-Type': 'application/json'}})
                 .then(r => done(r.status), e => done(String(e)));",
            vec![json!(
                json!({"username": username, "password": password}).to_string()
            )],
        )
        .await
        .unwrap();
    assert!(
        status.as_u64().is_some_and(|s| s < 300),
        "signing in from the browser: {status}"
    );
    browser.goto(&format!("{base}/dashboard")).await.unwrap();
    let calls = settled_api_calls(&browser).await;
    let code = downloaded_code(&browser).await;
    let timings = browser
        .execute_async(
            "const [paths, repeats, done] = arguments;
             (async () => {
                 const out = Object.fromEntries(paths.map(path => [path, []]));
                 for (let i = 0; i < repeats; i++) {
                     for (const path of paths) {
                         const started = performance.now();
                         const response = await fetch(path);
                         await response.arrayBuffer();
                         out[path].push(performance.now() - started);
                     }
                 }
                 return out;
             })().then(done, e => done(String(e)));",
            vec![json!(calls), json!(REPEATS)],
        )
        .await
        .unwrap();
    let _ = browser.close().await;

    println!(
        "the code Chromium loaded (wasm + JS + CSS, as sent: the first download and the parts):"
    );
    for (page, code) in [
        ("the home page (log in, create an account)", &home_code),
        ("the dashboard, signed in", &code),
    ] {
        let total: u64 = code.iter().map(|(_, bytes)| bytes).sum();
        let parts: Vec<String> = code
            .iter()
            .filter(|(path, _)| path.contains("/parts-"))
            .map(|(path, bytes)| format!("{} {bytes}", path.rsplit('/').next().unwrap_or(path)))
            .collect();
        println!("  {page:<44} {total:>7} bytes; parts: {}", parts.join(", "));
    }
    println!();
    println!(
        "the dashboard's calls from Chromium (fetch in the page, kept-alive, compressed; \
         {REPEATS} each; target p95 <= {TARGET_MS} ms):"
    );
    let mut worst: f64 = 0.0;
    for path in &calls {
        let mut samples: Vec<f64> = timings[path]
            .as_array()
            .unwrap_or_else(|| panic!("timings of {path}: {timings}"))
            .iter()
            .filter_map(Value::as_f64)
            .collect();
        samples.sort_by(f64::total_cmp);
        let at = |q: f64| samples[((samples.len() as f64 - 1.0) * q).round() as usize];
        worst = worst.max(at(0.95));
        println!(
            "  {path:<LABEL_WIDTH$} p50 {:>7.2} ms   p95 {:>7.2} ms",
            at(0.50),
            at(0.95)
        );
    }
    println!(
        "  slowest p95 {worst:.2} ms: {}",
        if worst <= TARGET_MS {
            "within target"
        } else {
            "OVER target"
        }
    );
}

/// The distinct `/api/` paths the page fetched, once it has made no new call for a second
/// (the dashboard's cards load on their own).
async fn settled_api_calls(browser: &Client) -> Vec<String> {
    let script = "return performance.getEntriesByType('resource')
                      .map(e => new URL(e.name))
                      .filter(u => u.pathname.startsWith('/api/') && u.pathname !== '/api/session')
                      .map(u => u.pathname + u.search);";
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut seen = 0;
    let mut quiet_since = Instant::now();
    loop {
        let paths: Vec<String> =
            serde_json::from_value(browser.execute(script, vec![]).await.unwrap()).unwrap();
        if paths.len() != seen {
            seen = paths.len();
            quiet_since = Instant::now();
        } else if seen > 0 && quiet_since.elapsed() >= Duration::from_secs(1) {
            let mut paths = paths;
            paths.sort();
            paths.dedup();
            return paths;
        }
        assert!(
            Instant::now() < deadline,
            "the dashboard never finished loading"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Each wasm, JS and CSS file the page loaded, with its size as sent (`encodedBodySize`:
/// compressed, and also for a file the browser had cached).
async fn downloaded_code(browser: &Client) -> Vec<(String, u64)> {
    let script = "return performance.getEntriesByType('resource')
                      .map(e => [new URL(e.name).pathname, e.encodedBodySize])
                      .filter(([path]) => /\\.(wasm|js|css)$/.test(path));";
    serde_json::from_value(browser.execute(script, vec![]).await.unwrap()).unwrap()
}

async fn connect(port: u16, profile: &std::path::Path) -> Client {
    let chrome = std::env::var("CHROME_BIN").unwrap_or_else(|_| "/usr/bin/chromium".to_owned());
    let capabilities = json!({
        "browserName": "chrome",
        "goog:chromeOptions": {
            "binary": chrome,
            "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--no-first-run", "--disable-background-networking", "--disable-sync",
                "--window-size=1280,900", format!("--user-data-dir={}", profile.display()),
            ],
        },
    });
    let capabilities = capabilities.as_object().unwrap().clone();
    let url = format!("http://127.0.0.1:{port}");
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        match ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(capabilities.clone())
            .connect(&url)
            .await
        {
            Ok(client) => return client,
            Err(error) if Instant::now() >= deadline => {
                panic!("cannot open a browser through ChromeDriver: {error}")
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    }
}

/// A ChromeDriver of the bench's own, stopped when dropped.
struct ChromeDriver {
    child: Child,
    port: u16,
}

impl ChromeDriver {
    fn start() -> Self {
        let port = super::free_port();
        let binary = std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "chromedriver".to_owned());
        let child = Command::new(binary)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("starting chromedriver (scripts/ensure-tools.sh browser installs it)");
        Self { child, port }
    }
}

impl Drop for ChromeDriver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
