//! `invite`: one-time sign-up invites, found by the SHA-256 of their token.

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgExecutor};
use tally_shared::ids::{InviteId, UserId};

#[tracing::instrument(skip_all)]
pub async fn insert(
    db: impl PgExecutor<'_>,
    token_hash: &[u8],
    created_by: UserId,
    expires_at: DateTime<Utc>,
) -> Result<InviteId, sqlx::Error> {
    sqlx::query_scalar!(
        r#"insert into invite (token_hash, created_by, expires_at) values ($1, $2, $3)
           returning invite_id as "invite_id: InviteId""#,
        token_hash,
        created_by.0,
        expires_at
    )
    .fetch_one(db)
    .await
}

/// One invite as administrators see it, with the names of who made and who used it.
#[derive(Debug)]
pub struct InviteRecord {
    pub invite_id: InviteId,
    pub created_by: Option<String>,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub used_at: Option<DateTime<Utc>>,
    pub used_by: Option<String>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// Every invite, newest first.
#[tracing::instrument(skip_all)]
pub async fn list(db: impl PgExecutor<'_>) -> Result<Vec<InviteRecord>, sqlx::Error> {
    sqlx::query_as!(
        InviteRecord,
        r#"select i.invite_id as "invite_id: InviteId", creator.username::text as created_by,
                  i.created_at, i.expires_at, i.used_at, invitee.username::text as used_by,
                  i.revoked_at
           from invite i
           left join app_user creator on creator.user_id = i.created_by
           left join app_user invitee on invitee.user_id = i.used_by
           order by i.created_at desc, i.invite_id"#
    )
    .fetch_all(db)
    .await
}

/// What revoking an invite did.
#[derive(Debug, PartialEq, Eq)]
pub enum Revoked {
    /// Revoked now, or it already was.
    Done,
    /// Someone signed up with it already; there is nothing left to revoke.
    AlreadyUsed,
    NotFound,
}

#[tracing::instrument(skip_all)]
pub async fn revoke(db: &mut PgConnection, invite_id: InviteId) -> Result<Revoked, sqlx::Error> {
    let used = sqlx::query_scalar!(
        r#"select used_at is not null as "used!" from invite where invite_id = $1 for update"#,
        invite_id.0
    )
    .fetch_optional(&mut *db)
    .await?;
    match used {
        None => Ok(Revoked::NotFound),
        Some(true) => Ok(Revoked::AlreadyUsed),
        Some(false) => {
            sqlx::query!(
                "update invite set revoked_at = coalesce(revoked_at, now()) where invite_id = $1",
                invite_id.0
            )
            .execute(db)
            .await?;
            Ok(Revoked::Done)
        }
    }
}

/// Why an invite cannot be used, or that it can.
#[derive(Debug, PartialEq, Eq)]
pub enum InviteState {
    Usable(InviteId),
    Unknown,
    Used,
    Revoked,
    Expired,
}

/// The invite with this token hash, locked until the transaction ends, so only one sign-up can
/// use it.
#[tracing::instrument(skip_all)]
pub async fn find_for_use(
    db: &mut PgConnection,
    token_hash: &[u8],
) -> Result<InviteState, sqlx::Error> {
    let found = sqlx::query!(
        r#"select invite_id as "invite_id: InviteId", used_at is not null as "used!",
                  revoked_at is not null as "revoked!", expires_at <= now() as "expired!"
           from invite where token_hash = $1 for update"#,
        token_hash
    )
    .fetch_optional(db)
    .await?;
    Ok(match found {
        None => InviteState::Unknown,
        Some(invite) if invite.used => InviteState::Used,
        Some(invite) if invite.revoked => InviteState::Revoked,
        Some(invite) if invite.expired => InviteState::Expired,
        Some(invite) => InviteState::Usable(invite.invite_id),
    })
}

/// Records that `user_id` signed up with the invite (in the transaction that created them).
#[tracing::instrument(skip_all)]
pub async fn mark_used(
    db: impl PgExecutor<'_>,
    invite_id: InviteId,
    user_id: UserId,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "update invite set used_at = now(), used_by = $2 where invite_id = $1",
        invite_id.0,
        user_id.0
    )
    .execute(db)
    .await?;
    Ok(())
}
