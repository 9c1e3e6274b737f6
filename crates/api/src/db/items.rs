//! `plaid_item`: linked banks. Every lookup a route makes is scoped by the owner.

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgExecutor};
use tally_shared::api::items::ItemStatus;
use tally_shared::ids::{ItemId, UserId};

/// An item with its sealed access token, for the code that talks to Plaid about it.
#[derive(Debug, Clone)]
pub struct PlaidItem {
    pub item_id: ItemId,
    pub user_id: UserId,
    pub institution_id: String,
    pub institution_name: String,
    pub plaid_item_id: String,
    /// Sealed by `TokenCipher` with the item id as context.
    pub access_token: Vec<u8>,
    pub status: String,
    pub sync_cursor: Option<String>,
}

/// An item as its owner sees it.
#[derive(Debug, Clone)]
pub struct ItemSummary {
    pub item_id: ItemId,
    pub institution_id: String,
    pub institution_name: String,
    pub status: String,
    pub error_code: Option<String>,
    pub last_synced_at: Option<DateTime<Utc>>,
    pub last_webhook_at: Option<DateTime<Utc>>,
    pub consent_expires_at: Option<DateTime<Utc>>,
    pub syncing: bool,
    pub account_count: i64,
    pub created_at: DateTime<Utc>,
}

/// `sqlx::query_as!` for [`PlaidItem`]s: its columns from `plaid_item`, then `$rest` (a string
/// literal: `where …`) with its arguments. Only a linked item (token exchanged) is read this way.
macro_rules! plaid_items {
    ($rest:literal $(, $arg:expr)*) => {
        sqlx::query_as!(
            PlaidItem,
            r#"select item_id as "item_id: ItemId", user_id as "user_id: UserId", institution_id,
                      institution_name, plaid_item_id as "plaid_item_id!",
                      access_token as "access_token!", status, sync_cursor
               from plaid_item "# + $rest
            $(, $arg)*
        )
    };
}

/// Claims (user, institution) for a new item inside the caller's transaction. A second claim
/// fails on `plaid_item_user_institution_key` (waiting first if the other is uncommitted), so
/// a duplicate link is refused before its public token is exchanged. The caller must fill in
/// the token with [`set_exchanged`] before committing.
#[tracing::instrument(skip_all)]
pub async fn claim(
    conn: &mut PgConnection,
    user_id: UserId,
    institution_id: &str,
    institution_name: &str,
) -> Result<ItemId, sqlx::Error> {
    sqlx::query_scalar!(
        r#"insert into plaid_item (user_id, institution_id, institution_name)
           values ($1, $2, $3) returning item_id as "item_id: ItemId""#,
        user_id.0,
        institution_id,
        institution_name
    )
    .fetch_one(conn)
    .await
}

/// Moves a claim to the bank Plaid reports, inside the claim's transaction; fails on
/// `plaid_item_user_institution_key` as `claim` does when the user has that bank already.
#[tracing::instrument(skip_all)]
pub async fn set_institution(
    conn: &mut PgConnection,
    item_id: ItemId,
    institution_id: &str,
    institution_name: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "update plaid_item set institution_id = $2, institution_name = $3 where item_id = $1",
        item_id.0,
        institution_id,
        institution_name
    )
    .execute(conn)
    .await?;
    Ok(())
}

#[tracing::instrument(skip_all)]
pub async fn set_exchanged(
    conn: &mut PgConnection,
    item_id: ItemId,
    plaid_item_id: &str,
    sealed_access_token: &[u8],
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "update plaid_item set plaid_item_id = $2, access_token = $3 where item_id = $1",
        item_id.0,
        plaid_item_id,
        sealed_access_token
    )
    .execute(conn)
    .await?;
    Ok(())
}

#[tracing::instrument(skip_all)]
pub async fn summaries(
    db: impl PgExecutor<'_>,
    user_id: UserId,
) -> Result<Vec<ItemSummary>, sqlx::Error> {
    summaries_where(db, user_id, None).await
}

#[tracing::instrument(skip_all)]
pub async fn summary(
    db: impl PgExecutor<'_>,
    user_id: UserId,
    item_id: ItemId,
) -> Result<Option<ItemSummary>, sqlx::Error> {
    Ok(summaries_where(db, user_id, Some(item_id))
        .await?
        .into_iter()
        .next())
}

