//! Serving the browser app: its built files (compressed ahead of time where the build left a
//! `.br` or `.gz` beside them), the `index.html` fallback for client-side routes, cache headers,
//! and the Content-Security-Policy that fits exactly what the app loads.

use actix_files::{file_extension_to_mime, Files, NamedFile};
use actix_web::dev::{fn_service, Service, ServiceRequest, ServiceResponse};
use actix_web::http::header::{
    self, AcceptEncoding, ContentEncoding, Encoding, Header, HeaderValue,
};
use actix_web::http::{Method, StatusCode};
use actix_web::{web, HttpResponse};
use base64::Engine;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use tally_shared::api::config::PlaidMode;

/// Hashed assets never change under the same name, so browsers may keep them for a year.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// Everything else (above all `index.html`) is revalidated on every load.
const REVALIDATE: &str = "no-cache";

/// The built web app in a directory (`trunk build` output).
#[derive(Debug, Clone)]
pub struct Spa {
    dir: PathBuf,
    /// `'sha256-…'` sources for the inline scripts trunk writes into `index.html`.
    inline_script_hashes: Vec<String>,
}

impl Spa {
    /// Reads `index.html` once, for the hashes of its inline scripts. A missing build is not
    /// fatal: the API still works and pages explain how to build the app.
    pub fn load(dir: &Path) -> Self {
        let index = dir.join("index.html");
        let inline_script_hashes = match std::fs::read_to_string(&index) {
            Ok(html) => inline_scripts(&html)
                .map(|script| {
                    let digest = Sha256::digest(script.as_bytes());
                    format!(
                        "'sha256-{}'",
                        base64::engine::general_purpose::STANDARD.encode(digest)
                    )
                })
                .collect(),
            Err(error) => {
                tracing::warn!(path = %index.display(), %error, "the web app is not built; run `make start`");
                Vec::new()
            }
        };
        Self {
            dir: dir.to_owned(),
            inline_script_hashes,
        }
    }

    /// The policy for every response: only our own origin, plus Plaid's Link host outside the
    /// simulator. `wasm-unsafe-eval` lets the page compile its WebAssembly and nothing more.
    pub fn content_security_policy(&self, mode: PlaidMode) -> String {
        let mut script_src = vec!["'self'", "'wasm-unsafe-eval'"];
        script_src.extend(self.inline_script_hashes.iter().map(String::as_str));
        let (plaid_script, plaid_frame, plaid_connect) = match mode {
            PlaidMode::Simulator => ("", "", ""),
            PlaidMode::Sandbox => (
                " https://cdn.plaid.com/link/v2/stable/link-initialize.js",
                " https://cdn.plaid.com",
                " https://sandbox.plaid.com",
            ),
            PlaidMode::Production => (
                " https://cdn.plaid.com/link/v2/stable/link-initialize.js",
                " https://cdn.plaid.com",
                " https://production.plaid.com",
            ),
        };
        format!(
            "default-src 'self'; script-src {}{plaid_script}; style-src 'self'; \
             style-src-attr 'unsafe-inline'; img-src 'self' data: https:; font-src 'self'; \
             connect-src 'self'{plaid_connect}; frame-src 'self'{plaid_frame}; object-src 'none'; \
             base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
            script_src.join(" ")
        )
    }

    /// Mounts the app at `/`, after every other service, so it only sees what nothing else took.
    pub fn configure(&self, cfg: &mut web::ServiceConfig) {
        let index = self.dir.join("index.html");
        let dir = self.dir.clone();
        let files = Files::new("/", &self.dir)
            .index_file("index.html")
            .use_etag(true)
            .use_last_modified(true)
            .default_handler(fn_service(move |req: ServiceRequest| {
                let index = index.clone();
                async move { Ok(serve_index(req, &index)) }
            }));
        cfg.service(
            web::scope("")
                .wrap_fn(move |req, srv| {
                    let hashed = is_hashed_asset(req.path());
                    let response = match hashed.then(|| precompressed(&req, &dir)).flatten() {
                        Some(file) => {
                            let (req, _payload) = req.into_parts();
                            let response = file.into_response(&req);
                            futures_util::future::Either::Left(std::future::ready(Ok(
                                ServiceResponse::new(req, response),
                            )))
                        }
                        None => futures_util::future::Either::Right(srv.call(req)),
                    };
                    async move {
                        let mut response = response.await?;
                        if hashed {
                            // The same URL answers brotli, gzip or plain bytes by request.
                            response
                                .headers_mut()
                                .insert(header::VARY, HeaderValue::from_static("accept-encoding"));
                        }
                        if response.status().is_success()
                            || response.status() == StatusCode::NOT_MODIFIED
                        {
                            let cache_control = if hashed { IMMUTABLE } else { REVALIDATE };
                            response.headers_mut().insert(
                                header::CACHE_CONTROL,
                                HeaderValue::from_static(cache_control),
                            );
                        }
                        Ok(response)
                    }
                })
                .service(files),
        );
    }
}

