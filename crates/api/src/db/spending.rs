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
use sqlx::postgres::PgArguments;
use sqlx::query::QueryAs;
use sqlx::{PgExecutor, Postgres};
use tally_shared::ids::UserId;

/// The transactions that count: the `from` and `where` shared by both queries, on plain columns
/// so that the planner can use its column statistics. Parameters: `$1` user, `$2`..`$3` the
/// period, `$4` include pending, `$5` the categories that are not spending, `$6` the
/// uncategorised primary (`OTHER`).
macro_rules! spending_rows {
    () => {
        "from bank_transaction
         where user_id = $1
           and date between $2 and $3
           and ($4 or not pending)
           and coalesce(iso_currency_code, unofficial_currency_code) is not null
           and coalesce(category_primary, $6) <> all($5)
           and (amount > 0 or (amount < 0 and coalesce(category_primary, $6) <> $6))"
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

/// Binds `$1`..`$6`, the parameters of `spending_rows!`, in order.
trait BindSpendingRows {
    fn bind_spending_rows(self, filter: SpendingFilter) -> Self;
}

impl<'q, O> BindSpendingRows for QueryAs<'q, Postgres, O, PgArguments> {
    fn bind_spending_rows(self, filter: SpendingFilter) -> Self {
        self.bind(filter.user_id)
            .bind(filter.from)
            .bind(filter.to)
            .bind(filter.include_pending)
            .bind(NOT_SPENDING_CATEGORIES)
            .bind(UNCATEGORISED_PRIMARY)
    }
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

#[derive(Debug, Clone, sqlx::FromRow)]
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
    sqlx::query_as::<_, CategoryRow>(concat!(
        "with by_detailed as (
             select coalesce(iso_currency_code, unofficial_currency_code) as currency,
                    coalesce(category_primary, $6) as category,
                    case when category_primary is null then $7
                         else coalesce(category_detailed, category_primary) end as detailed,
                    sum(amount) filter (where amount > 0) as spent,
                    count(*) filter (where amount > 0) as transactions,
                    sum(-amount) filter (where amount < 0) as refunds
             ",
        spending_rows!(),
        "
             group by iso_currency_code, unofficial_currency_code, category_primary,
                      category_detailed
         )
         select currency, category, detailed,
                grouping(category, detailed) as rollup_level,
                coalesce(sum(spent), 0) as spent,
                coalesce(sum(transactions), 0)::bigint as transactions,
                coalesce(sum(refunds), 0) as refunds
         from by_detailed
         group by grouping sets ((currency), (currency, category), (currency, category, detailed))
         having grouping(category, detailed) = 3 or sum(transactions) > 0
         order by currency, rollup_level desc, spent desc, category, detailed"
    ))
    .bind_spending_rows(filter)
    .bind(UNCATEGORISED_DETAILED)
    .fetch_all(db)
    .await
}

#[derive(Debug, Clone, sqlx::FromRow)]
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
    sqlx::query_as::<_, MerchantRow>(concat!(
        "with merchants as (
             select coalesce(iso_currency_code, unofficial_currency_code) as currency,
                    coalesce(merchant_name, name) as merchant,
                    sum(amount) as spent,
                    count(*) as transactions
             ",
        spending_rows!(),
        "
               and amount > 0
             group by 1, 2
         ),
         ranked as (
             select *,
                    row_number() over (partition by currency order by spent desc, merchant) as rank
             from merchants
         )
         select currency, merchant, spent, transactions
         from ranked
         where rank <= $7
         order by currency, rank"
    ))
    .bind_spending_rows(filter)
    .bind(limit)
    .fetch_all(db)
    .await
}
