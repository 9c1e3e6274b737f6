//! The simulator's webhook signing key: made once, kept in the database, served as a JWK.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, Utc};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use p256::elliptic_curve::sec1::ToEncodedPoint;
use p256::pkcs8::{DecodePrivateKey, EncodePrivateKey};
use serde_json::json;
use sha2::{Digest, Sha256};
use sqlx::PgPool;

pub struct SigningKey {
    pub kid: String,
    secret: p256::SecretKey,
    encoding: EncodingKey,
    created_at: DateTime<Utc>,
}

impl SigningKey {
    /// The current key, made and stored on first use.
    pub async fn load_or_create(db: &PgPool) -> anyhow::Result<Self> {
        let stored = sqlx::query!(
            "select kid, private_key_der, created_at from plaid_sim.signing_key
             where expired_at is null order by created_at desc limit 1"
        )
        .fetch_optional(db)
        .await?;
        if let Some(stored) = stored {
            let secret = p256::SecretKey::from_pkcs8_der(&stored.private_key_der)
                .map_err(|e| anyhow::anyhow!("stored simulator key is unreadable: {e}"))?;
            return Self::from_parts(stored.kid, secret, stored.created_at);
        }
        let secret = p256::SecretKey::random(&mut p256::elliptic_curve::rand_core::OsRng);
        let der = secret
            .to_pkcs8_der()
            .map_err(|e| anyhow::anyhow!("encoding the simulator key: {e}"))?;
        let kid = uuid::Uuid::new_v4().to_string();
        // Two simulators starting at once may both insert; the first key wins for both.
        sqlx::query!(
            "insert into plaid_sim.signing_key (kid, private_key_der) values ($1, $2)",
            kid,
            der.as_bytes()
        )
        .execute(db)
        .await?;
        Box::pin(Self::load_or_create(db)).await
    }

    fn from_parts(
        kid: String,
        secret: p256::SecretKey,
        created_at: DateTime<Utc>,
    ) -> anyhow::Result<Self> {
        let der = secret
            .to_pkcs8_der()
            .map_err(|e| anyhow::anyhow!("encoding the simulator key: {e}"))?;
        Ok(Self {
            kid,
            encoding: EncodingKey::from_ec_der(der.as_bytes()),
            secret,
            created_at,
        })
    }

    /// The public half of key `kid`, current or retired (then with its `expired_at`), as
    /// `/webhook_verification_key/get` returns it; `None` for a key the simulator never made.
    pub async fn published(db: &PgPool, kid: &str) -> anyhow::Result<Option<serde_json::Value>> {
        let Some(stored) = sqlx::query!(
            "select kid, private_key_der, created_at, expired_at from plaid_sim.signing_key
             where kid = $1",
            kid
        )
        .fetch_optional(db)
        .await?
        else {
            return Ok(None);
        };
        let secret = p256::SecretKey::from_pkcs8_der(&stored.private_key_der)
            .map_err(|e| anyhow::anyhow!("stored simulator key is unreadable: {e}"))?;
        let key = Self::from_parts(stored.kid, secret, stored.created_at)?;
        Ok(Some(key.jwk(stored.expired_at)))
    }

    fn jwk(&self, expired_at: Option<DateTime<Utc>>) -> serde_json::Value {
        let point = self.secret.public_key().to_encoded_point(false);
        let coordinate = |c: Option<&p256::FieldBytes>| {
            c.map(|bytes| URL_SAFE_NO_PAD.encode(bytes))
                .unwrap_or_default()
        };
        json!({
            "alg": "ES256",
            "crv": "P-256",
            "kid": self.kid,
            "kty": "EC",
            "use": "sig",
            "x": coordinate(point.x()),
            "y": coordinate(point.y()),
            "created_at": self.created_at.timestamp(),
            "expired_at": expired_at.map(|at| at.timestamp()),
        })
    }

    /// The `Plaid-Verification` header for exactly these body bytes, signed at `iat`.
    pub fn sign(&self, body: &[u8], iat: i64) -> anyhow::Result<String> {
        let mut header = Header::new(Algorithm::ES256);
        header.kid = Some(self.kid.clone());
        header.typ = Some("JWT".to_owned());
        let claims = json!({
            "iat": iat,
            "request_body_sha256": format!("{:x}", Sha256::digest(body)),
        });
        Ok(jsonwebtoken::encode(&header, &claims, &self.encoding)?)
    }
}
