//! Tally's integration tests: one binary, the real server on port 0, a fresh database per test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod admin;
mod assets;
mod e2e;
mod errors;
mod health;
mod helpers;
mod insights;
mod insights_fixtures;
mod lifecycle;
mod openapi;
mod plaid_client;
mod session;
mod simulator_contract;
mod simulator_controls;
mod simulator_standalone;
mod simulator_support;
mod simulator_sync;
mod spa;
