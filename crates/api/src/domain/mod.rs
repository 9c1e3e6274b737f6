//! Values checked once, at the boundary: once you hold one, it is valid.

mod asset;
pub mod classification;
mod password;
mod username;

pub use asset::{AssetDescription, AssetValue};
pub use password::Password;
pub use username::Username;
