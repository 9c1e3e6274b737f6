//! One sync of one item (`reference/plaid-api.md` §3): page through `/transactions/sync` from the
//! stored cursor and apply the pages in order, all in one database transaction with the new
//! cursor; start over if Plaid reports that the data changed mid-pagination.

use super::pending_labels::{self, Posting};
use crate::crypto::CipherError;
use crate::db;
use crate::db::items::PlaidItem;
use crate::db::sync::{AccountState, TransactionRows, TransactionState, Upserted, Write};
use crate::domain::rules::RuleSet;
use crate::items;
use crate::plaid::types::{Account, Transaction, TransactionsSyncResponse};
use crate::plaid::{ItemAccess, PlaidError};
use crate::state::AppState;
use sqlx::pool::PoolConnection;
use sqlx::{PgConnection, Postgres};
use std::collections::{HashMap, HashSet};
use std::future::Future;
use std::hash::{BuildHasher, RandomState};
use std::time::{Duration, Instant};
use tally_shared::ids::{ItemId, TransactionId, UserId};

/// Transactions per `/transactions/sync` page: Plaid's maximum.
const PAGE_SIZE: u32 = 500;
/// Restarts after TRANSACTIONS_SYNC_MUTATION_DURING_PAGINATION before the run is retried later.
const MAX_RESTARTS: usize = 5;
/// Tries of one Plaid call that fails for a passing reason (an outage, a rate limit, the
/// network) before the pass is abandoned and its job retried later: a long pass is not thrown
/// away for one bad page.
const CALL_TRIES: u32 = 3;
/// The longest wait between two tries of one call within a pass.
const MAX_CALL_WAIT: Duration = Duration::from_secs(5);

#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error(transparent)]
    Plaid(#[from] PlaidError),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    #[error("the access token cannot be opened")]
    Cipher(#[from] CipherError),
    #[error("another sync of this item is running")]
    Busy,
    #[error("the item's data kept changing while it was paged through")]
    KeptChanging,
    /// A transaction names an account the bank does not list even when asked again.
    #[error("a transaction names an account the bank does not list: {0}")]
    UnknownAccount(String),
    /// Rows the database would not take (their account or id belongs to another item).
    #[error("{0} transactions could not be stored")]
    NotStored(u64),
    /// A first pass's new transaction has an id stored already, under another item.
    #[error("a transaction's id is stored under another item")]
    IdTaken,
    /// The data changed mid-pass (TRANSACTIONS_SYNC_MUTATION_DURING_PAGINATION): start over.
    #[error("the item's data changed while it was paged through")]
    Restart,
}

/// What a committed sync changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncOutcome {
    pub user_id: UserId,
    pub added: u64,
    pub modified: u64,
    pub removed: u64,
    /// The sync cleared an error status.
    pub recovered: bool,
    /// Split transactions whose amount the bank changed: their splits were removed and they
    /// are marked for review.
    pub splits_removed: Vec<TransactionId>,
}

/// Syncs the item. `Ok(None)`: the item was removed before the run could commit.
#[tracing::instrument(skip_all, fields(%item_id))]
pub async fn sync_item(
    state: &AppState,
    item_id: ItemId,
) -> Result<Option<SyncOutcome>, SyncError> {
    let mut conn = state.db.acquire().await?;
    // Never two runs of one item at once, across every process: a session-level lock that
    // PostgreSQL releases by itself if this process dies.
    if !db::sync::try_lock_item(&mut conn, item_id).await? {
        return Err(SyncError::Busy);
    }
    let mut locked = LockedConnection {
        conn,
        released: false,
    };
    let result = run_locked(state, &mut locked.conn, item_id).await;
    locked.released = db::sync::unlock_item(&mut locked.conn, item_id)
        .await
        .is_ok();
    result
}

/// A pooled connection holding an item's sync lock. Unless the lock was released, it is
/// closed rather than returned to the pool when dropped: a run that fails to unlock, panics,
/// or is dropped mid-pass (its task aborted) must not leave the lock on a pooled connection,
/// where it would keep the item busy until the pool retired that connection.
struct LockedConnection {
    conn: PoolConnection<Postgres>,
    released: bool,
}

impl Drop for LockedConnection {
    fn drop(&mut self) {
        if !self.released {
            // Closing the session releases its locks.
            self.conn.close_on_drop();
        }
    }
}

async fn run_locked(
    state: &AppState,
    conn: &mut PgConnection,
    item_id: ItemId,
) -> Result<Option<SyncOutcome>, SyncError> {
    let Some(item) = db::items::by_id(&mut *conn, item_id).await? else {
        return Ok(None);
    };
    let access = items::access(&state.cipher, &item)?;
    for _ in 0..MAX_RESTARTS {
        match write_run(state, conn, &item, &access).await {
            Err(SyncError::Restart) => {
                tracing::info!("data changed while paging: starting over from the first cursor");
            }
            outcome => return outcome,
        }
    }
    Err(SyncError::KeptChanging)
}

