//! Plaid: one typed client over reqwest, Plaid's errors, and webhook verification.
//!
//! The wire structs in `types` mirror Plaid's JSON (`reference/plaid-api.md`); the rest of the
//! server converts them into its own types at the boundary.

mod client;
mod error;
mod events;
pub mod types;
pub mod webhook;

pub use client::{ItemAccess, LinkTokenOptions, PlaidClient, PlaidCredentials, COUNTRY_CODES};
pub use error::{PlaidError, PlaidErrorBody};
pub use events::PlaidApiEvent;
