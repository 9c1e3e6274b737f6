//! Spending over a period, from `spending_rollup` (summed ahead by the database's triggers) and
//! `transaction_split`, summed in SQL per currency, on the person's effective labels.
//!
//! What counts is decided per unit: a transaction that is not split is one unit, under its
//! effective category (`bank_transaction.category_id`: the person's, else their rules', else
//! Plaid's); a split transaction is one unit per part, each under its own category. A unit
//! counts only when its category's kind for the person (`user_category`) is `spending`. Money out
//! (`amount > 0`) is spending; money in (`amount < 0`) is a refund, reported apart and not
//! subtracted, except under Plaid's `OTHER` (and the categories under it), where Plaid files
//! unrecognised deposits and transfers, not merchant refunds. Hidden transactions are left out,
//! split or not, and so are both sides of a transfer between the person's own accounts
//! (`transfer_pair_id`), whatever their category. A transaction's currency is its ISO code, else
//! its unofficial one; transactions with neither are left out. Pending transactions count only
//! when asked.

use crate::domain::classification::UNCATEGORISED_PRIMARY;
use crate::domain::MonthCut;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use sqlx::PgExecutor;
use tally_shared::ids::{CategoryId, UserId};

/// `sqlx::query_as!` over the units that count, summed ahead: the common table expression
/// `units` (`month` (its first day), `currency`, `merchant`, `category_id`, the sums `spent` and
/// `refunded` (money in, positive), and the counts `category_transactions`,
/// `primary_transactions` and `merchant_transactions`), then `$tail`. A row of `units` sums
/// several units; only units in a category whose kind is `spending` are there. A split
/// transaction counts once in each category, primary and merchant it spends in, so the counts
/// differ only for its parts. It binds `$1` user, `$2`..`$3` the period, `$4` include pending,
/// `$5`..`$8` the period's [`MonthCut`], then `$extra`.
///
/// The rollup is read a row per key and month for the period's whole months and per key and day
/// for the days around them: a few hundred rows whatever the period, where the transactions were
/// tens of thousands a year. `spending_rollup` holds split transactions whole, under their own
/// category: each is taken out again and its parts put in (the person's parts are few, and
/// each is looked up by its id, `lateral`, whatever plan the statistics would suggest). The
/// kind is joined to the units by category id and filtered after (`kinded` is materialized):
/// the planner cannot estimate how many categories are of kind `spending` and, taking it for
/// one, compared every unit with every category.
macro_rules! spending_query {
    ($row:ident, $filter:ident, $tail:literal, $($extra:expr),*) => {{
        let cut = MonthCut::of($filter.from, $filter.to);
        sqlx::query_as!(
            $row,
            "with rollup as (
                 select period, currency, merchant, category_id, spent, refunded,
                        spent_transactions
                 from spending_rollup
                 where user_id = $1 and per_month and period between $5 and $6
                   and ($4 or not pending)
                 union all
                 select period, currency, merchant, category_id, spent, refunded,
                        spent_transactions
                 from spending_rollup
                 where user_id = $1 and not per_month and period between $2 and $7
                   and ($4 or not pending)
                 union all
                 select period, currency, merchant, category_id, spent, refunded,
                        spent_transactions
                 from spending_rollup
                 where user_id = $1 and not per_month and period between $8 and $3
                   and ($4 or not pending)),
             split as (
                 select t.*
                 from (select distinct transaction_id from transaction_split
                       where user_id = $1 and date between $2 and $3) s
                 cross join lateral (
                     select t.transaction_id, t.date,
                            coalesce(t.iso_currency_code, t.unofficial_currency_code)
                                as currency,
                            coalesce(t.merchant_name, t.name) as merchant, t.category_id,
                            t.amount
                     from bank_transaction t
                     where t.transaction_id = s.transaction_id
                       and t.user_id = $1
                       and t.date between $2 and $3
                       and ($4 or not t.pending)
                       and not t.hidden
                       and t.transfer_pair_id is null
                       and coalesce(t.iso_currency_code, t.unofficial_currency_code)
                           is not null
                     -- Kept a lookup by id: without it the planner may flatten the subquery
                     -- into a join that scans the person's transactions of the period.
                     limit 1) t),
             part as (
                 select s.transaction_id, s.category_id, s.amount,
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
                 -- A part carries its transaction's date: the person's parts of the period,
                 -- by index, not all of them.
                 where s.user_id = $1 and s.date between $2 and $3
                   and s.transaction_id in (select transaction_id from split)),
             every_unit as (
                 select date_trunc('month', period)::date as month, currency, merchant,
                        category_id, spent, refunded,
                        spent_transactions as category_transactions,
                        spent_transactions as primary_transactions,
                        spent_transactions as merchant_transactions
                 from rollup
                 union all
                 select date_trunc('month', date)::date, currency, merchant, category_id,
                        -greatest(amount, 0), -greatest(-amount, 0),
                        -(amount > 0)::integer, -(amount > 0)::integer, -(amount > 0)::integer
                 from split
                 union all
                 select date_trunc('month', s.date)::date, s.currency, s.merchant, p.category_id,
                        greatest(p.amount, 0), greatest(-p.amount, 0),
                        (p.amount > 0 and p.first_in_category)::integer,
                        (p.amount > 0 and p.first_in_primary)::integer,
                        (p.amount > 0 and p.first_in_transaction)::integer
                 from split s
                 join part p on p.transaction_id = s.transaction_id),
             kinded as materialized (
                 select u.*, c.kind
                 from every_unit u
                 join user_category($1) c on c.category_id = u.category_id),
             units as (
                 select month, currency, merchant, category_id, spent, refunded,
                        category_transactions, primary_transactions, merchant_transactions
                 from kinded
                 where kind = 'spending')"
                + $tail,
            $filter.user_id.0,
            $filter.from,
            $filter.to,
            $filter.include_pending,
            cut.first_month,
            cut.last_month,
            cut.head_end,
            cut.tail_start,
            $($extra),*
        )
    }};
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

