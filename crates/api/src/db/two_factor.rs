//! `totp_credential`, `recovery_code` and `two_factor_challenge`.

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgExecutor};
use tally_shared::ids::UserId;

#[derive(Debug)]
pub struct TotpCredential {
    pub secret: Vec<u8>,
    pub enabled_at: Option<DateTime<Utc>>,
}

/// Starts (or starts again) an enrolment with a new sealed secret; `false` when the person's
/// codes are already on (turning them off comes first).
#[tracing::instrument(skip_all)]
pub async fn start_enrolment(
    db: impl PgExecutor<'_>,
    user_id: UserId,
    sealed_secret: &[u8],
) -> Result<bool, sqlx::Error> {
    let result = sqlx::query!(
        "insert into totp_credential (user_id, secret) values ($1, $2)
         on conflict (user_id) do update
             set secret = excluded.secret, created_at = now(), last_used_step = null
             where totp_credential.enabled_at is null",
        user_id.0,
        sealed_secret
    )
    .execute(db)
    .await?;
    Ok(result.rows_affected() > 0)
}

#[tracing::instrument(skip_all)]
pub async fn credential(
    db: impl PgExecutor<'_>,
    user_id: UserId,
) -> Result<Option<TotpCredential>, sqlx::Error> {
    sqlx::query_as!(
        TotpCredential,
        "select secret, enabled_at from totp_credential where user_id = $1",
        user_id.0
    )
    .fetch_optional(db)
    .await
}

/// Turns codes on with the step of the code that confirmed them; `false` if there was no
/// enrolment waiting (or it was confirmed meanwhile).
#[tracing::instrument(skip_all)]
pub async fn enable(
    db: impl PgExecutor<'_>,
    user_id: UserId,
    step: i64,
) -> Result<bool, sqlx::Error> {
    let result = sqlx::query!(
        "update totp_credential set enabled_at = now(), last_used_step = $2
         where user_id = $1 and enabled_at is null",
        user_id.0,
        step
    )
    .execute(db)
    .await?;
    Ok(result.rows_affected() > 0)
}

/// Accepts a code of time step `step` once: `false` when that step (or a later one) was used
/// already. One statement, so two requests with the same code cannot both pass.
#[tracing::instrument(skip_all)]
pub async fn use_step(
    db: impl PgExecutor<'_>,
    user_id: UserId,
    step: i64,
) -> Result<bool, sqlx::Error> {
    let result = sqlx::query!(
        "update totp_credential set last_used_step = $2
         where user_id = $1 and enabled_at is not null
           and (last_used_step is null or last_used_step < $2)",
        user_id.0,
        step
    )
    .execute(db)
    .await?;
    Ok(result.rows_affected() > 0)
}

/// Replaces the person's recovery codes with these hashes.
#[tracing::instrument(skip_all)]
pub async fn replace_recovery_codes(
    conn: &mut PgConnection,
    user_id: UserId,
    hashes: &[Vec<u8>],
) -> Result<(), sqlx::Error> {
    sqlx::query!("delete from recovery_code where user_id = $1", user_id.0)
        .execute(&mut *conn)
        .await?;
    sqlx::query!(
        "insert into recovery_code (user_id, code_hash) select $1, unnest($2::bytea[])",
        user_id.0,
        hashes
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Uses up one recovery code; `false` if the person has no unused code with that hash.
#[tracing::instrument(skip_all)]
pub async fn use_recovery_code(
    db: impl PgExecutor<'_>,
    user_id: UserId,
    code_hash: &[u8],
) -> Result<bool, sqlx::Error> {
    let result = sqlx::query!(
        "update recovery_code set used_at = now()
         where user_id = $1 and code_hash = $2 and used_at is null",
        user_id.0,
        code_hash
    )
    .execute(db)
    .await?;
    Ok(result.rows_affected() > 0)
}

#[tracing::instrument(skip_all)]
pub async fn recovery_codes_left(
    db: impl PgExecutor<'_>,
    user_id: UserId,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar!(
        r#"select count(*) as "left!" from recovery_code where user_id = $1 and used_at is null"#,
        user_id.0
    )
    .fetch_one(db)
    .await
}

/// Removes the person's authenticator, recovery codes and pending sign-ins; whether they had
/// an authenticator (on or being enrolled).
#[tracing::instrument(skip_all)]
pub async fn remove_all(conn: &mut PgConnection, user_id: UserId) -> Result<bool, sqlx::Error> {
    let removed = sqlx::query!("delete from totp_credential where user_id = $1", user_id.0)
        .execute(&mut *conn)
        .await?
        .rows_affected();
    sqlx::query!("delete from recovery_code where user_id = $1", user_id.0)
        .execute(&mut *conn)
        .await?;
    sqlx::query!(
        "delete from two_factor_challenge where user_id = $1",
        user_id.0
    )
    .execute(&mut *conn)
    .await?;
    Ok(removed > 0)
}

/// Every sealed secret, for `tally rotate-key`.
#[tracing::instrument(skip_all)]
pub async fn all_secrets(db: impl PgExecutor<'_>) -> Result<Vec<(UserId, Vec<u8>)>, sqlx::Error> {
    let rows = sqlx::query!("select user_id, secret from totp_credential")
        .fetch_all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|row| (UserId(row.user_id), row.secret))
        .collect())
}

