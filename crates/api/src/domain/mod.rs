//! Values checked once, at the boundary: once you hold one, it is valid.

mod institution_id;
mod password;
mod username;

pub use institution_id::InstitutionId;
pub use password::Password;
pub use username::Username;
