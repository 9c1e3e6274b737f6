//! `/api/admin/*`: what administrators see and do.

use crate::ids::UserId;
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
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AdminUserList {
    pub users: Vec<AdminUserSummary>,
}
