//! Who is calling, by network address: the one answer that log-in limits, session records and
//! logs all use.
//!
//! The TCP peer is the caller, unless the peer is one of the reverse proxies named in
//! `TRUSTED_PROXIES`: then the proxies' own record of the chain (`Forwarded`, else
//! `X-Forwarded-For`) is read from the right, past every trusted proxy, to the first address
//! that is not one. Anyone can write those headers, so they are never read from anyone else.

use actix_web::http::header::HeaderMap;
use actix_web::{web, HttpRequest};
use ipnet::IpNet;
use std::net::{IpAddr, Ipv6Addr, SocketAddr};

/// The reverse proxies whose forwarding headers are believed (`TRUSTED_PROXIES`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<IpNet>);

impl TrustedProxies {
    /// Comma-separated CIDR ranges or single addresses (`10.0.0.0/8, 127.0.0.1, ::1`).
    pub fn parse(text: &str) -> Result<Self, String> {
        text.split(',')
            .map(str::trim)
            .filter(|part| !part.is_empty())
            .map(|part| {
                part.parse::<IpNet>()
                    .or_else(|_| part.parse::<IpAddr>().map(IpNet::from))
                    .map(|net| net.trunc())
                    .map_err(|_| {
                        format!(
                            "{part:?} is not an address or a CIDR range (write e.g. \
                             127.0.0.1, 10.0.0.0/8, fd00::/8)"
                        )
                    })
            })
            .collect::<Result<_, _>>()
            .map(Self)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    fn contains(&self, address: IpAddr) -> bool {
        self.0.iter().any(|net| net.contains(&address))
    }
}

/// The caller of `req`, as described above; `None` only when actix knows no peer (tests that
/// call handlers without a socket).
pub fn of(req: &HttpRequest) -> Option<IpAddr> {
    let peer = req.peer_addr()?.ip();
    let proxies = req
        .app_data::<web::Data<crate::state::AppState>>()
        .map(|state| &state.settings.server.trusted_proxies);
    Some(match proxies {
        Some(proxies) => resolve(peer, req.headers(), proxies),
        None => peer.to_canonical(),
    })
}

/// The key under which limits count a caller: an IPv4 address, or an IPv6 address's /64 (one
/// household or one server gets a whole /64, and can pick any address in it).
pub fn limit_key(address: IpAddr) -> IpAddr {
    match address.to_canonical() {
        IpAddr::V4(v4) => IpAddr::V4(v4),
        IpAddr::V6(v6) => {
            let prefix = u128::from(v6) & !(u128::MAX >> 64);
            IpAddr::V6(Ipv6Addr::from(prefix))
        }
    }
}

fn resolve(peer: IpAddr, headers: &HeaderMap, proxies: &TrustedProxies) -> IpAddr {
    let mut caller = peer.to_canonical();
    if !proxies.contains(caller) {
        return caller;
    }
    let chain = forwarded_chain(headers);
    for hop in chain.iter().rev() {
        // A hop we cannot read ("unknown", an obfuscated name) ends what we can know: the
        // trusted proxy that reported it is the best answer left.
        let Some(address) = hop else {
            return caller;
        };
        caller = address.to_canonical();
        if !proxies.contains(caller) {
            return caller;
        }
    }
    caller
}

/// The addresses a chain of proxies reported, client first: from `Forwarded` (RFC 7239) when
/// present, else from `X-Forwarded-For`. `None` for an entry that is not an address.
fn forwarded_chain(headers: &HeaderMap) -> Vec<Option<IpAddr>> {
    let joined = |name: &str| -> Option<String> {
        let values: Vec<&str> = headers
            .get_all(name)
            .filter_map(|value| value.to_str().ok())
            .collect();
        (!values.is_empty()).then(|| values.join(","))
    };
    if let Some(forwarded) = joined("forwarded") {
        return forwarded
            .split(',')
            .map(|element| {
                element.split(';').find_map(|pair| {
                    let (name, value) = pair.split_once('=')?;
                    name.trim()
                        .eq_ignore_ascii_case("for")
                        .then(|| node_address(value.trim().trim_matches('"')))
                })?
            })
            .collect();
    }
    joined("x-forwarded-for")
        .map(|list| {
            list.split(',')
                .map(|entry| node_address(entry.trim()))
                .collect()
        })
        .unwrap_or_default()
}

/// `192.0.2.1`, `192.0.2.1:4711`, `2001:db8::1` or `[2001:db8::1]:4711`.
fn node_address(text: &str) -> Option<IpAddr> {
    text.parse::<IpAddr>()
        .ok()
        .or_else(|| text.parse::<SocketAddr>().ok().map(|socket| socket.ip()))
        .or_else(|| {
            text.strip_prefix('[')
                .and_then(|rest| rest.strip_suffix(']'))
                .and_then(|inner| inner.parse().ok())
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::http::header::{HeaderName, HeaderValue};

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(
                HeaderName::from_static(name),
                HeaderValue::from_static(value),
            );
        }
        map
    }

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn forwarding_headers_count_only_from_trusted_proxies() {
        let proxies = TrustedProxies::parse("10.0.0.0/8, ::1").unwrap();
        let spoofed = headers(&[("x-forwarded-for", "203.0.113.9")]);
        assert_eq!(
            resolve(ip("198.51.100.1"), &spoofed, &proxies),
            ip("198.51.100.1")
        );
        assert_eq!(
            resolve(ip("198.51.100.1"), &spoofed, &TrustedProxies::default()),
            ip("198.51.100.1")
        );
        assert_eq!(
            resolve(ip("10.1.2.3"), &spoofed, &proxies),
            ip("203.0.113.9")
        );
    }

    #[test]
    fn the_chain_is_read_from_the_right_past_trusted_proxies() {
        let proxies = TrustedProxies::parse("10.0.0.0/8").unwrap();
        // The client wrote the first entry itself; the proxies added the rest.
        let chain = headers(&[
            ("x-forwarded-for", "1.1.1.1, 203.0.113.9"),
            ("x-forwarded-for", "10.0.0.7"),
        ]);
        assert_eq!(resolve(ip("10.0.0.2"), &chain, &proxies), ip("203.0.113.9"));
        let all_trusted = headers(&[("x-forwarded-for", "10.0.0.9, 10.0.0.7")]);
        assert_eq!(
            resolve(ip("10.0.0.2"), &all_trusted, &proxies),
            ip("10.0.0.9")
        );
        let unreadable = headers(&[("x-forwarded-for", "203.0.113.9, unknown")]);
        assert_eq!(
            resolve(ip("10.0.0.2"), &unreadable, &proxies),
            ip("10.0.0.2")
        );
    }

    #[test]
    fn forwarded_wins_over_x_forwarded_for() {
        let proxies = TrustedProxies::parse("127.0.0.1").unwrap();
        let both = headers(&[
            (
                "forwarded",
                "for=192.0.2.60;proto=https, For=\"[2001:db8:cafe::17]:4711\"",
            ),
            ("x-forwarded-for", "198.51.100.5"),
        ]);
        assert_eq!(
            resolve(ip("127.0.0.1"), &both, &proxies),
            ip("2001:db8:cafe::17")
        );
        // A dual-stack socket reports an IPv4 proxy as ::ffff:127.0.0.1.
        assert_eq!(
            resolve(ip("::ffff:127.0.0.1"), &both, &proxies),
            ip("2001:db8:cafe::17")
        );
    }

    #[test]
    fn ipv6_callers_are_keyed_by_their_64() {
        assert_eq!(limit_key(ip("2001:db8:1:2:aaaa::1")), ip("2001:db8:1:2::"));
        assert_eq!(
            limit_key(ip("2001:db8:1:2:ffff::9")),
            limit_key(ip("2001:db8:1:2::5"))
        );
        assert_ne!(
            limit_key(ip("2001:db8:1:3::1")),
            limit_key(ip("2001:db8:1:2::1"))
        );
        assert_eq!(limit_key(ip("::ffff:192.0.2.1")), ip("192.0.2.1"));
        assert_eq!(limit_key(ip("192.0.2.1")), ip("192.0.2.1"));
    }

    #[test]
    fn proxies_are_checked_when_read() {
        assert!(TrustedProxies::parse("").unwrap().is_empty());
        assert!(TrustedProxies::parse("10.0.0.0/33").is_err());
        let error = TrustedProxies::parse("10.0.0.0/8, proxy.local").unwrap_err();
        assert!(error.contains("proxy.local"), "{error}");
        assert!(TrustedProxies::parse("192.168.1.7/24")
            .unwrap()
            .contains(ip("192.168.1.200")));
    }
}
