//! `/api/account/*`: the signed-in person's password and the browsers signed in as them.

use crate::ids::SessionId;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// `PUT /api/account/password`. Carries passwords, so it has no `Debug`.
#[derive(Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChangePasswordRequest {
    pub current_password: String,
    /// Held to the same rules as at sign-up.
    pub new_password: String,
}

/// One browser signed in as the person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ActiveSession {
    /// The session's public id (never its token).
    pub id: SessionId,
    /// When it signed in.
    pub created_at: DateTime<Utc>,
    /// When it was last used, to within an hour.
    pub last_used_at: DateTime<Utc>,
    /// The browser and system in words, from its User-Agent, e.g. "Chrome on Linux".
    pub device: String,
    /// The address it signed in from, if known.
    pub address: Option<String>,
    /// Whether this is the session of the browser asking.
    pub current: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ActiveSessionList {
    /// Most recently used first.
    pub sessions: Vec<ActiveSession>,
}
