//! `NOTIFY`: messages to every process listening on a channel, held until the sender's
//! transaction commits.

use sqlx::PgExecutor;

#[tracing::instrument(skip_all)]
pub async fn notify(
    db: impl PgExecutor<'_>,
    channel: &str,
    payload: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query!("select pg_notify($1, $2)", channel, payload)
        .execute(db)
        .await?;
    Ok(())
}
