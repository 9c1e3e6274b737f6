//! Which names Tally answers to, and which pages may use it from a browser.
//!
//! - A request must name a known host: `PUBLIC_URL`'s, one of `ALLOWED_ORIGINS`', or a loopback
//!   name or address (`localhost`, `127.0.0.1`, `[::1]`: only a page on this very machine makes
//!   a browser send those). A page that rebinds its own DNS name to this server's address
//!   (DNS rebinding) still sends its own name, and is refused before any route runs.
//! - A browser write, or the event socket, must come from one of our own pages: an `Origin` of
//!   `PUBLIC_URL` or `ALLOWED_ORIGINS`, or a loopback origin that is the very address the
//!   request was sent to (Tally opened at `http://127.0.0.1:3001`). Never "whatever the
//!   request's own `Host` says", which is the rebinding page's name.

use crate::error::ApiError;
use crate::state::AppState;
use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName};
use actix_web::http::uri::Authority;
use actix_web::middleware::Next;
use actix_web::{web, HttpRequest};
use std::net::IpAddr;

/// Refuses a request for a host name Tally does not answer to (see the module's note).
pub async fn refuse_unknown_hosts(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    let Some(state) = req.app_data::<web::Data<AppState>>().cloned() else {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_left_body);
    };
    let known = match requested_authority(req.request()) {
        // Not a browser: every browser names the host.
        None => true,
        Some(authority) => host_of(authority).is_some_and(|host| is_known_host(&state, &host)),
    };
    if known {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_left_body);
    }
    tracing::warn!(
        host = ?req.headers().get(header::HOST),
        "refused a request for a host name this server does not answer to"
    );
    let refusal = ApiError::BadRequest(format!(
        "This server does not answer to that host name. Open Tally at {}.",
        state
            .settings
            .server
            .public_url
            .origin()
            .ascii_serialization()
    ));
    Ok(req.error_response(refusal).map_into_right_body())
}

/// Whether a browser request comes from one of our own pages (or from no browser at all:
/// requests without `Origin` or `Sec-Fetch-Site` carry no ambient cookie risk).
pub fn is_same_origin(req: &HttpRequest) -> bool {
    let header_text = |name| req.headers().get(name).and_then(|v| v.to_str().ok());
    if let Some(origin) = header_text(header::ORIGIN) {
        let Some(state) = req.app_data::<web::Data<AppState>>() else {
            return false;
        };
        return is_our_origin(state, origin) || is_this_loopback_address(req, origin);
    }
    match header_text(HeaderName::from_static("sec-fetch-site")) {
        Some(site) => matches!(site, "same-origin" | "none"),
        None => true,
    }
}

fn is_our_origin(state: &AppState, origin: &str) -> bool {
    let server = &state.settings.server;
    server.public_url.origin().ascii_serialization() == origin
        || server
            .allowed_origins
            .iter()
            .any(|allowed| allowed == origin)
}

/// `http://127.0.0.1:3001` when the request itself went to `127.0.0.1:3001`: a page this
/// server served on this machine.
fn is_this_loopback_address(req: &HttpRequest, origin: &str) -> bool {
    let Some(authority) = origin
        .strip_prefix("http://")
        .or_else(|| origin.strip_prefix("https://"))
    else {
        return false;
    };
    let requested = requested_authority(req);
    host_of(authority).is_some_and(|host| is_loopback(&host))
        && requested.is_some_and(|requested| requested.eq_ignore_ascii_case(authority))
}

fn is_known_host(state: &AppState, host: &str) -> bool {
    let server = &state.settings.server;
    let named = |url_origin: &str| {
        url_origin
            .split_once("://")
            .and_then(|(_, authority)| host_of(authority))
            .is_some_and(|known| known == host)
    };
    is_loopback(host)
        || named(&server.public_url.origin().ascii_serialization())
        || server.allowed_origins.iter().any(|origin| named(origin))
}

/// Where the request was sent: the absolute URI's authority, else the `Host` header. Never
/// `X-Forwarded-Host`, which anyone may write.
pub(crate) fn requested_authority(req: &HttpRequest) -> Option<&str> {
    req.uri().authority().map(Authority::as_str).or_else(|| {
        req.headers()
            .get(header::HOST)
            .and_then(|value| value.to_str().ok())
    })
}

/// The host of `example.com:443` or `[::1]:3001`: lowercase, without port, brackets or a
/// final dot.
pub(crate) fn host_of(authority: &str) -> Option<String> {
    let authority: Authority = authority.parse().ok()?;
    let host = authority
        .host()
        .trim_start_matches('[')
        .trim_end_matches(']')
        .trim_end_matches('.');
    Some(host.to_ascii_lowercase())
}

pub(crate) fn is_loopback(host: &str) -> bool {
    host == "localhost"
        || host
            .parse::<IpAddr>()
            .is_ok_and(|address| address.to_canonical().is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_are_read_without_port_brackets_or_case() {
        assert_eq!(
            host_of("Tally.Example.com:443").as_deref(),
            Some("tally.example.com")
        );
        assert_eq!(
            host_of("tally.example.com.").as_deref(),
            Some("tally.example.com")
        );
        assert_eq!(host_of("[::1]:3001").as_deref(), Some("::1"));
        assert_eq!(host_of("127.0.0.1").as_deref(), Some("127.0.0.1"));
        assert_eq!(host_of("bad host"), None);
    }

    #[test]
    fn loopback_names_and_addresses() {
        for host in [
            "localhost",
            "127.0.0.1",
            "127.8.9.10",
            "::1",
            "::ffff:127.0.0.1",
        ] {
            assert!(is_loopback(host), "{host}");
        }
        for host in [
            "localhost.evil.example",
            "10.0.0.1",
            "evil.example",
            "0.0.0.0",
        ] {
            assert!(!is_loopback(host), "{host}");
        }
    }
}
