//! Slowing down password guessing: log-in attempts per client address and per username,
//! registrations per client address. In memory, per process.

use crate::error::ApiError;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::net::IpAddr;
use std::num::NonZeroU32;

pub struct AuthLimits {
    login_by_address: DefaultKeyedRateLimiter<IpAddr>,
    login_by_username: DefaultKeyedRateLimiter<String>,
    register_by_address: DefaultKeyedRateLimiter<IpAddr>,
}

impl AuthLimits {
    pub fn new(logins_per_minute: NonZeroU32, registrations_per_hour: NonZeroU32) -> Self {
        Self {
            login_by_address: RateLimiter::keyed(Quota::per_minute(logins_per_minute)),
            login_by_username: RateLimiter::keyed(Quota::per_minute(logins_per_minute)),
            register_by_address: RateLimiter::keyed(Quota::per_hour(registrations_per_hour)),
        }
    }

    /// One log-in attempt from `address` for `username` (compared without case).
    pub fn log_in(&self, address: Option<IpAddr>, username: &str) -> Result<(), ApiError> {
        forget_idle(&self.login_by_address);
        forget_idle(&self.login_by_username);
        if let Some(address) = address {
            check(self.login_by_address.check_key(&address))?;
        }
        check(
            self.login_by_username
                .check_key(&username.trim().to_lowercase()),
        )
    }

    pub fn register(&self, address: Option<IpAddr>) -> Result<(), ApiError> {
        forget_idle(&self.register_by_address);
        match address {
            Some(address) => check(self.register_by_address.check_key(&address)),
            None => Ok(()),
        }
    }
}

/// Keys beyond this many are pruned of those whose limit has fully recovered, so guessing from
/// many addresses or names cannot grow memory without bound.
const MAX_TRACKED_KEYS: usize = 10_000;

fn forget_idle<K: std::hash::Hash + Eq + Clone>(limiter: &DefaultKeyedRateLimiter<K>) {
    if limiter.len() > MAX_TRACKED_KEYS {
        limiter.retain_recent();
        limiter.shrink_to_fit();
    }
}

fn check<T>(
    outcome: Result<T, governor::NotUntil<governor::clock::QuantaInstant>>,
) -> Result<(), ApiError> {
    outcome.map(|_| ()).map_err(|not_until| {
        let wait = not_until.wait_time_from(DefaultClock::default().now());
        ApiError::RateLimited {
            retry_after_secs: wait.as_secs().saturating_add(1),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_is_allowed_then_refused_per_key() {
        let limits = AuthLimits::new(NonZeroU32::MIN.saturating_add(1), NonZeroU32::MIN);
        let here = Some(IpAddr::from([10, 0, 0, 1]));
        let there = Some(IpAddr::from([10, 0, 0, 2]));
        assert!(limits.log_in(here, "alice").is_ok());
        assert!(limits.log_in(here, "bob").is_ok());
        let refused = limits.log_in(here, "carol").unwrap_err();
        assert!(
            matches!(refused, ApiError::RateLimited { retry_after_secs } if retry_after_secs >= 1)
        );
        // Alice is limited by name from anywhere after two attempts.
        assert!(limits.log_in(there, "ALICE").is_ok());
        assert!(limits.log_in(there, "alice").is_err());
        assert!(limits.register(here).is_ok());
        assert!(limits.register(here).is_err());
        assert!(limits.register(there).is_ok());
    }
}
