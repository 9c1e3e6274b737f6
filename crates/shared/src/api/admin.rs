//! `/api/admin/*`: what administrators see and do.

use crate::ids::{InviteId, UserId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AdminUserSummary {
    pub id: UserId,
    pub username: String,
    pub is_admin: bool,
    pub created_at: DateTime<Utc>,
    pub linked_banks: i64,
    /// The most recent sync of any of their banks.
    pub last_synced_at: Option<DateTime<Utc>>,
    /// How many passkeys they can sign in with.
    pub passkeys: i64,
    /// Whether sign-in asks them for a two-factor code.
    pub two_factor: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AdminUserList {
    pub users: Vec<AdminUserSummary>,
}

/// `PATCH /api/admin/users/{id}`: make someone an administrator, or not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UpdateUserRequest {
    pub is_admin: bool,
}

/// `POST /api/admin/invites`: a new invite. The link carries the token and is shown only now;
/// the server keeps only its hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreatedInvite {
    pub id: InviteId,
    /// `PUBLIC_URL/?invite=<token>`, for the administrator to send.
    pub link: String,
    pub expires_at: DateTime<Utc>,
}

/// One invite as administrators see it (never its token).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InviteSummary {
    pub id: InviteId,
    /// The administrator who made it (`None` once they are deleted).
    pub created_by: Option<String>,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub used_at: Option<DateTime<Utc>>,
    /// Who signed up with it (`None` before use, or once they are deleted).
    pub used_by: Option<String>,
    pub revoked_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InviteList {
    /// Newest first.
    pub invites: Vec<InviteSummary>,
}
