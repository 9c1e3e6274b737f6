//! Two-factor codes (TOTP): enrolling at `/api/account/totp`, new recovery codes at
//! `/api/account/totp/recovery-codes`, and the second step of signing in at
//! `/api/session/two-factor`.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// `GET /api/account/totp`: whether sign-in asks this person for a code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TwoFactorStatus {
    pub totp_enabled: bool,
    /// When codes were turned on.
    pub enabled_at: Option<DateTime<Utc>>,
    /// Recovery codes not used yet (0 while codes are off).
    pub recovery_codes_left: i64,
}

/// `POST /api/account/totp`: a new secret for an authenticator app, not in force until
/// confirmed with a code. Carries the secret, so it has no `Debug`.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TotpEnrolment {
    /// The secret in base32, to type into an app by hand.
    pub secret: String,
    /// The `otpauth://totp/…` address the QR code holds.
    pub otpauth_uri: String,
    /// The QR code of `otpauth_uri`, drawn by the server: one `<svg>` element.
    pub qr_svg: String,
}

/// `POST /api/account/totp/confirm`: the code the app shows now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConfirmTotpRequest {
    pub code: String,
}

/// Ten one-time codes, each signs in once in place of an authenticator's code. Shown only now:
/// the server keeps only their hashes. Carries secrets, so it has no `Debug`.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecoveryCodes {
    pub codes: Vec<String>,
}

/// `DELETE /api/account/totp` and `POST /api/account/totp/recovery-codes`: the password and a
/// current code (or a recovery code). Carries a password, so it has no `Debug`.
#[derive(Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PasswordAndCodeRequest {
    pub password: String,
    pub code: String,
}

/// The answer of `POST /api/session` when the password was right and a code is needed next.
/// No session cookie comes with it.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TwoFactorChallenge {
    /// Always `true`: tells this answer from a signed-in one.
    pub two_factor_required: bool,
    /// Give it back with the code to `POST /api/session/two-factor`; it works once.
    pub challenge: String,
    pub expires_at: DateTime<Utc>,
}

/// `POST /api/session/two-factor`. Carries the challenge, so it has no `Debug`.
#[derive(Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TwoFactorRequest {
    pub challenge: String,
    /// The authenticator's six digits, or one of the recovery codes.
    pub code: String,
}
