//! A record of every Plaid call: what was called, for which item, and how it went.

use super::error::PlaidError;
use std::time::Duration;

/// Never holds a token, a secret or a body: only what is safe to keep and show to an admin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlaidApiEvent {
    /// The endpoint, e.g. `/transactions/sync`.
    pub method: &'static str,
    /// Plaid's item id, when the call concerns one item.
    pub item_id: Option<String>,
    pub request_id: Option<String>,
    pub error_type: Option<String>,
    pub error_code: Option<String>,
    pub duration: Duration,
}

impl PlaidApiEvent {
    pub(super) fn new(
        method: &'static str,
        item_id: Option<&str>,
        outcome: Result<&str, &PlaidError>,
        duration: Duration,
    ) -> Self {
        let (request_id, error_type, error_code) = match outcome {
            Ok(request_id) => (Some(request_id.to_owned()), None, None),
            Err(error) => match error.body() {
                Some(body) => (
                    body.request_id.clone(),
                    Some(body.error_type.as_str().to_owned()),
                    Some(body.error_code.clone()),
                ),
                None => (None, Some(transport_kind(error).to_owned()), None),
            },
        };
        Self {
            method,
            item_id: item_id.map(str::to_owned),
            request_id,
            error_type,
            error_code,
            duration,
        }
    }
}

/// What kind of failure produced no Plaid error object.
fn transport_kind(error: &PlaidError) -> &'static str {
    match error {
        PlaidError::Timeout { .. } => "TIMEOUT",
        PlaidError::Transport { .. } => "TRANSPORT",
        PlaidError::Decode { .. } => "DECODE",
        PlaidError::UnexpectedStatus { .. } | PlaidError::Api { .. } => "HTTP",
    }
}
