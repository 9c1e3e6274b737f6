//! The writes of one sync run, and the lock that makes it the only run of its item. The writes
//! all go through the caller's transaction, so a run lands whole or not at all; rows go in as
//! arrays through `unnest`, never one statement per row.

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use sqlx::{PgConnection, PgExecutor, PgPool};
use tally_shared::ids::{ItemId, UserId};
use uuid::Uuid;

/// Rows per statement: big enough to amortise round trips, small enough to bound memory.
const BATCH: usize = 5_000;

/// An account as the bank reports it now.
#[derive(Debug, Clone)]
pub struct AccountState {
    pub plaid_account_id: String,
    pub name: String,
    pub official_name: Option<String>,
    pub mask: Option<String>,
    pub account_type: String,
    pub subtype: Option<String>,
    pub holder_category: Option<String>,
    pub current_balance: Option<Decimal>,
    pub available_balance: Option<Decimal>,
    pub credit_limit: Option<Decimal>,
    pub iso_currency_code: Option<String>,
    pub unofficial_currency_code: Option<String>,
    pub balance_updated_at: Option<DateTime<Utc>>,
}

/// A transaction as the bank reports it now (added or modified).
#[derive(Debug, Clone)]
pub struct TransactionState {
    pub plaid_transaction_id: String,
    pub plaid_account_id: String,
    pub amount: Decimal,
    pub iso_currency_code: Option<String>,
    pub unofficial_currency_code: Option<String>,
    pub date: NaiveDate,
    pub authorized_date: Option<NaiveDate>,
    pub name: String,
    pub merchant_name: Option<String>,
    pub logo_url: Option<String>,
    pub website: Option<String>,
    pub payment_channel: String,
    pub category_primary: Option<String>,
    pub category_detailed: Option<String>,
    pub category_confidence: Option<String>,
    pub pending: bool,
    pub pending_transaction_id: Option<String>,
}

/// How many rows a batch inserted, and the Plaid ids of the stored rows it overwrote (only those
/// can carry splits or rule labels from before).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Upserted {
    pub inserted: u64,
    pub updated: Vec<String>,
}

/// Takes the item's sync lock for this connection's session, unless another session holds it.
/// It is session-level, not transaction-level, so PostgreSQL releases it by itself if the
/// process dies, and the run can commit inside it.
#[tracing::instrument(skip_all)]
pub async fn try_lock_item(conn: &mut PgConnection, item_id: ItemId) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar!(
        r#"select pg_try_advisory_lock(hashtextextended($1::uuid::text, 0)) as "locked!""#,
        item_id.0
    )
    .fetch_one(conn)
    .await
}

/// Releases what [`try_lock_item`] took on this connection.
#[tracing::instrument(skip_all)]
pub async fn unlock_item(conn: &mut PgConnection, item_id: ItemId) -> Result<(), sqlx::Error> {
    sqlx::query_scalar!(
        r#"select pg_advisory_unlock(hashtextextended($1::uuid::text, 0)) as "unlocked!""#,
        item_id.0
    )
    .fetch_one(conn)
    .await?;
    Ok(())
}