#[derive(Debug, Clone)]
pub struct MerchantRow {
    pub currency: String,
    pub merchant: String,
    pub spent: Decimal,
    pub transactions: i64,
}

/// A row of [`summary`]'s one statement: a category row (`section` 0) or a merchant row (1).
struct SummaryRow {
    section: i32,
    currency: String,
    primary_id: Option<CategoryId>,
    category_id: Option<CategoryId>,
    name: Option<String>,
    plaid_code: Option<String>,
    rollup_level: Option<i32>,
    merchant: Option<String>,
    spent: Decimal,
    transactions: i64,
    refunds: Option<Decimal>,
}

/// The period's spending by category and its top merchants, from one pass over the units (one
/// statement: the units, split parts put back included, are summed once for both).
///
/// By category, per currency: the currency's totals, then its primary categories, then the
/// categories under them, each level largest first (ties by name). Each part of a split
/// transaction counts in its own category; `transactions` counts a transaction once in each
/// category and each primary it spends in. Categories with refunds only are left out; their
/// refunds are in the currency's total.
///
/// Merchants, per currency: the `limit` merchants (Plaid's merchant name, else the bank's
/// description) with the most spending, largest first (ties by name). A split transaction counts
/// once, for what its parts that are spent in spending categories add up to.
#[tracing::instrument(skip_all)]
pub async fn summary(
    db: impl PgExecutor<'_>,
    filter: SpendingFilter,
    limit: i64,
) -> Result<(Vec<CategoryRow>, Vec<MerchantRow>), sqlx::Error> {
    // Categories are summed first per category (a hash aggregate over few groups), then named
    // and rolled up; each section is numbered in its own order, and the rows come out by it.
    let rows = spending_query!(
        SummaryRow,
        filter,
        r#",
         by_category as (
             select currency, category_id, sum(spent) as spent,
                    sum(category_transactions) as transactions,
                    sum(primary_transactions) as primary_transactions,
                    sum(refunded) as refunds
             from units
             group by currency, category_id
         ),
         labelled as (
             select b.currency, coalesce(c.parent_id, c.category_id) as primary_id,
                    c.category_id as detailed_id, b.spent, b.transactions,
                    b.primary_transactions,
                    case when coalesce(p.plaid_code, c.plaid_code) = $9 then null
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
         ),
         merchants as (
             select currency, merchant, sum(spent) as spent,
                    sum(merchant_transactions) as transactions
             from units
             group by currency, merchant
             having sum(merchant_transactions) > 0
         ),
         ranked as (
             select *,
                    row_number() over (partition by currency order by spent desc, merchant) as rank
             from merchants
         ),
         summary as (
             select 0 as section,
                    row_number() over (order by r.currency, r.rollup_level desc, r.spent desc,
                                                lower(n.name), n.category_id) as position,
                    r.currency, r.primary_id, coalesce(r.detailed_id, r.primary_id) as category_id,
                    n.name, n.plaid_code, r.rollup_level, null as merchant, r.spent,
                    r.transactions, r.refunds
             from rolled r
             left join user_category($1) n
                 on n.category_id = coalesce(r.detailed_id, r.primary_id)
             union all
             select 1, row_number() over (order by currency, rank), currency, null, null, null,
                    null, null, merchant, spent, transactions, null
             from ranked
             where rank <= $10
         )
         select section as "section!", currency as "currency!",
                primary_id as "primary_id?: CategoryId", category_id as "category_id?: CategoryId",
                name as "name?", plaid_code as "plaid_code?", rollup_level as "rollup_level?",
                merchant as "merchant?", spent as "spent!", transactions as "transactions!",
                refunds as "refunds?"
         from summary
         order by section, position"#,
        UNCATEGORISED_PRIMARY,
        limit
    )
    .fetch_all(db)
    .await?;

    let mut categories = Vec::new();
    let mut merchants = Vec::new();
    for row in rows {
        // A category row has its level and refunds, a merchant row its merchant (the statement
        // writes null only in the other section's columns).
        if row.section == 0 {
            categories.push(CategoryRow {
                currency: row.currency,
                primary_id: row.primary_id,
                category_id: row.category_id,
                name: row.name,
                plaid_code: row.plaid_code,
                rollup_level: row.rollup_level.unwrap_or_default(),
                spent: row.spent,
                transactions: row.transactions,
                refunds: row.refunds.unwrap_or_default(),
            });
        } else {
            merchants.push(MerchantRow {
                currency: row.currency,
                merchant: row.merchant.unwrap_or_default(),
                spent: row.spent,
                transactions: row.transactions,
            });
        }
    }
    Ok((categories, merchants))
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
             select month, currency, category_id, sum(spent) as spent,
                    sum(refunded) as refunds
             from units
             group by month, currency, category_id
             having sum(spent) <> 0 or sum(refunded) <> 0
         )
         select s.month as "month!", s.currency as "currency!",
                s.category_id as "category_id!: CategoryId",
                s.spent - case when coalesce(p.plaid_code, c.plaid_code) = $9 then 0
                               else s.refunds end as "spent!"
         from summed s
         join user_category($1) c on c.category_id = s.category_id
         left join user_category($1) p on p.category_id = c.parent_id"#,
        UNCATEGORISED_PRIMARY
    )
    .fetch_all(db)
    .await
}

/// Folds each of the person's rollup keys into one row and drops those that add up to nothing
/// (`spending_rollup_compact`): the triggers only append, a row per key and statement. After a
/// sync, an item's removal, a rule applied to the past or a category deleted, outside their
/// transactions; when another transaction is folding
/// the person's rows, it returns at once.
#[tracing::instrument(skip_all)]
pub async fn compact(db: impl PgExecutor<'_>, user_id: UserId) -> Result<(), sqlx::Error> {
    sqlx::query!("select spending_rollup_compact($1)", user_id.0)
        .execute(db)
        .await?;
    Ok(())
}
