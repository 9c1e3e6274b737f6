-- Each claim of a sync job gets its own token: a worker completes, retries or renews the job
-- only while the token is still its own, so a worker whose lease ran out (and whose job another
-- worker took) cannot delete or requeue the job from under the new holder.
alter table sync_job add column lease_token uuid;
