//! `app_user`.

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgExecutor};
use tally_shared::ids::UserId;

#[derive(Debug, Clone)]
pub struct UserRecord {
    pub user_id: UserId,
    pub username: String,
    pub password_hash: String,
    pub is_admin: bool,
    pub created_at: DateTime<Utc>,
}

/// Inserts a user. The first user ever is an admin, as is anyone `admin` names; a lock keeps
/// two first registrations from both becoming "the first".
#[tracing::instrument(skip_all)]
pub async fn insert(
    conn: &mut PgConnection,
    username: &str,
    password_hash: &str,
    admin: bool,
) -> Result<UserRecord, sqlx::Error> {
    sqlx::query!("select pg_advisory_xact_lock(hashtext('app_user.first_admin'))")
        .execute(&mut *conn)
        .await?;
    sqlx::query_as!(
        UserRecord,
        r#"insert into app_user (username, password_hash, is_admin)
           values ($1, $2, $3 or not exists (select 1 from app_user))
           returning user_id as "user_id: UserId", username::text as "username!", password_hash,
                     is_admin, created_at"#,
        username as _,
        password_hash,
        admin
    )
    .fetch_one(conn)
    .await
}

#[tracing::instrument(skip_all)]
pub async fn by_username(
    db: impl PgExecutor<'_>,
    username: &str,
) -> Result<Option<UserRecord>, sqlx::Error> {
    sqlx::query_as!(
        UserRecord,
        r#"select user_id as "user_id: UserId", username::text as "username!", password_hash,
                  is_admin, created_at
           from app_user where username = $1::citext"#,
        username as _
    )
    .fetch_optional(db)
    .await
}

/// Deletes a user; sessions and (later) everything of theirs go with them by cascade.
#[tracing::instrument(skip_all)]
pub async fn delete(db: impl PgExecutor<'_>, user_id: UserId) -> Result<bool, sqlx::Error> {
    let result = sqlx::query!("delete from app_user where user_id = $1", user_id.0)
        .execute(db)
        .await?;
    Ok(result.rows_affected() > 0)
}

/// One row of the admin's user list.
#[derive(Debug)]
pub struct UserSummary {
    pub user_id: UserId,
    pub username: String,
    pub is_admin: bool,
    pub created_at: DateTime<Utc>,
    pub linked_banks: i64,
    pub last_synced_at: Option<DateTime<Utc>>,
}

#[tracing::instrument(skip_all)]
pub async fn list(db: impl PgExecutor<'_>) -> Result<Vec<UserSummary>, sqlx::Error> {
    sqlx::query_as!(
        UserSummary,
        r#"select u.user_id as "user_id: UserId", u.username::text as "username!", u.is_admin,
                  u.created_at, count(i.item_id) as "linked_banks!",
                  max(i.last_synced_at) as last_synced_at
           from app_user u left join plaid_item i using (user_id)
           group by u.user_id order by u.created_at"#
    )
    .fetch_all(db)
    .await
}
