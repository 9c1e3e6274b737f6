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

/// How long an idle connection to Plaid is kept for reuse: well under the keep-alive of the
/// servers it talks to (Plaid's, or the simulator's 75 s), so a request is never written on a
/// connection the server is closing as it arrives.
pub const IDLE_CONNECTION_REUSE: std::time::Duration = std::time::Duration::from_secs(30);
