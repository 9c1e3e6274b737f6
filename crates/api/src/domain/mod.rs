//! Values checked once, at the boundary: once you hold one, it is valid.

mod cursor;
mod institution_id;
mod password;
mod transaction_filter;
mod username;

pub use cursor::TransactionCursor;
pub use institution_id::InstitutionId;
pub use password::Password;
pub use transaction_filter::{PageRequest, TransactionFilters, TransactionParams};
pub use username::Username;
