//! `recurring_stream` and its transactions: the streams a refresh found (Plaid's or Tally's
//! detector's) and what the person decided about each. A refresh writes only the source's
//! columns, so a decision survives every later refresh.

use crate::domain::recurring::Occurrence;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use sqlx::{PgConnection, PgExecutor};
use tally_shared::api::recurring::{Direction, Frequency, StreamSource, StreamState, StreamStatus};
use tally_shared::ids::{AccountId, CategoryId, ItemId, RecurringStreamId, TransactionId, UserId};

/// A stream as its source reports it, ready to store.
#[derive(Debug, Clone, PartialEq)]
pub struct FoundStream {
    /// Plaid's `stream_id`, or the detector's key: stable across refreshes.
    pub key: String,
    pub account_id: AccountId,
    pub direction: Direction,
    pub description: String,
    pub merchant_name: Option<String>,
    /// Plaid's category codes for the stream (primary, detailed), if it gave them.
    pub plaid_category: Option<(String, String)>,
    pub frequency: Frequency,
    /// Positive, whatever the direction.
    pub average_amount: Decimal,
    pub last_amount: Decimal,
    pub currency: String,
    pub first_date: NaiveDate,
    pub last_date: NaiveDate,
    pub next_date: Option<NaiveDate>,
    pub status: StreamStatus,
    pub is_active: bool,
    /// Those of its transactions Tally has stored.
    pub transaction_ids: Vec<TransactionId>,
}

/// What storing an item's streams changed.
#[derive(Debug, Default)]
pub struct Stored {
    /// A stream was added, changed, tombstoned, or its transactions changed.
    pub changed: bool,
    /// Price changes not announced before, now marked as announced.
    pub price_changes: Vec<PriceChange>,
}

/// A stream's last charge differs from the one before by more than 10%.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PriceChange {
    pub stream_id: RecurringStreamId,
    pub user_id: UserId,
    pub name: String,
    pub previous_amount: Decimal,
    pub last_amount: Decimal,
    pub currency: String,
}

