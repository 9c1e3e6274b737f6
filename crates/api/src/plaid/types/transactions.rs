//! `/transactions/sync`, `/transactions/recurring/get` and the transaction object.

use super::{
    amount, Account, ConfidenceLevel, PaymentChannel, RecurringFrequency, RecurringStatus,
    TransactionsUpdateStatus,
};
use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PersonalFinanceCategory {
    pub primary: String,
    pub detailed: String,
    #[serde(default)]
    pub confidence_level: Option<ConfidenceLevel>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Location {
    pub address: Option<String>,
    pub city: Option<String>,
    pub region: Option<String>,
    pub postal_code: Option<String>,
    pub country: Option<String>,
    #[serde(default, with = "amount::option")]
    pub lat: Option<Decimal>,
    #[serde(default, with = "amount::option")]
    pub lon: Option<Decimal>,
    pub store_number: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct PaymentMeta {
    pub reference_number: Option<String>,
    pub ppd_id: Option<String>,
    pub payee: Option<String>,
    pub by_order_of: Option<String>,
    pub payer: Option<String>,
    pub payment_method: Option<String>,
    pub payment_processor: Option<String>,
    pub reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Counterparty {
    pub name: String,
    #[serde(rename = "type")]
    pub counterparty_type: String,
    #[serde(default)]
    pub logo_url: Option<String>,
    #[serde(default)]
    pub website: Option<String>,
    #[serde(default)]
    pub entity_id: Option<String>,
    #[serde(default)]
    pub confidence_level: Option<ConfidenceLevel>,
}

/// One transaction. `amount` is positive for money leaving the account.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Transaction {
    pub transaction_id: String,
    pub account_id: String,
    #[serde(with = "amount")]
    pub amount: Decimal,
    #[serde(default)]
    pub iso_currency_code: Option<String>,
    #[serde(default)]
    pub unofficial_currency_code: Option<String>,
    pub date: NaiveDate,
    #[serde(default)]
    pub authorized_date: Option<NaiveDate>,
    #[serde(default)]
    pub authorized_datetime: Option<DateTime<Utc>>,
    #[serde(default)]
    pub datetime: Option<DateTime<Utc>>,
    pub pending: bool,
    #[serde(default)]
    pub pending_transaction_id: Option<String>,
    pub name: String,
    #[serde(default)]
    pub merchant_name: Option<String>,
    #[serde(default)]
    pub merchant_entity_id: Option<String>,
    #[serde(default)]
    pub logo_url: Option<String>,
    #[serde(default)]
    pub website: Option<String>,
    pub payment_channel: PaymentChannel,
    #[serde(default)]
    pub personal_finance_category: Option<PersonalFinanceCategory>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub personal_finance_category_icon_url: Option<String>,
    #[serde(default)]
    pub counterparties: Vec<Counterparty>,
    #[serde(default)]
    pub location: Location,
    #[serde(default)]
    pub payment_meta: PaymentMeta,
    #[serde(default)]
    pub account_owner: Option<String>,
    #[serde(default)]
    pub check_number: Option<String>,
    #[serde(default)]
    pub transaction_code: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RemovedTransaction {
    pub transaction_id: String,
    #[serde(default)]
    pub account_id: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct TransactionsSyncOptions {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub personal_finance_category_version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub include_original_description: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub days_requested: Option<u32>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TransactionsSyncResponse {
    pub added: Vec<Transaction>,
    pub modified: Vec<Transaction>,
    pub removed: Vec<RemovedTransaction>,
    pub next_cursor: String,
    pub has_more: bool,
    #[serde(default = "unknown_update_status")]
    pub transactions_update_status: TransactionsUpdateStatus,
    #[serde(default)]
    pub accounts: Vec<Account>,
    pub request_id: String,
}

fn unknown_update_status() -> TransactionsUpdateStatus {
    TransactionsUpdateStatus::Unknown
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StreamAmount {
    #[serde(default, with = "amount::option")]
    pub amount: Option<Decimal>,
    #[serde(default)]
    pub iso_currency_code: Option<String>,
    #[serde(default)]
    pub unofficial_currency_code: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TransactionStream {
    pub account_id: String,
    pub stream_id: String,
    pub description: String,
    #[serde(default)]
    pub merchant_name: Option<String>,
    pub first_date: NaiveDate,
    pub last_date: NaiveDate,
    #[serde(default)]
    pub predicted_next_date: Option<NaiveDate>,
    pub frequency: RecurringFrequency,
    pub transaction_ids: Vec<String>,
    pub average_amount: StreamAmount,
    pub last_amount: StreamAmount,
    pub is_active: bool,
    pub status: RecurringStatus,
    #[serde(default)]
    pub personal_finance_category: Option<PersonalFinanceCategory>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TransactionsRecurringGetResponse {
    pub inflow_streams: Vec<TransactionStream>,
    pub outflow_streams: Vec<TransactionStream>,
    pub updated_datetime: DateTime<Utc>,
    pub request_id: String,
}
