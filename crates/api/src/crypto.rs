//! `TokenCipher`: AES-256-GCM for Plaid access tokens at rest.
//!
//! A stored token is `1 | key id (8) | nonce (12) | ciphertext+tag`. The key id says which key
//! sealed it, so keys can rotate: the current key seals, previous keys still open, and
//! `tally rotate-key` re-seals everything under the current key. Each token is bound to the
//! row it belongs to (`context`, e.g. the item's id), so a ciphertext moved to another row
//! does not open.

use aes_gcm::aead::{Aead, KeyInit, OsRng, Payload};
use aes_gcm::{AeadCore, Aes256Gcm, Nonce};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};

const VERSION: u8 = 1;
const KEY_ID_LEN: usize = 8;
const NONCE_LEN: usize = 12;
const HEADER_LEN: usize = 1 + KEY_ID_LEN + NONCE_LEN;

#[derive(Debug, thiserror::Error)]
pub enum CipherError {
    #[error(
        "{name} must be the base64 of 32 random bytes (e.g. `head -c 32 /dev/urandom | base64`)"
    )]
    BadKey { name: &'static str },
    #[error("the stored token was sealed with a key Tally no longer has")]
    UnknownKey,
    #[error("the stored token is damaged or belongs to another record")]
    Tampered,
}

struct SealingKey {
    id: [u8; KEY_ID_LEN],
    cipher: Aes256Gcm,
}

impl SealingKey {
    fn parse(name: &'static str, encoded: &SecretString) -> Result<Self, CipherError> {
        let bytes = STANDARD
            .decode(encoded.expose_secret().trim())
            .map_err(|_| CipherError::BadKey { name })?;
        if bytes.len() != 32 {
            return Err(CipherError::BadKey { name });
        }
        let digest = Sha256::new_with_prefix(b"tally token key id")
            .chain_update(&bytes)
            .finalize();
        let mut id = [0_u8; KEY_ID_LEN];
        id.copy_from_slice(&digest[..KEY_ID_LEN]);
        let cipher = Aes256Gcm::new_from_slice(&bytes).map_err(|_| CipherError::BadKey { name })?;
        Ok(Self { id, cipher })
    }
}

pub struct TokenCipher {
    current: SealingKey,
    previous: Vec<SealingKey>,
}

impl TokenCipher {
    /// `current` seals; `previous` keys (from before a rotation) only open.
    pub fn new(current: &SecretString, previous: &[SecretString]) -> Result<Self, CipherError> {
        Ok(Self {
            current: SealingKey::parse("TALLY_ENCRYPTION_KEY", current)?,
            previous: previous
                .iter()
                .map(|key| SealingKey::parse("TALLY_PREVIOUS_ENCRYPTION_KEYS", key))
                .collect::<Result<_, _>>()?,
        })
    }

    /// A new random key, base64, as `.env` holds it.
    pub fn generate_key() -> SecretString {
        SecretString::from(STANDARD.encode(Aes256Gcm::generate_key(OsRng)))
    }

    pub fn seal(&self, token: &SecretString, context: &[u8]) -> Vec<u8> {
        let nonce = Aes256Gcm::generate_nonce(&mut OsRng);
        let mut sealed = Vec::with_capacity(HEADER_LEN + token.expose_secret().len() + 16);
        sealed.push(VERSION);
        sealed.extend_from_slice(&self.current.id);
        sealed.extend_from_slice(&nonce);
        let aad = associated_data(&self.current.id, context);
        // Encryption with a valid key and nonce cannot fail for inputs this small.
        if let Ok(ciphertext) = self.current.cipher.encrypt(
            &nonce,
            Payload {
                msg: token.expose_secret().as_bytes(),
                aad: &aad,
            },
        ) {
            sealed.extend_from_slice(&ciphertext);
        }
        sealed
    }

