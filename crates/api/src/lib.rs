//! Tally's server. `startup::Application` assembles everything; `main.rs` only runs it.

pub mod auth;
pub mod client_address;
pub mod config;
pub mod crypto;
pub mod db;
pub mod domain;
pub mod error;
pub mod institutions;
pub mod items;
pub mod origins;
pub mod plaid;
pub mod quotas;
pub mod recurring;
pub mod routes;
pub mod simulator;
pub mod spa;
pub mod startup;
pub mod state;
pub mod sync;
pub mod sync_queue;
pub mod telemetry;
pub mod ws;
