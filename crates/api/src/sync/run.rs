//! One sync of one item (`reference/plaid-api.md` §3): page through `/transactions/sync` from the
//! stored cursor, fold the pages into one change set, and write it in one transaction.

use crate::crypto::CipherError;
use crate::db;
use crate::db::sync::{AccountState, TransactionState};
use crate::items;
use crate::plaid::types::{Account, Transaction};
use crate::plaid::{ItemAccess, PlaidClient, PlaidError};
use crate::state::AppState;
use sqlx::PgConnection;
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

/// Transactions per `/transactions/sync` page: Plaid's maximum.
const PAGE_SIZE: u32 = 500;
/// Restarts after TRANSACTIONS_SYNC_MUTATION_DURING_PAGINATION before the run is retried later.
const MAX_RESTARTS: usize = 5;

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
}

/// What a committed sync changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SyncOutcome {
    pub user_id: Uuid,
    pub added: u64,
    pub modified: u64,
    pub removed: u64,
    /// The sync cleared an error status.
    pub recovered: bool,
}

/// Syncs the item. `Ok(None)`: the item was removed before the run could commit.
#[tracing::instrument(skip_all, fields(%item_id))]
pub async fn sync_item(state: &AppState, item_id: Uuid) -> Result<Option<SyncOutcome>, SyncError> {
    let mut conn = state.db.acquire().await?;
    // Never two runs of one item at once, across every process: a session-level lock that
    // PostgreSQL releases by itself if this process dies.
    let locked: bool =
        sqlx::query_scalar("select pg_try_advisory_lock(hashtextextended($1::text, 0))")
            .bind(item_id)
            .fetch_one(&mut *conn)
            .await?;
    if !locked {
        return Err(SyncError::Busy);
    }
    let result = run_locked(state, &mut conn, item_id).await;
    let unlocked = sqlx::query("select pg_advisory_unlock(hashtextextended($1::text, 0))")
        .bind(item_id)
        .execute(&mut *conn)
        .await;
    if unlocked.is_err() {
        // The connection is in doubt: close it so the lock cannot outlive this run.
        drop(conn.detach());
    }
    result
}

async fn run_locked(
    state: &AppState,
    conn: &mut PgConnection,
    item_id: Uuid,
) -> Result<Option<SyncOutcome>, SyncError> {
    let Some(item) = db::items::by_id(&mut *conn, item_id).await? else {
        return Ok(None);
    };
    let access = items::access(&state.cipher, &item)?;
    let started = std::time::Instant::now();
    let changes = fetch_changes(&state.plaid, &access, item.sync_cursor.as_deref()).await?;
    // `/transactions/sync` leaves out investment accounts; net worth needs every account.
    let accounts: Vec<AccountState> = state
        .plaid
        .accounts_get(&access)
        .await?
        .accounts
        .iter()
        .map(account_state)
        .collect();
    let upserts: Vec<TransactionState> = changes.upserts.into_values().collect();
    let removed: Vec<String> = changes.removed.into_iter().collect();

    let fetched = started.elapsed();
    let mut tx = sqlx::Connection::begin(&mut *conn).await?;
    db::sync::upsert_accounts(&mut tx, item.item_id, item.user_id, &accounts).await?;
    db::sync::snapshot_balances(&mut tx, item.item_id, chrono::Utc::now().date_naive()).await?;
    let written = db::sync::upsert_transactions(&mut tx, item.item_id, &upserts).await?;
    let deleted = db::sync::delete_transactions(&mut tx, item.item_id, &removed).await?;
    let Some(recovered) = db::sync::finish(&mut tx, item.item_id, &changes.cursor).await? else {
        return Ok(None);
    };
    tx.commit().await?;

    let skipped = u64::try_from(upserts.len())
        .unwrap_or(u64::MAX)
        .saturating_sub(written.inserted + written.updated);
    if skipped > 0 {
        tracing::warn!(
            skipped,
            "transactions for accounts the item does not have were not stored"
        );
    }
    tracing::info!(
        added = written.inserted,
        modified = written.updated,
        removed = deleted,
        fetch_ms = fetched.as_millis(),
        write_ms = (started.elapsed() - fetched).as_millis(),
        "synced"
    );
    Ok(Some(SyncOutcome {
        user_id: item.user_id,
        added: written.inserted,
        modified: written.updated,
        removed: deleted,
        recovered,
    }))
}

/// Every page since `cursor`, folded in order: a later page's word on a transaction wins.
struct ChangeSet {
    upserts: HashMap<String, TransactionState>,
    removed: HashSet<String>,
    cursor: String,
}

async fn fetch_changes(
    plaid: &PlaidClient,
    access: &ItemAccess,
    start: Option<&str>,
) -> Result<ChangeSet, SyncError> {
    'run: for _ in 0..MAX_RESTARTS {
        let mut changes = ChangeSet {
            upserts: HashMap::new(),
            removed: HashSet::new(),
            cursor: start.unwrap_or_default().to_owned(),
        };
        loop {
            let cursor = Some(changes.cursor.as_str()).filter(|c| !c.is_empty());
            let page = match plaid.transactions_sync(access, cursor, PAGE_SIZE).await {
                Ok(page) => page,
                Err(error) if error.is_mutation_during_pagination() => {
                    tracing::info!(
                        "data changed while paging: starting over from the first cursor"
                    );
                    continue 'run;
                }
                Err(error) => return Err(error.into()),
            };
            for transaction in page.added.iter().chain(&page.modified) {
                changes.removed.remove(&transaction.transaction_id);
                changes.upserts.insert(
                    transaction.transaction_id.clone(),
                    transaction_state(transaction),
                );
            }
            for gone in page.removed {
                changes.upserts.remove(&gone.transaction_id);
                changes.removed.insert(gone.transaction_id);
            }
            changes.cursor = page.next_cursor;
            if !page.has_more {
                return Ok(changes);
            }
        }
    }
    Err(SyncError::KeptChanging)
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
