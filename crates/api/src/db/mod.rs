//! SQL, one module per table group. Functions take an executor; callers own transactions.

pub mod accounts;
pub mod events;
pub mod institutions;
pub mod items;
pub mod notify;
pub mod sessions;
pub mod sync;
pub mod sync_jobs;
pub mod transactions;
pub mod users;

/// The name of the constraint a database error violated, if any.
pub fn violated_constraint(error: &sqlx::Error) -> Option<&str> {
    match error {
        sqlx::Error::Database(db) => db.constraint(),
        _ => None,
    }
}
