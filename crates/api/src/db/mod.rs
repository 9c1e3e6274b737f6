//! SQL, one module per table group. Functions take an executor; callers own transactions.

pub mod assets;
pub mod sessions;
pub mod users;

/// The name of the constraint a database error violated, if any.
pub fn violated_constraint(error: &sqlx::Error) -> Option<&str> {
    match error {
        sqlx::Error::Database(db) => db.constraint(),
        _ => None,
    }
}
