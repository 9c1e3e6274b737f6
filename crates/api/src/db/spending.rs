//! Spending over a period, from `bank_transaction` and `transaction_split`, summed in SQL per
//! currency, on the person's effective labels.
//!
//! What counts is decided per unit: a transaction that is not split is one unit, under its
//! effective category (`bank_transaction.category_id`: the person's, else their rules', else
//! Plaid's); a split transaction is one unit per part, each under its own category. A unit
//! counts only when its category's kind for the person (`user_category`) is `spending`. Money out
//! (`amount > 0`) is spending; money in (`amount < 0`) is a refund, reported apart and not
//! subtracted, except under Plaid's `OTHER` (and the categories under it), where Plaid files
//! unrecognised deposits and transfers, not merchant refunds. Hidden transactions are left out,
//! split or not, and so are both sides of a transfer between the person's own accounts
//! (`transfer_pair_id`), whatever their category. A transaction's currency is its ISO code, else its unofficial one; transactions
//! with neither are left out. Pending transactions count only when asked.

use crate::domain::classification::UNCATEGORISED_PRIMARY;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use sqlx::PgExecutor;
use tally_shared::ids::{CategoryId, UserId};

/// `sqlx::query_as!` over the units that count: the common table expression `units`
/// (`currency`, `month` (its first day), `merchant`, `category_id`, `amount`, and the flags `first_in_category`,
/// `first_in_primary` and `first_in_transaction`), then `$tail`. A unit is a transaction that is
/// not split, or one part of a split one; only units in a category whose kind is `spending` are
/// there. A flag is true for one unit of its transaction among those that are spending of the
/// same sign in the same category, primary or transaction, so a split transaction is counted
/// once at each level. It binds `$1` user, `$2`..`$3` the period, `$4` include pending, then
/// `$extra`. The transactions are filtered on plain columns, so the planner uses their
/// statistics; the person's parts (few) are joined to them by hash, and to their categories by
/// id rather than through the kind filter, whose selectivity the planner cannot estimate.
macro_rules! spending_query {
    ($row:ident, $filter:ident, $tail:literal, $($extra:expr),*) => {
        sqlx::query_as!(
            $row,
            "with spending_category as (
                 select category_id from user_category($1) where kind = 'spending'),
             part as (
                 select s.transaction_id, s.category_id, s.amount,
                        c.kind = 'spending' as spending,
                        row_number() over (partition by s.transaction_id, s.category_id,
                                                        s.amount > 0
                                           order by s.position) = 1 as first_in_category,
                        row_number() over (partition by s.transaction_id,
                                                        coalesce(c.parent_id, c.category_id),
                                                        c.kind = 'spending', s.amount > 0
                                           order by s.position) = 1 as first_in_primary,
                        row_number() over (partition by s.transaction_id, c.kind = 'spending',
                                                        s.amount > 0
                                           order by s.position) = 1 as first_in_transaction
                 from transaction_split s
                 join user_category($1) c on c.category_id = s.category_id
                 where s.user_id = $1),
             units as (
                 select coalesce(t.iso_currency_code, t.unofficial_currency_code) as currency,
                        date_trunc('month', t.date)::date as month,
                        coalesce(t.merchant_name, t.name) as merchant,
                        coalesce(p.category_id, t.category_id) as category_id,
                        coalesce(p.amount, t.amount) as amount,
                        coalesce(p.first_in_category, true) as first_in_category,
                        coalesce(p.first_in_primary, true) as first_in_primary,
                        coalesce(p.first_in_transaction, true) as first_in_transaction
                 from bank_transaction t
                      left join part p on p.transaction_id = t.transaction_id
                 where t.user_id = $1
                   and t.date between $2 and $3
                   and ($4 or not t.pending)
                   and not t.hidden
                   and t.transfer_pair_id is null
                   and coalesce(t.iso_currency_code, t.unofficial_currency_code) is not null
                   and (p.spending
                        or (p.transaction_id is null
                            and t.category_id in (select category_id from spending_category))))"
                + $tail,
            $filter.user_id.0,
            $filter.from,
            $filter.to,
            $filter.include_pending,
            $($extra),*
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
    /// One category, under its primary (`primary_id` and `category_id` set; a primary that
    /// holds transactions itself is its own detailed row).
    Detailed,
    /// One primary category and everything under it (`primary_id` and `category_id` set, equal).
    Primary,
    /// The whole currency.
    Currency,
}

#[derive(Debug, Clone)]
pub struct CategoryRow {
    pub currency: String,
    /// The primary category this row is under (itself at the primary level).
    pub primary_id: Option<CategoryId>,
    /// The category this row is about: the detailed one, or the primary at the primary level.
    pub category_id: Option<CategoryId>,
    /// Its name and Plaid code as the person sees it.
    pub name: Option<String>,
    pub plaid_code: Option<String>,
    /// `grouping(primary_id, detailed_id)`: 0 detailed, 1 primary, 3 currency.
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

/// Per currency: the currency's totals, then its primary categories, then the categories under
/// them, each level largest first (ties by name). Each part of a split transaction counts in its
/// own category; `transactions` counts a transaction once in each category and each primary it
/// spends in. Categories with refunds only are left out; their refunds are in the currency's
/// total.
#[tracing::instrument(skip_all)]
pub async fn by_category(
    db: impl PgExecutor<'_>,
    filter: SpendingFilter,
) -> Result<Vec<CategoryRow>, sqlx::Error> {
    // Summed first per category (a hash aggregate over few groups), then named and rolled up.
    spending_query!(
        CategoryRow,
        filter,
        r#",
         by_category as (
             select currency, category_id,
                    sum(amount) filter (where amount > 0) as spent,
                    count(*) filter (where amount > 0 and first_in_category) as transactions,
                    count(*) filter (where amount > 0 and first_in_primary)
                        as primary_transactions,
                    sum(-amount) filter (where amount < 0) as refunds
             from units
             group by currency, category_id
         ),
         labelled as (
             select b.currency, coalesce(c.parent_id, c.category_id) as primary_id,
                    c.category_id as detailed_id, b.spent, b.transactions,
                    b.primary_transactions,
                    case when coalesce(p.plaid_code, c.plaid_code) = $5 then null
                         else b.refunds end as refunds
             from by_category b
             join user_category($1) c on c.category_id = b.category_id
             left join user_category($1) p on p.category_id = c.parent_id
         ),
         rolled as (
             select currency, primary_id, detailed_id,
                    grouping(primary_id, detailed_id) as rollup_level,
                    coalesce(sum(spent), 0) as spent,
                    coalesce(case grouping(primary_id, detailed_id)
                                 when 0 then sum(transactions)
                                 else sum(primary_transactions) end, 0)::bigint as transactions,
                    coalesce(sum(refunds), 0) as refunds
             from labelled
             group by grouping sets ((currency), (currency, primary_id),
                                     (currency, primary_id, detailed_id))
             having grouping(primary_id, detailed_id) = 3 or sum(transactions) > 0
         )
         select r.currency as "currency!", r.primary_id as "primary_id?: CategoryId",
                coalesce(r.detailed_id, r.primary_id) as "category_id?: CategoryId",
                n.name as "name?", n.plaid_code as "plaid_code?",
                r.rollup_level as "rollup_level!", r.spent as "spent!",
                r.transactions as "transactions!", r.refunds as "refunds!"
         from rolled r
         left join user_category($1) n on n.category_id = coalesce(r.detailed_id, r.primary_id)
         order by r.currency, r.rollup_level desc, r.spent desc, lower(n.name), n.category_id"#,
        UNCATEGORISED_PRIMARY
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
/// the most spending, largest first (ties by name). A split transaction counts once, for what
/// its parts that are spent in spending categories add up to.
#[tracing::instrument(skip_all)]
pub async fn top_merchants(
    db: impl PgExecutor<'_>,
    filter: SpendingFilter,
    limit: i64,
) -> Result<Vec<MerchantRow>, sqlx::Error> {
    spending_query!(
        MerchantRow,
        filter,
        r#",
         merchants as (
             select currency, merchant, sum(amount) as spent,
                    count(*) filter (where first_in_transaction) as transactions
             from units
             where amount > 0
             group by currency, merchant
         ),
         ranked as (
             select *,
                    row_number() over (partition by currency order by spent desc, merchant) as rank
             from merchants
         )
         select currency as "currency!", merchant as "merchant!", spent as "spent!",
                transactions as "transactions!"
         from ranked
         where rank <= $5
         order by currency, rank"#,
        limit
    )
    .fetch_all(db)
    .await
}

/// Net spending of one month in one category and currency.
#[derive(Debug, Clone)]
pub struct MonthRow {
    pub month: NaiveDate,
    pub currency: String,
    pub category_id: CategoryId,
    /// Spending less refunds; under Plaid's `OTHER` money in is not a refund and is left out.
    pub spent: Decimal,
}

/// Per month, currency and category of the period: what was spent, less refunds (budgets count
/// a refund as money given back to the plan).
#[tracing::instrument(skip_all)]
pub async fn by_month_and_category(
    db: impl PgExecutor<'_>,
    filter: SpendingFilter,
) -> Result<Vec<MonthRow>, sqlx::Error> {
    spending_query!(
        MonthRow,
        filter,
        r#",
         summed as (
             select month, currency, category_id,
                    sum(amount) filter (where amount > 0) as spent,
                    sum(amount) filter (where amount < 0) as refunds
             from units
             group by month, currency, category_id
         )
         select s.month as "month!", s.currency as "currency!",
                s.category_id as "category_id!: CategoryId",
                coalesce(s.spent, 0)
                    + case when coalesce(p.plaid_code, c.plaid_code) = $5 then 0
                           else coalesce(s.refunds, 0) end as "spent!"
         from summed s
         join user_category($1) c on c.category_id = s.category_id
         left join user_category($1) p on p.category_id = c.parent_id"#,
        UNCATEGORISED_PRIMARY
    )
    .fetch_all(db)
    .await
}
