//! Request and response bodies, one module per resource.

pub mod config;
pub mod health;
pub mod session;
