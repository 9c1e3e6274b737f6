//! Values checked once, at the boundary: once you hold one, it is valid.

mod password;
mod username;

pub use password::Password;
pub use username::Username;
