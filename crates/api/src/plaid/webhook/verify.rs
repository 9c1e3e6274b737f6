//! Verifying that a webhook came from Plaid (`reference/plaid-api.md` §5).
//!
//! The `Plaid-Verification` header is an ES256 JWT whose payload holds the SHA-256 of the raw
//! body and the time it was signed. Only ES256 is accepted: `none`, HS256 and everything else
//! are refused before any key is looked at.
//!
//! Looking a key up is a call to Plaid, so anyone who can reach the webhook URL could make Tally
//! call Plaid at will by naming made-up keys. Before any lookup the claims are checked unverified
//! (a stale or altered webhook is refused for free; they are checked again once the signature
//! holds), and keys not yet cached are looked up at most `KEY_LOOKUPS_PER_MINUTE` times a minute.
//!
//! A cached key is trusted only until its `expired_at`, and is asked of Plaid again once it is
//! `KEY_REFRESH_SECS` old, so a key Plaid has since retired stops verifying within that time.
//!
//! A verified signature is named by `SignedMessage::digest`, so that a webhook replayed within
//! the freshness window can be recognised (`routes/webhooks.rs`).

use crate::plaid::types::WebhookVerificationKey;
use crate::plaid::{PlaidClient, PlaidError};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::num::NonZeroU32;
use tokio::sync::RwLock;

/// How old (or how far in the future, for clock skew) a signature may be, in seconds.
pub const MAX_SIGNATURE_AGE_SECS: i64 = 5 * 60;

/// Lookups of keys not yet cached, per minute. Plaid signs with one key for months, so only a
/// rotation or a forgery needs one; a webhook refused for want of a lookup is sent again by
/// Plaid (after 30 s, then less often, for a day).
pub const KEY_LOOKUPS_PER_MINUTE: u32 = 10;

/// How long a cached key is used before Plaid is asked about it again, in seconds: a key Plaid
/// retires (its `expired_at` set) is refused at most this long after.
pub const KEY_REFRESH_SECS: i64 = 60 * 60;

#[derive(Debug, thiserror::Error)]
pub enum WebhookRejection {
    #[error("the Plaid-Verification header is missing")]
    MissingSignature,
    #[error("the Plaid-Verification header is not a JWT")]
    Malformed,
    #[error("the signature uses {0:?}; only ES256 is accepted")]
    UnsupportedAlgorithm(String),
    #[error("the signature names no key")]
    MissingKeyId,
    #[error("the signing key could not be fetched from Plaid")]
    KeyUnavailable(#[source] PlaidError),
    #[error("too many signatures by unknown keys lately; key lookups are paused")]
    KeyLookupsExhausted,
    #[error("the signing key has expired")]
    ExpiredKey,
    #[error("the signature does not match the key")]
    BadSignature,
    #[error("the signature is {age_secs} seconds old")]
    Stale { age_secs: i64 },
    #[error("the body is not the one that was signed")]
    BodyMismatch,
}

#[derive(Deserialize)]
struct JwtHeader {
    alg: String,
    #[serde(default)]
    kid: Option<String>,
}

#[derive(Deserialize)]
struct Claims {
    iat: i64,
    request_body_sha256: String,
}

/// A key as Plaid gave it, and when (unix seconds).
#[derive(Clone)]
struct CachedKey {
    key: WebhookVerificationKey,
    fetched_at: i64,
}

/// What a verified signature signed: the JWT's header and claims (key, time, body hash). A
/// replay has the same, however its signature bytes are varied (an ECDSA signature can be
/// rewritten into another valid one without the key).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignedMessage {
    pub digest: [u8; 32],
}

/// Checks webhook signatures, caching Plaid's public keys by key id.
pub struct WebhookVerifier {
    plaid: PlaidClient,
    keys: RwLock<HashMap<String, CachedKey>>,
    key_lookups: DefaultDirectRateLimiter,
}

impl WebhookVerifier {
    pub fn new(plaid: PlaidClient) -> Self {
        Self {
            plaid,
            keys: RwLock::new(HashMap::new()),
            key_lookups: RateLimiter::direct(Quota::per_minute(
                NonZeroU32::new(KEY_LOOKUPS_PER_MINUTE).unwrap_or(NonZeroU32::MIN),
            )),
        }
    }

    /// `Ok` only when `signature` is a fresh ES256 signature by a current Plaid key over
    /// exactly `body`; it names what was signed.
    pub async fn verify(
        &self,
        signature: Option<&str>,
        body: &[u8],
        now_unix: i64,
    ) -> Result<SignedMessage, WebhookRejection> {
        let jwt = signature.ok_or(WebhookRejection::MissingSignature)?;
        let kid = signing_key_id(jwt)?;
        check_claims(&unverified_claims(jwt)?, body, now_unix)?;
        let key = self.key(&kid, now_unix).await?;
        verify_with_key(jwt, &key, body, now_unix)?;
        signed_message(jwt)
    }

