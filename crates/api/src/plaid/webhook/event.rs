//! A verified webhook body, read once into what it tells Tally (`reference/plaid-api.md` §5).

use crate::plaid::PlaidErrorBody;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::Value;

/// A webhook as Plaid sent it: its names, the item it concerns, and what it means.
#[derive(Debug, Clone)]
pub struct Webhook {
    pub webhook_type: String,
    pub webhook_code: String,
    /// Plaid's id of the item it concerns, if it names one.
    pub plaid_item_id: Option<String>,
    /// The code of the error it reports, if it carries one.
    pub error_code: Option<String>,
    pub event: Event,
    /// The body exactly as it came, for the record.
    pub body: Value,
}

/// What a webhook tells Tally.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// New, changed or removed transactions are waiting at Plaid.
    TransactionsChanged,
    /// `ITEM` `ERROR` with `ITEM_LOGIN_REQUIRED`: the bank wants the person to log in again.
    LoginRequired,
    /// `ITEM` `ERROR` with any other error (or none).
    ItemError,
    /// The person logged in again outside Tally's update mode.
    LoginRepaired,
    /// The item's consent ends soon, at the time given if Plaid gives one.
    PendingExpiration {
        consent_expires_at: Option<DateTime<Utc>>,
    },
    /// The bank will soon disconnect the item.
    PendingDisconnect,
    /// The person withdrew the item's permissions or closed the bank login.
    PermissionRevoked,
    /// The bank login has accounts the item does not share yet.
    NewAccountsAvailable,
    /// Plaid's recurring streams for the item changed (`RECURRING_TRANSACTIONS_UPDATE`).
    RecurringChanged,
    /// Anything Tally does not act on.
    Other,
}

/// The fields Tally reads; everything else stays in `Webhook::body`.
#[derive(Deserialize)]
struct Payload {
    webhook_type: String,
    webhook_code: String,
    #[serde(default)]
    item_id: Option<String>,
    #[serde(default)]
    error: Option<PlaidErrorBody>,
    #[serde(default)]
    consent_expiration_time: Option<DateTime<Utc>>,
}

impl Webhook {
    /// Reads a verified body. An error: it is not JSON, or not shaped like Plaid's webhooks.
    pub fn parse(body: &[u8]) -> Result<Self, serde_json::Error> {
        let body: Value = serde_json::from_slice(body)?;
        let payload = Payload::deserialize(&body)?;
        let error_code = payload.error.map(|error| error.error_code);
        let event = Event::of(
            &payload.webhook_type,
            &payload.webhook_code,
            error_code.as_deref(),
            payload.consent_expiration_time,
        );
        Ok(Self {
            webhook_type: payload.webhook_type,
            webhook_code: payload.webhook_code,
            plaid_item_id: payload.item_id,
            error_code,
            event,
            body,
        })
    }
}

impl Event {
    /// Plaid's codes, in one table.
    fn of(
        webhook_type: &str,
        webhook_code: &str,
        error_code: Option<&str>,
        consent_expires_at: Option<DateTime<Utc>>,
    ) -> Self {
        match (webhook_type, webhook_code) {
            (
                "TRANSACTIONS",
                "SYNC_UPDATES_AVAILABLE"
                | "INITIAL_UPDATE"
                | "HISTORICAL_UPDATE"
                | "DEFAULT_UPDATE"
                | "TRANSACTIONS_REMOVED",
            ) => Self::TransactionsChanged,
            ("TRANSACTIONS", "RECURRING_TRANSACTIONS_UPDATE") => Self::RecurringChanged,
            ("ITEM", "ERROR") if error_code == Some("ITEM_LOGIN_REQUIRED") => Self::LoginRequired,
            ("ITEM", "ERROR") => Self::ItemError,
            ("ITEM", "LOGIN_REPAIRED") => Self::LoginRepaired,
            ("ITEM", "PENDING_EXPIRATION") => Self::PendingExpiration { consent_expires_at },
            ("ITEM", "PENDING_DISCONNECT") => Self::PendingDisconnect,
            ("ITEM", "USER_PERMISSION_REVOKED" | "USER_ACCOUNT_REVOKED") => Self::PermissionRevoked,
            ("ITEM", "NEW_ACCOUNTS_AVAILABLE") => Self::NewAccountsAvailable,
            _ => Self::Other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_body_is_read_once_into_its_event_and_kept_as_it_came() {
        let body = br#"{"webhook_type":"ITEM","webhook_code":"ERROR","item_id":"it-1",
            "error":{"error_type":"ITEM_ERROR","error_code":"ITEM_LOGIN_REQUIRED","error_message":"x","status":400},
            "environment":"sandbox"}"#;
        let webhook = Webhook::parse(body).unwrap();
        assert_eq!(webhook.event, Event::LoginRequired);
        assert_eq!(webhook.plaid_item_id.as_deref(), Some("it-1"));
        assert_eq!(webhook.error_code.as_deref(), Some("ITEM_LOGIN_REQUIRED"));
        assert_eq!(webhook.body["environment"], "sandbox");

        let expiring = br#"{"webhook_type":"ITEM","webhook_code":"PENDING_EXPIRATION",
            "consent_expiration_time":"2027-01-02T03:04:05Z"}"#;
        let webhook = Webhook::parse(expiring).unwrap();
        assert!(matches!(
            webhook.event,
            Event::PendingExpiration {
                consent_expires_at: Some(_)
            }
        ));
        assert_eq!(
            Webhook::parse(br#"{"webhook_type":"HOLDINGS","webhook_code":"DEFAULT_UPDATE"}"#)
                .unwrap()
                .event,
            Event::Other
        );
    }

    #[test]
    fn a_body_that_is_not_plaids_is_refused() {
        for body in [&b"not json"[..], br#"{"webhook_code":"ERROR"}"#, br#"[1]"#] {
            assert!(
                Webhook::parse(body).is_err(),
                "{}",
                String::from_utf8_lossy(body)
            );
        }
    }
}
