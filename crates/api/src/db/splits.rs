//! `transaction_split`: a transaction divided into parts, each with its own category. Written
//! by the person (`PUT`/`DELETE /api/transactions/{id}/splits`) and dropped by a sync that
//! changes the amount under them.

use crate::domain::SplitPart;
use rust_decimal::Decimal;
use sqlx::{PgConnection, PgExecutor};
use tally_shared::ids::{CategoryId, ItemId, TransactionId, UserId};
use uuid::Uuid;

/// The amount of one of the person's transactions, its row locked until the transaction ends,
/// so a sync that changes the amount waits for the split (and then checks it) or goes first
/// (and the split is checked against its amount). `None` for anyone else's or none at all.
#[tracing::instrument(skip_all)]
pub async fn lock_amount(
    conn: &mut PgConnection,
    user_id: UserId,
    transaction_id: TransactionId,
) -> Result<Option<Decimal>, sqlx::Error> {
    sqlx::query_scalar!(
        "select amount from bank_transaction
         where transaction_id = $1 and user_id = $2
         for update",
        transaction_id.0,
        user_id.0
    )
    .fetch_optional(conn)
    .await
}

/// Which of `category_ids` the person does not see (someone else's, or none at all).
#[tracing::instrument(skip_all)]
pub async fn unseen_categories(
    db: impl PgExecutor<'_>,
    user_id: UserId,
    category_ids: &[Uuid],
) -> Result<Vec<CategoryId>, sqlx::Error> {
    sqlx::query_scalar!(
        r#"select wanted.id as "id!: CategoryId"
           from unnest($2::uuid[]) as wanted(id)
           where not exists (select 1 from user_category($1) c where c.category_id = wanted.id)"#,
        user_id.0,
        category_ids
    )
    .fetch_all(db)
    .await
}

/// Replaces the transaction's split with `parts` (in order) and clears its `needs_review`: the
/// person has looked at it. The caller has checked the parts and locked the row.
#[tracing::instrument(skip_all, fields(parts = parts.len()))]
pub async fn replace(
    conn: &mut PgConnection,
    user_id: UserId,
    transaction_id: TransactionId,
    parts: &[SplitPart],
) -> Result<(), sqlx::Error> {
    remove(&mut *conn, user_id, transaction_id).await?;
    sqlx::query!(
        "insert into transaction_split (transaction_id, position, user_id, amount, category_id,
             notes)
         select $1, (part.position - 1)::smallint, $2, part.amount, part.category_id, part.notes
         from unnest($3::numeric[], $4::uuid[], $5::text[])
                  with ordinality as part(amount, category_id, notes, position)",
        transaction_id.0,
        user_id.0,
        &parts.iter().map(|p| p.amount).collect::<Vec<_>>(),
        &parts.iter().map(|p| p.category_id.0).collect::<Vec<_>>(),
        // `as _`: the macros check a text[] only as `&[String]`, not as nullable elements.
        parts.iter().map(|p| p.notes.clone()).collect::<Vec<_>>() as _
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Removes the transaction's split, if it has one, and clears its `needs_review`.
#[tracing::instrument(skip_all)]
pub async fn remove(
    conn: &mut PgConnection,
    user_id: UserId,
    transaction_id: TransactionId,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "delete from transaction_split where transaction_id = $1 and user_id = $2",
        transaction_id.0,
        user_id.0
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!(
        "update bank_transaction set needs_review = false
         where transaction_id = $1 and user_id = $2 and needs_review",
        transaction_id.0,
        user_id.0
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// For the item's transactions with these Plaid ids (the ones a sync page just wrote): removes
/// each split whose parts no longer add up to its transaction's amount and marks the
/// transaction `needs_review`. Returns those transactions.
#[tracing::instrument(skip_all, fields(written = plaid_transaction_ids.len()))]
pub async fn drop_unbalanced(
    conn: &mut PgConnection,
    item_id: ItemId,
    plaid_transaction_ids: &[String],
) -> Result<Vec<TransactionId>, sqlx::Error> {
    // From the page's rows (by `plaid_transaction_id`'s unique index) to their parts (by
    // `transaction_split`'s primary key): the cost follows the page, not the number of splits.
    sqlx::query_scalar!(
        r#"with unbalanced as (
               select t.transaction_id
               from bank_transaction t
               join transaction_split s on s.transaction_id = t.transaction_id
               where t.item_id = $1
                 and t.plaid_transaction_id = any($2)
               group by t.transaction_id, t.amount
               having sum(s.amount) <> t.amount),
           dropped as (
               delete from transaction_split s using unbalanced u
               where s.transaction_id = u.transaction_id)
           update bank_transaction t set needs_review = true
           from unbalanced u
           where t.transaction_id = u.transaction_id
           returning t.transaction_id as "transaction_id!: TransactionId""#,
        item_id.0,
        plaid_transaction_ids
    )
    .fetch_all(conn)
    .await
}
