//! `budget` (each category's plan versions) and `budget_alert` (the alerts already sent). Every
//! query is scoped by the person.

use crate::domain::budget::{Month, Plan, Version};
use sqlx::{PgConnection, PgExecutor};
use tally_shared::ids::{CategoryId, UserId};

/// Every plan version of the person's budgets.
#[tracing::instrument(skip_all)]
pub async fn versions(
    db: impl PgExecutor<'_>,
    user_id: UserId,
) -> Result<Vec<Version>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"select category_id as "category_id: CategoryId", from_month, amount, currency, rollover
           from budget
           where user_id = $1"#,
        user_id.0
    )
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| Version {
            category_id: row.category_id,
            from: Month::of(row.from_month),
            plan: row.amount.zip(row.currency).map(|(amount, currency)| Plan {
                amount,
                currency,
                rollover: row.rollover,
            }),
        })
        .collect())
}

/// Serialises one person's budget changes, so that "from this month onward" (a write and a
/// delete) is one step against other tabs. Held until the transaction ends.
#[tracing::instrument(skip_all)]
pub async fn lock(conn: &mut PgConnection, user_id: UserId) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "select pg_advisory_xact_lock(hashtextextended('budget:' || $1::uuid, 0))",
        user_id.0
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Sets the category's budget from `from` onward (`None` ends it): later versions are dropped,
/// earlier months keep theirs.
#[tracing::instrument(skip_all)]
pub async fn set_from(
    conn: &mut PgConnection,
    user_id: UserId,
    category_id: CategoryId,
    from: Month,
    plan: Option<&Plan>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "delete from budget where user_id = $1 and category_id = $2 and from_month > $3",
        user_id.0,
        category_id.0,
        from.first_day()
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!(
        "insert into budget (user_id, category_id, from_month, amount, currency, rollover)
         values ($1, $2, $3, $4, $5, $6)
         on conflict (user_id, category_id, from_month)
             do update set amount = excluded.amount, currency = excluded.currency,
                           rollover = excluded.rollover, updated_at = now()",
        user_id.0,
        category_id.0,
        from.first_day(),
        plan.map(|p| p.amount),
        plan.map(|p| p.currency.as_str()),
        plan.is_some_and(|p| p.rollover)
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Records that `threshold` was crossed; false when it had been already.
#[tracing::instrument(skip_all)]
pub async fn record_alert(
    db: impl PgExecutor<'_>,
    user_id: UserId,
    category_id: CategoryId,
    month: Month,
    threshold: i16,
) -> Result<bool, sqlx::Error> {
    let inserted = sqlx::query!(
        "insert into budget_alert (user_id, category_id, month, threshold)
         values ($1, $2, $3, $4)
         on conflict do nothing",
        user_id.0,
        category_id.0,
        month.first_day(),
        threshold
    )
    .execute(db)
    .await?;
    Ok(inserted.rows_affected() == 1)
}
