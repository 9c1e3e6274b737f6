//! Plaid's error answers, as the simulator gives them (`reference/plaid-api.md` §2).

use super::ids;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use serde_json::json;
use std::fmt;

/// One of Plaid's error objects, with its HTTP status.
#[derive(Debug)]
pub struct SimError {
    status: StatusCode,
    error_type: &'static str,
    error_code: String,
    message: String,
    display_message: Option<String>,
}

impl fmt::Display for SimError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {}: {}",
            self.error_type, self.error_code, self.message
        )
    }
}

impl SimError {
    fn new(
        status: StatusCode,
        error_type: &'static str,
        code: &str,
        message: impl Into<String>,
    ) -> Self {
        Self {
            status,
            error_type,
            error_code: code.to_owned(),
            message: message.into(),
            display_message: None,
        }
    }

    fn shown(mut self, display_message: &str) -> Self {
        self.display_message = Some(display_message.to_owned());
        self
    }

    #[cfg(test)]
    pub fn code(&self) -> &str {
        &self.error_code
    }

    /// The error object as it appears inside `item.error` and webhooks (no `request_id`).
    pub fn object(&self) -> serde_json::Value {
        let mut object = self.fields();
        object.insert("status".into(), json!(self.status.as_u16()));
        serde_json::Value::Object(object)
    }

    fn fields(&self) -> serde_json::Map<String, serde_json::Value> {
        let mut fields = serde_json::Map::new();
        fields.insert("error_type".into(), json!(self.error_type));
        fields.insert("error_code".into(), json!(self.error_code));
        fields.insert("error_code_reason".into(), serde_json::Value::Null);
        fields.insert("error_message".into(), json!(self.message));
        fields.insert("display_message".into(), json!(self.display_message));
        fields
    }

    pub fn invalid_body() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "INVALID_REQUEST",
            "INVALID_BODY",
            "body could not be parsed as JSON",
        )
    }

    pub fn missing_fields(fields: &[&str]) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "INVALID_REQUEST",
            "MISSING_FIELDS",
            format!(
                "the following required fields are missing: {}",
                fields.join(", ")
            ),
        )
    }

    pub fn invalid_field(message: impl Into<String>) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "INVALID_REQUEST",
            "INVALID_FIELD",
            message,
        )
    }

    pub fn not_found() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "INVALID_REQUEST",
            "NOT_FOUND",
            "not found",
        )
    }

    /// A control or sandbox route called from another machine without the simulator's secret.
    pub fn forbidden_route() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "INVALID_REQUEST",
            "FORBIDDEN",
            format!(
                "the simulator's control and sandbox routes answer only callers on this machine, \
                 or requests with the simulator's secret in the {} header",
                super::guard::SECRET_HEADER
            ),
        )
    }

    pub fn invalid_api_keys() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "INVALID_INPUT",
            "INVALID_API_KEYS",
            "invalid client_id or secret provided",
        )
    }

    pub fn invalid_access_token() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "INVALID_INPUT",
            "INVALID_ACCESS_TOKEN",
            "could not find matching access token",
        )
    }

    pub fn invalid_public_token() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "INVALID_INPUT",
            "INVALID_PUBLIC_TOKEN",
            "could not find matching public token",
        )
    }

    pub fn invalid_link_token() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "INVALID_INPUT",
            "INVALID_LINK_TOKEN",
            "invalid link_token provided",
        )
        .shown("This link has expired or is not valid. Please start again.")
    }

    pub fn invalid_account_id(account_id: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "INVALID_INPUT",
            "INVALID_ACCOUNT_ID",
            format!("failed to find requested account ID for requested item: {account_id}"),
        )
    }

    pub fn invalid_institution() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "INVALID_INPUT",
            "INVALID_INSTITUTION",
            "invalid institution_id provided",
        )
    }

    pub fn invalid_verification_key() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "INVALID_INPUT",
            "INVALID_WEBHOOK_VERIFICATION_KEY_ID",
            "invalid key_id provided. note that key_ids are specific to Plaid environments, and verification requests must be made to the same environment that the webhook was sent from",
        )
    }

    pub fn item_login_required() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "ITEM_ERROR",
            "ITEM_LOGIN_REQUIRED",
            "the login details of this item have changed (credentials, MFA, or required user action) and a user login is required to update this information. use Link's update mode to restore the item to a good state",
        )
    }

    /// A Link-time failure forced by an `error_<CODE>` password, or a wrong password.
    pub fn link_failure(code: &str) -> Self {
        match code {
            "INVALID_CREDENTIALS" => Self::new(StatusCode::BAD_REQUEST, "ITEM_ERROR", code, "the credentials were not correct")
                .shown("The credentials were not correct."),
            "ITEM_LOCKED" => Self::new(StatusCode::BAD_REQUEST, "ITEM_ERROR", code, "the account is locked. prompt the user to visit the institution's site and unlock their account")
                .shown("The given credentials were correct, but the account is locked. Please visit your bank's website to unlock it."),
            "NO_ACCOUNTS" => Self::new(StatusCode::BAD_REQUEST, "ITEM_ERROR", code, "no valid accounts were found for this item")
                .shown("No valid accounts were found at the financial institution. Please visit your financial institution's website to confirm accounts are available."),
            "INSTITUTION_DOWN" | "INSTITUTION_NOT_RESPONDING" => Self::new(StatusCode::BAD_REQUEST, "INSTITUTION_ERROR", code, "this institution is not currently responding to this request. please try again soon")
                .shown("This financial institution is not currently responding to requests. We apologize for the inconvenience."),
            "INTERNAL_SERVER_ERROR" => Self::internal(),
            "ITEM_LOGIN_REQUIRED" => Self::item_login_required(),
            other => Self::new(StatusCode::BAD_REQUEST, "ITEM_ERROR", other, format!("sandbox credentials forced the error {other}")),
        }
    }

    pub fn mutation_during_pagination() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "TRANSACTIONS_ERROR",
            "TRANSACTIONS_SYNC_MUTATION_DURING_PAGINATION",
            "Underlying transaction data changed since last page was fetched. Please restart pagination from last update.",
        )
    }

    /// Plaid's per-endpoint rate limit codes.
    pub fn rate_limited(endpoint: &str) -> Self {
        let code = match endpoint {
            "/transactions/sync" => "TRANSACTIONS_SYNC_LIMIT",
            "/transactions/refresh" => "TRANSACTIONS_REFRESH_LIMIT",
            "/accounts/get" => "ACCOUNTS_LIMIT",
            "/accounts/balance/get" => "ACCOUNTS_BALANCE_GET_LIMIT",
            "/item/get" => "ITEM_GET_LIMIT",
            "/institutions/get_by_id" => "INSTITUTIONS_GET_BY_ID_LIMIT",
            _ => "RATE_LIMIT",
        };
        Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            "RATE_LIMIT_EXCEEDED",
            code,
            "rate limit exceeded for attempts to access this item. please try again later",
        )
    }

    /// The client is not enabled for the product behind `endpoint` (Plaid's answer when, say,
    /// Recurring Transactions was never turned on for the client).
    pub fn invalid_product(endpoint: &str) -> Self {
        let product = match endpoint {
            "/transactions/recurring/get" => "recurring_transactions",
            "/transactions/refresh" => "transactions_refresh",
            _ => "transactions",
        };
        Self::new(
            StatusCode::BAD_REQUEST,
            "INVALID_INPUT",
            "INVALID_PRODUCT",
            format!("client is not authorized to access the following products: [\"{product}\"]"),
        )
    }

    pub fn sandbox_webhook_invalid() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "SANDBOX_ERROR",
            "SANDBOX_WEBHOOK_INVALID",
            "Webhook for this item is either not set up, or invalid. Please update the item's webhook and try again.",
        )
    }

    pub fn user_permission_revoked() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "ITEM_ERROR",
            "USER_PERMISSION_REVOKED",
            "the holder of this account has revoked their permission for your application to access it",
        )
    }

    pub fn internal() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "API_ERROR",
            "INTERNAL_SERVER_ERROR",
            "an unexpected error occurred",
        )
    }
}

