//! `tally rotate-key`: every access token moved under the current key.

use super::access_token::seal;
use crate::crypto::TokenCipher;
use crate::db;

/// What `tally rotate-key` did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Rotation {
    /// Re-sealed under the current key.
    pub resealed: usize,
    /// Already under the current key.
    pub current: usize,
    /// Sealed under a key that is neither current nor listed as previous: left as they are.
    pub unreadable: usize,
}

/// How many access tokens are sealed under a key other than the current one: those
/// `rotate_keys` has still to move (or cannot open).
pub async fn tokens_not_current(
    db: &sqlx::PgPool,
    cipher: &TokenCipher,
) -> Result<usize, sqlx::Error> {
    let tokens = db::items::all_tokens(db).await?;
    Ok(tokens
        .iter()
        .filter(|(_, sealed)| !cipher.is_current(sealed))
        .count())
}

/// Re-seals every access token that is not under the current key, one row at a time (each
/// row's update checks it still holds what was read, so a concurrent link is never undone).
/// Afterwards the previous keys can be dropped from the configuration.
pub async fn rotate_keys(db: &sqlx::PgPool, cipher: &TokenCipher) -> Result<Rotation, sqlx::Error> {
    let mut rotation = Rotation::default();
    for (item_id, sealed) in db::items::all_tokens(db).await? {
        if cipher.is_current(&sealed) {
            rotation.current += 1;
            continue;
        }
        match cipher.open(&sealed, item_id.0.as_bytes()) {
            Ok(token) => {
                let resealed = seal(cipher, item_id, &token);
                if db::items::replace_token(db, item_id, &sealed, &resealed).await? {
                    rotation.resealed += 1;
                }
            }
            Err(error) => {
                tracing::error!(%item_id, %error, "an access token no configured key opens");
                rotation.unreadable += 1;
            }
        }
    }
    Ok(rotation)
}
