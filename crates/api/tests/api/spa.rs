//! The web app's files: every client-side route loads the app, with the right cache headers.

use crate::helpers::{spa_dir, spawn_app};
use reqwest::StatusCode;
use sqlx::PgPool;

fn built_index() -> String {
    std::fs::read_to_string(spa_dir().join("index.html"))
        .expect("the web app must be built first (make web, or make test does it)")
}

#[sqlx::test(migrations = "../../migrations")]
async fn client_routes_get_the_app_and_it_is_never_cached(db: PgPool) {
    let index = built_index();
    let app = spawn_app(db).await;

    for path in [
        "/",
        "/dashboard",
        "/oauth-link",
        "/admin",
        "/oauth-link?oauth_state_id=abc",
        "/no/such/page",
    ] {
        let response = app.get(path).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        let headers = response.headers().clone();
        assert_eq!(headers["cache-control"], "no-cache", "{path}");
        assert!(headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html"));
        let csp = headers["content-security-policy"]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(
            csp.contains("script-src 'self' 'wasm-unsafe-eval' 'sha256-"),
            "{csp}"
        );
        assert!(
            !csp.contains("plaid.com"),
            "simulator mode needs no Plaid host: {csp}"
        );
        assert_eq!(
            headers["referrer-policy"],
            "strict-origin-when-cross-origin"
        );
        assert_eq!(response.text().await.unwrap(), index, "{path}");
    }
}

#[sqlx::test(migrations = "../../migrations")]
async fn hashed_assets_are_cached_for_a_year(db: PgPool) {
    let wasm = std::fs::read_dir(spa_dir())
        .unwrap()
        .filter_map(Result::ok)
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .find(|name| name.ends_with("_bg.wasm"))
        .expect("a built .wasm file");
    let app = spawn_app(db).await;

    let response = app.get(&format!("/{wasm}")).await;

    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "application/wasm");
    assert_eq!(
        response.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
}

/// The built file with trunk's hash in its name (not `__wasm_split.js`) that ends with `suffix`.
fn built_file(suffix: &str) -> String {
    std::fs::read_dir(spa_dir())
        .unwrap()
        .filter_map(Result::ok)
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .find(|name| name.ends_with(suffix) && name.contains('-'))
        .unwrap_or_else(|| panic!("no built file ending in {suffix}"))
}

#[sqlx::test(migrations = "../../migrations")]
async fn the_app_goes_out_compressed_ahead_of_time(db: PgPool) {
    let app = spawn_app(db).await;
    for (file, content_type) in [
        (built_file("_bg.wasm"), "application/wasm"),
        (built_file(".js"), "text/javascript"),
        (built_file(".css"), "text/css"),
    ] {
        let on_disk = |suffix: &str| std::fs::read(spa_dir().join(format!("{file}{suffix}")));
        for (accept, encoding, suffix) in [
            (Some("gzip, deflate, br, zstd"), Some("br"), ".br"),
            (Some("gzip"), Some("gzip"), ".gz"),
            (Some("br;q=0, gzip;q=0.8"), Some("gzip"), ".gz"),
            (None, None, ""),
        ] {
            let mut request = app.client.get(app.url(&format!("/{file}")));
            if let Some(accept) = accept {
                request = request.header("accept-encoding", accept);
            }
            let response = request.send().await.unwrap();

            assert_eq!(response.status(), StatusCode::OK, "{file} {accept:?}");
            let headers = response.headers().clone();
            assert_eq!(
                headers.get("content-encoding").map(|v| v.to_str().unwrap()),
                encoding,
                "{file} {accept:?}"
            );
            assert!(
                headers["content-type"]
                    .to_str()
                    .unwrap()
                    .starts_with(content_type),
                "{file}: {:?}",
                headers["content-type"]
            );
            assert_eq!(headers["vary"], "accept-encoding", "{file}");
            assert_eq!(
                headers["cache-control"],
                "public, max-age=31536000, immutable"
            );
            if encoding.is_some() {
                // Not "inline; filename=…wasm.br": the file is the .wasm, only encoded.
                assert!(headers.get("content-disposition").is_none(), "{file}");
            }
            let body = response.bytes().await.unwrap();
            assert_eq!(
                body.as_ref(),
                on_disk(suffix).unwrap().as_slice(),
                "{file}{suffix} is not what was sent for {accept:?}"
            );
        }
    }

    // Brotli at the build's settings beats what on-the-fly compression would send.
    let wasm = built_file("_bg.wasm");
    let brotli = std::fs::metadata(spa_dir().join(format!("{wasm}.br"))).unwrap();
    let plain = std::fs::metadata(spa_dir().join(&wasm)).unwrap();
    assert!(
        brotli.len() * 3 < plain.len(),
        "{} of {}",
        brotli.len(),
        plain.len()
    );
}

/// The pages cut out of the first download (docs/performance.md, "Web app size") arrive the way
/// the rest of the app does: wasm that the browser can compile as it streams, the build's brotli,
/// cached for a year under names with their hash; their loader, whose name is fixed, is
/// revalidated on each load.
#[sqlx::test(migrations = "../../migrations")]
async fn lazily_loaded_parts_go_out_like_the_rest_of_the_app(db: PgPool) {
    let app_js = built_file(".js");
    let glue = std::fs::read_to_string(spa_dir().join(&app_js)).unwrap();
    assert!(
        glue.contains("\"./__wasm_split.js\""),
        "{app_js} does not import the loader"
    );
    let loader = std::fs::read_to_string(spa_dir().join("__wasm_split.js")).unwrap();
    assert!(
        loader.contains(&format!("from \"./{app_js}\"")),
        "the loader must import trunk's hashed JS"
    );
    let parts: Vec<&str> = loader
        .split('"')
        .filter_map(|quoted| quoted.strip_prefix("./")?.strip_suffix(".wasm"))
        .collect();
    assert!(
        parts.iter().any(|part| part.ends_with("/settings_page")),
        "the settings page is not cut out: {parts:?}"
    );
    let app = spawn_app(db).await;

    let response = app
        .client
        .get(app.url("/__wasm_split.js"))
        .header("accept-encoding", "br")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/javascript"));
    assert_eq!(response.headers()["cache-control"], "no-cache");

    for part in parts {
        let file = format!("{part}.wasm");
        let response = app
            .client
            .get(app.url(&format!("/{file}")))
            .header("accept-encoding", "gzip, deflate, br, zstd")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{file}");
        let headers = response.headers().clone();
        assert_eq!(headers["content-type"], "application/wasm", "{file}");
        assert_eq!(headers["content-encoding"], "br", "{file}");
        assert_eq!(headers["vary"], "accept-encoding", "{file}");
        assert_eq!(
            headers["cache-control"], "public, max-age=31536000, immutable",
            "{file}"
        );
        let brotli = std::fs::read(spa_dir().join(format!("{file}.br"))).unwrap();
        assert_eq!(
            response.bytes().await.unwrap().as_ref(),
            brotli.as_slice(),
            "{file}"
        );
    }
}

#[sqlx::test(migrations = "../../migrations")]
async fn only_files_inside_the_app_are_served_compressed(db: PgPool) {
    let secret = tempfile::tempdir().unwrap();
    let app_dir = secret.path().join("dist");
    std::fs::create_dir(&app_dir).unwrap();
    std::fs::write(app_dir.join("index.html"), "<html></html>").unwrap();
    // A file beside the app's directory that a `..` would reach.
    std::fs::write(secret.path().join("key-0123456789abcdef.js.br"), "secret").unwrap();
    let spa_dir = app_dir.to_string_lossy().into_owned();
    let app = crate::helpers::spawn_app_with(db, &[("SPA_DIR", spa_dir.as_str())]).await;

    // Sent as raw bytes: an HTTP client would tidy the `..` away before it left.
    for path in [
        "/../key-0123456789abcdef.js",
        "/./../key-0123456789abcdef.js",
        "/x/../../key-0123456789abcdef.js",
        "/..%2fkey-0123456789abcdef.js",
    ] {
        let response = raw_get(&app.address, path, "br").await;
        assert!(
            !response.contains("secret"),
            "{path} reached outside the app"
        );
        let status_line = response.lines().next().unwrap_or_default();
        assert!(
            status_line.contains(" 404 ") || status_line.contains(" 400 "),
            "{path}: {status_line}"
        );
    }
}

#[sqlx::test(migrations = "../../migrations")]
async fn brotli_goes_out_over_plain_http_to_a_browser_that_takes_it(db: PgPool) {
    let app = spawn_app(db).await;
    assert!(app.address.starts_with("http://"), "{}", app.address);
    for file in [
        built_file("_bg.wasm"),
        built_file(".js"),
        built_file(".css"),
    ] {
        let brotli = std::fs::read(spa_dir().join(format!("{file}.br"))).unwrap();
        // Written by hand: plain HTTP/1.1 on a bare TCP connection, no TLS anywhere.
        for accept in ["br", "gzip, deflate, br, zstd"] {
            let response = raw_get_bytes(&app.address, &format!("/{file}"), accept).await;
            let split = response
                .windows(4)
                .position(|window| window == b"\r\n\r\n")
                .expect("an answer with headers");
            let head = String::from_utf8_lossy(&response[..split]).to_ascii_lowercase();
            let header = |name: &str| {
                head.lines()
                    .find_map(|line| line.strip_prefix(&format!("{name}: ")))
                    .map(str::to_owned)
            };
            assert!(head.starts_with("http/1.1 200 "), "{file} {accept}: {head}");
            assert_eq!(
                header("content-encoding").as_deref(),
                Some("br"),
                "{file} {accept}"
            );
            assert_eq!(
                header("vary").as_deref(),
                Some("accept-encoding"),
                "{file} {accept}"
            );
            assert_eq!(
                &response[split + 4..],
                brotli.as_slice(),
                "{file}: not the build's .br for {accept}"
            );
        }
    }
}

/// As [`raw_get`], the answer as bytes (a compressed body is not text).
async fn raw_get_bytes(address: &str, path: &str, accept_encoding: &str) -> Vec<u8> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let host = address.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(host).await.unwrap();
    let request = format!(
        "GET {path} HTTP/1.1\r\nHost: {host}\r\nAccept-Encoding: {accept_encoding}\r\nConnection: close\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).await.unwrap();
    response
}

/// A GET written by hand on a fresh connection, and the whole answer as text.
async fn raw_get(address: &str, path: &str, accept_encoding: &str) -> String {
    String::from_utf8_lossy(&raw_get_bytes(address, path, accept_encoding).await).into_owned()
}

#[sqlx::test(migrations = "../../migrations")]
async fn missing_files_are_404_not_the_app(db: PgPool) {
    let app = spawn_app(db).await;

    for path in [
        "/web-0000000000000000.js",
        "/favicon.ico",
        "/style/main.css",
    ] {
        assert_eq!(
            app.get(path).await.status(),
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
    let post = app.client.post(app.url("/dashboard")).send().await.unwrap();
    assert_eq!(post.status(), StatusCode::METHOD_NOT_ALLOWED);
}

#[sqlx::test(migrations = "../../migrations")]
async fn sandbox_mode_allows_plaids_link_script_and_nothing_more(db: PgPool) {
    let app = crate::helpers::spawn_app_with(
        db,
        &[("PLAID_CLIENT_ID", "client"), ("PLAID_SECRET", "secret")],
    )
    .await;

    let response = app.get("/").await;

    let csp = response.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        csp.contains("https://cdn.plaid.com/link/v2/stable/link-initialize.js"),
        "{csp}"
    );
    assert!(
        csp.contains("frame-src 'self' https://cdn.plaid.com"),
        "{csp}"
    );
    assert!(!csp.contains("production.plaid.com"), "{csp}");
}
