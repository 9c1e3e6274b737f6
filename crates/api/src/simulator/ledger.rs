//! The simulated bank's books: generating activity into `plaid_sim.transaction`, posting
//! pending transactions, and paging the change log for `/transactions/sync`.

use super::activity::{self, Role};
use super::error::SimError;
use super::recurring;
use super::{ids, plaid_number};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{Days, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde_json::value::RawValue;
use serde_json::Value;
use sqlx::{PgConnection, PgPool};
use std::collections::HashMap;

/// Transactions dated within this many days of today are still pending.
pub const PENDING_DAYS: u64 = 2;
/// Rows per insert statement: a long history is generated and stored a batch at a time, never
/// held whole in memory.
const INSERT_CHUNK: usize = 2_000;

/// Today on the simulator's clock (real time plus the days tests advanced it).
pub async fn today(db: impl sqlx::PgExecutor<'_>) -> Result<NaiveDate, SimError> {
    let offset = sqlx::query_scalar!("select offset_days from plaid_sim.clock")
        .fetch_one(db)
        .await?;
    let real = Utc::now().date_naive();
    Ok(if offset >= 0 {
        real.checked_add_days(Days::new(u64::from(offset.unsigned_abs())))
    } else {
        real.checked_sub_days(Days::new(u64::from(offset.unsigned_abs())))
    }
    .unwrap_or(real))
}

/// An account activity can land in.
struct LedgerAccount {
    account_id: String,
    account_type: String,
    subtype: Option<String>,
    iso_currency_code: String,
}

struct ItemBooks {
    seed: u64,
    extra_per_day: u32,
    accounts: Vec<(Role, LedgerAccount)>,
}

async fn books(conn: &mut PgConnection, item_id: &str) -> Result<ItemBooks, SimError> {
    let item = sqlx::query!(
        "select seed, extra_per_day from plaid_sim.item where item_id = $1",
        item_id
    )
    .fetch_one(&mut *conn)
    .await?;
    let rows = sqlx::query_as!(
        LedgerAccount,
        r#"select account_id, type as "account_type", subtype, iso_currency_code
           from plaid_sim.account where item_id = $1 order by position"#,
        item_id
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut accounts: Vec<(Role, LedgerAccount)> = Vec::new();
    for account in rows {
        if let Some(role) = Role::of(&account.account_type, account.subtype.as_deref()) {
            if !accounts.iter().any(|(r, _)| *r == role) {
                accounts.push((role, account));
            }
        }
    }
    Ok(ItemBooks {
        seed: u64::from_ne_bytes(item.seed.to_ne_bytes()),
        extra_per_day: u32::try_from(item.extra_per_day).unwrap_or(0),
        accounts,
    })
}

/// A transaction ready to be written.
struct Entry {
    transaction_id: String,
    account_id: String,
    body: Value,
    date: NaiveDate,
    pending: bool,
}

impl Entry {
    /// A new transaction with a new id.
    fn new(
        account_id: &str,
        currency: &str,
        draft: &activity::Draft,
        date: NaiveDate,
        pending: bool,
    ) -> Self {
        let transaction_id = ids::object_id();
        let body = activity::transaction_body(
            &transaction_id,
            account_id,
            currency,
            draft,
            date,
            pending,
            None,
        );
        Self {
            transaction_id,
            account_id: account_id.to_owned(),
            body,
            date,
            pending,
        }
    }
}

/// Generates the item's activity for every day after it was last generated, through `today`.
/// With `move_balances`, balances follow the new transactions (history at link time does not
/// move them: the bank's balance today already includes it).
pub async fn generate_through(
    conn: &mut PgConnection,
    item_id: &str,
    first_day: NaiveDate,
    today: NaiveDate,
    move_balances: bool,
) -> Result<usize, SimError> {
    let books = books(conn, item_id).await?;
    let roles: Vec<Role> = books.accounts.iter().map(|(role, _)| *role).collect();
    let mut moves = BalanceMoves::default();
    let generated = write_days(conn, item_id, first_day, today, |date, pending| {
        let mut entries = Vec::new();
        for draft in activity::day(books.seed, date, &roles, books.extra_per_day) {
            let Some((_, account)) = books.accounts.iter().find(|(role, _)| *role == draft.role)
            else {
                continue;
            };
            if move_balances {
                moves.add(&account.account_id, &account.account_type, draft.amount);
            }
            entries.push(Entry::new(
                &account.account_id,
                &account.iso_currency_code,
                &draft,
                date,
                pending,
            ));
        }
        entries
    })
    .await?;
    moves.apply(conn).await?;
    sqlx::query!(
        "update plaid_sim.item set generated_through = $2 where item_id = $1",
        item_id,
        today
    )
    .execute(&mut *conn)
    .await?;
    Ok(generated)
}

/// An account that appears on an item after it was linked, and the history it comes with.
pub struct NewAccountBooks<'a> {
    pub account_id: &'a str,
    pub role: Role,
    pub iso_currency_code: &'a str,
    pub seed: u64,
}

/// Writes the new account's history from `first_day` through `today` (as new changes in the
/// log). Its balance already includes it, as a linked item's balances include their history.
pub async fn generate_account_history(
    conn: &mut PgConnection,
    item_id: &str,
    account: &NewAccountBooks<'_>,
    first_day: NaiveDate,
    today: NaiveDate,
) -> Result<usize, SimError> {
    write_days(conn, item_id, first_day, today, |date, pending| {
        activity::day(account.seed, date, &[account.role], 0)
            .iter()
            .map(|draft| {
                Entry::new(
                    account.account_id,
                    account.iso_currency_code,
                    draft,
                    date,
                    pending,
                )
            })
            .collect()
    })
    .await
}

/// Writes the entries `day(date, pending)` makes for each day from `first_day` through
/// `today`, a batch at a time, whole days only, so the change log keeps each day's order.
/// Returns how many it wrote.
async fn write_days(
    conn: &mut PgConnection,
    item_id: &str,
    first_day: NaiveDate,
    today: NaiveDate,
    mut day: impl FnMut(NaiveDate, bool) -> Vec<Entry>,
) -> Result<usize, SimError> {
    let pending_from = today
        .checked_sub_days(Days::new(PENDING_DAYS))
        .unwrap_or(today);
    let mut batch = Vec::with_capacity(INSERT_CHUNK);
    let mut generated = 0;
    let mut date = first_day;
    while date <= today {
        batch.extend(day(date, date > pending_from));
        if batch.len() >= INSERT_CHUNK {
            generated += batch.len();
            insert(conn, item_id, &batch).await?;
            batch.clear();
        }
        date = match date.succ_opt() {
            Some(next) => next,
            None => break,
        };
    }
    generated += batch.len();
    insert(conn, item_id, &batch).await?;
    refresh_statistics(conn, generated).await?;
    Ok(generated)
}

/// How new transactions move balances, summed per account so a batch costs one update per
/// account, not one per transaction.
#[derive(Default)]
struct BalanceMoves(HashMap<String, Decimal>);

impl BalanceMoves {
    /// Depository balances fall when money goes out; card and loan balances (what is owed)
    /// rise. `amount` is Plaid's: money out positive.
    fn add(&mut self, account_id: &str, account_type: &str, amount: Decimal) {
        let owed = matches!(account_type, "credit" | "loan");
        let delta = if owed { amount } else { -amount };
        *self.0.entry(account_id.to_owned()).or_default() += delta;
    }

    async fn apply(self, conn: &mut PgConnection) -> Result<(), SimError> {
        for (account_id, delta) in self.0 {
            sqlx::query!(
                "update plaid_sim.account set current = current + $2,
                     available = case when type = 'credit' and credit_limit is not null
                                      then credit_limit - (current + $2)
                                      when available is null then null
                                      else available + $2 end
                 where account_id = $1",
                account_id,
                delta
            )
            .execute(&mut *conn)
            .await?;
        }
        Ok(())
    }
}

async fn insert(conn: &mut PgConnection, item_id: &str, entries: &[Entry]) -> Result<(), SimError> {
    for chunk in entries.chunks(INSERT_CHUNK) {
        let ids: Vec<&str> = chunk.iter().map(|e| e.transaction_id.as_str()).collect();
        let accounts: Vec<&str> = chunk.iter().map(|e| e.account_id.as_str()).collect();
        let bodies: Vec<Value> = chunk.iter().map(|e| e.body.clone()).collect();
        let dates: Vec<NaiveDate> = chunk.iter().map(|e| e.date).collect();
        let pending: Vec<bool> = chunk.iter().map(|e| e.pending).collect();
        // nextval per row, in the order given, so the change log keeps the day's order. The ids
        // are borrowed (`&[&str]`), which the macro's check for text[] (`&[String]`) does not
        // know, hence `as _`; the statement's own casts still fix the types.
        sqlx::query!(
            "insert into plaid_sim.transaction
                 (transaction_id, item_id, account_id, body, date, pending, added_seq, seq)
             select id, $1, account_id, body, date, pending, change, change
             from (select t.*, nextval('plaid_sim.change_seq') as change
                   from unnest($2::text[], $3::text[], $4::jsonb[], $5::date[], $6::bool[])
                        with ordinality as t(id, account_id, body, date, pending, n)) numbered
             order by change",
            item_id,
            &ids as _,
            &accounts as _,
            &bodies,
            &dates,
            &pending
        )
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// After a large write: without fresh statistics the planner takes a new history for a few
/// rows and pages through it by sorting all of it, 300 ms a page instead of a few.
async fn refresh_statistics(conn: &mut PgConnection, written: usize) -> Result<(), SimError> {
    if written >= BIG_HISTORY {
        sqlx::query!("analyze plaid_sim.transaction")
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// A history this large changes the table's statistics enough to refresh them at once.
const BIG_HISTORY: usize = 5_000;

/// Posts pending transactions dated on or before `through`: the pending one is removed and a
/// posted one with a new id, a posting date a day later and `pending_transaction_id` takes its
/// place. Restaurant bills grow by a tip when they post, as they do.
pub async fn post_pending(
    conn: &mut PgConnection,
    item_id: &str,
    through: NaiveDate,
) -> Result<usize, SimError> {
    let pending = sqlx::query!(
        r#"select t.transaction_id, t.account_id, a.type as "account_type", t.body, t.date
           from plaid_sim.transaction t join plaid_sim.account a using (account_id)
           where t.item_id = $1 and t.pending and not t.removed and t.date <= $2
           order by t.seq"#,
        item_id,
        through
    )
    .fetch_all(&mut *conn)
    .await?;
    // Borrowed ids: `as _` below, as in `insert`.
    let old_ids: Vec<&str> = pending.iter().map(|t| t.transaction_id.as_str()).collect();
    sqlx::query!(
        "update plaid_sim.transaction set removed = true, seq = nextval('plaid_sim.change_seq')
         where transaction_id = any($1)",
        &old_ids as _
    )
    .execute(&mut *conn)
    .await?;
    let mut entries = Vec::new();
    let mut moves = BalanceMoves::default();
    for old in pending {
        let mut body = old.body;
        let posted_on = old.date.succ_opt().unwrap_or(old.date);
        let transaction_id = ids::object_id();
        if body["personal_finance_category"]["detailed"] == "FOOD_AND_DRINK_RESTAURANT" {
            if let Ok(amount) = body["amount"].to_string().parse::<Decimal>() {
                let tipped = (amount * Decimal::new(118, 2)).round_dp(2);
                moves.add(&old.account_id, &old.account_type, tipped - amount);
                body["amount"] = plaid_number(tipped);
            }
        }
        body["transaction_id"] = Value::from(transaction_id.as_str());
        body["pending"] = Value::Bool(false);
        body["pending_transaction_id"] = Value::from(old.transaction_id);
        body["date"] = Value::from(posted_on.to_string());
        body["authorized_date"] = Value::from(old.date.to_string());
        entries.push(Entry {
            transaction_id,
            account_id: old.account_id,
            body,
            date: posted_on,
            pending: false,
        });
    }
    insert(conn, item_id, &entries).await?;
    refresh_statistics(conn, entries.len()).await?;
    moves.apply(conn).await?;
    Ok(entries.len())
}

/// `user_transactions_dynamic`'s refresh: three new pending purchases today, one recent posted
/// transaction withdrawn by the bank, and one older amount corrected by a dollar.
pub async fn churn(
    conn: &mut PgConnection,
    item_id: &str,
    today: NaiveDate,
) -> Result<usize, SimError> {
    let books = books(conn, item_id).await?;
    let salt = last_change(&mut *conn, item_id).await?;
    let roles: Vec<Role> = books.accounts.iter().map(|(role, _)| *role).collect();
    let seed = books.seed ^ u64::from_ne_bytes(salt.to_ne_bytes());
    let mut entries = Vec::new();
    let mut moves = BalanceMoves::default();
    for draft in activity::day(seed, today, &roles, 3)
        .into_iter()
        .rev()
        .take(3)
    {
        let Some((_, account)) = books.accounts.iter().find(|(role, _)| *role == draft.role) else {
            continue;
        };
        moves.add(&account.account_id, &account.account_type, draft.amount);
        entries.push(Entry::new(
            &account.account_id,
            &account.iso_currency_code,
            &draft,
            today,
            true,
        ));
    }
    let mut changes = entries.len();
    insert(conn, item_id, &entries).await?;
    moves.apply(conn).await?;

    let before = |days| today.checked_sub_days(Days::new(days)).unwrap_or(today);
    if let Some(withdrawn) = latest_posted_before(conn, item_id, before(3)).await? {
        remove(conn, &withdrawn.transaction_id).await?;
        changes += 1;
    }
    if let Some(mut corrected) = latest_posted_before(conn, item_id, before(30)).await? {
        if let Ok(amount) = corrected.body["amount"].to_string().parse::<Decimal>() {
            corrected.body["amount"] = plaid_number(amount + Decimal::ONE);
            modify(conn, &corrected.transaction_id, &corrected.body).await?;
            changes += 1;
        }
    }
    Ok(changes)
}

/// A transaction as the bank keeps it.
struct StoredTransaction {
    transaction_id: String,
    body: Value,
}

/// The item's latest posted, current transaction dated before `date`.
async fn latest_posted_before(
    conn: &mut PgConnection,
    item_id: &str,
    date: NaiveDate,
) -> Result<Option<StoredTransaction>, SimError> {
    Ok(sqlx::query_as!(
        StoredTransaction,
        "select transaction_id, body from plaid_sim.transaction
         where item_id = $1 and not pending and not removed and date < $2
         order by date desc, seq desc limit 1",
        item_id,
        date
    )
    .fetch_optional(conn)
    .await?)
}

/// The number of the item's latest change, 0 before its first.
async fn last_change(db: impl sqlx::PgExecutor<'_>, item_id: &str) -> Result<i64, SimError> {
    Ok(sqlx::query_scalar!(
        r#"select coalesce(max(seq), 0) as "seq!" from plaid_sim.transaction where item_id = $1"#,
        item_id
    )
    .fetch_one(db)
    .await?)
}

/// Every current (not removed) transaction of an item, in change order.
pub async fn current(db: &PgPool, item_id: &str) -> Result<Vec<Value>, SimError> {
    Ok(sqlx::query_scalar!(
        "select body from plaid_sim.transaction where item_id = $1 and not removed order by seq",
        item_id
    )
    .fetch_all(db)
    .await?)
}

/// The item's posted transactions since `since` (oldest first) whose account and name occur at
/// least three times in that span: the only ones that can make a recurring stream.
pub async fn repeating_since(
    db: &PgPool,
    item_id: &str,
    since: NaiveDate,
) -> Result<Vec<recurring::Posted>, SimError> {
    let rows = sqlx::query!(
        r#"select transaction_id as "transaction_id!", account_id as "account_id!",
                  name as "name!", date as "date!", amount as "amount!", iso_currency_code,
                  case when latest then merchant_name end as merchant_name,
                  case when latest then personal_finance_category end as personal_finance_category
           from (select transaction_id, account_id,
                        body->>'name' as name, date, (body->>'amount')::numeric as amount,
                        body->>'iso_currency_code' as iso_currency_code,
                        body->'merchant_name' as merchant_name,
                        body->'personal_finance_category' as personal_finance_category,
                        count(*) over same_group >= 3 as repeats,
                        row_number() over (same_group order by date desc, seq desc) = 1
                            as latest,
                        seq
                 from plaid_sim.transaction
                 where item_id = $1 and not pending and not removed and date >= $2
                 window same_group as (partition by account_id, body->>'name')) t
           where repeats
           order by date, seq"#,
        item_id,
        since
    )
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| recurring::Posted {
            transaction_id: row.transaction_id,
            account_id: row.account_id,
            name: row.name,
            date: row.date,
            amount: row.amount,
            iso_currency_code: row.iso_currency_code,
            merchant_name: row.merchant_name.unwrap_or(Value::Null),
            personal_finance_category: row.personal_finance_category.unwrap_or(Value::Null),
        })
        .collect())
}

/// One of the item's current (not removed) transactions, locked until the caller's transaction
/// ends; `None` if it has no such transaction.
pub async fn current_one(
    conn: &mut PgConnection,
    item_id: &str,
    transaction_id: &str,
) -> Result<Option<Value>, SimError> {
    Ok(sqlx::query_scalar!(
        "select body from plaid_sim.transaction
         where item_id = $1 and transaction_id = $2 and not removed
         for update",
        item_id,
        transaction_id
    )
    .fetch_optional(conn)
    .await?)
}

/// Marks a transaction removed (a new change in the log).
pub async fn remove(conn: &mut PgConnection, transaction_id: &str) -> Result<(), SimError> {
    sqlx::query!(
        "update plaid_sim.transaction set removed = true, seq = nextval('plaid_sim.change_seq')
         where transaction_id = $1",
        transaction_id
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Changes a transaction's body (a new change in the log).
pub async fn modify(
    conn: &mut PgConnection,
    transaction_id: &str,
    body: &Value,
) -> Result<(), SimError> {
    sqlx::query!(
        "update plaid_sim.transaction set body = $2, seq = nextval('plaid_sim.change_seq')
         where transaction_id = $1",
        transaction_id,
        body
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// A position in an item's change log. `start` is where the current pagination began (what the
/// client already has), `end` the last change it covers; both equal between paginations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    pub start: i64,
    pub position: i64,
    pub end: i64,
}

impl Cursor {
    pub fn encode(self) -> String {
        URL_SAFE_NO_PAD.encode(format!("v1:{}:{}:{}", self.start, self.position, self.end))
    }

    pub fn decode(text: &str) -> Option<Self> {
        let raw = String::from_utf8(URL_SAFE_NO_PAD.decode(text).ok()?).ok()?;
        let mut parts = raw.strip_prefix("v1:")?.split(':').map(str::parse::<i64>);
        let cursor = Self {
            start: parts.next()?.ok()?,
            position: parts.next()?.ok()?,
            end: parts.next()?.ok()?,
        };
        (parts.next().is_none() && cursor.start <= cursor.position && cursor.position <= cursor.end)
            .then_some(cursor)
    }
}

/// One page of `/transactions/sync`.
pub struct SyncPage {
    /// Transaction objects exactly as stored: passed through as text, never re-parsed.
    pub added: Vec<Box<RawValue>>,
    pub modified: Vec<Box<RawValue>>,
    pub removed: Vec<RemovedTransaction>,
    pub next_cursor: Cursor,
    pub has_more: bool,
}

#[derive(Debug, serde::Serialize)]
pub struct RemovedTransaction {
    pub transaction_id: String,
    pub account_id: String,
}

/// The changes after `cursor`, at most `count` of them, oldest first. A change made since the
/// pagination began means the client must start over: Plaid's
/// TRANSACTIONS_SYNC_MUTATION_DURING_PAGINATION.
pub async fn sync_page(
    db: &PgPool,
    item_id: &str,
    cursor: Option<Cursor>,
    count: i64,
) -> Result<SyncPage, SimError> {
    let latest = last_change(db, item_id).await?;
    let cursor = match cursor {
        Some(c) if c.position < c.end && latest > c.end => {
            return Err(SimError::mutation_during_pagination())
        }
        Some(c) if c.position < c.end => c,
        Some(c) => Cursor {
            start: c.position,
            position: c.position,
            end: latest,
        },
        None => Cursor {
            start: 0,
            position: 0,
            end: latest,
        },
    };
    let rows = sqlx::query!(
        r#"select seq, added_seq, removed, body::text as "body!",
                  body->>'transaction_id' as "transaction_id!", body->>'account_id' as "account_id!"
           from plaid_sim.transaction
           where item_id = $1 and seq > $2 and seq <= $3 order by seq limit $4"#,
        item_id,
        cursor.position,
        cursor.end,
        count + 1
    )
    .fetch_all(db)
    .await?;
    let has_more = i64::try_from(rows.len()).unwrap_or(i64::MAX) > count;
    let mut page = SyncPage {
        added: Vec::new(),
        modified: Vec::new(),
        removed: Vec::new(),
        next_cursor: cursor,
        has_more,
    };
    for row in rows.into_iter().take(usize::try_from(count).unwrap_or(0)) {
        page.next_cursor.position = row.seq;
        let known = row.added_seq <= cursor.start;
        match (known, row.removed) {
            (true, true) => page.removed.push(RemovedTransaction {
                transaction_id: row.transaction_id,
                account_id: row.account_id,
            }),
            (true, false) => page.modified.push(RawValue::from_string(row.body)?),
            (false, false) => page.added.push(RawValue::from_string(row.body)?),
            // Added and removed since the client last looked: it never needs to know.
            (false, true) => {}
        }
    }
    if !has_more {
        page.next_cursor = Cursor {
            start: cursor.end,
            position: cursor.end,
            end: cursor.end,
        };
    }
    Ok(page)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_reject_garbage() {
        let cursor = Cursor {
            start: 3,
            position: 10,
            end: 42,
        };
        assert_eq!(Cursor::decode(&cursor.encode()), Some(cursor));
        for bad in ["", "abc", "djE6MToy", &URL_SAFE_NO_PAD.encode("v1:5:4:9")] {
            assert_eq!(Cursor::decode(bad), None, "{bad}");
        }
    }
}
