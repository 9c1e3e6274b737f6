//! Who may use the simulator's control and sandbox routes. They move the clock, inject faults,
//! create items and fire webhooks, so they answer only callers on this machine (by the TCP
//! peer's address: loopback or the server's own; never a forwarded header, which anyone can
//! write) or callers that send the simulator's secret in the `PLAID-SECRET` header, as Plaid's
//! client libraries do. A local peer that says it forwarded the request is a reverse proxy on
//! this machine passing on someone else's: that caller is not local. Nor is a local peer that
//! names another host: that is a browser on this machine running a page whose DNS name was
//! rebound to this server (DNS rebinding), in the embedded simulator and in `tally simulator`
//! alike. Local callers name a loopback host or this server's own address.

use super::error::SimError;
use super::Simulator;
use crate::origins;
use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::web;
use secrecy::ExposeSecret;
use std::net::IpAddr;

/// The header a non-local caller proves itself with.
pub const SECRET_HEADER: &str = "PLAID-SECRET";

/// Refuses callers that are neither local nor carry the simulator's secret.
pub async fn local_or_secret(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    let listener = req.app_config().local_addr().ip();
    let local = req
        .peer_addr()
        .is_some_and(|peer| is_this_machine(peer.ip(), listener))
        && !forwarded(&req)
        && names_this_machine(&req, listener);
    if local || carries_secret(&req) {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_left_body);
    }
    tracing::warn!(path = %req.path(), "refused a simulator control call from a remote peer");
    Ok(req
        .error_response(SimError::forbidden_route())
        .map_into_right_body())
}

/// A loopback address, IPv4, IPv6, or IPv4 written as IPv6 (`::ffff:127.0.0.1`, what a
/// dual-stack socket reports for an IPv4 caller).
pub fn is_local_peer(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4.is_loopback(),
        IpAddr::V6(v6) => {
            v6.is_loopback() || v6.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback())
        }
    }
}

/// A loopback peer, or one whose address is the very address this server listens on (Tally
/// on a LAN address calls its own simulator from that address). Another machine cannot open a
/// TCP connection from an address that is ours.
pub fn is_this_machine(peer: IpAddr, listener: IpAddr) -> bool {
    is_local_peer(peer) || (!listener.is_unspecified() && peer == listener)
}

/// Whether the request names a loopback host or this server's own address (or no host at all,
/// which no browser sends).
fn names_this_machine(req: &ServiceRequest, listener: IpAddr) -> bool {
    let Some(authority) = origins::requested_authority(req.request()) else {
        return true;
    };
    origins::host_of(authority).is_some_and(|host| {
        origins::is_loopback(&host)
            || host
                .parse::<IpAddr>()
                .is_ok_and(|named| !listener.is_unspecified() && named == listener)
    })
}

/// Whether a proxy says it passed the request on (the headers proxies add for the caller).
fn forwarded(req: &ServiceRequest) -> bool {
    ["forwarded", "x-forwarded-for", "x-real-ip"]
        .iter()
        .any(|name| req.headers().contains_key(*name))
}

/// Without configured keys there is no secret, and only local callers are let in.
fn carries_secret(req: &ServiceRequest) -> bool {
    let Some(keys) = req
        .app_data::<web::Data<Simulator>>()
        .and_then(|sim| sim.keys.as_ref())
    else {
        return false;
    };
    req.headers().get(SECRET_HEADER).is_some_and(|given| {
        constant_time_eq::constant_time_eq(given.as_bytes(), keys.secret.expose_secret().as_bytes())
    })
}

#[cfg(test)]
mod tests {
    use super::{is_local_peer, is_this_machine};
    use std::net::IpAddr;

    #[test]
    fn a_peer_at_the_servers_own_address_is_this_machine() {
        let ip = |text: &str| text.parse::<IpAddr>().unwrap();
        assert!(is_this_machine(ip("192.0.2.2"), ip("192.0.2.2")));
        assert!(is_this_machine(ip("127.0.0.1"), ip("192.0.2.2")));
        assert!(!is_this_machine(ip("192.0.2.7"), ip("192.0.2.2")));
        assert!(!is_this_machine(ip("0.0.0.0"), ip("0.0.0.0")));
        assert!(!is_this_machine(ip("::"), ip("::")));
        assert!(!is_this_machine(ip("192.0.2.7"), ip("0.0.0.0")));
    }

    fn local(address: &str) -> bool {
        is_local_peer(address.parse::<IpAddr>().unwrap())
    }

    #[test]
    fn loopback_peers_are_local_in_every_spelling() {
        for address in [
            "127.0.0.1",
            "127.0.0.2",
            "127.255.255.254",
            "::1",
            "::ffff:127.0.0.1",
        ] {
            assert!(local(address), "{address}");
        }
    }

    #[test]
    fn every_other_peer_is_remote() {
        for address in [
            "192.0.2.7",
            "10.0.0.1",
            "0.0.0.0",
            "255.255.255.255",
            "2001:db8::1",
            "::",
            "fe80::1",
            "::ffff:192.0.2.7",
            "::ffff:10.0.0.1",
            // IPv4-compatible (deprecated) is not how a dual-stack socket reports IPv4.
            "::127.0.0.1",
            // NAT64 of 127.0.0.1 arrives from a translator, not from this machine.
            "64:ff9b::7f00:1",
        ] {
            assert!(!local(address), "{address}");
        }
    }
}
