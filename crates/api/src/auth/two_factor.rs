//! The second factor of signing in: whether a person has one, the challenge a right password
//! earns them, the one check of a code (authenticator or recovery code), and an administrator's
//! reset.

use super::{recovery_codes, session, sign_out, totp};
use crate::crypto::TokenCipher;
use crate::db;
use crate::error::ApiError;
use chrono::{Duration, Utc};
use sqlx::{PgConnection, PgExecutor};
use tally_shared::api::two_factor::TwoFactorChallenge;
use tally_shared::ids::UserId;

/// How long a right password waits for its code.
pub const CHALLENGE_LIFETIME: Duration = Duration::minutes(5);
/// Wrong codes one challenge takes before the password is asked again.
pub const MAX_FAILED_CODES: i32 = 5;

/// Whether sign-in asks `user_id` for a code after the password.
pub async fn is_required(db: impl PgExecutor<'_>, user_id: UserId) -> Result<bool, ApiError> {
    Ok(db::two_factor::credential(db, user_id)
        .await?
        .is_some_and(|credential| credential.enabled_at.is_some()))
}

/// A new challenge for a person whose password was right: random, kept only as its hash.
pub async fn challenge(
    conn: &mut PgConnection,
    user_id: UserId,
) -> Result<TwoFactorChallenge, ApiError> {
    let (challenge, hash) = session::new_token();
    let expires_at = Utc::now() + CHALLENGE_LIFETIME;
    db::two_factor::insert_challenge(conn, &hash, user_id, expires_at).await?;
    Ok(TwoFactorChallenge {
        two_factor_required: true,
        challenge,
        expires_at,
    })
}

/// How a code was right.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Accepted {
    Authenticator,
    RecoveryCode,
}

/// Checks `code`, the authenticator's (its time step is used up) or a recovery code (used up),
/// for a person with codes on; `None` when it is wrong, already used, or codes are off.
pub async fn accept_code(
    conn: &mut PgConnection,
    cipher: &TokenCipher,
    user_id: UserId,
    code: &str,
) -> Result<Option<Accepted>, ApiError> {
    if !totp::looks_like_totp(code) {
        let used =
            db::two_factor::use_recovery_code(&mut *conn, user_id, &recovery_codes::hash(code))
                .await?;
        return Ok(used.then_some(Accepted::RecoveryCode));
    }
    let Some(credential) = db::two_factor::credential(&mut *conn, user_id).await? else {
        return Ok(None);
    };
    if credential.enabled_at.is_none() {
        return Ok(None);
    }
    let secret = totp::TotpSecret::open(cipher, user_id, &credential.secret)?;
    let Some(step) = secret.authenticator("")?.check(code, totp::unix_now()) else {
        return Ok(None);
    };
    let fresh = db::two_factor::use_step(&mut *conn, user_id, step).await?;
    Ok(fresh.then_some(Accepted::Authenticator))
}

/// An administrator's reset of a person's second factor: their authenticator, recovery codes,
/// passkeys and pending sign-ins go, and every session of theirs ends (sockets closed), so whoever holds
/// the account signs in again with the password alone. Every second factor a person can have
/// is removed here.
pub async fn reset(conn: &mut PgConnection, user_id: UserId) -> Result<(), ApiError> {
    db::two_factor::remove_all(&mut *conn, user_id).await?;
    db::passkeys::delete_all_for_user(&mut *conn, user_id).await?;
    sign_out::all(conn, user_id).await?;
    Ok(())
}
