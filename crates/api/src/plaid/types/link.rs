//! `/link/token/create` and the sandbox token shortcut.

use super::Product;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// `user` in a link token request: who, in our app, is linking (an opaque id, no PII).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LinkUser {
    pub client_user_id: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct LinkTransactionsOptions {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub days_requested: Option<u32>,
}

/// A link token request. Holds an access token in update mode, so it has no `Debug`.
#[derive(Clone, Serialize, Deserialize)]
pub struct LinkTokenCreateRequest {
    pub client_name: String,
    pub language: String,
    pub country_codes: Vec<String>,
    pub user: LinkUser,
    /// Empty in update mode.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub products: Vec<Product>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub webhook: Option<String>,
    /// Set: update mode for that item.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_token: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redirect_uri: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transactions: Option<LinkTransactionsOptions>,
    /// Update mode only: what Link lets the person change besides logging in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub update: Option<LinkUpdateOptions>,
}

/// `update` in a link token request for update mode.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct LinkUpdateOptions {
    /// Link shows the item's accounts, the ones not shared yet among them, to choose from
    /// (after `NEW_ACCOUNTS_AVAILABLE`).
    #[serde(default)]
    pub account_selection_enabled: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LinkTokenCreateResponse {
    pub link_token: String,
    pub expiration: DateTime<Utc>,
    pub request_id: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct SandboxTransactionsOptions {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_date: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_date: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub days_requested: Option<u32>,
}

#[derive(Clone, Default, Serialize, Deserialize)]
pub struct SandboxPublicTokenOptions {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub webhook: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub override_username: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub override_password: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transactions: Option<SandboxTransactionsOptions>,
}

/// `/sandbox/public_token/create`: an item without going through Link (tests, scripts).
#[derive(Clone, Serialize, Deserialize)]
pub struct SandboxPublicTokenCreateRequest {
    pub institution_id: String,
    pub initial_products: Vec<Product>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub options: Option<SandboxPublicTokenOptions>,
}