/// Stores the item's streams from `source`: new ones are `suggested`, known ones (by key) get
/// the source's values and keep the person's decisions, and the source's streams that are not
/// in `streams` any more are tombstoned. Then marks each price change not announced before as
/// announced and returns it, so the caller announces it in the same transaction.
#[tracing::instrument(skip_all, fields(%item_id, source = source.as_str(), streams = streams.len()))]
pub async fn store(
    conn: &mut PgConnection,
    item_id: ItemId,
    user_id: UserId,
    source: StreamSource,
    streams: &[FoundStream],
) -> Result<Stored, sqlx::Error> {
    let keys: Vec<String> = streams.iter().map(|s| s.key.clone()).collect();
    let upserted = sqlx::query!(
        "insert into recurring_stream as s
             (user_id, item_id, account_id, source, stream_key, direction, description,
              merchant_name, plaid_category_id, frequency, average_amount, last_amount,
              currency, first_date, last_date, next_date, status, is_active)
         select $1, $2, f.account_id, $3, f.key, f.direction, f.description, f.merchant_name,
                case when f.category_primary is not null
                     then plaid_category_id(f.category_primary, f.category_detailed) end,
                f.frequency, f.average_amount, f.last_amount, f.currency,
                f.first_date, f.last_date, f.next_date, f.status, f.is_active
         from unnest($4::text[], $5::uuid[], $6::text[], $7::text[], $8::text[], $9::text[],
                     $10::text[], $11::text[], $12::numeric[], $13::numeric[], $14::text[],
                     $15::date[], $16::date[], $17::date[], $18::text[], $19::bool[])
                  as f(key, account_id, direction, description, merchant_name, category_primary,
                       category_detailed, frequency, average_amount, last_amount, currency,
                       first_date, last_date, next_date, status, is_active)
         join account a on a.account_id = f.account_id and a.item_id = $2
         on conflict (item_id, source, stream_key) do update
         set account_id = excluded.account_id, direction = excluded.direction,
             description = excluded.description, merchant_name = excluded.merchant_name,
             plaid_category_id = excluded.plaid_category_id, frequency = excluded.frequency,
             average_amount = excluded.average_amount, last_amount = excluded.last_amount,
             currency = excluded.currency,
             first_date = excluded.first_date, last_date = excluded.last_date,
             next_date = excluded.next_date, status = excluded.status,
             is_active = excluded.is_active
         where (s.account_id, s.direction, s.description, s.merchant_name, s.plaid_category_id,
                s.frequency, s.average_amount, s.last_amount, s.currency,
                s.first_date, s.last_date, s.next_date, s.status, s.is_active)
               is distinct from
               (excluded.account_id, excluded.direction, excluded.description,
                excluded.merchant_name, excluded.plaid_category_id, excluded.frequency,
                excluded.average_amount, excluded.last_amount,
                excluded.currency, excluded.first_date, excluded.last_date, excluded.next_date,
                excluded.status, excluded.is_active)",
        user_id.0,
        item_id.0,
        source.as_str(),
        &keys,
        &column(streams, |s| s.account_id.0),
        &column(streams, |s| s.direction.as_str().to_owned()),
        &column(streams, |s| s.description.clone()),
        // `as _`: the macros check a text[] only as `&[String]`, not as nullable elements.
        column(streams, |s| s.merchant_name.clone()) as _,
        column(streams, |s| s.plaid_category.as_ref().map(|c| c.0.clone())) as _,
        column(streams, |s| s.plaid_category.as_ref().map(|c| c.1.clone())) as _,
        &column(streams, |s| s.frequency.as_str().to_owned()),
        &column(streams, |s| s.average_amount),
        &column(streams, |s| s.last_amount),
        &column(streams, |s| s.currency.clone()),
        &column(streams, |s| s.first_date),
        &column(streams, |s| s.last_date),
        column(streams, |s| s.next_date) as _,
        &column(streams, |s| s.status.as_str().to_owned()),
        &column(streams, |s| s.is_active),
    )
    .execute(&mut *conn)
    .await?
    .rows_affected();

    let (link_keys, link_ids): (Vec<String>, Vec<uuid::Uuid>) = streams
        .iter()
        .flat_map(|s| s.transaction_ids.iter().map(|t| (s.key.clone(), t.0)))
        .unzip();
    // Both in one statement: they see the same snapshot, so the insert does not count the
    // links the delete removes. A tombstoned stream keeps its transactions.
    let relinked = sqlx::query_scalar!(
        r#"with wanted as (
               select s.recurring_stream_id, w.transaction_id
               from unnest($3::text[], $4::uuid[]) as w(key, transaction_id)
               join recurring_stream s
                   on s.item_id = $1 and s.source = $2 and s.stream_key = w.key
               join bank_transaction t
                   on t.transaction_id = w.transaction_id and t.item_id = $1),
           unlinked as (
               delete from recurring_stream_transaction l
               using recurring_stream s
               where l.recurring_stream_id = s.recurring_stream_id
                 and s.item_id = $1 and s.source = $2 and s.stream_key = any($5)
                 and (l.recurring_stream_id, l.transaction_id) not in (select * from wanted)
               returning 1),
           linked as (
               insert into recurring_stream_transaction (recurring_stream_id, transaction_id)
               select * from wanted
               on conflict do nothing
               returning 1)
           select (select count(*) from unlinked) + (select count(*) from linked) as "count!""#,
        item_id.0,
        source.as_str(),
        &link_keys,
        &link_ids,
        &keys
    )
    .fetch_one(&mut *conn)
    .await?;

    // The steady price before the last charge: the charge before it, when it and the ones
    // before it (up to six, at least two) stayed within 10% of each other. A bill that varies
    // every month has none, so only a price that held and then changed is a price change.
    // And the source's streams not returned any more are tombstoned (a disjoint set of rows).
    let revised = sqlx::query_scalar!(
        r#"with repriced as (
               update recurring_stream s set previous_amount = p.steady
               from (select r.recurring_stream_id,
                            case when cardinality(t.before) >= 2
                                      and (select max(a) from unnest(t.before) a)
                                          <= (select min(a) from unnest(t.before) a) * 1.1
                                 then t.before[1] end as steady
                     from recurring_stream r
                     left join lateral (
                         select (array_agg(abs(b.amount)
                                           order by b.date desc, b.transaction_id desc))[1:6]
                                    as before
                         from recurring_stream_transaction l
                         join bank_transaction b on b.transaction_id = l.transaction_id
                         where l.recurring_stream_id = r.recurring_stream_id
                           and b.date < r.last_date) t on true
                     where r.item_id = $1 and r.source = $2 and r.stream_key = any($3)) p
               where s.recurring_stream_id = p.recurring_stream_id
                 and s.previous_amount is distinct from p.steady
               returning 1),
           tombstoned as (
               update recurring_stream
               set status = 'tombstoned', is_active = false, next_date = null
               where item_id = $1 and source = $2 and stream_key <> all($3)
                 and (status <> 'tombstoned' or is_active or next_date is not null)
               returning 1)
           select (select count(*) from repriced) + (select count(*) from tombstoned)
               as "count!""#,
        item_id.0,
        source.as_str(),
        &keys
    )
    .fetch_one(&mut *conn)
    .await?;

    let price_changes = announce_price_changes(&mut *conn, item_id).await?;
    Ok(Stored {
        changed: upserted > 0 || relinked + revised > 0,
        price_changes,
    })
}