#[tracing::instrument(skip_all, fields(accounts = accounts.len()))]
pub async fn upsert_accounts(
    conn: &mut PgConnection,
    item_id: ItemId,
    user_id: UserId,
    accounts: &[AccountState],
) -> Result<(), sqlx::Error> {
    let column =
        |f: fn(&AccountState) -> Option<String>| accounts.iter().map(f).collect::<Vec<_>>();
    let amount =
        |f: fn(&AccountState) -> Option<Decimal>| accounts.iter().map(f).collect::<Vec<_>>();
    // `as _`: the macros check a text[] only as `&[String]`, not as nullable columns; the
    // statement's casts fix the types.
    sqlx::query!(
        "insert into account (item_id, user_id, plaid_account_id, name, official_name, mask, type,
             subtype, holder_category, current_balance, available_balance, credit_limit,
             iso_currency_code, unofficial_currency_code, balance_updated_at)
         select $1, $2, a.* from unnest($3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
             $8::text[], $9::text[], $10::numeric[], $11::numeric[], $12::numeric[], $13::text[],
             $14::text[], $15::timestamptz[]) as a
         on conflict (plaid_account_id) do update set
             name = excluded.name, official_name = excluded.official_name, mask = excluded.mask,
             type = excluded.type, subtype = excluded.subtype,
             holder_category = excluded.holder_category,
             current_balance = excluded.current_balance,
             available_balance = excluded.available_balance,
             credit_limit = excluded.credit_limit, iso_currency_code = excluded.iso_currency_code,
             unofficial_currency_code = excluded.unofficial_currency_code,
             balance_updated_at = excluded.balance_updated_at
         where account.item_id = excluded.item_id",
        item_id.0,
        user_id.0,
        column(|a| Some(a.plaid_account_id.clone())) as _,
        column(|a| Some(a.name.clone())) as _,
        column(|a| a.official_name.clone()) as _,
        column(|a| a.mask.clone()) as _,
        column(|a| Some(a.account_type.clone())) as _,
        column(|a| a.subtype.clone()) as _,
        column(|a| a.holder_category.clone()) as _,
        amount(|a| a.current_balance) as _,
        amount(|a| a.available_balance) as _,
        amount(|a| a.credit_limit) as _,
        column(|a| a.iso_currency_code.clone()) as _,
        column(|a| a.unofficial_currency_code.clone()) as _,
        accounts
            .iter()
            .map(|a| a.balance_updated_at)
            .collect::<Vec<_>>() as _
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// The Plaid ids of the item's stored accounts.
#[tracing::instrument(skip_all)]
pub async fn account_ids(
    conn: &mut PgConnection,
    item_id: ItemId,
) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar!(
        "select plaid_account_id from account where item_id = $1",
        item_id.0
    )
    .fetch_all(conn)
    .await
}

/// Whether any transaction of the item is stored (through its accounts' keyset index).
#[tracing::instrument(skip_all)]
pub async fn has_transactions(
    conn: &mut PgConnection,
    item_id: ItemId,
) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar!(
        r#"select exists (select 1 from account a
                          join bank_transaction t on t.account_id = a.account_id
                          where a.item_id = $1) as "stored!""#,
        item_id.0
    )
    .fetch_one(conn)
    .await
}

/// Records every account of the item's balance as today's snapshot (a later sync today
/// overwrites it, so each day keeps its last balance).
#[tracing::instrument(skip_all)]
pub async fn snapshot_balances(
    conn: &mut PgConnection,
    item_id: ItemId,
    today: NaiveDate,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "insert into balance_snapshot (account_id, user_id, snapshot_date, current_balance,
             available_balance, currency)
         select account_id, user_id, $2, current_balance, available_balance,
                coalesce(iso_currency_code, unofficial_currency_code)
         from account where item_id = $1
         on conflict (account_id, snapshot_date) do update set
             current_balance = excluded.current_balance,
             available_balance = excluded.available_balance,
             currency = excluded.currency",
        item_id.0,
        today
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// A batch of rows as the statements' arrays, one per column.
struct Columns {
    plaid_transaction_id: Vec<String>,
    plaid_account_id: Vec<String>,
    amount: Vec<Decimal>,
    iso_currency_code: Vec<Option<String>>,
    unofficial_currency_code: Vec<Option<String>>,
    date: Vec<NaiveDate>,
    authorized_date: Vec<Option<NaiveDate>>,
    name: Vec<String>,
    merchant_name: Vec<Option<String>>,
    logo_url: Vec<Option<String>>,
    website: Vec<Option<String>>,
    payment_channel: Vec<String>,
    category_primary: Vec<Option<String>>,
    category_detailed: Vec<Option<String>>,
    category_confidence: Vec<Option<String>>,
    pending: Vec<bool>,
    pending_transaction_id: Vec<Option<String>>,
    /// Time-ordered ids: new rows go to the end of the primary key instead of anywhere.
    transaction_id: Vec<Uuid>,
}

