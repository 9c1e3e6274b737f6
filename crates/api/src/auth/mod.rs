//! Who is calling: passwords, session tokens and the `AuthUser` extractor, and signing sessions
//! out.

pub mod device;
mod extract;
pub mod limits;
pub mod passkey;
pub mod password;
pub mod session;
pub mod sign_out;

pub use extract::{AdminUser, AuthUser};
