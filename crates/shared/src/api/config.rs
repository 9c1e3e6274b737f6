//! `GET /api/config`: what the browser app needs to know about this server.

use serde::{Deserialize, Serialize};

/// Where Plaid is for this server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PlaidMode {
    /// The built-in offline Plaid; no keys, no network.
    Simulator,
    Sandbox,
    Production,
}

impl PlaidMode {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Simulator => "simulator",
            Self::Sandbox => "sandbox",
            Self::Production => "production",
        }
    }
}

/// Who may create an account (`REGISTRATION`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Registration {
    /// Only with a one-time invite an administrator made.
    Invite,
    /// Anyone.
    Open,
    /// No one.
    Closed,
}

impl Registration {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Invite => "invite",
            Self::Open => "open",
            Self::Closed => "closed",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConfigResponse {
    pub plaid_mode: PlaidMode,
    /// The script that defines `window.Plaid` (the simulator's stand-in or Plaid's CDN script).
    pub link_script_url: String,
    /// The server's version, from its Cargo manifest.
    pub version: String,
    /// Who may create an account.
    pub registration: Registration,
    /// No account exists yet: whatever `registration` says, the first one may be created, and
    /// it is the administrator.
    pub first_user: bool,
}
