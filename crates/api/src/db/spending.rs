//! Spending over a period, from `bank_transaction`, summed in SQL per currency.
//!
//! Spending is money out (`amount > 0`) whose category is not in
//! `domain::classification::NOT_SPENDING_CATEGORIES` (transfers, loan payments and disbursements,
//! income). A refund is money in (`amount < 0`) on a category that is spending; it is reported
//! apart and not subtracted. Money in without a category (or in PFC v2's `OTHER`) is not a refund:
//! Plaid files unrecognised deposits and transfers there, not merchant refunds. Money out without
//! a category counts under `OTHER` / `OTHER_OTHER`. A transaction's currency is its ISO code, else
//! its unofficial one; transactions with neither are left out. Pending transactions count only
//! when asked.

use crate::domain::classification::{
    NOT_SPENDING_CATEGORIES, UNCATEGORISED_DETAILED, UNCATEGORISED_PRIMARY,
};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use sqlx::PgExecutor;
use tally_shared::ids::UserId;

/// `sqlx::query_as!` over the transactions that count: `$head`, then the `from` and `where` both
/// queries share (on plain columns, so that the planner can use its column statistics), then
/// `$tail`. It binds `$1` user, `$2`..`$3` the period, `$4` include pending, `$5` the categories
/// that are not spending, `$6` the uncategorised primary (`OTHER`), and `$7` from `$seventh`.
/// `$5` passes `as _`: the macros check a text[] only as `&[String]`, not `&[&str]`.
macro_rules! spending_query {
    ($row:ident, $filter:ident, $seventh:expr, $head:literal, $tail:literal) => {
        sqlx::query_as!(
            $row,
            $head
                + "from bank_transaction
                   where user_id = $1
                     and date between $2 and $3
                     and ($4 or not pending)
                     and coalesce(iso_currency_code, unofficial_currency_code) is not null
                     and coalesce(category_primary, $6) <> all($5)
                     and (amount > 0 or (amount < 0 and coalesce(category_primary, $6) <> $6))"
                + $tail,
            $filter.user_id.0,
            $filter.from,
            $filter.to,
            $filter.include_pending,
            NOT_SPENDING_CATEGORIES as _,
            UNCATEGORISED_PRIMARY,
            $seventh
        )
    };
}

/// What the spending queries need to know.
#[derive(Debug, Clone, Copy)]
pub struct SpendingFilter {
    pub user_id: UserId,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub include_pending: bool,
}

/// How far a row of `by_category` is rolled up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// One detailed category (`category` and `detailed` set).
    Detailed,
    /// One primary category (`category` set).
    Primary,
    /// The whole currency.
    Currency,
}

#[derive(Debug, Clone)]
pub struct CategoryRow {
    pub currency: String,
    pub category: Option<String>,
    pub detailed: Option<String>,
    /// `grouping(category, detailed)`: 0 detailed, 1 primary, 3 currency.
    rollup_level: i32,
    pub spent: Decimal,
    pub transactions: i64,
    pub refunds: Decimal,
}

impl CategoryRow {
    pub fn level(&self) -> Level {
        match self.rollup_level {
            0 => Level::Detailed,
            1 => Level::Primary,
            _ => Level::Currency,
        }
    }
}

/// Per currency: the currency's totals, then its primary categories, then its detailed ones,
/// each level largest first (ties by name). Categories with refunds only are left out; their
/// refunds are in the currency's total.
#[tracing::instrument(skip_all)]
pub async fn by_category(
    db: impl PgExecutor<'_>,
    filter: SpendingFilter,
) -> Result<Vec<CategoryRow>, sqlx::Error> {
    // Summed first by the stored columns (a hash aggregate over few groups), then rolled up.
    spending_query!(
        CategoryRow,
        filter,
        UNCATEGORISED_DETAILED,
        "with by_detailed as (
             select coalesce(iso_currency_code, unofficial_currency_code) as currency,
                    coalesce(category_primary, $6) as category,
                    case when category_primary is null then $7
                         else coalesce(category_detailed, category_primary) end as detailed,
                    sum(amount) filter (where amount > 0) as spent,
                    count(*) filter (where amount > 0) as transactions,
                    sum(-amount) filter (where amount < 0) as refunds
             ",
        r#"
             group by iso_currency_code, unofficial_currency_code, category_primary,
                      category_detailed
         )
         select currency as "currency!", category, detailed,
                grouping(category, detailed) as "rollup_level!",
                coalesce(sum(spent), 0) as "spent!",
                coalesce(sum(transactions), 0)::bigint as "transactions!",
                coalesce(sum(refunds), 0) as "refunds!"
         from by_detailed
         group by grouping sets ((currency), (currency, category), (currency, category, detailed))
         having grouping(category, detailed) = 3 or sum(transactions) > 0
         order by "currency!", "rollup_level!" desc, "spent!" desc, category, detailed"#
    )
    .fetch_all(db)
    .await
}

#[derive(Debug, Clone)]
pub struct MerchantRow {
    pub currency: String,
    pub merchant: String,
    pub spent: Decimal,
    pub transactions: i64,
}

/// Per currency, the `limit` merchants (Plaid's merchant name, else the bank's description) with
/// the most spending, largest first (ties by name).
#[tracing::instrument(skip_all)]
pub async fn top_merchants(
    db: impl PgExecutor<'_>,
    filter: SpendingFilter,
    limit: i64,
) -> Result<Vec<MerchantRow>, sqlx::Error> {
    spending_query!(
        MerchantRow,
        filter,
        limit,
        "with merchants as (
             select coalesce(iso_currency_code, unofficial_currency_code) as currency,
                    coalesce(merchant_name, name) as merchant,
                    sum(amount) as spent,
                    count(*) as transactions
             ",
        r#"
               and amount > 0
             group by 1, 2
         ),
         ranked as (
             select *,
                    row_number() over (partition by currency order by spent desc, merchant) as rank
             from merchants
         )
         select currency as "currency!", merchant as "merchant!", spent as "spent!",
                transactions as "transactions!"
         from ranked
         where rank <= $7
         order by currency, rank"#
    )
    .fetch_all(db)
    .await
}