impl Columns {
    /// The batch's rows, moved into their columns.
    fn of(batch: impl ExactSizeIterator<Item = TransactionState>) -> Self {
        let n = batch.len();
        let mut c = Self {
            plaid_transaction_id: Vec::with_capacity(n),
            plaid_account_id: Vec::with_capacity(n),
            amount: Vec::with_capacity(n),
            iso_currency_code: Vec::with_capacity(n),
            unofficial_currency_code: Vec::with_capacity(n),
            date: Vec::with_capacity(n),
            authorized_date: Vec::with_capacity(n),
            name: Vec::with_capacity(n),
            merchant_name: Vec::with_capacity(n),
            logo_url: Vec::with_capacity(n),
            website: Vec::with_capacity(n),
            payment_channel: Vec::with_capacity(n),
            category_primary: Vec::with_capacity(n),
            category_detailed: Vec::with_capacity(n),
            category_confidence: Vec::with_capacity(n),
            pending: Vec::with_capacity(n),
            pending_transaction_id: Vec::with_capacity(n),
            transaction_id: Vec::with_capacity(n),
        };
        for t in batch {
            c.plaid_transaction_id.push(t.plaid_transaction_id);
            c.plaid_account_id.push(t.plaid_account_id);
            c.amount.push(t.amount);
            c.iso_currency_code.push(t.iso_currency_code);
            c.unofficial_currency_code.push(t.unofficial_currency_code);
            c.date.push(t.date);
            c.authorized_date.push(t.authorized_date);
            c.name.push(t.name);
            c.merchant_name.push(t.merchant_name);
            c.logo_url.push(t.logo_url);
            c.website.push(t.website);
            c.payment_channel.push(t.payment_channel);
            c.category_primary.push(t.category_primary);
            c.category_detailed.push(t.category_detailed);
            c.category_confidence.push(t.category_confidence);
            c.pending.push(t.pending);
            c.pending_transaction_id.push(t.pending_transaction_id);
            c.transaction_id.push(Uuid::now_v7());
        }
        c
    }
}

/// How a page's rows are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Write {
    /// Rows already stored under the same Plaid ids are overwritten.
    Upsert,
    /// None of the rows' Plaid ids is stored: a plain insert, which fails with a unique violation
    /// of `bank_transaction_plaid_transaction_id_key` (see [`is_id_taken`]) if one is.
    Insert,
}

/// The error of an [`Write::Insert`] whose Plaid id is stored already (under another item, or
/// not as the caller thought).
pub fn is_id_taken(error: &sqlx::Error) -> bool {
    error.as_database_error().is_some_and(|e| {
        e.is_unique_violation()
            && e.constraint() == Some("bank_transaction_plaid_transaction_id_key")
    })
}

/// Transactions as the statements that write them take them, built ahead so that building
/// them can overlap the previous write.
pub struct TransactionRows(Vec<Columns>);

impl TransactionRows {
    pub fn of(transactions: Vec<TransactionState>) -> Self {
        let mut rest = transactions.into_iter();
        let mut batches = Vec::new();
        while rest.len() > 0 {
            batches.push(Columns::of(rest.by_ref().take(BATCH)));
        }
        Self(batches)
    }

