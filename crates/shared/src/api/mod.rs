//! Request and response bodies, one module per resource.

pub mod admin;
pub mod config;
pub mod health;
pub mod session;