    /// The key `kid`: from the cache while it is younger than `KEY_REFRESH_SECS`, else from
    /// Plaid. A cached key that has expired is refused without asking Plaid: expiry is final.
    async fn key(
        &self,
        kid: &str,
        now_unix: i64,
    ) -> Result<WebhookVerificationKey, WebhookRejection> {
        let cached = self.keys.read().await.get(kid).cloned();
        if let Some(cached) = &cached {
            if has_expired(&cached.key, now_unix) {
                return Err(WebhookRejection::ExpiredKey);
            }
            if now_unix.saturating_sub(cached.fetched_at) < KEY_REFRESH_SECS {
                return Ok(cached.key.clone());
            }
        }
        // A refresh is of a key that once verified, so it is not counted against the lookups
        // that made-up key ids could spend.
        if cached.is_none() && self.key_lookups.check().is_err() {
            return Err(WebhookRejection::KeyLookupsExhausted);
        }
        let fetched = match self.plaid.webhook_verification_key_get(kid).await {
            Ok(answer) => answer.key,
            Err(error) => {
                if error.code() == Some("INVALID_WEBHOOK_VERIFICATION_KEY_ID") {
                    self.keys.write().await.remove(kid);
                }
                return Err(WebhookRejection::KeyUnavailable(error));
            }
        };
        self.keys.write().await.insert(
            kid.to_owned(),
            CachedKey {
                key: fetched.clone(),
                fetched_at: now_unix,
            },
        );
        Ok(fetched)
    }
}

fn has_expired(key: &WebhookVerificationKey, now_unix: i64) -> bool {
    key.expired_at.is_some_and(|expired| expired <= now_unix)
}

/// The SHA-256 of the JWT's signed part (`header.claims`).
fn signed_message(jwt: &str) -> Result<SignedMessage, WebhookRejection> {
    let (signed, _signature) = jwt.rsplit_once('.').ok_or(WebhookRejection::Malformed)?;
    Ok(SignedMessage {
        digest: Sha256::digest(signed.as_bytes()).into(),
    })
}

/// The `kid` of an ES256 JWT; any other algorithm is refused here, before a key is fetched.
fn signing_key_id(jwt: &str) -> Result<String, WebhookRejection> {
    let encoded = jwt.split('.').next().ok_or(WebhookRejection::Malformed)?;
    let bytes = URL_SAFE_NO_PAD
        .decode(encoded)
        .map_err(|_| WebhookRejection::Malformed)?;
    let header: JwtHeader =
        serde_json::from_slice(&bytes).map_err(|_| WebhookRejection::Malformed)?;
    if header.alg != "ES256" {
        return Err(WebhookRejection::UnsupportedAlgorithm(header.alg));
    }
    header.kid.ok_or(WebhookRejection::MissingKeyId)
}

/// The payload as it claims to be, before its signature is checked.
fn unverified_claims(jwt: &str) -> Result<Claims, WebhookRejection> {
    let payload = jwt.split('.').nth(1).ok_or(WebhookRejection::Malformed)?;
    let bytes = URL_SAFE_NO_PAD
        .decode(payload)
        .map_err(|_| WebhookRejection::Malformed)?;
    serde_json::from_slice(&bytes).map_err(|_| WebhookRejection::Malformed)
}

/// Signed recently enough, over exactly `body`.
fn check_claims(claims: &Claims, body: &[u8], now_unix: i64) -> Result<(), WebhookRejection> {
    let age_secs = now_unix.saturating_sub(claims.iat);
    if age_secs.abs() > MAX_SIGNATURE_AGE_SECS {
        return Err(WebhookRejection::Stale { age_secs });
    }
    let digest = format!("{:x}", Sha256::digest(body));
    if !constant_time_eq::constant_time_eq(digest.as_bytes(), claims.request_body_sha256.as_bytes())
    {
        return Err(WebhookRejection::BodyMismatch);
    }
    Ok(())
}