    pub fn len(&self) -> usize {
        self.0.iter().map(|c| c.plaid_transaction_id.len()).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The rows' Plaid ids.
    pub fn plaid_ids(&self) -> impl Iterator<Item = &str> {
        self.0
            .iter()
            .flat_map(|c| c.plaid_transaction_id.iter().map(String::as_str))
    }

    /// Each row's Plaid id and, for a posted one that replaces a pending one, the pending one's.
    pub fn pending_ids(&self) -> impl Iterator<Item = (&str, Option<&str>)> {
        self.0.iter().flat_map(|c| {
            c.plaid_transaction_id
                .iter()
                .zip(&c.pending_transaction_id)
                .map(|(id, pending)| (id.as_str(), pending.as_deref()))
        })
    }
}

/// Writes new transactions and, with [`Write::Upsert`], overwrites changed ones. Rows whose
/// account the item does not have are not written (the caller stores the accounts first and
/// checks the counts).
#[tracing::instrument(skip_all, fields(?write))]
pub async fn write_transactions(
    conn: &mut PgConnection,
    item_id: ItemId,
    rows: &TransactionRows,
    write: Write,
) -> Result<Upserted, sqlx::Error> {
    let mut total = Upserted::default();
    for c in &rows.0 {
        match write {
            Write::Insert => total.inserted += insert(conn, item_id, c).await?,
            Write::Upsert => {
                let upserted = upsert(conn, item_id, c).await?;
                total.inserted += upserted.inserted;
                total.updated.extend(upserted.updated);
            }
        }
    }
    Ok(total)
}

/// `sqlx::query!` of a statement over a page's rows: `$1` the item, `$2`… the columns, in the
/// order of `sync_page_rows`. `as _` on the arrays, as in `upsert_accounts`.
macro_rules! page_query {
    ($item_id:expr, $c:expr, $sql:tt) => {
        sqlx::query!(
            $sql,
            $item_id.0,
            &$c.plaid_transaction_id,
            &$c.plaid_account_id,
            &$c.amount,
            &$c.iso_currency_code as _,
            &$c.unofficial_currency_code as _,
            &$c.date,
            &$c.authorized_date as _,
            &$c.name,
            &$c.merchant_name as _,
            &$c.logo_url as _,
            &$c.website as _,
            &$c.payment_channel,
            &$c.category_primary as _,
            &$c.category_detailed as _,
            &$c.category_confidence as _,
            &$c.pending,
            &$c.pending_transaction_id as _,
            &$c.transaction_id
        )
    };
}

async fn insert(conn: &mut PgConnection, item_id: ItemId, c: &Columns) -> Result<u64, sqlx::Error> {
    Ok(page_query!(
        item_id,
        c,
        "insert into bank_transaction (transaction_id, account_id, item_id, user_id,
             plaid_transaction_id, amount, iso_currency_code, unofficial_currency_code, date,
             authorized_date, name, merchant_name, logo_url, website, payment_channel,
             category_primary, category_detailed, category_confidence, pending,
             pending_transaction_id, plaid_category_id)
         select * from sync_page_rows($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13,
                                      $14, $15, $16, $17, $18, $19)"
    )
    .execute(conn)
    .await?
    .rows_affected())
}

async fn upsert(
    conn: &mut PgConnection,
    item_id: ItemId,
    c: &Columns,
) -> Result<Upserted, sqlx::Error> {
    let written = page_query!(
        item_id,
        c,
        r#"with written as (
             insert into bank_transaction (transaction_id, account_id, item_id, user_id,
                 plaid_transaction_id, amount, iso_currency_code, unofficial_currency_code, date,
                 authorized_date, name, merchant_name, logo_url, website, payment_channel,
                 category_primary, category_detailed, category_confidence, pending,
                 pending_transaction_id, plaid_category_id)
             select * from sync_page_rows($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12,
                                          $13, $14, $15, $16, $17, $18, $19)
             on conflict (plaid_transaction_id) do update set
                 account_id = excluded.account_id, amount = excluded.amount,
                 iso_currency_code = excluded.iso_currency_code,
                 unofficial_currency_code = excluded.unofficial_currency_code,
                 date = excluded.date, authorized_date = excluded.authorized_date,
                 name = excluded.name, merchant_name = excluded.merchant_name,
                 logo_url = excluded.logo_url, website = excluded.website,
                 payment_channel = excluded.payment_channel,
                 category_primary = excluded.category_primary,
                 category_detailed = excluded.category_detailed,
                 category_confidence = excluded.category_confidence,
                 pending = excluded.pending,
                 pending_transaction_id = excluded.pending_transaction_id,
                 plaid_category_id = excluded.plaid_category_id
             where bank_transaction.item_id = excluded.item_id
             returning plaid_transaction_id, (xmax = 0) as inserted)
         select count(*) filter (where inserted) as "inserted!",
                coalesce(array_agg(plaid_transaction_id) filter (where not inserted),
                         '{}') as "updated!"
         from written"#
    )
    .fetch_one(conn)
    .await?;
    Ok(Upserted {
        inserted: u64::try_from(written.inserted).unwrap_or_default(),
        updated: written.updated,
    })
}

