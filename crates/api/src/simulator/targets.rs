//! Where the simulator may send a webhook or a person's browser. Anyone who can create a link
//! token could otherwise make it POST to any address (its webhooks) or bounce a browser to any
//! site (its OAuth page): webhooks go only to `PUBLIC_URL`'s origin or a loopback address, and
//! the OAuth page sends people back only to a redirect URI at `PUBLIC_URL`, the simulator's
//! stand-in for the URIs registered in Plaid's dashboard.

use super::error::SimError;
use std::net::IpAddr;
use url::{Host, Origin, Url};

#[derive(Clone)]
pub struct Targets {
    /// `PUBLIC_URL`'s origin; none for `tally simulator` on its own, which allows loopback only.
    public_origin: Option<Origin>,
}

impl Targets {
    pub fn new(public_url: Option<&Url>) -> Self {
        Self {
            public_origin: public_url.map(Url::origin),
        }
    }

    /// A webhook URL: http(s), at `PUBLIC_URL`'s origin or on loopback.
    pub fn check_webhook(&self, field: &str, value: &str) -> Result<Url, SimError> {
        let url = http_url(field, value)?;
        if is_loopback(&url) || self.is_public(&url) {
            return Ok(url);
        }
        Err(SimError::invalid_field(format!(
            "{field} must point at {} or a loopback address",
            self.public_origin_text()
        )))
    }

    /// An OAuth redirect URI: http(s), no query or fragment, at `PUBLIC_URL` (on loopback when
    /// the simulator has no public URL).
    pub fn check_redirect(&self, field: &str, value: &str) -> Result<Url, SimError> {
        let url = http_url(field, value)?;
        if url.query().is_some() || url.fragment().is_some() {
            return Err(SimError::invalid_field(format!(
                "{field} must not contain query parameters or a fragment"
            )));
        }
        let registered = match self.public_origin {
            Some(_) => self.is_public(&url),
            None => is_loopback(&url),
        };
        if !registered {
            return Err(SimError::invalid_field(format!(
                "{field} must be at {} (the simulator's registered redirect URIs)",
                self.public_origin_text()
            )));
        }
        Ok(url)
    }

    fn is_public(&self, url: &Url) -> bool {
        self.public_origin
            .as_ref()
            .is_some_and(|origin| *origin == url.origin())
    }

    fn public_origin_text(&self) -> String {
        self.public_origin
            .as_ref()
            .map_or_else(|| "loopback".to_owned(), Origin::ascii_serialization)
    }
}

fn http_url(field: &str, value: &str) -> Result<Url, SimError> {
    Url::parse(value)
        .ok()
        .filter(|url| matches!(url.scheme(), "http" | "https"))
        .ok_or_else(|| SimError::invalid_field(format!("{field} must be a valid http(s) URL")))
}

/// `localhost`, or a loopback IP literal. Other names are not resolved: what a name resolves to
/// can change between this check and the request.
fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        Some(Host::Ipv4(ip)) => super::guard::is_local_peer(IpAddr::V4(ip)),
        Some(Host::Ipv6(ip)) => super::guard::is_local_peer(IpAddr::V6(ip)),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn targets(public_url: &str) -> Targets {
        Targets::new(Some(&Url::parse(public_url).unwrap()))
    }

    #[test]
    fn webhooks_go_to_the_public_origin_or_loopback_only() {
        let targets = targets("https://tally.example.com");
        for ok in [
            "https://tally.example.com/webhooks/plaid",
            "https://tally.example.com:443/webhooks/plaid?x=1",
            "http://127.0.0.1:3001/webhooks/plaid",
            "http://127.9.9.9/",
            "http://[::1]:8080/hook",
            "http://[::ffff:127.0.0.1]/hook",
            "http://localhost:3001/hook",
            "http://LOCALHOST/hook",
        ] {
            assert!(targets.check_webhook("webhook", ok).is_ok(), "{ok}");
        }
        for refused in [
            "http://tally.example.com/webhooks/plaid",
            "https://tally.example.com:8443/webhooks/plaid",
            "https://evil.example/webhooks/plaid",
            "https://tally.example.com.evil.example/",
            "http://10.0.0.1/hook",
            "http://169.254.169.254/latest/meta-data",
            "http://[::ffff:10.0.0.1]/hook",
            "http://localhost.evil.example/hook",
            "ftp://127.0.0.1/hook",
            "not a url",
        ] {
            let error = targets.check_webhook("webhook", refused).unwrap_err();
            assert_eq!(error.code(), "INVALID_FIELD", "{refused}");
        }
        let error = targets
            .check_webhook("webhook", "https://evil.example/")
            .unwrap_err();
        assert!(
            error.to_string().contains("https://tally.example.com"),
            "{error}"
        );
    }

    #[test]
    fn redirects_go_to_the_public_url_only() {
        let targets = targets("http://localhost:3001");
        assert!(targets
            .check_redirect("redirect_uri", "http://localhost:3001/oauth-link")
            .is_ok());
        for refused in [
            "http://127.0.0.1:3001/oauth-link",
            "https://localhost:3001/oauth-link",
            "https://evil.example/oauth-link",
            "http://localhost:3001/oauth-link?next=https://evil.example",
            "http://localhost:3001/oauth-link#x",
        ] {
            let error = targets.check_redirect("redirect_uri", refused).unwrap_err();
            assert_eq!(error.code(), "INVALID_FIELD", "{refused}");
        }
        let alone = Targets::new(None);
        assert!(alone
            .check_redirect("redirect_uri", "http://127.0.0.1:4000/oauth")
            .is_ok());
        assert!(alone
            .check_redirect("redirect_uri", "https://evil.example/oauth")
            .is_err());
    }
}
