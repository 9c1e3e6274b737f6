//! SQL, one module per table group. Functions take an executor; callers own transactions.

pub mod accounts;
pub mod assets;
pub mod budgets;
pub mod carried_labels;
pub mod categories;
pub mod events;
pub mod forecast;
pub mod institutions;
pub mod invites;
pub mod items;
pub mod net_worth;
pub mod net_worth_history;
pub mod notify;
pub mod passkeys;
pub mod reconstructed_balances;
pub mod recurring;
pub mod recurring_refresh;
pub mod rules;
pub mod sessions;
pub mod spending;
pub mod splits;
pub mod sync;
pub mod sync_jobs;
pub mod transaction_labels;
pub mod transactions;
pub mod transfers;
pub mod two_factor;
pub mod users;

use sqlx::{PgExecutor, PgPool, Postgres, Transaction};

/// The name of the constraint a database error violated, if any.
pub fn violated_constraint(error: &sqlx::Error) -> Option<&str> {
    match error {
        sqlx::Error::Database(db) => db.constraint(),
        _ => None,
    }
}

/// Asks the database the simplest question, to learn whether it answers.
#[tracing::instrument(skip_all)]
pub async fn ping(db: impl PgExecutor<'_>) -> Result<(), sqlx::Error> {
    sqlx::query_scalar!(r#"select 1 as "answer!""#)
        .fetch_one(db)
        .await?;
    Ok(())
}

/// The settings of [`begin_consistent_read`], which [`begin_report_read`] extends.
macro_rules! consistent_read {
    () => {
        "set transaction isolation level repeatable read, read only; set local jit = off"
    };
}

/// A read-only transaction that sees one snapshot of the database, for answers built from more
/// than one query (totals and their breakdown) that must agree even while a sync commits.
///
/// JIT compilation is off in it: the insight queries run in milliseconds, but the planner takes
/// each `generate_series` for 1,000 rows, crosses `jit_above_cost`, and then spends longer
/// compiling (about 70 ms over five years of net-worth history) than running the query.
pub async fn begin_consistent_read(
    pool: &PgPool,
) -> Result<Transaction<'static, Postgres>, sqlx::Error> {
    begin_read(pool, consistent_read!()).await
}

/// [`begin_consistent_read`] for the insights and budgets, whose statements also reuse their
/// generic plan. Those queries (unions of CTEs over the rollups and sums kept ahead) took longer
/// to plan at each call than to run: 2.4 ms to plan the spending read and 0.3 ms to run it;
/// budgets, 5 ms of planning in 7. Their plan is the same whatever the person or the dates
/// (index ranges on person and day). Not for the transactions list or a rule's matches: their
/// best plan depends on the filters, and a generic one was 20 times slower.
pub async fn begin_report_read(
    pool: &PgPool,
) -> Result<Transaction<'static, Postgres>, sqlx::Error> {
    begin_read(
        pool,
        concat!(
            consistent_read!(),
            "; set local plan_cache_mode = force_generic_plan"
        ),
    )
    .await
}

/// Begins a transaction and applies `settings` in one round trip (the simple protocol runs
/// several statements in one message).
async fn begin_read(
    pool: &PgPool,
    settings: &'static str,
) -> Result<Transaction<'static, Postgres>, sqlx::Error> {
    let mut tx = pool.begin().await?;
    sqlx::raw_sql(settings).execute(&mut *tx).await?;
    Ok(tx)
}
