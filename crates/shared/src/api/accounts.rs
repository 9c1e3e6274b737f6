//! `/api/accounts`: every account of every linked bank, with balances.

use crate::ids::{AccountId, ItemId};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Account {
    pub id: AccountId,
    pub item_id: ItemId,
    pub institution_id: String,
    pub institution_name: String,
    pub name: String,
    pub official_name: Option<String>,
    /// The last digits of the account number; some banks give none.
    pub mask: Option<String>,
    /// Plaid's type: `depository`, `credit`, `loan`, `investment`, `other`, or one it adds.
    #[serde(rename = "type")]
    pub account_type: String,
    pub subtype: Option<String>,
    /// Assets count up, liabilities (credit, loans) count against net worth.
    pub is_liability: bool,
    #[serde(with = "rust_decimal::serde::str_option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub current_balance: Option<Decimal>,
    #[serde(with = "rust_decimal::serde::str_option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub available_balance: Option<Decimal>,
    #[serde(with = "rust_decimal::serde::str_option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub credit_limit: Option<Decimal>,
    /// ISO 4217, or the bank's unofficial code (e.g. a cryptocurrency) when it has no ISO one.
    pub currency: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AccountList {
    pub accounts: Vec<Account>,
}
