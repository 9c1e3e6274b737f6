//! Slowing down password guessing, in memory, per process:
//! - failed log-ins per (username, client address): a name under attack is slowed for the
//!   attacker's address only, never locked for its owner signing in from elsewhere;
//! - log-in attempts per client address, whatever the name (a looser bound on one address
//!   trying many names);
//! - registrations per client address;
//! - passkey sign-ins started per client address (each stores a ceremony for five minutes, so
//!   an anonymous caller cannot fill the table).
//!
//! Addresses are `client_address::limit_key`s: an IPv6 caller counts as its whole /64.

use crate::client_address::limit_key;
use crate::error::ApiError;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::collections::HashMap;
use std::hash::Hash;
use std::net::{IpAddr, Ipv4Addr};
use std::num::NonZeroU32;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

/// One address may try this many times more log-ins in all than it may fail for one name.
const ADDRESS_ALLOWANCE: NonZeroU32 = NonZeroU32::MIN.saturating_add(2);

pub struct AuthLimits {
    login_failures: FailureLimiter<(String, IpAddr)>,
    login_by_address: DefaultKeyedRateLimiter<IpAddr>,
    register_by_address: DefaultKeyedRateLimiter<IpAddr>,
    passkey_starts_by_address: DefaultKeyedRateLimiter<IpAddr>,
}

impl AuthLimits {
    /// `failures_per_minute` per username and address; three times as many attempts per address,
    /// and as many passkey sign-ins started.
    pub fn new(failures_per_minute: NonZeroU32, registrations_per_hour: NonZeroU32) -> Self {
        let per_address = Quota::per_minute(failures_per_minute.saturating_mul(ADDRESS_ALLOWANCE));
        Self {
            login_failures: FailureLimiter::per_minute(failures_per_minute),
            login_by_address: RateLimiter::keyed(per_address),
            register_by_address: RateLimiter::keyed(Quota::per_hour(registrations_per_hour)),
            passkey_starts_by_address: RateLimiter::keyed(per_address),
        }
    }

    /// One log-in attempt from `address` for `username` (compared without case). It counts as a
    /// failure until `logged_in` says otherwise, so parallel guesses cannot slip past the limit.
    pub fn log_in(&self, address: Option<IpAddr>, username: &str) -> Result<(), ApiError> {
        let address = key(address);
        forget_idle(&self.login_by_address);
        check(self.login_by_address.check_key(&address))?;
        self.login_failures
            .take(&(canonical_name(username), address))
            .map_err(|wait| ApiError::RateLimited {
                retry_after_secs: wait.as_secs().saturating_add(1),
            })
    }

    /// The attempt `log_in` let through succeeded: it was no failure.
    pub fn logged_in(&self, address: Option<IpAddr>, username: &str) {
        self.login_failures
            .give_back(&(canonical_name(username), key(address)));
    }

    pub fn register(&self, address: Option<IpAddr>) -> Result<(), ApiError> {
        forget_idle(&self.register_by_address);
        check(self.register_by_address.check_key(&key(address)))
    }

    /// One passkey sign-in started from `address` (its finish counts as a log-in attempt).
    pub fn start_passkey_sign_in(&self, address: Option<IpAddr>) -> Result<(), ApiError> {
        forget_idle(&self.passkey_starts_by_address);
        check(self.passkey_starts_by_address.check_key(&key(address)))
    }
}

fn canonical_name(username: &str) -> String {
    username.trim().to_lowercase()
}

/// Without a known peer (never over a real socket), every such call shares one key.
fn key(address: Option<IpAddr>) -> IpAddr {
    address.map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), limit_key)
}

/// Keys beyond this many are pruned of those whose limit has fully recovered, so guessing from
/// many addresses or names cannot grow memory without bound.
const MAX_TRACKED_KEYS: usize = 10_000;

pub(crate) fn forget_idle<K: Hash + Eq + Clone>(limiter: &DefaultKeyedRateLimiter<K>) {
    if limiter.len() > MAX_TRACKED_KEYS {
        limiter.retain_recent();
        limiter.shrink_to_fit();
    }
}

fn check<T>(
    outcome: Result<T, governor::NotUntil<governor::clock::QuantaInstant>>,
) -> Result<(), ApiError> {
    outcome
        .map(|_| ())
        .map_err(|not_until| ApiError::RateLimited {
            retry_after_secs: seconds_until(&not_until),
        })
}

