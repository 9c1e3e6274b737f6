//! `/api/budgets`: a monthly plan per spending category, with rollover, progress and what
//! escaped the plan. Months are `YYYY-MM`; amounts are strings, as everywhere on the wire.

use crate::ids::CategoryId;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// How far a budget is used: `near` from 80% of what is available, `over` from 100% (or when
/// nothing is available and something was spent, or overspending carried in leaves less than
/// nothing).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum BudgetStatus {
    OnTrack,
    Near,
    Over,
}

/// One budget in one month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Budget {
    pub category_id: CategoryId,
    pub category_name: String,
    /// Set when the category is under another; a budget on a primary category covers the
    /// categories under it.
    pub parent_id: Option<CategoryId>,
    pub currency: String,
    /// The month this budget's amount and rollover took effect (`YYYY-MM`).
    pub since: String,
    /// Planned for the month.
    #[serde(with = "rust_decimal::serde::str")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "400.00"))]
    pub budgeted: Decimal,
    pub rollover: bool,
    /// Carried in from last month: what was left (positive) or overspent (negative); zero when
    /// last month had no budget or no rollover.
    #[serde(with = "rust_decimal::serde::str")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "-12.40"))]
    pub rolled_over: Decimal,
    /// `budgeted + rolled_over`.
    #[serde(with = "rust_decimal::serde::str")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "387.60"))]
    pub available: Decimal,
    /// Spending in the category (and those under it) this month, less refunds, on effective
    /// labels: hidden transactions and transfers between the person's accounts left out, split
    /// parts counted under their own categories, pending charges included.
    #[serde(with = "rust_decimal::serde::str")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "250.00"))]
    pub spent: Decimal,
    /// `available - spent`: negative when over.
    #[serde(with = "rust_decimal::serde::str")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "137.60"))]
    pub remaining: Decimal,
    /// `spent / available`, in percent with one decimal; none when nothing is available.
    #[serde(with = "rust_decimal::serde::str_option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, example = "64.5"))]
    pub percent_used: Option<Decimal>,
    pub status: BudgetStatus,
    /// Another budget (on the parent category) also counts this budget's spending; the month's
    /// totals count it once, under the parent.
    pub within_parent: bool,
}

/// A month's totals in one currency, over the budgets that are not within another.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BudgetTotals {
    pub currency: String,
    #[serde(with = "rust_decimal::serde::str")]
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub budgeted: Decimal,
    #[serde(with = "rust_decimal::serde::str")]
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub rolled_over: Decimal,
    #[serde(with = "rust_decimal::serde::str")]
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub available: Decimal,
    #[serde(with = "rust_decimal::serde::str")]
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub spent: Decimal,
    #[serde(with = "rust_decimal::serde::str")]
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub remaining: Decimal,
    #[serde(with = "rust_decimal::serde::str_option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub percent_used: Option<Decimal>,
    /// What the person's confirmed recurring bills in this currency are still expected to take
    /// this month, from today to the month's end (zero for another month).
    #[serde(with = "rust_decimal::serde::str")]
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub committed: Decimal,
    /// `remaining` shared over the days left in the month, today included (never below zero);
    /// none for a past month.
    #[serde(with = "rust_decimal::serde::str_option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub left_per_day: Option<Decimal>,
}

/// Spending in a category no budget covers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UnbudgetedSpending {
    pub category_id: CategoryId,
    pub category_name: String,
    pub parent_id: Option<CategoryId>,
    pub currency: String,
    #[serde(with = "rust_decimal::serde::str")]
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub spent: Decimal,
}

/// `GET /api/budgets?month=YYYY-MM`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BudgetMonth {
    pub month: String,
    /// Days of the month still ahead, today included: the whole month for a future one, zero
    /// for a past one.
    pub days_left: u32,
    pub budgets: Vec<Budget>,
    pub totals: Vec<BudgetTotals>,
    /// Largest first.
    pub unbudgeted: Vec<UnbudgetedSpending>,
}

/// `PUT /api/budgets/{category_id}`: the budget from `from_month` (default: this month) onward;
/// earlier months keep what they had.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct BudgetInput {
    /// Zero or more, e.g. `"400"` or `"400.00"`.
    pub amount: String,
    /// An ISO 4217 code.
    pub currency: String,
    #[serde(default)]
    pub rollover: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from_month: Option<String>,
}

/// `POST /api/budgets/copy`: `to_month` gets `from_month`'s budgets (from `to_month` onward).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct BudgetCopy {
    pub from_month: String,
    pub to_month: String,
}

/// `POST /api/budgets/copy`'s answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BudgetsCopied {
    pub copied: u32,
}

/// One month of a budget's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BudgetHistoryMonth {
    pub month: String,
    /// The budget's currency that month (else the latest budget's): `spent` is in it.
    pub currency: String,
    /// None in a month the category had no budget.
    #[serde(with = "rust_decimal::serde::str_option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub budgeted: Option<Decimal>,
    #[serde(with = "rust_decimal::serde::str")]
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub rolled_over: Decimal,
    #[serde(with = "rust_decimal::serde::str")]
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub available: Decimal,
    #[serde(with = "rust_decimal::serde::str")]
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub spent: Decimal,
}

/// `GET /api/budgets/{category_id}/history?months=12`: oldest first, ending this month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BudgetHistory {
    pub category_id: CategoryId,
    pub months: Vec<BudgetHistoryMonth>,
}

/// `?month=YYYY-MM` (default: this month).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct MonthQuery {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub month: Option<String>,
}

/// `?from_month=YYYY-MM` (default: this month).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct FromMonthQuery {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from_month: Option<String>,
}

/// `?months=12` (1 to 60).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct HistoryQuery {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub months: Option<u32>,
}
