//! `/api/transactions`: the filtered, keyset-paginated list and its CSV export; one
//! transaction, its edits and its split.

use crate::ids::{AccountId, CategoryId, ItemId, TransactionId};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// The most rows one page may ask for.
pub const MAX_PAGE_SIZE: u32 = 500;
/// The page size when none is asked for.
pub const DEFAULT_PAGE_SIZE: u32 = 50;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Transaction {
    pub id: TransactionId,
    pub account_id: AccountId,
    pub item_id: ItemId,
    pub account_name: String,
    /// Positive when money leaves the account, as Plaid reports it.
    #[serde(with = "rust_decimal::serde::str")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "12.50"))]
    pub amount: Decimal,
    pub currency: Option<String>,
    pub date: NaiveDate,
    pub authorized_date: Option<NaiveDate>,
    pub name: String,
    pub merchant_name: Option<String>,
    pub logo_url: Option<String>,
    pub website: Option<String>,
    pub payment_channel: String,
    /// Plaid's personal finance category, e.g. `FOOD_AND_DRINK`.
    pub category_primary: Option<String>,
    /// e.g. `FOOD_AND_DRINK_COFFEE`.
    pub category_detailed: Option<String>,
    pub pending: bool,
    /// The effective category: the person's, else their rules', else the one Plaid's codes mean.
    pub category_id: CategoryId,
    /// The effective category's name, as the person sees it.
    pub category_name: String,
    /// The person's (or a rule's) name for it; none shows Plaid's merchant name or description.
    pub display_name: Option<String>,
    pub notes: Option<String>,
    pub tags: Vec<String>,
    /// Kept and listed on request, but left out of every total.
    pub hidden: bool,
    /// The bank changed the amount of this split transaction, so its split was removed.
    pub needs_review: bool,
    /// Empty unless the transaction is split; the parts add up to `amount` exactly.
    pub splits: Vec<Split>,
    /// The other side of a transfer between the person's own accounts (the sync pairs them, or
    /// the person did). Both sides are left out of spending and income.
    #[serde(default)]
    pub transfer_pair_id: Option<TransactionId>,
    /// The name of the other side's account, e.g. "Savings".
    #[serde(default)]
    pub transfer_account_name: Option<String>,
}

/// `POST /api/transactions/{id}/transfer`: pairs the transaction with `other_id`, the other side
/// of a transfer between two of the person's accounts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TransferPairing {
    pub other_id: TransactionId,
}

/// One part of a split transaction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Split {
    /// Same sign as the transaction's amount.
    #[serde(with = "rust_decimal::serde::str")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "6.25"))]
    pub amount: Decimal,
    pub category_id: CategoryId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
}

/// Who gave a labelled field its value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum FieldSource {
    Plaid,
    Rule,
    User,
}

/// The source of each field a person can edit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FieldSources {
    pub category_id: FieldSource,
    pub display_name: FieldSource,
    pub notes: FieldSource,
    pub tags: FieldSource,
    pub hidden: FieldSource,
}

/// What Plaid says, whatever the person or their rules changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PlaidLabels {
    pub category_id: CategoryId,
    pub category_name: String,
    pub name: String,
    pub merchant_name: Option<String>,
}

/// `GET` and `PATCH /api/transactions/{id}`: the effective values, Plaid's own, and who set each.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TransactionDetail {
    pub transaction: Transaction,
    pub plaid: PlaidLabels,
    pub sources: FieldSources,
}

/// `PATCH /api/transactions/{id}`. An absent field stays as it is; `null` gives it back to the
/// rules and Plaid; a value sets it by hand. Notes: up to 2,000 characters; tags: up to 20, each
/// 1–40 characters; a display name: 1–200 characters.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TransactionEdit {
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::patch"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<CategoryId>))]
    pub category_id: Option<Option<CategoryId>>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::patch"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub display_name: Option<Option<String>>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::patch"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub notes: Option<Option<String>>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::patch"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Vec<String>>))]
    pub tags: Option<Option<Vec<String>>>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::patch"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<bool>))]
    pub hidden: Option<Option<bool>>,
}

/// Which transactions the list shows by their hidden flag.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum HiddenFilter {
    /// Only the ones not hidden (the default).
    #[default]
    False,
    /// Only the hidden ones.
    True,
    All,
}

/// One page, newest first. `next_cursor` is `None` on the last page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TransactionPage {
    pub transactions: Vec<Transaction>,
    pub next_cursor: Option<String>,
}

/// The filters of `GET /api/transactions` and its CSV export. Every field is optional.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct TransactionFilter {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_id: Option<AccountId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item_id: Option<ItemId>,
    /// A primary or detailed category code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    /// Words to find in the merchant name or the description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub q: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", param(value_type = Option<String>))]
    pub min_amount: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", param(value_type = Option<String>))]
    pub max_amount: Option<String>,
    /// The effective category, or one of its children when it is a primary.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", param(value_type = Option<String>))]
    pub category_id: Option<CategoryId>,
    /// Transactions carrying this tag (exactly, ignoring case).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tag: Option<String>,
    /// `false` (the default), `true` or `all`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hidden: Option<HiddenFilter>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub needs_review: Option<bool>,
    /// `next_cursor` of the previous page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
    /// Rows per page, 1 to 500 (default 50).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
}