    pub fn open(&self, sealed: &[u8], context: &[u8]) -> Result<SecretString, CipherError> {
        if sealed.len() <= HEADER_LEN || sealed[0] != VERSION {
            return Err(CipherError::Tampered);
        }
        let key_id = &sealed[1..1 + KEY_ID_LEN];
        let key = std::iter::once(&self.current)
            .chain(&self.previous)
            .find(|key| key.id == key_id)
            .ok_or(CipherError::UnknownKey)?;
        let nonce = Nonce::from_slice(&sealed[1 + KEY_ID_LEN..HEADER_LEN]);
        let aad = associated_data(&key.id, context);
        let plaintext = key
            .cipher
            .decrypt(
                nonce,
                Payload {
                    msg: &sealed[HEADER_LEN..],
                    aad: &aad,
                },
            )
            .map_err(|_| CipherError::Tampered)?;
        String::from_utf8(plaintext)
            .map(SecretString::from)
            .map_err(|_| CipherError::Tampered)
    }

    /// Whether `sealed` is under the current key (rotation skips those).
    pub fn is_current(&self, sealed: &[u8]) -> bool {
        sealed.get(1..1 + KEY_ID_LEN) == Some(&self.current.id[..])
    }
}

fn associated_data(key_id: &[u8], context: &[u8]) -> Vec<u8> {
    [&[VERSION], key_id, context].concat()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cipher(current: &SecretString, previous: &[SecretString]) -> TokenCipher {
        TokenCipher::new(current, previous).unwrap()
    }

    #[test]
    fn round_trips_and_never_repeats_itself() {
        let key = TokenCipher::generate_key();
        let c = cipher(&key, &[]);
        let token = SecretString::from("access-sandbox-1234");
        let first = c.seal(&token, b"item-1");
        let second = c.seal(&token, b"item-1");
        assert_ne!(first, second, "a fresh nonce each time");
        assert!(
            !first.windows(6).any(|w| w == b"access"),
            "plaintext visible"
        );
        assert_eq!(
            c.open(&first, b"item-1").unwrap().expose_secret(),
            "access-sandbox-1234"
        );
    }

    #[test]
    fn detects_tampering_and_misplaced_tokens() {
        let c = cipher(&TokenCipher::generate_key(), &[]);
        let sealed = c.seal(&SecretString::from("access-sandbox-1234"), b"item-1");
        for index in [0, 5, HEADER_LEN + 1, sealed.len() - 1] {
            let mut damaged = sealed.clone();
            damaged[index] ^= 0x01;
            assert!(
                c.open(&damaged, b"item-1").is_err(),
                "byte {index} flipped unnoticed"
            );
        }
        assert!(matches!(
            c.open(&sealed, b"item-2"),
            Err(CipherError::Tampered)
        ));
        assert!(c.open(&sealed[..HEADER_LEN], b"item-1").is_err());
    }

    #[test]
    fn rotation_opens_old_tokens_and_reseals_them() {
        let (old, new) = (TokenCipher::generate_key(), TokenCipher::generate_key());
        let sealed_old = cipher(&old, &[]).seal(&SecretString::from("tok"), b"i");

        let rotated = cipher(&new, std::slice::from_ref(&old));
        assert!(!rotated.is_current(&sealed_old));
        let opened = rotated.open(&sealed_old, b"i").unwrap();
        let resealed = rotated.seal(&opened, b"i");
        assert!(rotated.is_current(&resealed));

        let forgot_old = cipher(&new, &[]);
        assert!(matches!(
            forgot_old.open(&sealed_old, b"i"),
            Err(CipherError::UnknownKey)
        ));
        assert_eq!(
            forgot_old.open(&resealed, b"i").unwrap().expose_secret(),
            "tok"
        );
    }

    #[test]
    fn refuses_keys_that_are_not_32_base64_bytes() {
        for bad in ["", "not base64!", "c2hvcnQ=", &STANDARD.encode([0_u8; 31])] {
            let error = TokenCipher::new(&SecretString::from(bad), &[])
                .err()
                .unwrap();
            assert!(
                error.to_string().contains("TALLY_ENCRYPTION_KEY"),
                "{bad:?}"
            );
        }
    }
}
