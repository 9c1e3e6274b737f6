//! `tally rotate-key`: every access token and two-factor secret moved under the current key.

use super::access_token::seal;
use crate::auth::totp::TotpSecret;
use crate::crypto::{CipherError, TokenCipher};
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
    let secrets = db::two_factor::all_secrets(db).await?;
    Ok(tokens
        .iter()
        .map(|(_, sealed)| sealed)
        .chain(secrets.iter().map(|(_, sealed)| sealed))
        .filter(|sealed| !cipher.is_current(sealed))
        .count())
}

/// Re-seals every access token and two-factor secret that is not under the current key, one row
/// at a time (each row's update checks it still holds what was read, so a concurrent link or
/// enrolment is never undone).
/// Afterwards the previous keys can be dropped from the configuration.
pub async fn rotate_keys(db: &sqlx::PgPool, cipher: &TokenCipher) -> Result<Rotation, sqlx::Error> {
    let mut rotation = Rotation::default();
    for (item_id, sealed) in db::items::all_tokens(db).await? {
        let resealed = (!cipher.is_current(&sealed)).then(|| {
            cipher
                .open(&sealed, item_id.0.as_bytes())
                .map(|token| seal(cipher, item_id, &token))
        });
        let replaced = match &resealed {
            Some(Ok(new)) => db::items::replace_token(db, item_id, &sealed, new).await?,
            _ => false,
        };
        rotation.count(
            resealed,
            replaced,
            &format!("the access token of item {item_id}"),
        );
    }
    for (user_id, sealed) in db::two_factor::all_secrets(db).await? {
        let resealed = (!cipher.is_current(&sealed)).then(|| {
            TotpSecret::open(cipher, user_id, &sealed).map(|secret| secret.seal(cipher, user_id))
        });
        let replaced = match &resealed {
            Some(Ok(new)) => db::two_factor::replace_secret(db, user_id, &sealed, new).await?,
            _ => false,
        };
        rotation.count(
            resealed,
            replaced,
            &format!("the two-factor secret of user {user_id}"),
        );
    }
    Ok(rotation)
}

impl Rotation {
    /// Counts one sealed value: already current (`None`), re-sealed (and `replaced` unless a
    /// concurrent change got there first), or not opened by any configured key.
    fn count(
        &mut self,
        resealed: Option<Result<Vec<u8>, CipherError>>,
        replaced: bool,
        what: &str,
    ) {
        match resealed {
            None => self.current += 1,
            Some(Ok(_)) => self.resealed += usize::from(replaced),
            Some(Err(error)) => {
                tracing::error!(%error, "{what} opens with no configured key");
                self.unreadable += 1;
            }
        }
    }
}
