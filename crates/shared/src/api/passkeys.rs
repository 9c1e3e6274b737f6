//! Passkeys (WebAuthn): registering them on Settings and signing in with one alone.
//!
//! Each ceremony has two steps. `start` answers the options for the browser's
//! `navigator.credentials.create()` or `.get()` (WebAuthn's JSON, binary values in base64url)
//! and a ceremony id; `finish` sends back that id and the browser's answer.

use crate::ids::PasskeyId;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// `POST /api/account/passkeys/register/start`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StartPasskeyRegistration {
    /// What the person calls this passkey ("Phone", "YubiKey"): 1 to 100 characters, unique
    /// among their passkeys.
    pub name: String,
}

/// The answer to a `start`: what the browser needs to ask the authenticator.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PasskeyCeremony {
    /// Names this ceremony in its `finish`; it works once, for a few minutes.
    pub ceremony: Uuid,
    /// WebAuthn's `CredentialCreationOptions` (registration) or `CredentialRequestOptions`
    /// (sign-in) as JSON: `{"publicKey": {...}}`, binary values in base64url.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub options: serde_json::Value,
}

/// `POST /api/account/passkeys/register/finish` and `POST /api/session/passkey/finish`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FinishPasskeyCeremony {
    /// The `ceremony` its `start` answered.
    pub ceremony: Uuid,
    /// The browser's `PublicKeyCredential` as JSON (`id`, `rawId`, `type`, `response` with its
    /// binary values in base64url, `extensions`).
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub credential: serde_json::Value,
}

/// One of the person's passkeys.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Passkey {
    pub id: PasskeyId,
    pub name: String,
    pub created_at: DateTime<Utc>,
    /// The last sign-in with it; `None` if it was never used.
    pub last_used_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PasskeyList {
    /// Oldest first.
    pub passkeys: Vec<Passkey>,
    /// How many passkeys one person may have.
    pub limit: u32,
}