/// One pass from the stored cursor. Each page is written as it arrives, in order, while the
/// next one is fetched, all inside one transaction: applying the pages in order is folding
/// them, and nothing is visible (or kept) unless the whole pass commits with its cursor.
async fn write_run(
    state: &AppState,
    conn: &mut PgConnection,
    item: &PlaidItem,
    access: &ItemAccess,
) -> Result<Option<SyncOutcome>, SyncError> {
    let started = Instant::now();
    // `/transactions/sync` leaves out investment accounts; net worth needs every account, and
    // the transactions' accounts must exist before they do.
    let accounts = fetch_accounts(state, access).await?;
    let mut tx = sqlx::Connection::begin(&mut *conn).await?;
    db::sync::defer_index_entries(&mut tx).await?;
    db::sync::upsert_accounts(&mut tx, item.item_id, item.user_id, &accounts).await?;
    let mut known = known_accounts(&mut tx, item.item_id).await?;
    let rules = db::rules::for_sync(&mut tx, item.user_id).await?;
    let mut first_pass = FirstPass::of(&mut tx, item.item_id).await?;

    let mut totals = Totals::default();
    let mut page = fetch_page(state, access, item.sync_cursor.as_deref()).await?;
    let mut changes = PageChanges::of(&page);
    loop {
        store_new_accounts(state, &mut tx, item, access, &page, &mut known).await?;
        let cursor = page.next_cursor.clone();
        if page.has_more {
            // The next page is fetched, and made ready to write, while this one is written.
            let (written, next) = tokio::join!(
                changes.write(&mut tx, item, &rules, &mut first_pass),
                async {
                    let next = fetch_page(state, access, Some(&cursor)).await?;
                    let changes = PageChanges::of(&next);
                    Ok::<_, SyncError>((next, changes))
                }
            );
            totals.add(written?);
            (page, changes) = next?;
        } else {
            totals.add(
                changes
                    .write(&mut tx, item, &rules, &mut first_pass)
                    .await?,
            );
            super::transfers::pair(&mut tx, item.user_id).await?;
            let today = chrono::Utc::now().date_naive();
            db::sync::snapshot_balances(&mut tx, item.item_id, today).await?;
            db::reconstructed_balances::rebuild(&mut tx, item.item_id, today).await?;
            db::net_worth_history::sum_item(&mut tx, item.item_id, today).await?;
            let Some(recovered) = db::sync::finish(&mut tx, item.item_id, &cursor).await? else {
                return Ok(None);
            };
            if totals.changed_any() {
                // Committed with the changes; the streams are fetched after, outside this
                // transaction (`recurring`).
                db::recurring_refresh::request(&mut *tx, item.item_id).await?;
            }
            tx.commit().await?;
            return Ok(Some(totals.outcome(item.user_id, recovered, started)));
        }
    }
}

async fn fetch_accounts(
    state: &AppState,
    access: &ItemAccess,
) -> Result<Vec<AccountState>, SyncError> {
    Ok(retrying(state, || state.plaid.accounts_get(access))
        .await?
        .accounts
        .iter()
        .map(account_state)
        .collect())
}

/// The item's accounts stored so far, by Plaid's id.
async fn known_accounts(
    tx: &mut PgConnection,
    item_id: ItemId,
) -> Result<HashSet<String>, SyncError> {
    Ok(db::sync::account_ids(tx, item_id)
        .await?
        .into_iter()
        .collect())
}

/// An account can appear at the bank after this pass listed the item's accounts: before a
/// page names it, it is fetched and stored, or the pass fails. A transaction whose account is
/// missing would not be stored while the cursor moved past it, and Plaid never sends it again.
async fn store_new_accounts(
    state: &AppState,
    tx: &mut PgConnection,
    item: &PlaidItem,
    access: &ItemAccess,
    page: &TransactionsSyncResponse,
    known: &mut HashSet<String>,
) -> Result<(), SyncError> {
    let missing: HashSet<&str> = page
        .added
        .iter()
        .chain(&page.modified)
        .map(|transaction| transaction.account_id.as_str())
        .filter(|account_id| !known.contains(*account_id))
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    tracing::info!(
        accounts = missing.len(),
        "accounts appeared during the pass: fetching them"
    );
    let accounts = fetch_accounts(state, access).await?;
    db::sync::upsert_accounts(tx, item.item_id, item.user_id, &accounts).await?;
    *known = known_accounts(tx, item.item_id).await?;
    match missing
        .into_iter()
        .find(|account_id| !known.contains(*account_id))
    {
        Some(unknown) => Err(SyncError::UnknownAccount(unknown.to_owned())),
        None => Ok(()),
    }
}

