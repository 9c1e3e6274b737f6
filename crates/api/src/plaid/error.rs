//! Everything that can go wrong calling Plaid, with the questions the sync engine asks of it.

use super::types::ErrorType;
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// Plaid's error object: the body of a non-2xx answer, `item.error`, and a webhook's `error`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlaidErrorBody {
    pub error_type: ErrorType,
    pub error_code: String,
    #[serde(default)]
    pub error_code_reason: Option<String>,
    #[serde(default)]
    pub error_message: String,
    #[serde(default)]
    pub display_message: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// Only inside webhooks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub documentation_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suggested_action: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum PlaidError {
    /// Plaid answered with its error object.
    #[error("Plaid {method}: {} {} (HTTP {status}, request {})", body.error_type, body.error_code, body.request_id.as_deref().unwrap_or("-"))]
    Api {
        method: &'static str,
        status: u16,
        body: Box<PlaidErrorBody>,
    },
    /// A non-2xx answer that is not Plaid's error object (a proxy, an outage page).
    #[error("Plaid {method}: HTTP {status} without an error body")]
    UnexpectedStatus { method: &'static str, status: u16 },
    #[error("Plaid {method}: no answer within {timeout:?}")]
    Timeout {
        method: &'static str,
        timeout: Duration,
    },
    #[error("Plaid {method}: could not be reached")]
    Transport {
        method: &'static str,
        #[source]
        source: reqwest::Error,
    },
    #[error("Plaid {method}: the answer could not be read")]
    Decode {
        method: &'static str,
        #[source]
        source: serde_json::Error,
    },
}

impl PlaidError {
    /// Plaid's error object, when there is one.
    pub fn body(&self) -> Option<&PlaidErrorBody> {
        match self {
            Self::Api { body, .. } => Some(body.as_ref()),
            _ => None,
        }
    }

    /// Plaid's `error_code`, when there is one.
    pub fn code(&self) -> Option<&str> {
        self.body().map(|body| body.error_code.as_str())
    }

    /// The HTTP status Plaid answered with, if it answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Api { status, .. } | Self::UnexpectedStatus { status, .. } => Some(*status),
            _ => None,
        }
    }

    pub fn request_id(&self) -> Option<&str> {
        self.body().and_then(|body| body.request_id.as_deref())
    }

    /// The person must log in again through Link's update mode before data flows again.
    pub fn is_login_required(&self) -> bool {
        self.code() == Some("ITEM_LOGIN_REQUIRED")
    }

    /// The item no longer exists at Plaid (removed, or access revoked).
    pub fn is_item_gone(&self) -> bool {
        matches!(
            self.code(),
            Some("ITEM_NOT_FOUND" | "INVALID_ACCESS_TOKEN" | "USER_PERMISSION_REVOKED")
        )
    }

    pub fn is_rate_limited(&self) -> bool {
        self.status() == Some(429)
            || self
                .body()
                .is_some_and(|body| body.error_type == ErrorType::RateLimitExceeded)
    }

    /// Plaid will not give this item (or this client) the product asked for: the client is not
    /// enabled for it (`INVALID_PRODUCT`), the person did not consent to it
    /// (`ADDITIONAL_CONSENT_REQUIRED`), or the bank does not offer it (`PRODUCTS_NOT_SUPPORTED`).
    pub fn is_product_refused(&self) -> bool {
        matches!(
            self.code(),
            Some("INVALID_PRODUCT" | "ADDITIONAL_CONSENT_REQUIRED" | "PRODUCTS_NOT_SUPPORTED")
        )
    }

    /// The data changed while we paged through `/transactions/sync`: restart from the first
    /// cursor of this run.
    pub fn is_mutation_during_pagination(&self) -> bool {
        self.code() == Some("TRANSACTIONS_SYNC_MUTATION_DURING_PAGINATION")
    }

    /// Worth trying again later with backoff: rate limits, Plaid's and the bank's outages, and
    /// failures to get any answer at all.
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Api { status, body, .. } => {
                *status == 429
                    || *status >= 500
                    || matches!(
                        body.error_type,
                        ErrorType::RateLimitExceeded | ErrorType::ApiError
                    )
                    || matches!(
                        body.error_code.as_str(),
                        "INSTITUTION_DOWN" | "INSTITUTION_NOT_RESPONDING" | "PRODUCT_NOT_READY"
                    )
            }
            Self::UnexpectedStatus { status, .. } => *status == 429 || *status >= 500,
            Self::Timeout { .. } | Self::Transport { .. } => true,
            Self::Decode { .. } => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api(status: u16, error_type: &str, code: &str) -> PlaidError {
        PlaidError::Api {
            method: "/transactions/sync",
            status,
            body: serde_json::from_value::<Box<PlaidErrorBody>>(serde_json::json!({
                "error_type": error_type, "error_code": code,
                "error_message": "m", "display_message": null, "request_id": "req1"
            }))
            .unwrap(),
        }
    }

    #[test]
    fn classifies_the_errors_sync_cares_about() {
        let login = api(400, "ITEM_ERROR", "ITEM_LOGIN_REQUIRED");
        assert!(login.is_login_required() && !login.is_retryable());
        let rate = api(429, "RATE_LIMIT_EXCEEDED", "TRANSACTIONS_SYNC_LIMIT");
        assert!(rate.is_rate_limited() && rate.is_retryable());
        let outage = api(500, "API_ERROR", "INTERNAL_SERVER_ERROR");
        assert!(outage.is_retryable() && !outage.is_rate_limited());
        let bank = api(400, "INSTITUTION_ERROR", "INSTITUTION_DOWN");
        assert!(bank.is_retryable());
        let mutation = api(
            400,
            "TRANSACTIONS_ERROR",
            "TRANSACTIONS_SYNC_MUTATION_DURING_PAGINATION",
        );
        assert!(mutation.is_mutation_during_pagination() && !mutation.is_retryable());
        let gone = api(400, "ITEM_ERROR", "ITEM_NOT_FOUND");
        assert!(gone.is_item_gone() && !gone.is_retryable());
        assert_eq!(gone.request_id(), Some("req1"));
        let unknown = api(400, "BRAND_NEW_ERROR", "SOMETHING");
        assert!(!unknown.is_retryable());
        assert_eq!(
            unknown.body().map(|b| b.error_type.clone()),
            Some(ErrorType::Other("BRAND_NEW_ERROR".to_owned()))
        );
    }
}
