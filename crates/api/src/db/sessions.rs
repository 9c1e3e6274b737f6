//! `user_session`: signed-in browsers, found by the SHA-256 of their token.

use chrono::{DateTime, Utc};
use sqlx::PgExecutor;
use tally_shared::ids::UserId;
use uuid::Uuid;

#[derive(Debug)]
pub struct SessionUser {
    pub session_id: Uuid,
    pub user_id: UserId,
    pub username: String,
    pub is_admin: bool,
    pub last_seen_at: DateTime<Utc>,
}

#[tracing::instrument(skip_all)]
pub async fn insert(
    db: impl PgExecutor<'_>,
    user_id: UserId,
    token_hash: &[u8],
    expires_at: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "insert into user_session (user_id, token_hash, expires_at) values ($1, $2, $3)",
        user_id.0,
        token_hash,
        expires_at
    )
    .execute(db)
    .await?;
    Ok(())
}

/// The live session with this token hash, and its user.
#[tracing::instrument(skip_all)]
pub async fn find(
    db: impl PgExecutor<'_>,
    token_hash: &[u8],
) -> Result<Option<SessionUser>, sqlx::Error> {
    sqlx::query_as!(
        SessionUser,
        r#"select s.session_id, s.user_id as "user_id: UserId", u.username::text as "username!",
                  u.is_admin, s.last_seen_at
           from user_session s join app_user u using (user_id)
           where s.token_hash = $1 and s.expires_at > now()"#,
        token_hash
    )
    .fetch_optional(db)
    .await
}

/// Slides the expiry forward after use.
#[tracing::instrument(skip_all)]
pub async fn renew(
    db: impl PgExecutor<'_>,
    session_id: Uuid,
    expires_at: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "update user_session set last_seen_at = now(), expires_at = $2 where session_id = $1",
        session_id,
        expires_at
    )
    .execute(db)
    .await?;
    Ok(())
}

#[tracing::instrument(skip_all)]
pub async fn delete(db: impl PgExecutor<'_>, session_id: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query!("delete from user_session where session_id = $1", session_id)
        .execute(db)
        .await?;
    Ok(())
}
