//! `carried_labels`: a pending transaction's labels and split on their way to the posted
//! transaction that replaces it (`pending_transaction_id`). The sync carries them there (within
//! a page, across pages and across passes) and the periodic purge drops those never claimed.

use sqlx::{PgConnection, PgExecutor};
use tally_shared::ids::{ItemId, TransactionId, UserId};

/// How long a removed pending transaction's labels wait for their posted transaction. Banks
/// post within days; a pending charge that never posts was cancelled.
pub const KEEP_DAYS: i32 = 30;

/// A split the posted transaction could not take: its parts no longer add up to the amount the
/// bank posted (a tip, a currency's rounding), so it was flagged for review instead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SplitDropped {
    pub transaction_id: TransactionId,
    pub user_id: UserId,
}

/// Of these Plaid ids, the ones the item does not hold yet.
#[tracing::instrument(skip_all, fields(ids = plaid_transaction_ids.len()))]
pub async fn not_stored(
    conn: &mut PgConnection,
    item_id: ItemId,
    plaid_transaction_ids: &[String],
) -> Result<Vec<String>, sqlx::Error> {
    if plaid_transaction_ids.is_empty() {
        return Ok(Vec::new());
    }
    sqlx::query_scalar!(
        r#"select id as "id!" from unnest($2::text[]) id
           where not exists (select 1 from bank_transaction t
                             where t.item_id = $1 and t.plaid_transaction_id = id)"#,
        item_id.0,
        plaid_transaction_ids
    )
    .fetch_all(conn)
    .await
}

/// Keeps the person's labels and split of these pending transactions (by Plaid id) in
/// `carried_labels`, for those that have any. With `unless_posted`, one whose posted
/// transaction is already stored is left out: it has its labels already.
#[tracing::instrument(skip_all, fields(ids = pending_plaid_ids.len()))]
pub async fn carry(
    conn: &mut PgConnection,
    item_id: ItemId,
    pending_plaid_ids: &[String],
    unless_posted: bool,
) -> Result<u64, sqlx::Error> {
    if pending_plaid_ids.is_empty() {
        return Ok(0);
    }
    let carried = sqlx::query!(
        r#"insert into carried_labels (pending_plaid_transaction_id, user_id, item_id,
               user_category_id, user_display_name, notes, user_tags, user_hidden, splits)
           select p.plaid_transaction_id, p.user_id, p.item_id, p.user_category_id,
                  p.user_display_name, p.notes, p.user_tags, p.user_hidden,
                  (select jsonb_agg(jsonb_build_object('amount', s.amount::text,
                                                       'category_id', s.category_id,
                                                       'notes', s.notes)
                                    order by s.position)
                   from transaction_split s where s.transaction_id = p.transaction_id)
           from bank_transaction p
           where p.item_id = $1 and p.plaid_transaction_id = any($2) and p.pending
             and (p.user_category_id is not null or p.user_display_name is not null
                  or p.notes is not null or p.user_tags is not null or p.user_hidden is not null
                  or exists (select 1 from transaction_split s
                             where s.transaction_id = p.transaction_id))
             and not ($3 and exists (select 1 from bank_transaction posted
                                     where posted.item_id = $1
                                       and posted.pending_transaction_id = p.plaid_transaction_id))
           on conflict (pending_plaid_transaction_id) do update set
               user_category_id = excluded.user_category_id,
               user_display_name = excluded.user_display_name, notes = excluded.notes,
               user_tags = excluded.user_tags, user_hidden = excluded.user_hidden,
               splits = excluded.splits, removed_at = now()
           where carried_labels.item_id = excluded.item_id"#,
        item_id.0,
        pending_plaid_ids,
        unless_posted
    )
    .execute(conn)
    .await?;
    Ok(carried.rows_affected())
}

/// Gives these newly stored posted transactions (by Plaid id) the labels and split carried from
/// the pending transactions they name, and forgets what was carried. A split whose parts no
/// longer add up to the posted amount (or names a category that is gone) is not copied: the
/// transaction is flagged `needs_review` and returned.
#[tracing::instrument(skip_all, fields(ids = posted_plaid_ids.len()))]
pub async fn claim(
    conn: &mut PgConnection,
    item_id: ItemId,
    posted_plaid_ids: &[String],
) -> Result<Vec<SplitDropped>, sqlx::Error> {
    if posted_plaid_ids.is_empty() {
        return Ok(Vec::new());
    }
    sqlx::query_as!(
        SplitDropped,
        r#"with used as (
               delete from carried_labels c
               using bank_transaction posted
               where posted.item_id = $1 and posted.plaid_transaction_id = any($2)
                 and c.item_id = $1
                 and c.pending_plaid_transaction_id = posted.pending_transaction_id
               returning posted.transaction_id, posted.user_id, c.user_category_id,
                         c.user_display_name, c.notes, c.user_tags, c.user_hidden, c.splits,
                         c.splits is not null
                           and (coalesce((select sum((e->>'amount')::numeric)
                                          from jsonb_array_elements(c.splits) e), 0)
                                    <> posted.amount
                                or exists (select 1 from jsonb_array_elements(c.splits) e
                                           where not exists (
                                               select 1 from category k
                                               where k.category_id = (e->>'category_id')::uuid)))
                           as split_unfit),
           labelled as (
               update bank_transaction t set
                   user_category_id = u.user_category_id,
                   user_display_name = u.user_display_name, notes = u.notes,
                   user_tags = u.user_tags, user_hidden = u.user_hidden,
                   needs_review = t.needs_review or u.split_unfit
               from used u
               where t.transaction_id = u.transaction_id),
           split as (
               insert into transaction_split (transaction_id, position, user_id, amount,
                                              category_id, notes)
               select u.transaction_id, (e.n - 1)::smallint, u.user_id,
                      (e.part->>'amount')::numeric, (e.part->>'category_id')::uuid,
                      e.part->>'notes'
               from used u
                    cross join lateral jsonb_array_elements(u.splits) with ordinality e(part, n)
               where not u.split_unfit)
           select transaction_id as "transaction_id!: TransactionId",
                  user_id as "user_id!: UserId"
           from used where split_unfit"#,
        item_id.0,
        posted_plaid_ids
    )
    .fetch_all(conn)
    .await
}

/// Forgets labels carried for longer than `days` days: their posted transaction never came.
#[tracing::instrument(skip_all)]
pub async fn prune(db: impl PgExecutor<'_>, days: i32) -> Result<u64, sqlx::Error> {
    let pruned = sqlx::query!(
        "delete from carried_labels where removed_at < now() - make_interval(days => $1)",
        days
    )
    .execute(db)
    .await?;
    Ok(pruned.rows_affected())
}