/// One field of every stream, as an array parameter.
fn column<T>(streams: &[FoundStream], field: impl Fn(&FoundStream) -> T) -> Vec<T> {
    streams.iter().map(field).collect()
}

/// Marks the item's price changes not announced yet as announced, and returns them. Dismissed
/// and tombstoned streams are not announced.
async fn announce_price_changes(
    db: impl PgExecutor<'_>,
    item_id: ItemId,
) -> Result<Vec<PriceChange>, sqlx::Error> {
    sqlx::query_as!(
        PriceChange,
        r#"update recurring_stream
           set announced_price_date = last_date, announced_price_amount = last_amount
           where item_id = $1 and state <> 'dismissed' and status <> 'tombstoned'
             and recurring_price_changed(direction, previous_amount, last_amount)
             and (announced_price_date, announced_price_amount)
                 is distinct from (last_date, last_amount)
           returning recurring_stream_id as "stream_id: RecurringStreamId",
                     user_id as "user_id: UserId",
                     coalesce(user_name, merchant_name, description) as "name!",
                     previous_amount as "previous_amount!", last_amount, currency"#,
        item_id.0
    )
    .fetch_all(db)
    .await
}

/// The item's accounts: Plaid's id and Tally's.
#[tracing::instrument(skip_all)]
pub async fn item_accounts(
    db: impl PgExecutor<'_>,
    item_id: ItemId,
) -> Result<Vec<(String, AccountId)>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"select plaid_account_id, account_id as "account_id: AccountId"
           from account where item_id = $1"#,
        item_id.0
    )
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| (row.plaid_account_id, row.account_id))
        .collect())
}

/// One of an item's stored transactions, as the streams refer to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamTransaction {
    pub transaction_id: TransactionId,
    pub plaid_transaction_id: String,
    pub date: NaiveDate,
}

/// Those of `plaid_ids` the item has stored.
#[tracing::instrument(skip_all, fields(wanted = plaid_ids.len()))]
pub async fn transactions_by_plaid_id(
    db: impl PgExecutor<'_>,
    item_id: ItemId,
    plaid_ids: &[String],
) -> Result<Vec<StreamTransaction>, sqlx::Error> {
    sqlx::query_as!(
        StreamTransaction,
        r#"select transaction_id as "transaction_id: TransactionId", plaid_transaction_id,
                  date
           from bank_transaction
           where item_id = $1 and plaid_transaction_id = any($2)"#,
        item_id.0,
        plaid_ids
    )
    .fetch_all(db)
    .await
}

/// A stored stream as its owner sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamRow {
    pub id: RecurringStreamId,
    pub account_id: AccountId,
    pub direction: String,
    pub description: String,
    pub merchant_name: Option<String>,
    pub user_name: Option<String>,
    pub category_id: Option<CategoryId>,
    pub category_name: Option<String>,
    pub frequency: String,
    pub average_amount: Decimal,
    pub last_amount: Decimal,
    pub previous_amount: Option<Decimal>,
    pub price_changed: bool,
    pub currency: String,
    pub first_date: NaiveDate,
    pub last_date: NaiveDate,
    pub next_date: Option<NaiveDate>,
    pub status: String,
    pub is_active: bool,
    pub state: String,
    pub source: String,
    /// Oldest first.
    pub transaction_ids: Vec<TransactionId>,
}

