//! Browser tests: the real server and headless Chromium through ChromeDriver.

mod accessibility;
mod accounts;
mod banks;
mod browser;
mod budgets;
mod categories;
mod labels;
mod link_standin;
mod net_worth_history;
mod numbers;
mod passkeys;
mod recurring;
mod settings;
mod shell;
mod steps;
mod transfers;
mod two_factor;
