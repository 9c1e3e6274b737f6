//! Registering, logging in and out, and who is logged in.

use super::two_factor::TwoFactorChallenge;
use crate::ids::UserId;
use serde::{Deserialize, Serialize};

/// `POST /api/users`. Carries a password, so it has no `Debug`.
#[derive(Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RegisterRequest {
    pub username: String,
    pub password: String,
    /// The token of an invite link (`?invite=…`); needed when the server signs up by invite.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invite: Option<String>,
}

/// `DELETE /api/users/me`: the password again, so a borrowed browser cannot delete the account.
/// Carries a password, so it has no `Debug`.
#[derive(Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeleteAccountRequest {
    pub password: String,
}

/// `POST /api/session`. Carries a password, so it has no `Debug`.
#[derive(Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LoginRequest {
    pub username: String,
    pub password: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CurrentUser {
    pub id: UserId,
    pub username: String,
    pub is_admin: bool,
}

/// The answer of register, log in and `GET /api/session`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SessionResponse {
    pub user: CurrentUser,
}

/// The answer of `POST /api/session`: signed in (with the session cookie), or, for a person with
/// two-factor codes on, the challenge to complete with a code (without a cookie).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(untagged)]
pub enum LoginResponse {
    SignedIn(SessionResponse),
    TwoFactorRequired(TwoFactorChallenge),
}