async fn fetch_page(
    state: &AppState,
    access: &ItemAccess,
    cursor: Option<&str>,
) -> Result<TransactionsSyncResponse, SyncError> {
    let cursor = cursor.filter(|c| !c.is_empty());
    match retrying(state, || {
        state.plaid.transactions_sync(access, cursor, PAGE_SIZE)
    })
    .await
    {
        Ok(page) => Ok(page),
        Err(error) if error.is_mutation_during_pagination() => Err(SyncError::Restart),
        Err(error) => Err(error.into()),
    }
}

/// Makes a Plaid call, trying again after a short, doubling wait while it fails for a passing
/// reason, at most `CALL_TRIES` times.
async fn retrying<T, F: Future<Output = Result<T, PlaidError>>>(
    state: &AppState,
    mut call: impl FnMut() -> F,
) -> Result<T, PlaidError> {
    let mut wait = state.settings.sync.retry_base.min(MAX_CALL_WAIT);
    let mut tries = 1;
    loop {
        match call().await {
            Err(error) if error.is_retryable() && tries < CALL_TRIES => {
                tracing::info!(%error, tries, wait_ms = wait.as_millis(), "trying the call again");
                tokio::time::sleep(wait).await;
                wait = wait.saturating_mul(2).min(MAX_CALL_WAIT);
                tries += 1;
            }
            outcome => return outcome,
        }
    }
}

/// One page's changes, ready to write: a transaction listed twice keeps its last version.
struct PageChanges {
    rows: TransactionRows,
    removed: Vec<String>,
}

impl PageChanges {
    fn of(page: &TransactionsSyncResponse) -> Self {
        let mut upserts: Vec<TransactionState> = Vec::new();
        let mut position: HashMap<&str, usize> = HashMap::new();
        for transaction in page.added.iter().chain(&page.modified) {
            let state = transaction_state(transaction);
            match position.get(transaction.transaction_id.as_str()) {
                Some(&at) => upserts[at] = state,
                None => {
                    position.insert(&transaction.transaction_id, upserts.len());
                    upserts.push(state);
                }
            }
        }
        let removed = page
            .removed
            .iter()
            .map(|gone| gone.transaction_id.clone())
            .collect();
        Self {
            rows: TransactionRows::of(upserts),
            removed,
        }
    }

    /// Writes the page, then runs the person's rules on what it inserted or modified.
    async fn write(
        &self,
        tx: &mut PgConnection,
        item: &PlaidItem,
        rules: &RuleSet,
        first_pass: &mut FirstPass,
    ) -> Result<Written, SyncError> {
        let item_id = item.item_id;
        let posting = Posting::before_write(tx, item_id, &self.rows).await?;
        let write = first_pass.write_for(&self.rows);
        let upserted = db::sync::write_transactions(tx, item_id, &self.rows, write)
            .await
            .map_err(|error| {
                if db::sync::is_id_taken(&error) {
                    SyncError::IdTaken
                } else {
                    error.into()
                }
            })?;
        posting.after_write(tx, item_id).await?;
        pending_labels::keep_removed(tx, item_id, &self.removed).await?;
        let removed = db::sync::delete_transactions(tx, item_id, &self.removed).await?;
        let offered = u64::try_from(self.rows.len()).unwrap_or(u64::MAX);
        let updated = u64::try_from(upserted.updated.len()).unwrap_or(u64::MAX);
        // The cursor must never move past a row that was not stored.
        let skipped = offered.saturating_sub(upserted.inserted + updated);
        if skipped > 0 {
            return Err(SyncError::NotStored(skipped));
        }
        // A new row has no split of its own (one carried from its pending row is claimed only
        // when it adds up) and no rule labels yet: only overwritten rows are checked for
        // splits, and with no rules only they can have labels to clear.
        let splits_removed = drop_unbalanced_splits(tx, item_id, &upserted.updated).await?;
        if rules.is_empty() {
            if !upserted.updated.is_empty() {
                db::rules::relabel_synced(tx, item.user_id, item_id, &upserted.updated, rules)
                    .await?;
            }
        } else {
            let written: Vec<String> = self.rows.plaid_ids().map(str::to_owned).collect();
            db::rules::relabel_synced(tx, item.user_id, item_id, &written, rules).await?;
        }
        Ok(Written {
            upserted,
            removed,
            splits_removed,
        })
    }
}

