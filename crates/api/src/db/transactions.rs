//! `bank_transaction`, read: the filtered list, a keyset page at a time (also for the export).

use crate::domain::{PageRequest, TransactionCursor, TransactionFilters};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use sqlx::types::Json;
use sqlx::{PgExecutor, PgPool, Postgres, QueryBuilder};
use tally_shared::api::transactions::{HiddenFilter, Split};
use tally_shared::ids::{AccountId, CategoryId, ItemId, TransactionId, UserId};
use uuid::Uuid;

/// A transaction with the name of its account.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TransactionRecord {
    pub transaction_id: TransactionId,
    pub account_id: AccountId,
    pub item_id: ItemId,
    pub account_name: String,
    pub amount: Decimal,
    /// The ISO code, else the bank's unofficial one.
    pub currency: Option<String>,
    pub date: NaiveDate,
    pub authorized_date: Option<NaiveDate>,
    pub name: String,
    pub merchant_name: Option<String>,
    pub logo_url: Option<String>,
    pub website: Option<String>,
    pub payment_channel: String,
    pub category_primary: Option<String>,
    pub category_detailed: Option<String>,
    pub pending: bool,
    /// The effective labels (`bank_transaction`'s generated columns).
    pub category_id: CategoryId,
    pub category_name: String,
    /// The category Plaid's codes mean, whatever the person or their rules chose.
    pub plaid_category_id: CategoryId,
    pub display_name: Option<String>,
    pub notes: Option<String>,
    pub tags: Vec<String>,
    pub hidden: bool,
    pub needs_review: bool,
    pub splits: Json<Vec<Split>>,
    /// The other side of a transfer between the person's accounts, and its account's name.
    pub transfer_pair_id: Option<TransactionId>,
    pub transfer_account_name: Option<String>,
}

/// These queries are sent unprepared (`persistent(false)`), so each is planned for its own values:
/// a generic plan, which Postgres may adopt for a statement prepared on a pooled connection after
/// five runs, cannot tell a search for a rare word from a common one and, at 250,000 rows, took
/// 65-150 ms where the query planned for its values takes 2 ms. Planning takes 0.3-1.5 ms.
///
/// The list's order, newest first; `bank_transaction_user_keyset` (and `_account_keyset` when
/// one account is asked for) read in this order, so a page costs the same at any depth.
const ORDER: &str = " order by t.date desc, t.transaction_id desc";

/// One page of the user's transactions matching `filters`, and the cursor of the next page
/// (`None` on the last). An account or item of another user matches nothing.
#[tracing::instrument(skip_all, fields(limit = page.limit, after = page.after.is_some()))]
pub async fn page(
    db: impl PgExecutor<'_>,
    user_id: UserId,
    filters: &TransactionFilters,
    page: PageRequest,
) -> Result<(Vec<TransactionRecord>, Option<TransactionCursor>), sqlx::Error> {
    let limit = usize::try_from(page.limit).unwrap_or(usize::MAX);
    // The page is taken from `bank_transaction` alone, by the keyset index, before anything is
    // joined to it: planned as one query, a person's first sync (before the planner's statistics
    // count their rows) hash-joined and sorted all their rows for 50 (115-146 ms at 100,000).
    let mut query = QueryBuilder::new("with page as materialized (");
    match filters.category_id {
        None => newest(&mut query, user_id, filters, page, |_| {}),
        // One category and its children: the newest page of each (by
        // `bank_transaction_user_category_keyset`), and of the transactions split into them,
        // then the newest of those. Read in the keyset order and filtered instead, a category
        // with few transactions read all the person's rows (23 ms at 100,000).
        Some(category_id) => {
            query.push("select * from (select p.* from ");
            chosen_categories(&mut query, category_id);
            query.push(" chosen cross join lateral (");
            newest(&mut query, user_id, filters, page, |query| {
                query.push(" and t.category_id = chosen.category_id");
            });
            query.push(") p union all ");
            newest(&mut query, user_id, filters, page, |query| {
                query
                    .push(
                        " and t.transaction_id in (select transaction_id from transaction_split
                                                   where user_id = ",
                    )
                    .push_bind(user_id)
                    .push(" and category_id in ");
                chosen_categories(query, category_id);
                query.push(") and t.category_id not in ");
                chosen_categories(query, category_id);
            });
            query.push(") t");
            query
                .push(ORDER)
                .push(" limit ")
                .push_bind(i64::from(page.limit) + 1);
        }
    }
    query.push(") ");
    selected(&mut query, user_id, "page");
    query.push(ORDER);
    let mut rows = query
        .build_query_as::<TransactionRecord>()
        .persistent(false)
        .fetch_all(db)
        .await?;
    let next = if rows.len() > limit {
        rows.truncate(limit);
        rows.last().map(|last| TransactionCursor {
            date: last.date,
            transaction_id: last.transaction_id.0,
        })
    } else {
        None
    };
    Ok((rows, next))
}

