//! Who is calling: passwords, session tokens and the `AuthUser` extractor.

mod extract;
pub mod limits;
pub mod password;
pub mod session;

pub use extract::{AdminUser, AuthUser};