/// The person's streams (or only `only`), incomes first, then by name. The category is the
/// person's choice, else the effective category of the stream's last transaction, else
/// Plaid's for the stream.
#[tracing::instrument(skip_all)]
pub async fn list(
    db: impl PgExecutor<'_>,
    user_id: UserId,
    only: Option<RecurringStreamId>,
) -> Result<Vec<StreamRow>, sqlx::Error> {
    sqlx::query_as!(
        StreamRow,
        r#"select s.recurring_stream_id as "id: RecurringStreamId",
                  s.account_id as "account_id: AccountId",
                  s.direction, s.description, s.merchant_name, s.user_name,
                  c.category_id as "category_id?: CategoryId",
                  c.name as "category_name?",
                  s.frequency, s.average_amount, s.last_amount, s.previous_amount,
                  recurring_price_changed(s.direction, s.previous_amount, s.last_amount)
                      as "price_changed!",
                  s.currency, s.first_date, s.last_date, s.next_date, s.status, s.is_active,
                  s.state, s.source,
                  coalesce(t.ids, '{}') as "transaction_ids!: Vec<TransactionId>"
           from recurring_stream s
           left join lateral (
               select array_agg(b.transaction_id order by b.date, b.transaction_id) as ids,
                      (array_agg(b.category_id order by b.date desc, b.transaction_id desc))[1]
                          as last_category_id
               from recurring_stream_transaction l
               join bank_transaction b on b.transaction_id = l.transaction_id
               where l.recurring_stream_id = s.recurring_stream_id) t on true
           left join user_category($1) c
               on c.category_id = coalesce(s.user_category_id, t.last_category_id,
                                           s.plaid_category_id)
           where s.user_id = $1 and ($2::uuid is null or s.recurring_stream_id = $2)
           order by s.direction, coalesce(s.user_name, s.merchant_name, s.description),
                    s.recurring_stream_id"#,
        user_id.0,
        only.map(|id| id.0)
    )
    .fetch_all(db)
    .await
}

/// The person's decisions on one stream, locked until the transaction ends. `None` for
/// someone else's stream or none at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decisions {
    pub state: String,
    pub user_name: Option<String>,
    pub user_category_id: Option<CategoryId>,
}

#[tracing::instrument(skip_all, fields(%stream_id))]
pub async fn lock_decisions(
    conn: &mut PgConnection,
    user_id: UserId,
    stream_id: RecurringStreamId,
) -> Result<Option<Decisions>, sqlx::Error> {
    sqlx::query_as!(
        Decisions,
        r#"select state, user_name, user_category_id as "user_category_id: CategoryId"
           from recurring_stream
           where recurring_stream_id = $1 and user_id = $2
           for update"#,
        stream_id.0,
        user_id.0
    )
    .fetch_optional(conn)
    .await
}

/// Writes the person's decisions on one of their streams (the caller has checked them).
#[tracing::instrument(skip_all, fields(%stream_id, state = state.as_str()))]
pub async fn decide(
    db: impl PgExecutor<'_>,
    user_id: UserId,
    stream_id: RecurringStreamId,
    state: StreamState,
    user_name: Option<&str>,
    user_category_id: Option<CategoryId>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "update recurring_stream set state = $3, user_name = $4, user_category_id = $5
         where recurring_stream_id = $1 and user_id = $2",
        stream_id.0,
        user_id.0,
        state.as_str(),
        user_name,
        user_category_id.map(|c| c.0)
    )
    .execute(db)
    .await?;
    Ok(())
}

/// Reads the text the database stores for one of the stream enums.
pub fn parse_stored<T>(text: &str, parse: fn(&str) -> Option<T>) -> Result<T, sqlx::Error> {
    parse(text).ok_or_else(|| {
        sqlx::Error::Decode(format!("unexpected value {text:?} in recurring_stream").into())
    })
}

/// The item's transactions as Tally's detector reads them: posted (a pending one may still
/// change) and not hidden (hidden transactions are left out of every total, recurring too).
#[tracing::instrument(skip_all, fields(%item_id))]
pub async fn occurrences(
    db: impl PgExecutor<'_>,
    item_id: ItemId,
) -> Result<Vec<Occurrence>, sqlx::Error> {
    sqlx::query_as!(
        Occurrence,
        r#"select transaction_id as "transaction_id: TransactionId",
                  account_id as "account_id: AccountId", date, amount,
                  coalesce(iso_currency_code, unofficial_currency_code, '') as "currency!",
                  merchant_name, name
           from bank_transaction
           where item_id = $1 and not pending and not hidden"#,
        item_id.0
    )
    .fetch_all(db)
    .await
}