/// Whole seconds until a `governor` limiter lets the caller in again (rounded up), for
/// `Retry-After`.
pub(crate) fn seconds_until(not_until: &governor::NotUntil<governor::clock::QuantaInstant>) -> u64 {
    not_until
        .wait_time_from(DefaultClock::default().now())
        .as_secs()
        .saturating_add(1)
}

/// A burst of `n` per key, refilled at `n` per minute (GCRA, as `governor` does), where a
/// taken cell can be given back: each key's state is the instant its bucket is empty again.
struct FailureLimiter<K> {
    interval: Duration,
    tolerance: Duration,
    empty_at: Mutex<HashMap<K, Instant>>,
}

impl<K: Hash + Eq + Clone> FailureLimiter<K> {
    fn per_minute(n: NonZeroU32) -> Self {
        let interval = Duration::from_secs(60) / n.get();
        Self {
            interval,
            tolerance: interval * (n.get() - 1),
            empty_at: Mutex::new(HashMap::new()),
        }
    }

    /// Takes a cell, or says how long until one is free.
    fn take(&self, key: &K) -> Result<(), Duration> {
        let now = Instant::now();
        let mut empty_at = self.empty_at.lock().unwrap_or_else(PoisonError::into_inner);
        if empty_at.len() > MAX_TRACKED_KEYS {
            empty_at.retain(|_, at| *at > now);
        }
        let at = empty_at.get(key).map_or(now, |at| (*at).max(now));
        let free_from = at.checked_sub(self.tolerance).unwrap_or(now);
        if free_from > now {
            return Err(free_from - now);
        }
        empty_at.insert(key.clone(), at + self.interval);
        Ok(())
    }

    fn give_back(&self, key: &K) {
        let now = Instant::now();
        let mut empty_at = self.empty_at.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(at) = empty_at.get_mut(key) {
            match at.checked_sub(self.interval) {
                Some(earlier) if earlier > now => *at = earlier,
                _ => {
                    empty_at.remove(key);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn two() -> NonZeroU32 {
        NonZeroU32::MIN.saturating_add(1)
    }

    #[test]
    fn failures_count_per_username_and_address() {
        let limits = AuthLimits::new(two(), NonZeroU32::MIN);
        let here = Some(IpAddr::from([10, 0, 0, 1]));
        let there = Some(IpAddr::from([10, 0, 0, 2]));
        assert!(limits.log_in(here, "alice").is_ok());
        assert!(limits.log_in(here, "ALICE ").is_ok());
        let refused = limits.log_in(here, "alice").unwrap_err();
        assert!(
            matches!(refused, ApiError::RateLimited { retry_after_secs } if retry_after_secs >= 1)
        );
        // Alice's own address is not locked out by the guesses from `here`.
        assert!(limits.log_in(there, "alice").is_ok());
        assert!(limits.log_in(here, "bob").is_ok());
        assert!(limits.register(here).is_ok());
        assert!(limits.register(here).is_err());
        assert!(limits.register(there).is_ok());
    }

    #[test]
    fn a_successful_log_in_is_no_failure() {
        let limits = AuthLimits::new(two(), NonZeroU32::MIN);
        let here = Some(IpAddr::from([10, 0, 0, 1]));
        for _ in 0..4 {
            assert!(limits.log_in(here, "alice").is_ok());
            limits.logged_in(here, "alice");
        }
        assert!(limits.log_in(here, "alice").is_ok());
        assert!(limits.log_in(here, "alice").is_ok());
        assert!(limits.log_in(here, "alice").is_err());
    }

    #[test]
    fn one_address_is_bounded_across_names() {
        let limits = AuthLimits::new(two(), NonZeroU32::MIN);
        let here = Some(IpAddr::from([10, 0, 0, 1]));
        for name in ["a1", "a2", "a3", "a4", "a5", "a6"] {
            assert!(limits.log_in(here, name).is_ok(), "{name}");
        }
        assert!(limits.log_in(here, "a7").is_err());
    }

    #[test]
    fn an_ipv6_caller_is_its_64() {
        let limits = AuthLimits::new(two(), NonZeroU32::MIN);
        let one: IpAddr = "2001:db8:0:1::1".parse().unwrap();
        let same_64: IpAddr = "2001:db8:0:1:ffff::2".parse().unwrap();
        let other_64: IpAddr = "2001:db8:0:2::1".parse().unwrap();
        assert!(limits.log_in(Some(one), "alice").is_ok());
        assert!(limits.log_in(Some(same_64), "alice").is_ok());
        assert!(limits.log_in(Some(same_64), "alice").is_err());
        assert!(limits.log_in(Some(other_64), "alice").is_ok());
    }
}