/// The build's `.br` or `.gz` of a requested file, when the browser takes that encoding (brotli
/// first) and the build made one. Compressing the 1.3 MB wasm on every request would take CPU
/// each time and, at the fast settings on-the-fly compression uses, send ~90 KB more.
fn precompressed(req: &ServiceRequest, dir: &Path) -> Option<NamedFile> {
    if !matches!(*req.method(), Method::GET | Method::HEAD) {
        return None;
    }
    let relative = safe_relative_path(req.path())?;
    let accepted = AcceptEncoding::parse(req).ok()?;
    let supported = [Encoding::brotli(), Encoding::gzip()];
    let (encoding, suffix) = match accepted.negotiate(supported.iter())? {
        chosen if chosen == Encoding::brotli() => (ContentEncoding::Brotli, "br"),
        chosen if chosen == Encoding::gzip() => (ContentEncoding::Gzip, "gz"),
        _ => return None,
    };
    let original = dir.join(relative);
    let mut compressed = original.clone().into_os_string();
    compressed.push(".");
    compressed.push(suffix);
    let file = NamedFile::open(PathBuf::from(compressed)).ok()?;
    Some(
        file.set_content_type(file_extension_to_mime(
            original
                .extension()
                .and_then(|extension| extension.to_str())
                .unwrap_or_default(),
        ))
        .set_content_encoding(encoding)
        .disable_content_disposition()
        .use_etag(true)
        .use_last_modified(true),
    )
}

/// A URL path as a path under the app's directory: plain segments only, never `..`.
fn safe_relative_path(path: &str) -> Option<PathBuf> {
    let mut relative = PathBuf::new();
    for segment in path.split('/').filter(|segment| !segment.is_empty()) {
        if segment == "." || segment == ".." || segment.contains(['\\', '\0']) {
            return None;
        }
        relative.push(segment);
    }
    (!relative.as_os_str().is_empty()).then_some(relative)
}

/// Client-side routes (`/dashboard`, `/oauth-link`, …) get `index.html`; paths that look like a
/// file that is not there get a 404, so a stale asset URL never turns into HTML.
fn serve_index(req: ServiceRequest, index: &Path) -> ServiceResponse {
    let (req, _payload) = req.into_parts();
    let wants_page = matches!(*req.method(), Method::GET | Method::HEAD)
        && !req
            .path()
            .rsplit('/')
            .next()
            .is_some_and(|last| last.contains('.'));
    if !wants_page {
        return ServiceResponse::new(req, HttpResponse::NotFound().finish());
    }
    let response = match NamedFile::open(index) {
        Ok(file) => file.use_etag(true).into_response(&req),
        Err(error) => {
            tracing::error!(path = %index.display(), %error, "cannot serve the web app");
            HttpResponse::ServiceUnavailable()
                .content_type("text/plain; charset=utf-8")
                .body("Tally's web app has not been built. Run `make start` (or `make web`).")
        }
    };
    ServiceResponse::new(req, response)
}

/// Trunk names built files `name-<hash>.ext`, the hash a 64-bit number in hex without leading
/// zeros (or puts them in a folder named that way).
fn is_hashed_asset(path: &str) -> bool {
    path.split('/').any(|segment| {
        segment.split('-').skip(1).any(|part| {
            let hex_len = part.bytes().take_while(u8::is_ascii_hexdigit).count();
            (12..=16).contains(&hex_len)
                && matches!(part.as_bytes().get(hex_len), None | Some(b'.' | b'_'))
        })
    })
}

/// The bodies of `<script>` elements without a `src`.
fn inline_scripts(html: &str) -> impl Iterator<Item = &str> {
    html.split("<script").skip(1).filter_map(|rest| {
        let tag_end = rest.find('>')?;
        let (attributes, after) = rest.split_at(tag_end);
        if attributes.contains("src=") {
            return None;
        }
        let body = &after[1..];
        body.find("</script>").map(|end| &body[..end])
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_trunk_hashed_names() {
        assert!(is_hashed_asset("/web-4c1f5b3e9a0d2e77.js"));
        assert!(is_hashed_asset("/web-4c1f5b3e9a0d2e77_bg.wasm"));
        assert!(is_hashed_asset("/style-0123456789abcdef.css"));
        assert!(is_hashed_asset("/snippets/web-0123456789abcdef/inline0.js"));
        assert!(is_hashed_asset("/favicon-5e7b6c0df9a4ac1.svg"));
        assert!(!is_hashed_asset("/index.html"));
        assert!(!is_hashed_asset("/oauth-link"));
        assert!(!is_hashed_asset("/favicon.svg"));
        assert!(!is_hashed_asset("/my-app.js"));
    }

    #[test]
    fn hashes_only_inline_scripts() {
        let html = r#"<head><script src="/a.js"></script><script type="module">import x;</script>
            <script>b()</script></head>"#;
        let found: Vec<_> = inline_scripts(html).collect();
        assert_eq!(found, vec!["import x;", "b()"]);
    }

    #[test]
    fn plaid_hosts_only_outside_the_simulator() {
        let spa = Spa {
            dir: PathBuf::new(),
            inline_script_hashes: vec!["'sha256-abc'".to_owned()],
        };
        let sim = spa.content_security_policy(PlaidMode::Simulator);
        assert!(!sim.contains("plaid.com"));
        assert!(sim.contains("script-src 'self' 'wasm-unsafe-eval' 'sha256-abc';"));
        assert!(sim.contains("frame-ancestors 'none'"));
        let sandbox = spa.content_security_policy(PlaidMode::Sandbox);
        assert!(sandbox.contains("https://cdn.plaid.com/link/v2/stable/link-initialize.js"));
        assert!(sandbox.contains("connect-src 'self' https://sandbox.plaid.com"));
    }
}