fn verify_with_key(
    jwt: &str,
    key: &WebhookVerificationKey,
    body: &[u8],
    now_unix: i64,
) -> Result<(), WebhookRejection> {
    if has_expired(key, now_unix) {
        return Err(WebhookRejection::ExpiredKey);
    }
    if key.alg != "ES256" || key.kty != "EC" || key.crv != "P-256" {
        return Err(WebhookRejection::UnsupportedAlgorithm(key.alg.clone()));
    }
    let decoding =
        DecodingKey::from_ec_components(&key.x, &key.y).map_err(|_| WebhookRejection::Malformed)?;
    let mut validation = Validation::new(Algorithm::ES256);
    validation.validate_exp = false;
    validation.required_spec_claims.clear();
    let claims = jsonwebtoken::decode::<Claims>(jwt, &decoding, &validation)
        .map_err(|_| WebhookRejection::BadSignature)?
        .claims;
    check_claims(&claims, body, now_unix)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jsonwebtoken::{EncodingKey, Header};
    use p256::elliptic_curve::sec1::ToEncodedPoint;
    use p256::pkcs8::EncodePrivateKey;

    const NOW: i64 = 1_800_000_000;

    struct TestKey {
        secret: p256::SecretKey,
        kid: String,
    }

    impl TestKey {
        fn new(kid: &str) -> Self {
            Self {
                secret: p256::SecretKey::random(&mut p256::elliptic_curve::rand_core::OsRng),
                kid: kid.to_owned(),
            }
        }

        fn public(&self) -> WebhookVerificationKey {
            let point = self.secret.public_key().to_encoded_point(false);
            WebhookVerificationKey {
                alg: "ES256".into(),
                crv: "P-256".into(),
                kid: self.kid.clone(),
                kty: "EC".into(),
                key_use: "sig".into(),
                x: URL_SAFE_NO_PAD.encode(point.x().unwrap()),
                y: URL_SAFE_NO_PAD.encode(point.y().unwrap()),
                created_at: NOW - 1000,
                expired_at: None,
            }
        }

        fn sign(&self, body: &[u8], iat: i64) -> String {
            let der = self.secret.to_pkcs8_der().unwrap();
            let mut header = Header::new(Algorithm::ES256);
            header.kid = Some(self.kid.clone());
            let claims = serde_json::json!({
                "iat": iat,
                "request_body_sha256": format!("{:x}", Sha256::digest(body)),
            });
            jsonwebtoken::encode(&header, &claims, &EncodingKey::from_ec_der(der.as_bytes()))
                .unwrap()
        }
    }

    const BODY: &[u8] = br#"{
  "webhook_type": "TRANSACTIONS",
  "webhook_code": "SYNC_UPDATES_AVAILABLE"
}"#;

    #[test]
    fn accepts_a_fresh_signature_over_the_exact_body() {
        let key = TestKey::new("k1");
        let jwt = key.sign(BODY, NOW - 10);
        verify_with_key(&jwt, &key.public(), BODY, NOW).unwrap();
    }

    #[test]
    fn refuses_a_changed_body_another_key_and_old_signatures() {
        let key = TestKey::new("k1");
        let jwt = key.sign(BODY, NOW);
        let tampered = String::from_utf8_lossy(BODY).replace("SYNC", "SINK");
        assert!(matches!(
            verify_with_key(&jwt, &key.public(), tampered.as_bytes(), NOW),
            Err(WebhookRejection::BodyMismatch)
        ));
        let other = TestKey::new("k1");
        assert!(matches!(
            verify_with_key(&jwt, &other.public(), BODY, NOW),
            Err(WebhookRejection::BadSignature)
        ));
        let old = key.sign(BODY, NOW - MAX_SIGNATURE_AGE_SECS - 1);
        assert!(matches!(
            verify_with_key(&old, &key.public(), BODY, NOW),
            Err(WebhookRejection::Stale { .. })
        ));
        let mut expired = key.public();
        expired.expired_at = Some(NOW - 1);
        assert!(matches!(
            verify_with_key(&jwt, &expired, BODY, NOW),
            Err(WebhookRejection::ExpiredKey)
        ));
    }

    #[test]
    fn refuses_alg_none_and_hs256_before_looking_for_a_key() {
        let claims = URL_SAFE_NO_PAD.encode(format!(
            r#"{{"iat":{NOW},"request_body_sha256":"{:x}"}}"#,
            Sha256::digest(BODY)
        ));
        for alg in ["none", "HS256", "RS256"] {
            let header = URL_SAFE_NO_PAD.encode(format!(r#"{{"alg":"{alg}","kid":"k1"}}"#));
            let jwt = format!("{header}.{claims}.");
            assert!(
                matches!(signing_key_id(&jwt), Err(WebhookRejection::UnsupportedAlgorithm(a)) if a == alg),
                "{alg} accepted"
            );
            // Even with a key at hand, such a token does not verify.
            let key = TestKey::new("k1");
            assert!(verify_with_key(&jwt, &key.public(), BODY, NOW).is_err());
        }
        assert!(matches!(
            signing_key_id("not a jwt"),
            Err(WebhookRejection::Malformed)
        ));
        let good = TestKey::new("k7").sign(BODY, NOW);
        assert_eq!(signing_key_id(&good).unwrap(), "k7");
    }
}
