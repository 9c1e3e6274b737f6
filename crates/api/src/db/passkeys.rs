//! `passkey` and `passkey_ceremony`: people's passkeys, and the registrations and sign-ins
//! under way. The WebAuthn values (`credential`, `state`) are webauthn-rs's own JSON; this
//! module stores them and never looks inside.

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgExecutor};
use tally_shared::ids::{PasskeyId, UserId};
use uuid::Uuid;

/// What a ceremony is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CeremonyKind {
    Registration,
    SignIn,
}

impl CeremonyKind {
    fn as_str(self) -> &'static str {
        match self {
            Self::Registration => "registration",
            Self::SignIn => "sign_in",
        }
    }
}

/// A ceremony about to start. A registration names its person and the new passkey's name.
#[derive(Debug)]
pub struct NewCeremony<'a> {
    pub kind: CeremonyKind,
    pub user_id: Option<UserId>,
    pub passkey_name: Option<&'a str>,
    pub state: serde_json::Value,
    pub expires_at: DateTime<Utc>,
}

/// A ceremony taken back by its answer.
#[derive(Debug)]
pub struct TakenCeremony {
    pub passkey_name: Option<String>,
    pub state: serde_json::Value,
    pub expires_at: DateTime<Utc>,
}

/// Stores a ceremony and returns its id; ceremonies that expired unanswered go at the same time.
#[tracing::instrument(skip_all)]
pub async fn insert_ceremony(
    db: impl PgExecutor<'_>,
    new: &NewCeremony<'_>,
) -> Result<Uuid, sqlx::Error> {
    sqlx::query_scalar!(
        r#"with expired as (delete from passkey_ceremony where expires_at < now())
           insert into passkey_ceremony (kind, user_id, passkey_name, state, expires_at)
           values ($1, $2, $3, $4, $5)
           returning ceremony_id"#,
        new.kind.as_str(),
        new.user_id.map(|id| id.0),
        new.passkey_name,
        new.state,
        new.expires_at
    )
    .fetch_one(db)
    .await
}

/// Takes (deletes and returns) the ceremony with this id and kind, started by `user_id` (`None`
/// for a sign-in). `None` when there is no such ceremony: unknown, someone else's, or already
/// answered.
#[tracing::instrument(skip_all)]
pub async fn take_ceremony(
    db: impl PgExecutor<'_>,
    ceremony_id: Uuid,
    kind: CeremonyKind,
    user_id: Option<UserId>,
) -> Result<Option<TakenCeremony>, sqlx::Error> {
    sqlx::query_as!(
        TakenCeremony,
        r#"delete from passkey_ceremony
           where ceremony_id = $1 and kind = $2 and user_id is not distinct from $3
           returning passkey_name, state, expires_at"#,
        ceremony_id,
        kind.as_str(),
        user_id.map(|id| id.0)
    )
    .fetch_optional(db)
    .await
}

/// A person's passkey as they see it in their list.
#[derive(Debug)]
pub struct PasskeySummary {
    pub passkey_id: PasskeyId,
    pub name: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
}

/// The person's passkeys, oldest first.
#[tracing::instrument(skip_all)]
pub async fn list_for_user(
    db: impl PgExecutor<'_>,
    user_id: UserId,
) -> Result<Vec<PasskeySummary>, sqlx::Error> {
    sqlx::query_as!(
        PasskeySummary,
        r#"select passkey_id as "passkey_id: PasskeyId", name, created_at, last_used_at
           from passkey where user_id = $1
           order by created_at, passkey_id"#,
        user_id.0
    )
    .fetch_all(db)
    .await
}

/// How many passkeys the person has (the admin user list, the per-person cap).
#[tracing::instrument(skip_all)]
pub async fn count_for_user(db: impl PgExecutor<'_>, user_id: UserId) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar!(
        r#"select count(*) as "count!" from passkey where user_id = $1"#,
        user_id.0
    )
    .fetch_one(db)
    .await
}

/// The credential ids of the person's passkeys, so an authenticator is not registered twice.
#[tracing::instrument(skip_all)]
pub async fn credential_ids_of_user(
    db: impl PgExecutor<'_>,
    user_id: UserId,
) -> Result<Vec<Vec<u8>>, sqlx::Error> {
    sqlx::query_scalar!(
        "select credential_id from passkey where user_id = $1",
        user_id.0
    )
    .fetch_all(db)
    .await
}

