//! `/api/recurring`: payments and income that repeat, found by Plaid (or by Tally where Plaid
//! does not offer its recurring product), and what the person decided about each.

use crate::ids::{AccountId, CategoryId, RecurringStreamId, TransactionId};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// Money coming in (salary) or going out (rent, a subscription).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    Inflow,
    Outflow,
}

/// How often a stream repeats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Frequency {
    Weekly,
    Biweekly,
    /// Twice a month (the 1st and the 15th, say).
    SemiMonthly,
    Monthly,
    Annually,
}

/// What the person decided about a stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum StreamState {
    /// Found, not yet confirmed or dismissed.
    Suggested,
    Confirmed,
    /// Stays dismissed through every later sync and webhook.
    Dismissed,
}

/// Who found the stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum StreamSource {
    /// Plaid's `/transactions/recurring/get`.
    Plaid,
    /// Tally's own detector, for items where Plaid does not offer recurring transactions.
    Local,
}

/// Plaid's confidence in a stream; Tally's detector says `mature` from six occurrences.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum StreamStatus {
    Mature,
    EarlyDetection,
    /// No longer seen: kept for its history, never predicted.
    Tombstoned,
}

/// Something about a stream that needs the person's eye.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum StreamFlag {
    /// The last amount differs by more than 10% from the steady price before it (outflows).
    PriceChanged,
    /// The predicted date plus a grace period has passed with no matching transaction.
    Late,
}

/// Each enum's snake_case name, as on the wire, for the server to store and read back.
macro_rules! text_names {
    ($name:ident { $($variant:ident => $text:literal),+ $(,)? }) => {
        impl $name {
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $text,)+
                }
            }

            pub fn parse(text: &str) -> Option<Self> {
                match text {
                    $($text => Some(Self::$variant),)+
                    _ => None,
                }
            }
        }
    };
}

text_names!(Direction { Inflow => "inflow", Outflow => "outflow" });
text_names!(Frequency {
    Weekly => "weekly",
    Biweekly => "biweekly",
    SemiMonthly => "semi_monthly",
    Monthly => "monthly",
    Annually => "annually",
});
text_names!(StreamState { Suggested => "suggested", Confirmed => "confirmed", Dismissed => "dismissed" });
text_names!(StreamSource { Plaid => "plaid", Local => "local" });
text_names!(StreamStatus {
    Mature => "mature",
    EarlyDetection => "early_detection",
    Tombstoned => "tombstoned",
});

/// One recurring stream.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecurringStream {
    pub id: RecurringStreamId,
    pub account_id: AccountId,
    pub direction: Direction,
    /// The person's name for it, else the merchant's, else the bank's description.
    pub name: String,
    pub merchant_name: Option<String>,
    pub description: String,
    /// The person's category for it, else the effective category of its last transaction.
    pub category_id: Option<CategoryId>,
    pub category_name: Option<String>,
    pub frequency: Frequency,
    /// Positive amounts, whatever the direction.
    #[serde(with = "rust_decimal::serde::str")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "15.49"))]
    pub average_amount: Decimal,
    #[serde(with = "rust_decimal::serde::str")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "15.49"))]
    pub last_amount: Decimal,
    /// What the stream costs (or brings) in an average month, from `average_amount`.
    #[serde(with = "rust_decimal::serde::str")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "15.49"))]
    pub monthly_amount: Decimal,
    pub currency: String,
    pub first_date: NaiveDate,
    pub last_date: NaiveDate,
    /// None when the stream is no longer active.
    pub next_date: Option<NaiveDate>,
    pub status: StreamStatus,
    pub is_active: bool,
    pub state: StreamState,
    pub source: StreamSource,
    pub flags: Vec<StreamFlag>,
    pub transaction_ids: Vec<TransactionId>,
}

/// `GET /api/recurring`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecurringList {
    pub streams: Vec<RecurringStream>,
}

/// `PATCH /api/recurring/{id}`: absent fields are left as they are. A name or a category can be
/// given to a confirmed stream (or with `state: confirmed`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RecurringPatch {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<StreamState>,
    /// An empty name goes back to the merchant's or the bank's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `null` gives the stream back the category of its last transaction.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::patch"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<CategoryId>))]
    pub category_id: Option<Option<CategoryId>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wire(value: impl Serialize) -> String {
        serde_json::to_value(value)
            .unwrap()
            .as_str()
            .unwrap()
            .to_owned()
    }

    #[test]
    fn stored_names_are_the_wire_names() {
        for (on_wire, stored) in [
            (wire(Direction::Outflow), Direction::Outflow.as_str()),
            (
                wire(Frequency::SemiMonthly),
                Frequency::SemiMonthly.as_str(),
            ),
            (
                wire(StreamState::Dismissed),
                StreamState::Dismissed.as_str(),
            ),
            (wire(StreamSource::Local), StreamSource::Local.as_str()),
            (
                wire(StreamStatus::EarlyDetection),
                StreamStatus::EarlyDetection.as_str(),
            ),
        ] {
            assert_eq!(on_wire, stored);
        }
        assert_eq!(
            Frequency::parse("semi_monthly"),
            Some(Frequency::SemiMonthly)
        );
        assert_eq!(StreamState::parse("paused"), None);
    }
}
