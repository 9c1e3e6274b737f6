//! `sync_job`: the sync queue, shared by every api process on the database.

use chrono::{DateTime, Utc};
use sqlx::PgExecutor;
use std::time::Duration;
use tally_shared::ids::ItemId;
use uuid::Uuid;

/// Why a sync was asked for (kept for support; every reason runs the same sync).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyncReason {
    Link,
    Webhook,
    Refresh,
    Schedule,
    Repair,
}

impl SyncReason {
    fn as_str(self) -> &'static str {
        match self {
            Self::Link => "link",
            Self::Webhook => "webhook",
            Self::Refresh => "refresh",
            Self::Schedule => "schedule",
            Self::Repair => "repair",
        }
    }
}

#[derive(Debug, Clone)]
pub struct SyncJob {
    pub sync_job_id: i64,
    pub item_id: ItemId,
    /// Including the attempt now starting.
    pub attempts: i32,
    /// This claim's own token: the job is the worker's only while the row still carries it.
    pub lease_token: Uuid,
}

/// Queues a sync of the item now. If one is already waiting, that one is brought forward
/// instead: at most one waits per item.
#[tracing::instrument(skip_all, fields(%item_id, reason = reason.as_str()))]
pub async fn enqueue(
    db: impl PgExecutor<'_>,
    item_id: ItemId,
    reason: SyncReason,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "insert into sync_job (item_id, reason) values ($1, $2)
         on conflict (item_id) where state = 'queued'
         do update set run_after = least(sync_job.run_after, now())",
        item_id.0,
        reason.as_str()
    )
    .execute(db)
    .await?;
    Ok(())
}

/// Takes the next due job, or one whose worker's lease ran out, and leases it for `lease`
/// under a new token. Skips items that another worker is syncing right now.
#[tracing::instrument(skip_all)]
pub async fn claim(
    db: impl PgExecutor<'_>,
    lease: Duration,
) -> Result<Option<SyncJob>, sqlx::Error> {
    sqlx::query_as!(
        SyncJob,
        r#"update sync_job set state = 'running', attempts = attempts + 1,
                lease_until = now() + make_interval(secs => $1), lease_token = gen_random_uuid()
         where sync_job_id = (
             select j.sync_job_id from sync_job j
             where ((j.state = 'queued' and j.run_after <= now())
                    or (j.state = 'running' and j.lease_until < now()))
               and not exists (select 1 from sync_job r
                               where r.item_id = j.item_id and r.sync_job_id <> j.sync_job_id
                                 and r.state = 'running' and r.lease_until >= now())
             order by j.run_after
             limit 1
             for update skip locked)
         returning sync_job_id, item_id as "item_id: ItemId", attempts,
                   lease_token as "lease_token!""#,
        lease.as_secs_f64()
    )
    .fetch_optional(db)
    .await
}

/// Renews the worker's lease on the job for `lease` from now. Returns false when the job is no
/// longer the worker's (its lease ran out and another worker took it).
#[tracing::instrument(skip_all)]
pub async fn renew(
    db: impl PgExecutor<'_>,
    job: &SyncJob,
    lease: Duration,
) -> Result<bool, sqlx::Error> {
    let renewed = sqlx::query!(
        "update sync_job set lease_until = now() + make_interval(secs => $3)
         where sync_job_id = $1 and state = 'running' and lease_token = $2",
        job.sync_job_id,
        job.lease_token,
        lease.as_secs_f64()
    )
    .execute(db)
    .await?;
    Ok(renewed.rows_affected() == 1)
}

/// The job finished (well, or with an outcome that retrying cannot change). Returns false,
/// and leaves the job alone, when it is no longer the worker's.
#[tracing::instrument(skip_all)]
pub async fn complete(db: impl PgExecutor<'_>, job: &SyncJob) -> Result<bool, sqlx::Error> {
    let deleted = sqlx::query!(
        "delete from sync_job where sync_job_id = $1 and state = 'running' and lease_token = $2",
        job.sync_job_id,
        job.lease_token
    )
    .execute(db)
    .await?;
    Ok(deleted.rows_affected() == 1)
}

/// Puts the job back to run at `run_after`, if it is still the worker's. If another sync of
/// the item is already waiting, this one folds into it. An attempt that did not count (the
/// item was busy) is given back.
#[tracing::instrument(skip_all)]
pub async fn retry_at(
    db: impl PgExecutor<'_>,
    job: &SyncJob,
    run_after: DateTime<Utc>,
    error: &str,
    attempt_counts: bool,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "with held as (
             select 1 from sync_job
             where sync_job_id = $1 and state = 'running' and lease_token = $5),
         waiting as (
             update sync_job set run_after = least(run_after, $3)
             where item_id = $2 and state = 'queued' and sync_job_id <> $1
               and exists (select 1 from held)
             returning 1),
         folded as (
             delete from sync_job where sync_job_id = $1 and exists (select 1 from waiting)
             returning 1)
         update sync_job set state = 'queued', run_after = $3, lease_until = null,
             lease_token = null, last_error = $4,
             attempts = attempts - case when $6 then 0 else 1 end
         where sync_job_id = $1 and exists (select 1 from held)
           and not exists (select 1 from waiting)",
        job.sync_job_id,
        job.item_id.0,
        run_after,
        error,
        job.lease_token,
        attempt_counts
    )
    .execute(db)
    .await?;
    Ok(())
}

/// Gives up on the job, if it is still the worker's; it stays as `failed` for support.
#[tracing::instrument(skip_all)]
pub async fn fail(db: impl PgExecutor<'_>, job: &SyncJob, error: &str) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "update sync_job set state = 'failed', lease_until = null, lease_token = null,
             last_error = $3
         where sync_job_id = $1 and state = 'running' and lease_token = $2",
        job.sync_job_id,
        job.lease_token,
        error
    )
    .execute(db)
    .await?;
    Ok(())
}

/// Queues a sync, due within `jitter`, for every item not synced within `interval` that has
/// no sync waiting or running, no sync that failed within `interval`, and can sync at all.
/// Returns how many were queued.
#[tracing::instrument(skip_all)]
pub async fn schedule_stale(
    db: impl PgExecutor<'_>,
    interval: Duration,
    jitter: Duration,
) -> Result<u64, sqlx::Error> {
    let result = sqlx::query!(
        "insert into sync_job (item_id, reason, run_after)
         select i.item_id, 'schedule', now() + random() * make_interval(secs => $2)
         from plaid_item i
         where i.plaid_item_id is not null
           and i.status not in ('login_required', 'permission_revoked')
           and (i.last_synced_at is null or i.last_synced_at < now() - make_interval(secs => $1))
           and not exists (select 1 from sync_job j
                           where j.item_id = i.item_id
                             and (j.state in ('queued', 'running')
                                  or (j.state = 'failed'
                                      and j.updated_at > now() - make_interval(secs => $1))))
         on conflict (item_id) where state = 'queued' do nothing",
        interval.as_secs_f64(),
        jitter.as_secs_f64()
    )
    .execute(db)
    .await?;
    Ok(result.rows_affected())
}

#[tracing::instrument(skip_all)]
pub async fn prune_failed(
    db: impl PgExecutor<'_>,
    older_than: Duration,
) -> Result<u64, sqlx::Error> {
    let result = sqlx::query!(
        "delete from sync_job where state = 'failed'
         and updated_at < now() - make_interval(secs => $1)",
        older_than.as_secs_f64()
    )
    .execute(db)
    .await?;
    Ok(result.rows_affected())
}
