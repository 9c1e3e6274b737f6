//! Tally's wire types: everything the api sends and the web app reads (and back).
//!
//! Serde-only, so it builds for `wasm32-unknown-unknown` and native alike.

pub mod api;
pub mod error;
pub mod ids;
pub mod money;
pub mod patch;
pub mod ws;

pub use error::{ApiError, ErrorCode, FieldError};
pub use money::{CurrencyCode, Money};
