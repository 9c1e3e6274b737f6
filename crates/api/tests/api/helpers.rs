//! `spawn_app`: the real server, built as `main` builds it, on port 0 and a fresh database.

use sqlx::PgPool;
use std::path::PathBuf;
use tally::config::Settings;
use tally::startup::Application;

pub struct TestApp {
    /// `http://127.0.0.1:<port>`
    pub address: String,
    /// The test's own database, the one the app uses.
    pub db: PgPool,
    pub client: reqwest::Client,
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.unwrap()
    }
}

/// How many rows `from` holds: a table, or a table and a `where` clause.
pub async fn count(db: &PgPool, from: &str) -> i64 {
    sqlx::query_scalar(&format!("select count(*) from {from}"))
        .fetch_one(db)
        .await
        .unwrap()
}

/// Where the built web app is: `TALLY_SPA_DIR` (set by `make test`) or the workspace's dist.
pub fn spa_dir() -> PathBuf {
    std::env::var_os("TALLY_SPA_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../web/dist"))
}

/// The settings every test app starts from: port 0, the built web app, simulator mode, and open
/// registration (most tests sign up several people; the registration tests set their own mode).
pub fn test_settings(extra: &[(&str, &str)]) -> Settings {
    let spa_dir = spa_dir();
    let spa_dir = spa_dir.to_string_lossy();
    let key = tally::crypto::TokenCipher::generate_key();
    let mut vars = vec![
        ("HOST", "127.0.0.1"),
        ("PORT", "0"),
        ("SPA_DIR", spa_dir.as_ref()),
        ("REGISTRATION", "open"),
        (
            "TALLY_ENCRYPTION_KEY",
            secrecy::ExposeSecret::expose_secret(&key),
        ),
    ];
    vars.extend_from_slice(extra);
    Settings::from_vars(vars).expect("test settings")
}

/// Everything the apps of this test binary log, at debug level, so tests can check what a log
/// would reveal. `TEST_LOG=1` also prints it.
pub fn captured_logs() -> String {
    capture_logs();
    String::from_utf8_lossy(&LOGS.lock().unwrap()).into_owned()
}

/// The last ERROR lines of [`captured_logs`] (of every test of the binary), for a failing test
/// to show why a server failed.
pub fn logged_errors() -> String {
    let logs = captured_logs();
    let errors: Vec<&str> = logs
        .lines()
        .filter(|line| line.contains(" ERROR "))
        .collect();
    errors[errors.len().saturating_sub(20)..].join("\n")
}

static LOGS: std::sync::Mutex<Vec<u8>> = std::sync::Mutex::new(Vec::new());

struct LogSink;

impl std::io::Write for LogSink {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        LOGS.lock().unwrap().extend_from_slice(bytes);
        if std::env::var_os("TEST_LOG").is_some() {
            std::io::stdout().write_all(bytes)?;
        }
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn capture_logs() {
    static INSTALLED: std::sync::Once = std::sync::Once::new();
    INSTALLED.call_once(|| {
        let _ = tracing_subscriber::fmt()
            // The server's logs only: the test clients' own (cookie jars, HTTP) are not Tally's.
            .with_env_filter(
                "debug,cookie_store=off,reqwest=off,hyper=off,hyper_util=off,h2=off,rustls=off",
            )
            .with_writer(|| LogSink)
            .with_ansi(false)
            .try_init();
    });
}

pub async fn spawn_app(db: PgPool) -> TestApp {
    spawn_app_with(db, &[]).await
}

/// As `spawn_app`, with extra settings (`NAME`, `value`) on top of the test defaults.
pub async fn spawn_app_with(db: PgPool, extra: &[(&str, &str)]) -> TestApp {
    capture_logs();
    let settings = test_settings(extra);

    // The app shares the test's pool: when the test ends, sqlx closes it and drops the database.
    let application = Application::build_with_pool(settings, db.clone())
        .await
        .expect("building the app");
    let address = application.local_url();
    tokio::spawn(application.run_until_stopped(std::future::pending()));

    TestApp {
        address,
        db,
        client: browser_like_client(),
    }
}

/// The app on a port known before it starts, so that its public URL (where banks send people
/// back after OAuth, and the simulator's registered redirect URI) is the address the browser
/// and `TestApp::url` use, cookies and `sessionStorage` included.
pub async fn spawn_app_at_public_url(db: PgPool) -> TestApp {
    spawn_app_at_host(db, "127.0.0.1", &[]).await
}

/// As `spawn_app_at_public_url`, at `http://localhost:<port>`: passkeys need a domain name for
/// their relying party, and a browser uses them only at that origin.
pub async fn spawn_app_at_localhost(db: PgPool) -> TestApp {
    spawn_app_at_host(db, "localhost", &[]).await
}

/// `spawn_app_at_localhost` with `env` on top.
pub async fn spawn_app_at_localhost_with(db: PgPool, env: &[(&str, &str)]) -> TestApp {
    spawn_app_at_host(db, "localhost", env).await
}

async fn spawn_app_at_host(db: PgPool, host: &str, env: &[(&str, &str)]) -> TestApp {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
        .to_string();
    let public_url = format!("http://{host}:{port}");
    let mut settings = vec![("PORT", port.as_str()), ("PUBLIC_URL", public_url.as_str())];
    settings.extend_from_slice(env);
    let mut app = spawn_app_with(db, &settings).await;
    app.address = public_url;
    app
}

/// A client that keeps cookies, as a browser tab does.
pub fn browser_like_client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .cookie_store(true)
        .build()
        .unwrap()
}

/// A tab whose requests carry `name: value` as a reverse proxy in front of Tally would add it
/// (`X-Forwarded-For: 203.0.113.7`), or as a caller forging it would.
pub fn client_with_header(name: &'static str, value: &str) -> reqwest::Client {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(name, value.parse().unwrap());
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .cookie_store(true)
        .default_headers(headers)
        .build()
        .unwrap()
}