/// Deletes the item's transactions with these Plaid ids; returns how many there were.
#[tracing::instrument(skip_all, fields(removed = plaid_transaction_ids.len()))]
pub async fn delete_transactions(
    conn: &mut PgConnection,
    item_id: ItemId,
    plaid_transaction_ids: &[String],
) -> Result<u64, sqlx::Error> {
    let mut deleted = 0;
    for batch in plaid_transaction_ids.chunks(BATCH) {
        deleted += sqlx::query!(
            "delete from bank_transaction where item_id = $1 and plaid_transaction_id = any($2)",
            item_id.0,
            batch
        )
        .execute(&mut *conn)
        .await?
        .rows_affected();
    }
    Ok(deleted)
}

/// Stores where the next sync starts, marks the item synced, and clears an error that this
/// successful sync disproves. Returns whether the status changed, or `None` when the item is
/// gone (removed while it synced).
#[tracing::instrument(skip_all)]
pub async fn finish(
    conn: &mut PgConnection,
    item_id: ItemId,
    cursor: &str,
) -> Result<Option<bool>, sqlx::Error> {
    sqlx::query_scalar!(
        r#"with before as (select status from plaid_item where item_id = $1 for update)
         update plaid_item set sync_cursor = $2, last_synced_at = now(),
             status = case when plaid_item.status in ('login_required', 'error') then 'good'
                           else plaid_item.status end,
             error_code = case when plaid_item.status in ('login_required', 'error') then null
                               else plaid_item.error_code end
         from before
         where item_id = $1
         returning plaid_item.status <> before.status as "changed!""#,
        item_id.0,
        cursor
    )
    .fetch_optional(conn)
    .await
}

/// Lets the sync's transaction leave its rows' entries in the pending lists of the GIN indexes
/// (the trigram search and the tags; PostgreSQL's "fast update") rather than merging each list
/// into its index whenever it passes the usual 4 MB. Merging one large list once is far cheaper
/// than merging 4 MB at a time, and no longer on the sync's critical path: replaying a
/// 100,000-transaction first sync's pages took 2.13 s this way against 2.40 s, and the merge
/// after it 0.15 s. Searches read pending entries too, so nothing is missed meanwhile;
/// [`merge_pending_entries`] merges them once the sync has committed.
pub async fn defer_index_entries(conn: &mut PgConnection) -> Result<(), sqlx::Error> {
    // At most 256 MB pending: well above a 100,000-transaction history's (about 60 MB), and a
    // bound on what every search reads until they are merged.
    sqlx::query!("set local gin_pending_list_limit = '256MB'")
        .execute(conn)
        .await?;
    Ok(())
}

/// Merges the GIN indexes' pending entries (after a sync has committed), so that searches and
/// the tag filter stop reading them one by one.
#[tracing::instrument(skip_all)]
pub async fn merge_pending_entries(db: &PgPool) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "select gin_clean_pending_list('bank_transaction_search') as search,
                gin_clean_pending_list('bank_transaction_tags') as tags"
    )
    .fetch_one(db)
    .await?;
    Ok(())
}

/// Rows a sync writes from which it refreshes the planner's statistics of what it wrote.
const LARGE_SYNC: u64 = 10_000;

/// After a large sync (a new item's history), `ANALYZE` of the transactions and the spending
/// rollup, so that the planner counts the new rows now rather than when autovacuum next looks
/// (a minute or more later). The reads are planned not to depend on it; this keeps the rest of
/// the person's queries (filters, search) on their best plans.
#[tracing::instrument(skip_all, fields(written = written))]
pub async fn refresh_statistics(db: impl PgExecutor<'_>, written: u64) -> Result<(), sqlx::Error> {
    if written >= LARGE_SYNC {
        sqlx::query!("analyze bank_transaction, spending_rollup")
            .execute(db)
            .await?;
    }
    Ok(())
}
