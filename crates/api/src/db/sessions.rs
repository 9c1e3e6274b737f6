//! `user_session`: signed-in browsers, found by the SHA-256 of their token. A session is live
//! until its `expires_at` (idle) and for as long as it is younger than the absolute lifetime,
//! which callers pass as the oldest `created_at` still allowed.

use chrono::{DateTime, Utc};
use sqlx::PgExecutor;
use tally_shared::ids::{SessionId, UserId};

#[derive(Debug)]
pub struct SessionUser {
    pub session_id: SessionId,
    pub user_id: UserId,
    pub username: String,
    pub is_admin: bool,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
}

/// A session about to start, and where from.
#[derive(Debug)]
pub struct NewSession<'a> {
    pub user_id: UserId,
    pub token_hash: &'a [u8],
    pub expires_at: DateTime<Utc>,
    pub user_agent: Option<&'a str>,
    pub address: Option<&'a str>,
}

#[tracing::instrument(skip_all)]
pub async fn insert(db: impl PgExecutor<'_>, new: &NewSession<'_>) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "insert into user_session (user_id, token_hash, expires_at, user_agent, address)
         values ($1, $2, $3, $4, $5)",
        new.user_id.0,
        new.token_hash,
        new.expires_at,
        new.user_agent,
        new.address
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
    created_after: DateTime<Utc>,
) -> Result<Option<SessionUser>, sqlx::Error> {
    sqlx::query_as!(
        SessionUser,
        r#"select s.session_id as "session_id: SessionId", s.user_id as "user_id: UserId",
                  u.username::text as "username!", u.is_admin, s.created_at, s.last_seen_at
           from user_session s join app_user u using (user_id)
           where s.token_hash = $1 and s.expires_at > now() and s.created_at > $2"#,
        token_hash,
        created_after
    )
    .fetch_optional(db)
    .await
}

/// Whether the session still exists (it was not signed out or revoked).
#[tracing::instrument(skip_all)]
pub async fn exists(db: impl PgExecutor<'_>, session_id: SessionId) -> Result<bool, sqlx::Error> {
    let found = sqlx::query_scalar!(
        r#"select exists(select 1 from user_session where session_id = $1) as "exists!""#,
        session_id.0
    )
    .fetch_one(db)
    .await?;
    Ok(found)
}

/// Slides the expiry forward after use.
#[tracing::instrument(skip_all)]
pub async fn renew(
    db: impl PgExecutor<'_>,
    session_id: SessionId,
    expires_at: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "update user_session set last_seen_at = now(), expires_at = $2 where session_id = $1",
        session_id.0,
        expires_at
    )
    .execute(db)
    .await?;
    Ok(())
}

/// One of a person's live sessions, as their session list shows it.
#[derive(Debug)]
pub struct SessionRecord {
    pub session_id: SessionId,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub user_agent: Option<String>,
    pub address: Option<String>,
}

/// The user's live sessions, most recently used first.
#[tracing::instrument(skip_all)]
pub async fn list_for_user(
    db: impl PgExecutor<'_>,
    user_id: UserId,
    created_after: DateTime<Utc>,
) -> Result<Vec<SessionRecord>, sqlx::Error> {
    sqlx::query_as!(
        SessionRecord,
        r#"select session_id as "session_id: SessionId", created_at, last_seen_at, user_agent,
                  address
           from user_session
           where user_id = $1 and expires_at > now() and created_at > $2
           order by last_seen_at desc, created_at desc"#,
        user_id.0,
        created_after
    )
    .fetch_all(db)
    .await
}

/// Ends one of the user's sessions; `false` if they have none with that id.
#[tracing::instrument(skip_all)]
pub async fn delete_for_user(
    db: impl PgExecutor<'_>,
    user_id: UserId,
    session_id: SessionId,
) -> Result<bool, sqlx::Error> {
    let result = sqlx::query!(
        "delete from user_session where session_id = $1 and user_id = $2",
        session_id.0,
        user_id.0
    )
    .execute(db)
    .await?;
    Ok(result.rows_affected() > 0)
}

/// Ends every session of the user but `keep`; how many there were.
#[tracing::instrument(skip_all)]
pub async fn delete_all_but(
    db: impl PgExecutor<'_>,
    user_id: UserId,
    keep: SessionId,
) -> Result<u64, sqlx::Error> {
    let result = sqlx::query!(
        "delete from user_session where user_id = $1 and session_id <> $2",
        user_id.0,
        keep.0
    )
    .execute(db)
    .await?;
    Ok(result.rows_affected())
}

/// Ends every session of the user; how many there were.
#[tracing::instrument(skip_all)]
pub async fn delete_all(db: impl PgExecutor<'_>, user_id: UserId) -> Result<u64, sqlx::Error> {
    let result = sqlx::query!("delete from user_session where user_id = $1", user_id.0)
        .execute(db)
        .await?;
    Ok(result.rows_affected())
}

/// A session the purge removed.
#[derive(Debug)]
pub struct EndedSession {
    pub user_id: UserId,
    pub session_id: SessionId,
}

/// Removes the sessions that have ended: idle past their expiry, or created before
/// `created_before` (the absolute lifetime).
#[tracing::instrument(skip_all)]
pub async fn purge_ended(
    db: impl PgExecutor<'_>,
    created_before: DateTime<Utc>,
) -> Result<Vec<EndedSession>, sqlx::Error> {
    sqlx::query_as!(
        EndedSession,
        r#"delete from user_session where expires_at <= now() or created_at <= $1
           returning user_id as "user_id: UserId", session_id as "session_id: SessionId""#,
        created_before
    )
    .fetch_all(db)
    .await
}
