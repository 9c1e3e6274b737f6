//! Session tokens and the cookie that carries them.

use actix_web::cookie::{Cookie, SameSite};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, Duration, Utc};
use rand::RngCore;
use sha2::{Digest, Sha256};

pub const COOKIE_NAME: &str = "tally_session";
/// A session ends after this long without use.
pub const IDLE_LIFETIME: Duration = Duration::days(14);
/// Use renews a session at most this often (so reading pages does not write every time).
pub const RENEW_AFTER: Duration = Duration::hours(1);
/// Browsers keep cookies at most 400 days; the server decides when a session really ends.
const COOKIE_MAX_AGE_DAYS: i64 = 400;

/// A new random token (given to the browser) and its hash (kept in the database).
pub fn new_token() -> (String, Vec<u8>) {
    let mut bytes = [0_u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let token = URL_SAFE_NO_PAD.encode(bytes);
    let hash = token_hash(&token);
    (token, hash)
}

pub fn token_hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

/// When a session used now ends: after [`IDLE_LIFETIME`] without use, and never later than
/// `lifetime` after it began.
pub fn expiry(created_at: DateTime<Utc>, lifetime: std::time::Duration) -> DateTime<Utc> {
    let idle_end = Utc::now() + IDLE_LIFETIME;
    let absolute_end = Duration::from_std(lifetime)
        .ok()
        .and_then(|lifetime| created_at.checked_add_signed(lifetime))
        .unwrap_or(DateTime::<Utc>::MAX_UTC);
    idle_end.min(absolute_end)
}

/// The earliest sign-in whose session `lifetime` still allows (never before 1970, which
/// PostgreSQL can store and before which no session began).
pub fn oldest_live_start(lifetime: std::time::Duration) -> DateTime<Utc> {
    Duration::from_std(lifetime)
        .ok()
        .and_then(|lifetime| Utc::now().checked_sub_signed(lifetime))
        .map_or(DateTime::<Utc>::UNIX_EPOCH, |start| {
            start.max(DateTime::<Utc>::UNIX_EPOCH)
        })
}

/// HttpOnly, SameSite=Lax, and Secure when Tally is served over https.
pub fn cookie(token: String, secure: bool) -> Cookie<'static> {
    Cookie::build(COOKIE_NAME, token)
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure)
        .max_age(actix_web::cookie::time::Duration::days(COOKIE_MAX_AGE_DAYS))
        .finish()
}

/// A cookie that makes the browser forget the session.
pub fn removal_cookie(secure: bool) -> Cookie<'static> {
    let mut cookie = cookie(String::new(), secure);
    cookie.make_removal();
    cookie
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_session_ends_when_idle_or_at_its_lifetime_whichever_is_first() {
        let day = std::time::Duration::from_secs(86_400);
        let now = Utc::now();
        let fresh = expiry(now, day * 30);
        assert!(
            (fresh - (now + IDLE_LIFETIME)).num_seconds().abs() < 5,
            "{fresh}"
        );
        let old = now - Duration::days(29);
        assert_eq!(expiry(old, day * 30), old + Duration::days(30));
        assert!(
            expiry(now, std::time::Duration::MAX) >= fresh,
            "no overflow"
        );
        assert!(oldest_live_start(day) < now - Duration::hours(23));
        assert_eq!(
            oldest_live_start(std::time::Duration::MAX),
            DateTime::<Utc>::UNIX_EPOCH
        );
    }
}