/// Serializes, across replicas, adding passkeys for one person, so that two registrations
/// finishing at once cannot both pass the per-person cap.
#[tracing::instrument(skip_all)]
pub async fn lock_for_user(conn: &mut PgConnection, user_id: UserId) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "select pg_advisory_xact_lock(hashtext('passkey.' || $1::uuid::text))",
        user_id.0
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// A passkey about to be kept.
#[derive(Debug)]
pub struct NewPasskey<'a> {
    pub user_id: UserId,
    pub credential_id: &'a [u8],
    pub name: &'a str,
    pub credential: serde_json::Value,
}

/// Keeps a new passkey. Fails on `passkey_credential_id_key` (that authenticator's credential is
/// already registered) or `passkey_user_name_key` (the person has a passkey by that name).
#[tracing::instrument(skip_all)]
pub async fn insert(
    db: impl PgExecutor<'_>,
    new: &NewPasskey<'_>,
) -> Result<PasskeySummary, sqlx::Error> {
    sqlx::query_as!(
        PasskeySummary,
        r#"insert into passkey (user_id, credential_id, name, credential)
           values ($1, $2, $3, $4)
           returning passkey_id as "passkey_id: PasskeyId", name, created_at, last_used_at"#,
        new.user_id.0,
        new.credential_id,
        new.name,
        new.credential
    )
    .fetch_one(db)
    .await
}

/// A passkey found by the credential id an authenticator answered with, and its person.
#[derive(Debug)]
pub struct StoredPasskey {
    pub passkey_id: PasskeyId,
    pub user_id: UserId,
    pub username: String,
    pub is_admin: bool,
    pub credential: serde_json::Value,
}

#[tracing::instrument(skip_all)]
pub async fn by_credential_id(
    db: impl PgExecutor<'_>,
    credential_id: &[u8],
) -> Result<Option<StoredPasskey>, sqlx::Error> {
    sqlx::query_as!(
        StoredPasskey,
        r#"select p.passkey_id as "passkey_id: PasskeyId", p.user_id as "user_id: UserId",
                  u.username::text as "username!", u.is_admin, p.credential
           from passkey p join app_user u using (user_id)
           where p.credential_id = $1"#,
        credential_id
    )
    .fetch_optional(db)
    .await
}

/// Records a sign-in with the passkey: when, and the credential as it is now (its signature
/// counter and backup state move on with each use).
#[tracing::instrument(skip_all)]
pub async fn record_use(
    db: impl PgExecutor<'_>,
    passkey_id: PasskeyId,
    credential: serde_json::Value,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "update passkey set last_used_at = now(), credential = $2 where passkey_id = $1",
        passkey_id.0,
        credential
    )
    .execute(db)
    .await?;
    Ok(())
}

/// Removes one of the person's passkeys; false when they have none with that id.
#[tracing::instrument(skip_all)]
pub async fn delete(
    db: impl PgExecutor<'_>,
    user_id: UserId,
    passkey_id: PasskeyId,
) -> Result<bool, sqlx::Error> {
    let deleted = sqlx::query!(
        "delete from passkey where passkey_id = $1 and user_id = $2",
        passkey_id.0,
        user_id.0
    )
    .execute(db)
    .await?;
    Ok(deleted.rows_affected() > 0)
}

/// Removes every passkey of the person and their registrations under way (an administrator's
/// reset of their second factor). Returns how many passkeys went.
#[tracing::instrument(skip_all)]
pub async fn delete_all_for_user(
    db: impl PgExecutor<'_>,
    user_id: UserId,
) -> Result<u64, sqlx::Error> {
    let deleted = sqlx::query_scalar!(
        r#"with ceremonies as (delete from passkey_ceremony where user_id = $1),
                passkeys as (delete from passkey where user_id = $1 returning 1)
           select count(*) as "count!" from passkeys"#,
        user_id.0
    )
    .fetch_one(db)
    .await?;
    Ok(u64::try_from(deleted).unwrap_or(0))
}
