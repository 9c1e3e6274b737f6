//! `/api/items` and `/api/link/*`: linked banks (Plaid Items) and the Link flow.

use crate::ids::ItemId;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Where a linked bank stands. Each comes from a webhook or a sync outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ItemStatus {
    /// Syncing normally.
    Good,
    /// The bank wants the user to log in again (update mode fixes it).
    LoginRequired,
    /// Consent expires within days (`PENDING_EXPIRATION`).
    PendingExpiration,
    /// The bank will disconnect the item soon (`PENDING_DISCONNECT`).
    PendingDisconnect,
    /// The user revoked access at the bank.
    PermissionRevoked,
    /// The bank has accounts the user has not shared yet.
    NewAccountsAvailable,
    /// Syncing failed after every retry; `error_code` says why.
    Error,
}

impl ItemStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Good => "good",
            Self::LoginRequired => "login_required",
            Self::PendingExpiration => "pending_expiration",
            Self::PendingDisconnect => "pending_disconnect",
            Self::PermissionRevoked => "permission_revoked",
            Self::NewAccountsAvailable => "new_accounts_available",
            Self::Error => "error",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [
            Self::Good,
            Self::LoginRequired,
            Self::PendingExpiration,
            Self::PendingDisconnect,
            Self::PermissionRevoked,
            Self::NewAccountsAvailable,
            Self::Error,
        ]
        .into_iter()
        .find(|status| status.as_str() == text)
    }
}

/// A linked bank as the owner sees it. Never carries the access token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Item {
    pub id: ItemId,
    pub institution_id: String,
    pub institution_name: String,
    pub status: ItemStatus,
    /// Plaid's error code behind a non-good status, e.g. `ITEM_LOGIN_REQUIRED`.
    pub error_code: Option<String>,
    /// When the last sync committed; `None` until the first one has.
    pub last_synced_at: Option<DateTime<Utc>>,
    pub last_webhook_at: Option<DateTime<Utc>>,
    /// OAuth banks: when the user's consent runs out.
    pub consent_expires_at: Option<DateTime<Utc>>,
    /// A sync is queued or running.
    pub syncing: bool,
    pub account_count: i64,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ItemList {
    pub items: Vec<Item>,
}

/// `POST /api/items`: what Link's `onSuccess` handed the browser.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreateItemRequest {
    pub public_token: String,
    pub institution_id: String,
    #[serde(default)]
    pub institution_name: Option<String>,
}

/// `POST /api/link/token`: a token for a new link, or (with `item_id`) update mode for that item.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LinkTokenRequest {
    #[serde(default)]
    pub item_id: Option<ItemId>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LinkTokenResponse {
    pub link_token: String,
    pub expiration: DateTime<Utc>,
}

/// Which Link callback produced a link event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum LinkEventKind {
    Success,
    Exit,
    Event,
}

impl LinkEventKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Success => "success",
            Self::Exit => "exit",
            Self::Event => "event",
        }
    }
}

/// `POST /api/link/events`: one of Link's `onSuccess`/`onExit`/`onEvent` callbacks, for support.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LinkEventRequest {
    pub kind: LinkEventKind,
    /// `onEvent`'s event name, e.g. `OPEN` or `HANDOFF`.
    #[serde(default)]
    pub event_name: Option<String>,
    #[serde(default)]
    pub link_session_id: Option<String>,
    #[serde(default)]
    pub request_id: Option<String>,
    /// `onExit`'s `status`, e.g. `requires_credentials`.
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub error_type: Option<String>,
    #[serde(default)]
    pub error_code: Option<String>,
    #[serde(default)]
    pub error_message: Option<String>,
    #[serde(default)]
    pub institution_id: Option<String>,
    #[serde(default)]
    pub institution_name: Option<String>,
}
