//! Items, accounts, institutions and their endpoints' bodies.

use super::{amount, AccountType, Product};
use crate::plaid::error::PlaidErrorBody;
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Item {
    pub item_id: String,
    #[serde(default)]
    pub institution_id: Option<String>,
    #[serde(default)]
    pub institution_name: Option<String>,
    #[serde(default)]
    pub webhook: Option<String>,
    #[serde(default)]
    pub error: Option<PlaidErrorBody>,
    #[serde(default)]
    pub available_products: Vec<Product>,
    #[serde(default)]
    pub billed_products: Vec<Product>,
    #[serde(default)]
    pub products: Vec<Product>,
    #[serde(default)]
    pub consent_expiration_time: Option<DateTime<Utc>>,
    #[serde(default)]
    pub update_type: Option<String>,
    #[serde(default)]
    pub created_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccountBalance {
    #[serde(default, with = "amount::option")]
    pub available: Option<Decimal>,
    #[serde(default, with = "amount::option")]
    pub current: Option<Decimal>,
    #[serde(default, with = "amount::option")]
    pub limit: Option<Decimal>,
    #[serde(default)]
    pub iso_currency_code: Option<String>,
    #[serde(default)]
    pub unofficial_currency_code: Option<String>,
    #[serde(default)]
    pub last_updated_datetime: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Account {
    pub account_id: String,
    pub balances: AccountBalance,
    #[serde(default)]
    pub mask: Option<String>,
    pub name: String,
    #[serde(default)]
    pub official_name: Option<String>,
    #[serde(rename = "type")]
    pub account_type: AccountType,
    #[serde(default)]
    pub subtype: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub holder_category: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Institution {
    pub institution_id: String,
    pub name: String,
    #[serde(default)]
    pub products: Vec<Product>,
    #[serde(default)]
    pub country_codes: Vec<String>,
    #[serde(default)]
    pub routing_numbers: Vec<String>,
    #[serde(default)]
    pub oauth: bool,
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub primary_color: Option<String>,
    /// Base64 PNG.
    #[serde(default)]
    pub logo: Option<String>,
}

// --- requests and responses -------------------------------------------------------------------

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PublicTokenExchangeResponse {
    pub access_token: String,
    pub item_id: String,
    pub request_id: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ItemStatusTransactions {
    #[serde(default)]
    pub last_successful_update: Option<DateTime<Utc>>,
    #[serde(default)]
    pub last_failed_update: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ItemStatusLastWebhook {
    #[serde(default)]
    pub sent_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub code_sent: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ItemStatus {
    #[serde(default)]
    pub transactions: Option<ItemStatusTransactions>,
    #[serde(default)]
    pub last_webhook: Option<ItemStatusLastWebhook>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ItemGetResponse {
    pub item: Item,
    #[serde(default)]
    pub status: Option<ItemStatus>,
    pub request_id: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ItemWebhookUpdateResponse {
    pub item: Item,
    pub request_id: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AccountsGetResponse {
    pub accounts: Vec<Account>,
    pub item: Item,
    pub request_id: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct InstitutionGetResponse {
    pub institution: Institution,
    pub request_id: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct InstitutionsSearchResponse {
    pub institutions: Vec<Institution>,
    pub request_id: String,
}

/// The answer of endpoints that return nothing but their request id.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RequestIdResponse {
    pub request_id: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SandboxPublicTokenCreateResponse {
    pub public_token: String,
    pub request_id: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SandboxResetLoginResponse {
    pub reset_login: bool,
    pub request_id: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SandboxFireWebhookResponse {
    pub webhook_fired: bool,
    pub request_id: String,
}

/// A public key Plaid signs webhooks with (JWK, ES256 on P-256).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WebhookVerificationKey {
    pub alg: String,
    pub crv: String,
    pub kid: String,
    pub kty: String,
    #[serde(rename = "use")]
    pub key_use: String,
    pub x: String,
    pub y: String,
    pub created_at: i64,
    #[serde(default)]
    pub expired_at: Option<i64>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct WebhookVerificationKeyGetResponse {
    pub key: WebhookVerificationKey,
    pub request_id: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn balances_keep_every_digit_and_nulls() {
        let json = r#"{"account_id":"a","name":"Plaid 401k","mask":null,"official_name":null,
            "type":"investment","subtype":"401k","verification_status":"x",
            "balances":{"available":null,"current":23631.9805,"limit":null,
                        "iso_currency_code":"USD","unofficial_currency_code":null}}"#;
        let account: Account = serde_json::from_str(json).unwrap();
        assert_eq!(
            account.balances.current,
            Some(Decimal::from_str("23631.9805").unwrap())
        );
        assert_eq!(account.balances.available, None);
        assert_eq!(account.mask, None);
        let back = serde_json::to_string(&account.balances).unwrap();
        assert!(back.contains(r#""current":23631.9805"#), "{back}");
    }
}