/// `(select category_id …)`: the category and, for a primary, its children.
fn chosen_categories(query: &mut QueryBuilder<'static, Postgres>, category_id: Uuid) {
    query
        .push("(select category_id from category where category_id = ")
        .push_bind(category_id)
        .push(" or parent_id = ")
        .push_bind(category_id)
        .push(")");
}

/// `select * from bank_transaction t` of the user's transactions matching `filters` (and what
/// `narrow` adds), after `page`'s cursor, newest first, one more than the page holds (it tells
/// whether another page follows).
fn newest(
    query: &mut QueryBuilder<'static, Postgres>,
    user_id: UserId,
    filters: &TransactionFilters,
    page: PageRequest,
    narrow: impl Fn(&mut QueryBuilder<'static, Postgres>),
) {
    query.push("(select * from bank_transaction t where t.user_id = ");
    query.push_bind(user_id);
    matching(query, filters);
    narrow(query);
    if let Some(after) = page.after {
        // A row comparison the keyset index answers directly.
        query
            .push(" and (t.date, t.transaction_id) < (")
            .push_bind(after.date)
            .push(", ")
            .push_bind(after.transaction_id)
            .push(")");
    }
    query
        .push(ORDER)
        .push(" limit ")
        .push_bind(i64::from(page.limit) + 1)
        .push(")");
}

/// One of the user's transactions, whatever the filters would say; `None` for anyone else's.
#[tracing::instrument(skip_all)]
pub async fn one(
    db: impl PgExecutor<'_>,
    user_id: UserId,
    transaction_id: TransactionId,
) -> Result<Option<TransactionRecord>, sqlx::Error> {
    let mut query = QueryBuilder::new("");
    selected(&mut query, user_id, "bank_transaction");
    query.push(" where t.user_id = ").push_bind(user_id);
    query
        .push(" and t.transaction_id = ")
        .push_bind(transaction_id);
    query
        .build_query_as::<TransactionRecord>()
        .persistent(false)
        .fetch_optional(db)
        .await
}

/// As `page`, in a transaction of its own under a `statement_timeout`: the CSV export reads a
/// page at a time and gives the connection back between pages, so a client that reads slowly
/// (or not at all) never holds a pooled connection, and no page's query runs for long.
pub async fn page_within(
    db: &PgPool,
    timeout: std::time::Duration,
    user_id: UserId,
    filters: &TransactionFilters,
    request: PageRequest,
) -> Result<(Vec<TransactionRecord>, Option<TransactionCursor>), sqlx::Error> {
    let millis = i64::try_from(timeout.as_millis()).unwrap_or(i64::MAX);
    let mut tx = db.begin().await?;
    sqlx::query!(
        "select set_config('statement_timeout', $1::bigint::text, true)",
        millis
    )
    .fetch_one(&mut *tx)
    .await?;
    let found = page(&mut *tx, user_id, filters, request).await?;
    tx.commit().await?;
    Ok(found)
}

/// `select … from <source> t`, joined to what a transaction shows (its account's name, its
/// category's, its parts, its transfer partner's account): how every read of whole transactions
/// ends. `source` is `bank_transaction` or a page already taken from it.
fn selected(query: &mut QueryBuilder<'static, Postgres>, user_id: UserId, source: &str) {
    query.push(format!(
        "select t.transaction_id, t.account_id, t.item_id, a.name as account_name, t.amount,
                coalesce(t.iso_currency_code, t.unofficial_currency_code) as currency,
                t.date, t.authorized_date, t.name, t.merchant_name, t.logo_url, t.website,
                t.payment_channel, t.category_primary, t.category_detailed, t.pending,
                t.category_id, c.name as category_name, t.plaid_category_id, t.display_name,
                t.notes, t.tags,
                t.hidden, t.needs_review,
                coalesce((select json_agg(json_build_object('amount', s.amount::text,
                                                            'category_id', s.category_id,
                                                            'notes', s.notes)
                                          order by s.position)
                          from transaction_split s
                          where s.transaction_id = t.transaction_id), '[]') as splits,
                t.transfer_pair_id,
                (select pa.name
                 from bank_transaction p
                 join account pa on pa.account_id = p.account_id
                 where p.transaction_id = t.transfer_pair_id) as transfer_account_name
         from {source} t
         join account a on a.account_id = t.account_id
         join user_category("
    ));
    query
        .push_bind(user_id)
        .push(") c on c.category_id = t.category_id");
}

/// The conditions under which the user's transactions (`t`, after a `where`) match `filters`,
/// but for the category id, which `page` reads its own way; each filter adds one condition with
/// its value bound, never spliced into the text.
// Not `query_as!`: the statement's shape follows the filters, and it must go unprepared
// (`persistent(false)`, see `ORDER`), which sqlx 0.8's macro queries cannot.
fn matching(query: &mut QueryBuilder<'static, Postgres>, filters: &TransactionFilters) {
    if let Some(account_id) = filters.account_id {
        query.push(" and t.account_id = ").push_bind(account_id);
    }
    if let Some(item_id) = filters.item_id {
        query.push(" and t.item_id = ").push_bind(item_id);
    }
    if let Some(category) = &filters.category {
        query
            .push(" and (t.category_primary = ")
            .push_bind(category.clone())
            .push(" or t.category_detailed = ")
            .push_bind(category.clone())
            .push(")");
    }
    if let Some(search) = &filters.search {
        // The very expression of the trigram index `bank_transaction_search`.
        query
            .push(
                " and (coalesce(t.merchant_name, '') || ' ' || t.name || ' ' || \
                 coalesce(t.display_name, '') || ' ' || coalesce(t.notes, '')) ilike ",
            )
            .push_bind(contains_pattern(search));
    }
    if let Some(from) = filters.from {
        query.push(" and t.date >= ").push_bind(from);
    }
    if let Some(to) = filters.to {
        query.push(" and t.date <= ").push_bind(to);
    }
    if let Some(pending) = filters.pending {
        query.push(" and t.pending = ").push_bind(pending);
    }
    if let Some(min) = filters.min_amount {
        query.push(" and t.amount >= ").push_bind(min);
    }
    if let Some(max) = filters.max_amount {
        query.push(" and t.amount <= ").push_bind(max);
    }
    if let Some(tag) = &filters.tag {
        // `@>` so the GIN index `bank_transaction_tags` answers it.
        query
            .push(" and t.tags @> array[")
            .push_bind(tag.clone())
            .push("]::text[]");
    }
    match filters.hidden {
        HiddenFilter::False => {
            query.push(" and not t.hidden");
        }
        HiddenFilter::True => {
            query.push(" and t.hidden");
        }
        HiddenFilter::All => {}
    }
    if let Some(needs_review) = filters.needs_review {
        query.push(" and t.needs_review = ").push_bind(needs_review);
    }
}

/// These transactions of the user's, newest first; ids of anyone else's are left out.
#[tracing::instrument(skip_all, fields(ids = ids.len()))]
pub async fn by_ids(
    db: impl PgExecutor<'_>,
    user_id: UserId,
    ids: &[TransactionId],
) -> Result<Vec<TransactionRecord>, sqlx::Error> {
    let mut query = QueryBuilder::new("");
    selected(&mut query, user_id, "bank_transaction");
    query
        .push(" where t.user_id = ")
        .push_bind(user_id)
        .push(" and t.transaction_id = any(")
        .push_bind(ids.iter().map(|id| id.0).collect::<Vec<_>>())
        .push(")")
        .push(ORDER);
    query
        .build_query_as::<TransactionRecord>()
        .persistent(false)
        .fetch_all(db)
        .await
}

/// A `LIKE` pattern matching `text` anywhere, with `%`, `_` and `\` in it taken literally.
fn contains_pattern(text: &str) -> String {
    let mut pattern = String::with_capacity(text.len() + 2);
    pattern.push('%');
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_wildcards_in_the_search_are_literal() {
        assert_eq!(contains_pattern("coffee"), "%coffee%");
        assert_eq!(contains_pattern(r"50%_off\"), r"%50\%\_off\\%");
    }
}
