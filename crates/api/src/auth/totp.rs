//! Two-factor codes (TOTP, RFC 6238: HMAC-SHA-1, six digits, 30-second steps, one step of
//! tolerance either way), through `totp-rs`. The secret is sealed at rest for its owner's row
//! like a bank's access token; which time step a code belonged to is returned, so the caller can
//! refuse a step already used.

use crate::crypto::{CipherError, TokenCipher};
use qrcode::render::svg;
use qrcode::QrCode;
use rand::RngCore;
use secrecy::{ExposeSecret, SecretString};
use tally_shared::ids::UserId;
use totp_rs::{Builder, Secret, Totp};

/// The name authenticator apps show above the code.
const ISSUER: &str = "Tally";
/// 160 bits, as RFC 4226 recommends.
const SECRET_BYTES: usize = 20;

/// A person's authenticator secret, in base32 (as apps take it), kept secret in memory.
pub struct TotpSecret(SecretString);

impl TotpSecret {
    pub fn generate() -> Self {
        let mut bytes = [0_u8; SECRET_BYTES];
        rand::rng().fill_bytes(&mut bytes);
        Self(SecretString::from(Secret::from(bytes).to_base32()))
    }

    /// Seals the secret for `user_id`'s row: it opens for that row only.
    pub fn seal(&self, cipher: &TokenCipher, user_id: UserId) -> Vec<u8> {
        cipher.seal(&self.0, &context(user_id))
    }

    pub fn open(cipher: &TokenCipher, user_id: UserId, sealed: &[u8]) -> Result<Self, CipherError> {
        cipher.open(sealed, &context(user_id)).map(Self)
    }

    /// The secret to type into an app by hand.
    pub fn base32(&self) -> &str {
        self.0.expose_secret()
    }

    /// The generator for `account` (shown in the app under "Tally").
    pub fn authenticator(&self, account: &str) -> Result<Authenticator, anyhow::Error> {
        let secret = Secret::try_from_base32(self.base32())
            .map_err(|error| anyhow::anyhow!("a stored TOTP secret is not base32: {error:?}"))?;
        Builder::new()
            .with_secret(secret)
            .with_issuer(Some(ISSUER))
            .with_account_name(account.replace(':', "_"))
            .build()
            .map(Authenticator)
            .map_err(|error| anyhow::anyhow!("cannot build a TOTP generator: {error:?}"))
    }
}

/// Binds a sealed secret to its row, and keeps it apart from access tokens sealed for a row
/// with the same id.
fn context(user_id: UserId) -> Vec<u8> {
    [b"totp:".as_slice(), user_id.0.as_bytes()].concat()
}

pub struct Authenticator(Totp);

impl Authenticator {
    /// The time step `code` belongs to, if it is right now (or one step before or after).
    /// Spaces inside the code are ignored ("123 456").
    pub fn check(&self, code: &str, unix_seconds: u64) -> Option<i64> {
        let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
        self.0
            .check(&code, unix_seconds)
            .and_then(|step| i64::try_from(step).ok())
    }

    /// The `otpauth://` address authenticator apps read from the QR code.
    pub fn uri(&self) -> Result<String, anyhow::Error> {
        self.0
            .to_url()
            .map_err(|error| anyhow::anyhow!("cannot write the otpauth address: {error:?}"))
    }

    /// The address as a QR code, an `<svg>` element (dark modules on white, with the quiet zone
    /// scanners need).
    pub fn qr_svg(&self) -> Result<String, anyhow::Error> {
        let code = QrCode::new(self.uri()?.as_bytes())?;
        let image = code
            .render::<svg::Color<'_>>()
            .min_dimensions(200, 200)
            .dark_color(svg::Color("#000000"))
            .light_color(svg::Color("#ffffff"))
            .build();
        // The XML declaration means nothing inside an HTML page.
        Ok(match image.find("<svg") {
            Some(start) => image[start..].to_owned(),
            None => image,
        })
    }
}

/// Seconds since 1970, as TOTP counts time.
pub fn unix_now() -> u64 {
    u64::try_from(chrono::Utc::now().timestamp()).unwrap_or(0)
}

/// Whether `code` looks like an authenticator's code (six digits, spaces allowed) rather than
/// a recovery code.
pub fn looks_like_totp(code: &str) -> bool {
    let digits: Vec<char> = code.chars().filter(|c| !c.is_whitespace()).collect();
    digits.len() == 6 && digits.iter().all(char::is_ascii_digit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_the_current_step_and_one_either_side_only() {
        let secret = TotpSecret::generate();
        let app = secret.authenticator("alice@example.com").unwrap();
        let now = 1_800_000_000;
        let step = i64::try_from(now / 30).unwrap();
        let code_at = |t: u64| app.0.generate(t).to_string();
        assert_eq!(app.check(&code_at(now), now), Some(step));
        assert_eq!(app.check(&code_at(now - 30), now), Some(step - 1));
        assert_eq!(app.check(&code_at(now + 30), now), Some(step + 1));
        let spaced = format!("{} {}", &code_at(now)[..3], &code_at(now)[3..]);
        assert_eq!(app.check(&spaced, now), Some(step));
        assert_eq!(app.check(&code_at(now - 60), now), None);
        assert_eq!(app.check("12345", now), None);
    }

    #[test]
    fn the_uri_and_qr_code_carry_the_secret() {
        let secret = TotpSecret::generate();
        let app = secret.authenticator("alice@example.com").unwrap();
        let uri = app.uri().unwrap();
        assert!(
            uri.starts_with("otpauth://totp/Tally:alice%40example.com?"),
            "{uri}"
        );
        assert!(
            uri.contains(&format!("secret={}", secret.base32())),
            "{uri}"
        );
        let svg = app.qr_svg().unwrap();
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"), "{svg}");
    }

    #[test]
    fn a_sealed_secret_opens_for_its_own_row_only() {
        let cipher = TokenCipher::new(&TokenCipher::generate_key(), &[]).unwrap();
        let (alice, bob) = (UserId(uuid::Uuid::new_v4()), UserId(uuid::Uuid::new_v4()));
        let secret = TotpSecret::generate();
        let sealed = secret.seal(&cipher, alice);
        assert_eq!(
            TotpSecret::open(&cipher, alice, &sealed).unwrap().base32(),
            secret.base32()
        );
        assert!(TotpSecret::open(&cipher, bob, &sealed).is_err());
        assert!(cipher.open(&sealed, alice.0.as_bytes()).is_err());
    }

    #[test]
    fn tells_codes_from_recovery_codes() {
        assert!(looks_like_totp("123456"));
        assert!(looks_like_totp(" 123 456 "));
        assert!(!looks_like_totp("abcd-efgh-jkmn"));
        assert!(!looks_like_totp("1234567"));
    }
}
