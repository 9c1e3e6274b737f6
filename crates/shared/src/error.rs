//! The one JSON error body every failing request gets.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Machine-readable error codes. New codes may appear; clients treat unknown ones as `Other`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    BadRequest,
    Validation,
    Unauthorized,
    Forbidden,
    NotFound,
    MethodNotAllowed,
    Conflict,
    /// `POST /api/items`: this user already linked that bank.
    DuplicateItem,
    PayloadTooLarge,
    UnsupportedMediaType,
    RateLimited,
    Internal,
    ServiceUnavailable,
    /// Plaid (or the bank behind it) refused or failed the request; `message` says why.
    PlaidError,
    #[serde(other)]
    Other,
}

/// A problem with one input field, for forms to show beside that field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

/// `{ "code": "...", "message": "...", "fields": [...] }`: the body of every error response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApiError {
    pub code: ErrorCode,
    /// A sentence a person can read. Never carries internals on a 5xx.
    pub message: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldError>,
}

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            fields: Vec::new(),
        }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ApiError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn omits_empty_fields_and_reads_unknown_codes() {
        let body = serde_json::to_value(ApiError::new(ErrorCode::NotFound, "nope")).unwrap();
        assert_eq!(
            body,
            serde_json::json!({"code": "not_found", "message": "nope"})
        );

        let parsed: ApiError =
            serde_json::from_str(r#"{"code":"brand_new","message":"m"}"#).unwrap();
        assert_eq!(parsed.code, ErrorCode::Other);
        assert!(parsed.fields.is_empty());
    }
}
