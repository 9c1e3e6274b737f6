//! `manual_asset`: things of value no bank reports. Every query is scoped by the owner.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use sqlx::{PgConnection, PgExecutor};
use tally_shared::ids::{AssetId, UserId};

#[derive(Debug, Clone)]
pub struct AssetRecord {
    pub asset_id: AssetId,
    pub description: String,
    pub value: Decimal,
    pub currency: String,
    pub created_at: DateTime<Utc>,
}

/// The user's assets, newest first.
#[tracing::instrument(skip_all)]
pub async fn list(
    db: impl PgExecutor<'_>,
    user_id: UserId,
) -> Result<Vec<AssetRecord>, sqlx::Error> {
    sqlx::query_as!(
        AssetRecord,
        r#"select asset_id as "asset_id: AssetId", description, value, currency, created_at
           from manual_asset
           where user_id = $1
           order by created_at desc, asset_id desc"#,
        user_id.0
    )
    .fetch_all(db)
    .await
}

/// A new asset, unless the user already has `cap` of them (`None`). Two inserts for one user
/// take turns (a transaction-scoped lock), so the cap holds under concurrent requests.
#[tracing::instrument(skip_all)]
pub async fn insert_within(
    tx: &mut PgConnection,
    cap: i64,
    user_id: UserId,
    description: &str,
    value: Decimal,
    currency: &str,
) -> Result<Option<AssetRecord>, sqlx::Error> {
    sqlx::query!(
        "select pg_advisory_xact_lock(hashtext('manual_asset.cap'), hashtext($1::uuid::text))",
        user_id.0
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query_as!(
        AssetRecord,
        r#"insert into manual_asset (user_id, description, value, currency)
           select $1, $2, $3, $4
           where (select count(*) from manual_asset where user_id = $1) < $5
           returning asset_id as "asset_id: AssetId", description, value, currency, created_at"#,
        user_id.0,
        description,
        value,
        currency,
        cap
    )
    .fetch_optional(&mut *tx)
    .await
}

/// Deletes one of the user's assets; `false` when they have none with that id.
#[tracing::instrument(skip_all)]
pub async fn delete(
    db: impl PgExecutor<'_>,
    user_id: UserId,
    asset_id: AssetId,
) -> Result<bool, sqlx::Error> {
    let result = sqlx::query!(
        "delete from manual_asset where asset_id = $1 and user_id = $2",
        asset_id.0,
        user_id.0
    )
    .execute(db)
    .await?;
    Ok(result.rows_affected() > 0)
}