/// The Plaid ids written by a pass that began with none of the item's transactions stored (its
/// first, or one after the bank's history was emptied), kept as hashes: while a page's ids are
/// all new to the pass, nothing stored can have them, and the page is inserted instead of
/// upserted. A hash shared by two ids only makes a page an upsert.
struct FirstPass {
    written: Option<HashSet<u64>>,
    hasher: RandomState,
}

impl FirstPass {
    async fn of(tx: &mut PgConnection, item_id: ItemId) -> Result<Self, SyncError> {
        let stored = db::sync::has_transactions(tx, item_id).await?;
        Ok(Self {
            written: (!stored).then(HashSet::new),
            hasher: RandomState::new(),
        })
    }

    fn write_for(&mut self, rows: &TransactionRows) -> Write {
        let Some(written) = &mut self.written else {
            return Write::Upsert;
        };
        let mut all_new = true;
        for id in rows.plaid_ids() {
            all_new &= written.insert(self.hasher.hash_one(id));
        }
        if all_new {
            Write::Insert
        } else {
            Write::Upsert
        }
    }
}

/// A split whose parts no longer add up to its transaction's new amount is removed, in the
/// page's write, and its transaction marked for review; the worker tells the person.
async fn drop_unbalanced_splits(
    tx: &mut PgConnection,
    item_id: ItemId,
    written: &[String],
) -> Result<Vec<TransactionId>, SyncError> {
    if written.is_empty() {
        return Ok(Vec::new());
    }
    let dropped = db::splits::drop_unbalanced(tx, item_id, written).await?;
    if !dropped.is_empty() {
        tracing::info!(
            transactions = dropped.len(),
            "the bank changed the amount of split transactions: splits removed"
        );
    }
    Ok(dropped)
}

struct Written {
    upserted: Upserted,
    removed: u64,
    splits_removed: Vec<TransactionId>,
}

#[derive(Default)]
struct Totals {
    added: u64,
    modified: u64,
    removed: u64,
    pages: u64,
    splits_removed: Vec<TransactionId>,
}

impl Totals {
    fn add(&mut self, written: Written) {
        self.added += written.upserted.inserted;
        self.modified += u64::try_from(written.upserted.updated.len()).unwrap_or(u64::MAX);
        self.removed += written.removed;
        self.pages += 1;
        self.splits_removed.extend(written.splits_removed);
    }

    fn changed_any(&self) -> bool {
        self.added + self.modified + self.removed > 0
    }

    fn outcome(self, user_id: UserId, recovered: bool, started: Instant) -> SyncOutcome {
        tracing::info!(
            added = self.added,
            modified = self.modified,
            removed = self.removed,
            pages = self.pages,
            elapsed_ms = started.elapsed().as_millis(),
            "synced"
        );
        SyncOutcome {
            user_id,
            added: self.added,
            modified: self.modified,
            removed: self.removed,
            recovered,
            splits_removed: self.splits_removed,
        }
    }
}

fn account_state(account: &Account) -> AccountState {
    AccountState {
        plaid_account_id: account.account_id.clone(),
        name: account.name.clone(),
        official_name: account.official_name.clone(),
        mask: account.mask.clone(),
        account_type: account.account_type.as_str().to_owned(),
        subtype: account.subtype.clone(),
        holder_category: account.holder_category.clone(),
        current_balance: account.balances.current,
        available_balance: account.balances.available,
        credit_limit: account.balances.limit,
        iso_currency_code: account.balances.iso_currency_code.clone(),
        unofficial_currency_code: account.balances.unofficial_currency_code.clone(),
        balance_updated_at: account.balances.last_updated_datetime,
    }
}

fn transaction_state(transaction: &Transaction) -> TransactionState {
    let category = transaction.personal_finance_category.as_ref();
    TransactionState {
        plaid_transaction_id: transaction.transaction_id.clone(),
        plaid_account_id: transaction.account_id.clone(),
        amount: transaction.amount,
        iso_currency_code: transaction.iso_currency_code.clone(),
        unofficial_currency_code: transaction.unofficial_currency_code.clone(),
        date: transaction.date,
        authorized_date: transaction.authorized_date,
        name: transaction.name.clone(),
        merchant_name: transaction.merchant_name.clone(),
        logo_url: transaction.logo_url.clone(),
        website: transaction.website.clone(),
        payment_channel: transaction.payment_channel.as_str().to_owned(),
        category_primary: category.map(|c| c.primary.clone()),
        category_detailed: category.map(|c| c.detailed.clone()),
        category_confidence: category
            .and_then(|c| c.confidence_level.as_ref())
            .map(|level| level.as_str().to_owned()),
        pending: transaction.pending,
        pending_transaction_id: transaction.pending_transaction_id.clone(),
    }
}