/// Re-seals one secret, only if it still holds what was read.
#[tracing::instrument(skip_all)]
pub async fn replace_secret(
    db: impl PgExecutor<'_>,
    user_id: UserId,
    old: &[u8],
    new: &[u8],
) -> Result<bool, sqlx::Error> {
    let result = sqlx::query!(
        "update totp_credential set secret = $3 where user_id = $1 and secret = $2",
        user_id.0,
        old,
        new
    )
    .execute(db)
    .await?;
    Ok(result.rows_affected() > 0)
}

/// A sign-in waiting for its code.
#[derive(Debug)]
pub struct Challenge {
    pub user_id: UserId,
    pub username: String,
    pub is_admin: bool,
}

/// Keeps a new challenge (and forgets those that have expired, anyone's).
#[tracing::instrument(skip_all)]
pub async fn insert_challenge(
    conn: &mut PgConnection,
    challenge_hash: &[u8],
    user_id: UserId,
    expires_at: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query!("delete from two_factor_challenge where expires_at <= now()")
        .execute(&mut *conn)
        .await?;
    sqlx::query!(
        "insert into two_factor_challenge (challenge_hash, user_id, expires_at)
         values ($1, $2, $3)",
        challenge_hash,
        user_id.0,
        expires_at
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The challenge, if it exists and has not expired, locked until the transaction ends, so that
/// two requests cannot both finish it.
#[tracing::instrument(skip_all)]
pub async fn lock_challenge(
    conn: &mut PgConnection,
    challenge_hash: &[u8],
) -> Result<Option<Challenge>, sqlx::Error> {
    sqlx::query_as!(
        Challenge,
        r#"select c.user_id as "user_id: UserId", u.username::text as "username!", u.is_admin
           from two_factor_challenge c join app_user u using (user_id)
           where c.challenge_hash = $1 and c.expires_at > now()
           for update of c"#,
        challenge_hash
    )
    .fetch_optional(conn)
    .await
}

/// Counts a wrong code against the challenge, and drops it at `limit` wrong codes.
#[tracing::instrument(skip_all)]
pub async fn fail_challenge(
    conn: &mut PgConnection,
    challenge_hash: &[u8],
    limit: i32,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "update two_factor_challenge set failed_codes = failed_codes + 1
         where challenge_hash = $1",
        challenge_hash
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!(
        "delete from two_factor_challenge where challenge_hash = $1 and failed_codes >= $2",
        challenge_hash,
        limit
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Uses the challenge up.
#[tracing::instrument(skip_all)]
pub async fn delete_challenge(
    db: impl PgExecutor<'_>,
    challenge_hash: &[u8],
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "delete from two_factor_challenge where challenge_hash = $1",
        challenge_hash
    )
    .execute(db)
    .await?;
    Ok(())
}
