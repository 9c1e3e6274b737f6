//! `/api/insights/*`: net worth now and over time, spending by category, and the bills, income
//! and balance to come. Every figure is per currency; nothing is ever summed across currencies.

use crate::api::recurring::{Direction, Frequency};
use crate::ids::{AccountId, CategoryId, RecurringStreamId};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// Which side of the balance sheet an account type sits on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum BalanceSide {
    Asset,
    Liability,
}

/// The total of one account type (and subtype) in one currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AccountTypeTotal {
    pub account_type: String,
    pub subtype: Option<String>,
    pub side: BalanceSide,
    pub accounts: i64,
    #[serde(with = "rust_decimal::serde::str")]
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub total: Decimal,
}

/// One currency's balance sheet. An account's currency is its ISO code, else its unofficial one;
/// accounts with neither are left out, as they cannot be added to any total.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CurrencyNetWorth {
    pub currency: String,
    /// Account assets plus manual assets.
    #[serde(with = "rust_decimal::serde::str")]
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub assets: Decimal,
    /// What is owed, as a positive number.
    #[serde(with = "rust_decimal::serde::str")]
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub liabilities: Decimal,
    #[serde(with = "rust_decimal::serde::str")]
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub net: Decimal,
    #[serde(with = "rust_decimal::serde::str")]
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub manual_assets: Decimal,
    pub by_type: Vec<AccountTypeTotal>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NetWorth {
    pub currencies: Vec<CurrencyNetWorth>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NetWorthPoint {
    pub date: NaiveDate,
    #[serde(with = "rust_decimal::serde::str")]
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub assets: Decimal,
    #[serde(with = "rust_decimal::serde::str")]
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub liabilities: Decimal,
    #[serde(with = "rust_decimal::serde::str")]
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub net: Decimal,
    /// Some account's balance on this day is reconstructed backwards from today's balance
    /// through its transactions (a day before Tally began recording it), not recorded by a sync.
    #[serde(default)]
    pub reconstructed: bool,
}

/// An account counted from its recorded balances only: a loan's or an investment's balance is
/// not explained by its transactions, so no history is reconstructed for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecordedOnlyAccount {
    pub account_id: AccountId,
    pub name: String,
    /// Plaid's type, e.g. `loan` or `investment`.
    pub account_type: String,
    pub subtype: Option<String>,
    /// The first day its balance was recorded: before it, the account is not counted.
    pub recorded_from: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NetWorthSeries {
    pub currency: String,
    /// One point per day, from the first day in range with any data in this currency (an
    /// account's balance snapshot on or before that day, or a manual asset created by then) to
    /// `to`. A day without a snapshot for an account carries its last earlier snapshot forward.
    /// Depository and credit accounts have a balance reconstructed for each day from their
    /// bank's first transaction until recording began, so the line starts there.
    pub points: Vec<NetWorthPoint>,
    /// This currency's accounts counted from their recorded balances only, by the day recording
    /// began.
    #[serde(default)]
    pub recorded_only: Vec<RecordedOnlyAccount>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NetWorthHistory {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub series: Vec<NetWorthSeries>,
}

/// `from`/`to` (inclusive) for the insights that cover a period.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct PeriodQuery {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<NaiveDate>,
    /// Spending only: count pending transactions too.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub include_pending: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CategoryTotal {
    /// The effective category (the person's, else their rules', else Plaid's): one of Plaid's or
    /// the person's own. Transactions Plaid did not categorise count under `OTHER_OTHER`.
    pub category_id: CategoryId,
    /// Its name, as the person sees it.
    pub name: String,
    /// Plaid's code for one of Plaid's categories, e.g. `FOOD_AND_DRINK` or
    /// `FOOD_AND_DRINK_COFFEE`; none for the person's own.
    pub plaid_code: Option<String>,
    #[serde(with = "rust_decimal::serde::str")]
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub total: Decimal,
    pub transactions: i64,
    /// The categories under a primary one (empty at the detailed level). A primary that holds
    /// transactions itself is listed here too.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    // The type contains itself: without this, collecting the OpenAPI schemas recurses forever.
    #[cfg_attr(feature = "openapi", schema(no_recursion))]
    pub detailed: Vec<CategoryTotal>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MerchantTotal {
    pub merchant: String,
    #[serde(with = "rust_decimal::serde::str")]
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub total: Decimal,
    pub transactions: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CurrencySpending {
    pub currency: String,
    /// Money spent, net of nothing: refunds are shown apart in `refunds`. Only what is in a
    /// category of kind `spending` for the person counts; hidden transactions and both sides of a
    /// transfer between the person's accounts do not; a split transaction counts by its parts,
    /// each under its own category.
    #[serde(with = "rust_decimal::serde::str")]
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub total: Decimal,
    /// Money that came back on spending categories (a merchant refund), as a positive number. It
    /// is not subtracted from `total` or from any category. Money in under Plaid's `OTHER` (where
    /// Plaid puts what it could not categorise) is not a refund: unrecognised deposits and
    /// transfers land there.
    #[serde(with = "rust_decimal::serde::str")]
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub refunds: Decimal,
    /// Largest first.
    pub categories: Vec<CategoryTotal>,
    /// The ten largest, largest first.
    pub top_merchants: Vec<MerchantTotal>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Spending {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub include_pending: bool,
    pub currencies: Vec<CurrencySpending>,
}

/// `days` for the forecasts: how many days ahead, today included; 1 to 90, 30 when absent.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct ForecastQuery {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub days: Option<i64>,
}

/// One predicted payment or income: a stream's next occurrence, or a later one when the stream
/// repeats within the window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UpcomingPayment {
    pub date: NaiveDate,
    pub stream_id: RecurringStreamId,
    pub account_id: AccountId,
    /// The stream's name as the Recurring page shows it.
    pub name: String,
    pub direction: Direction,
    pub frequency: Frequency,
    /// The stream's last amount (positive whatever the direction): a price change or a raise
    /// is what comes next, and a seasonal bill is nearer last month's than the year's average.
    #[serde(with = "rust_decimal::serde::str")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "15.49"))]
    pub amount: Decimal,
    pub currency: String,
    /// Was due before today and has not come yet: it is expected any day, so it is put on today.
    pub overdue: bool,
}

/// `GET /api/insights/upcoming`: what the person's confirmed streams, and the mature ones they
/// have not dismissed, will bring or take from `from` (today) to `to`, by date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Upcoming {
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// By date, then money out before money in, then by name.
    pub payments: Vec<UpcomingPayment>,
}

/// One day of a cash-flow forecast.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CashFlowPoint {
    pub date: NaiveDate,
    /// Predicted income that day (positive).
    #[serde(with = "rust_decimal::serde::str")]
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub inflow: Decimal,
    /// Predicted payments that day (positive).
    #[serde(with = "rust_decimal::serde::str")]
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub outflow: Decimal,
    /// The balance at the end of the day: the day before's, plus `inflow`, minus `outflow`.
    #[serde(with = "rust_decimal::serde::str")]
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub balance: Decimal,
}

/// One currency's forecast.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CurrencyCashFlow {
    pub currency: String,
    /// The current balances of the person's depository (checking, savings) accounts today.
    #[serde(with = "rust_decimal::serde::str")]
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub starting_balance: Decimal,
    /// One per day from `from` to `to`.
    pub points: Vec<CashFlowPoint>,
    /// The lowest end-of-day balance, and the first day it is reached.
    #[serde(with = "rust_decimal::serde::str")]
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub lowest_balance: Decimal,
    pub lowest_date: NaiveDate,
}

/// `GET /api/insights/cash-flow`: each currency's depository balance day by day, moved by the
/// payments `GET /api/insights/upcoming` predicts (streams of transfers between the person's
/// own accounts left out).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CashFlow {
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// By currency.
    pub currencies: Vec<CurrencyCashFlow>,
}