/// The user's items, or only `item_id` of them when given; by bank name, then age.
async fn summaries_where(
    db: impl PgExecutor<'_>,
    user_id: UserId,
    item_id: Option<ItemId>,
) -> Result<Vec<ItemSummary>, sqlx::Error> {
    sqlx::query_as!(
        ItemSummary,
        r#"select i.item_id as "item_id: ItemId", i.institution_id, i.institution_name, i.status,
                  i.error_code, i.last_synced_at, i.last_webhook_at, i.consent_expires_at,
                  exists (select 1 from sync_job j where j.item_id = i.item_id
                          and j.state in ('queued', 'running')) as "syncing!",
                  (select count(*) from account a where a.item_id = i.item_id) as "account_count!",
                  i.created_at
           from plaid_item i
           where i.user_id = $1 and ($2::uuid is null or i.item_id = $2)
           order by i.institution_name, i.created_at"#,
        user_id.0,
        item_id.map(|id| id.0)
    )
    .fetch_all(db)
    .await
}

/// The user's item, or `None` when it is not theirs (or does not exist).
#[tracing::instrument(skip_all)]
pub async fn owned(
    db: impl PgExecutor<'_>,
    user_id: UserId,
    item_id: ItemId,
) -> Result<Option<PlaidItem>, sqlx::Error> {
    plaid_items!("where user_id = $1 and item_id = $2", user_id.0, item_id.0)
        .fetch_optional(db)
        .await
}

#[tracing::instrument(skip_all)]
pub async fn all_owned(
    db: impl PgExecutor<'_>,
    user_id: UserId,
) -> Result<Vec<PlaidItem>, sqlx::Error> {
    plaid_items!("where user_id = $1", user_id.0)
        .fetch_all(db)
        .await
}

/// For the sync engine, which works on behalf of the owner.
#[tracing::instrument(skip_all)]
pub async fn by_id(
    db: impl PgExecutor<'_>,
    item_id: ItemId,
) -> Result<Option<PlaidItem>, sqlx::Error> {
    plaid_items!("where item_id = $1", item_id.0)
        .fetch_optional(db)
        .await
}

/// For webhooks, which name Plaid's item id.
#[tracing::instrument(skip_all)]
pub async fn by_plaid_item_id(
    db: impl PgExecutor<'_>,
    plaid_item_id: &str,
) -> Result<Option<PlaidItem>, sqlx::Error> {
    plaid_items!("where plaid_item_id = $1", plaid_item_id)
        .fetch_optional(db)
        .await
}

/// Deletes the user's item and, by cascade, its accounts, transactions and snapshots.
#[tracing::instrument(skip_all)]
pub async fn delete(
    db: impl PgExecutor<'_>,
    user_id: UserId,
    item_id: ItemId,
) -> Result<bool, sqlx::Error> {
    let result = sqlx::query!(
        "delete from plaid_item where user_id = $1 and item_id = $2",
        user_id.0,
        item_id.0
    )
    .execute(db)
    .await?;
    Ok(result.rows_affected() > 0)
}

/// Sets the status; returns the owner when it changed (so they are told only of real changes).
#[tracing::instrument(skip_all, fields(%item_id, status = status.as_str()))]
pub async fn set_status(
    db: impl PgExecutor<'_>,
    item_id: ItemId,
    status: ItemStatus,
    error_code: Option<&str>,
) -> Result<Option<UserId>, sqlx::Error> {
    sqlx::query_scalar!(
        r#"update plaid_item set status = $2, error_code = $3
           where item_id = $1 and (status, error_code) is distinct from ($2, $3)
           returning user_id as "user_id: UserId""#,
        item_id.0,
        status.as_str(),
        error_code
    )
    .fetch_optional(db)
    .await
}

#[tracing::instrument(skip_all)]
pub async fn set_consent_expiry(
    db: impl PgExecutor<'_>,
    item_id: ItemId,
    expires_at: Option<DateTime<Utc>>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "update plaid_item set consent_expires_at = $2 where item_id = $1",
        item_id.0,
        expires_at
    )
    .execute(db)
    .await?;
    Ok(())
}

#[tracing::instrument(skip_all)]
pub async fn touch_webhook(db: impl PgExecutor<'_>, item_id: ItemId) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "update plaid_item set last_webhook_at = now() where item_id = $1",
        item_id.0
    )
    .execute(db)
    .await?;
    Ok(())
}

/// Every item's sealed access token (`tally rotate-key`).
#[tracing::instrument(skip_all)]
pub async fn all_tokens(db: impl PgExecutor<'_>) -> Result<Vec<(ItemId, Vec<u8>)>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"select item_id as "item_id: ItemId", access_token as "access_token!"
           from plaid_item where access_token is not null"#
    )
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| (row.item_id, row.access_token))
        .collect())
}

#[tracing::instrument(skip_all)]
pub async fn replace_token(
    db: impl PgExecutor<'_>,
    item_id: ItemId,
    old: &[u8],
    new: &[u8],
) -> Result<bool, sqlx::Error> {
    let result = sqlx::query!(
        "update plaid_item set access_token = $3 where item_id = $1 and access_token = $2",
        item_id.0,
        old,
        new
    )
    .execute(db)
    .await?;
    Ok(result.rows_affected() > 0)
}
