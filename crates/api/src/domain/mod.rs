//! Values checked once, at the boundary: once you hold one, it is valid.

mod asset;
pub mod classification;
mod password;
mod period;
mod username;

pub use asset::{AssetDescription, AssetValue};
pub use password::Password;
pub use period::Period;
pub use username::Username;
