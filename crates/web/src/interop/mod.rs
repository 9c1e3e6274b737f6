//! The only code that talks to JavaScript other than through `web-sys`: whatever can throw is
//! caught here, and the rest of the app sees plain Rust types.

pub mod clipboard;
pub mod plaid_link;
mod script;
pub mod webauthn;