impl From<serde_json::Error> for SimError {
    fn from(error: serde_json::Error) -> Self {
        tracing::error!(%error, "simulator storage holds unreadable JSON");
        Self::internal()
    }
}

/// A JSON body the simulator's pages and controls could not take, as Plaid would say it.
impl From<actix_web::error::JsonPayloadError> for SimError {
    fn from(error: actix_web::error::JsonPayloadError) -> Self {
        use actix_web::error::JsonPayloadError;
        match error {
            JsonPayloadError::Deserialize(e) if e.is_data() => Self::invalid_field(e.to_string()),
            JsonPayloadError::OverflowKnownLength { limit, .. }
            | JsonPayloadError::Overflow { limit } => Self::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "INVALID_REQUEST",
                "INVALID_BODY",
                format!("body must be at most {limit} bytes"),
            ),
            _ => Self::invalid_body(),
        }
    }
}

impl From<sqlx::Error> for SimError {
    fn from(error: sqlx::Error) -> Self {
        tracing::error!(%error, "simulator storage failed");
        Self::internal()
    }
}

impl SimError {
    /// The error answer's body: Plaid's error object with a fresh `request_id`.
    pub fn body(&self) -> serde_json::Value {
        let mut body = self.fields();
        body.insert("request_id".into(), json!(ids::request_id()));
        body.insert(
            "documentation_url".into(),
            json!(format!(
                "https://plaid.com/docs/errors/#{}",
                self.error_code.to_ascii_lowercase()
            )),
        );
        body.insert("suggested_action".into(), serde_json::Value::Null);
        serde_json::Value::Object(body)
    }

    pub fn oauth(code: &str, message: &str) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "OAUTH_ERROR", code, message)
            .shown("The connection to your bank could not be completed. Please try again.")
    }

    pub fn invalid_mfa() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "ITEM_ERROR",
            "INVALID_MFA",
            "the provided MFA response(s) were not correct",
        )
        .shown("The provided MFA responses were not correct. Please try again.")
    }
}

impl ResponseError for SimError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        HttpResponse::build(self.status).json(self.body())
    }
}
