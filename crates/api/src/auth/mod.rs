//! Who is calling: passwords, two-factor codes, session tokens and the `AuthUser` extractor,
//! and signing sessions out.

pub mod device;
mod extract;
pub mod limits;
pub mod passkey;
pub mod password;
pub mod recovery_codes;
pub mod session;
pub mod sign_out;
pub mod totp;
pub mod two_factor;

pub use extract::{AdminUser, AuthUser};
