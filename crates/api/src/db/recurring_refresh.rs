//! `recurring_refresh`: the queue of items whose recurring streams are to be fetched again,
//! one row per item, shared by every api process on the database.

use chrono::{DateTime, Utc};
use sqlx::PgExecutor;
use std::time::Duration;
use tally_shared::ids::ItemId;
use uuid::Uuid;

/// A claimed refresh: the item's, this worker's while the row carries `lease_token`.
#[derive(Debug, Clone)]
pub struct RefreshClaim {
    pub item_id: ItemId,
    /// Including the attempt now starting.
    pub attempts: i32,
    pub lease_token: Uuid,
    /// When Plaid last refused the recurring product for the item, if it did.
    pub plaid_refused_at: Option<DateTime<Utc>>,
}

/// Asks for a refresh of the item's streams. Requests while one waits or runs fold into one
/// more run.
#[tracing::instrument(skip_all, fields(%item_id))]
pub async fn request(db: impl PgExecutor<'_>, item_id: ItemId) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "insert into recurring_refresh (item_id, wanted_at) values ($1, clock_timestamp())
         on conflict (item_id) do update set wanted_at = clock_timestamp()",
        item_id.0
    )
    .execute(db)
    .await?;
    Ok(())
}

/// Takes the next item with a refresh wanted and due, or one whose run's lease ran out (its
/// process died), and leases it for `lease` under a new token. An item being refreshed is
/// never taken: its lease has not run out.
#[tracing::instrument(skip_all)]
pub async fn claim(
    db: impl PgExecutor<'_>,
    lease: Duration,
) -> Result<Option<RefreshClaim>, sqlx::Error> {
    sqlx::query_as!(
        RefreshClaim,
        r#"update recurring_refresh
           set taken_at = wanted_at, attempts = attempts + 1,
               lease_until = now() + make_interval(secs => $1), lease_token = gen_random_uuid()
           where item_id = (
               select r.item_id from recurring_refresh r
               where (r.wanted_at > coalesce(r.taken_at, '-infinity') or r.lease_until is not null)
                 and coalesce(r.lease_until, '-infinity') < now()
                 and r.run_after <= now()
               order by r.run_after
               limit 1
               for update skip locked)
           returning item_id as "item_id: ItemId", attempts, lease_token as "lease_token!",
                     plaid_refused_at"#,
        lease.as_secs_f64()
    )
    .fetch_optional(db)
    .await
}

/// The run ended (well, or in a way retrying cannot change): the next one, if any was asked
/// for meanwhile, comes no sooner than `gap` from now.
#[tracing::instrument(skip_all, fields(item_id = %claim.item_id))]
pub async fn finish(
    db: impl PgExecutor<'_>,
    claim: &RefreshClaim,
    gap: Duration,
    error: Option<&str>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "update recurring_refresh
         set lease_until = null, lease_token = null, attempts = 0, last_error = $3,
             run_after = now() + make_interval(secs => $4)
         where item_id = $1 and lease_token = $2",
        claim.item_id.0,
        claim.lease_token,
        error,
        gap.as_secs_f64()
    )
    .execute(db)
    .await?;
    Ok(())
}

/// The run failed for a passing reason: it is wanted again at `run_after`.
#[tracing::instrument(skip_all, fields(item_id = %claim.item_id))]
pub async fn retry_at(
    db: impl PgExecutor<'_>,
    claim: &RefreshClaim,
    run_after: DateTime<Utc>,
    error: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "update recurring_refresh
         set lease_until = null, lease_token = null, taken_at = null, run_after = $3,
             last_error = $4
         where item_id = $1 and lease_token = $2",
        claim.item_id.0,
        claim.lease_token,
        run_after,
        error
    )
    .execute(db)
    .await?;
    Ok(())
}

/// Remembers whether Plaid refuses the recurring product for the item (`None`: it answered).
#[tracing::instrument(skip_all, fields(%item_id))]
pub async fn set_plaid_refused(
    db: impl PgExecutor<'_>,
    item_id: ItemId,
    refused_at: Option<DateTime<Utc>>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "update recurring_refresh set plaid_refused_at = $2 where item_id = $1",
        item_id.0,
        refused_at
    )
    .execute(db)
    .await?;
    Ok(())
}
