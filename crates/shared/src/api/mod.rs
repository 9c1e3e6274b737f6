//! Request and response bodies, one module per resource.

pub mod account;
pub mod accounts;
pub mod admin;
pub mod assets;
pub mod budgets;
pub mod categories;
pub mod config;
pub mod health;
pub mod insights;
pub mod institutions;
pub mod items;
pub mod passkeys;
pub mod recurring;
pub mod rules;
pub mod session;
pub mod transactions;
pub mod two_factor;
