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

/// Serializes, across replicas, everything that decides who is an administrator or whether the
/// database is empty: sign-ups, promotions, demotions and deletions take it first in their
/// transaction, so two of them cannot both see "the first user" or "another admin is left".
#[tracing::instrument(skip_all)]
pub async fn lock_roles(conn: &mut PgConnection) -> Result<(), sqlx::Error> {
    sqlx::query!("select pg_advisory_xact_lock(hashtext('app_user.roles'))")
        .execute(conn)
        .await?;
    Ok(())
}

/// Whether any account exists yet.
#[tracing::instrument(skip_all)]
pub async fn any_exist(db: impl PgExecutor<'_>) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar!(r#"select exists (select 1 from app_user) as "exists!""#)
        .fetch_one(db)
        .await
}

#[tracing::instrument(skip_all)]
pub async fn insert(
    db: impl PgExecutor<'_>,
    username: &str,
    password_hash: &str,
    is_admin: bool,
) -> Result<UserRecord, sqlx::Error> {
    sqlx::query_as!(
        UserRecord,
        r#"insert into app_user (username, password_hash, is_admin)
           values ($1, $2, $3)
           returning user_id as "user_id: UserId", username::text as "username!", password_hash,
                     is_admin, created_at"#,
        username as _,
        password_hash,
        is_admin
    )
    .fetch_one(db)
    .await
}

#[tracing::instrument(skip_all)]
pub async fn by_id(
    db: impl PgExecutor<'_>,
    user_id: UserId,
) -> Result<Option<UserRecord>, sqlx::Error> {
    sqlx::query_as!(
        UserRecord,
        r#"select user_id as "user_id: UserId", username::text as "username!", password_hash,
                  is_admin, created_at
           from app_user where user_id = $1"#,
        user_id.0
    )
    .fetch_optional(db)
    .await
}

/// Whether `user_id` is an administrator and no one else is. Take `lock_roles` first, so the
/// answer holds until the transaction ends.
#[tracing::instrument(skip_all)]
pub async fn is_last_admin(db: impl PgExecutor<'_>, user_id: UserId) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar!(
        r#"select coalesce(bool_and(user_id = $1), false) as "last!"
           from app_user where is_admin"#,
        user_id.0
    )
    .fetch_one(db)
    .await
}

/// Whether deleting `user_id` would leave accounts without an administrator: they are the last
/// one and someone else has an account. (The only account may go: the database is then empty,
/// and the next sign-up is the administrator again.) Take `lock_roles` first.
#[tracing::instrument(skip_all)]
pub async fn is_last_admin_of_others(
    db: impl PgExecutor<'_>,
    user_id: UserId,
) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar!(
        r#"select coalesce(bool_and(user_id = $1) filter (where is_admin), false)
                  and count(*) > 1 as "last!"
           from app_user"#,
        user_id.0
    )
    .fetch_one(db)
    .await
}

/// Makes a user an administrator or not; `false` when there is no such user.
#[tracing::instrument(skip_all)]
pub async fn set_admin(
    db: impl PgExecutor<'_>,
    user_id: UserId,
    is_admin: bool,
) -> Result<bool, sqlx::Error> {
    let result = sqlx::query!(
        "update app_user set is_admin = $2 where user_id = $1",
        user_id.0,
        is_admin
    )
    .execute(db)
    .await?;
    Ok(result.rows_affected() > 0)
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
    pub passkeys: i64,
    pub two_factor: bool,
}

#[tracing::instrument(skip_all)]
pub async fn list(db: impl PgExecutor<'_>) -> Result<Vec<UserSummary>, sqlx::Error> {
    sqlx::query_as!(
        UserSummary,
        r#"select u.user_id as "user_id: UserId", u.username::text as "username!", u.is_admin,
                  u.created_at, count(i.item_id) as "linked_banks!",
                  max(i.last_synced_at) as last_synced_at,
                  (select count(*) from passkey p where p.user_id = u.user_id) as "passkeys!",
                  exists (select 1 from totp_credential t
                          where t.user_id = u.user_id and t.enabled_at is not null)
                      as "two_factor!"
           from app_user u left join plaid_item i using (user_id)
           group by u.user_id order by u.created_at"#
    )
    .fetch_all(db)
    .await
}

#[tracing::instrument(skip_all)]
pub async fn set_password_hash(
    db: impl PgExecutor<'_>,
    user_id: UserId,
    password_hash: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "update app_user set password_hash = $2 where user_id = $1",
        user_id.0,
        password_hash
    )
    .execute(db)
    .await?;
    Ok(())
}
