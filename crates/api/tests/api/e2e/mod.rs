//! Browser tests: the real server and headless Chromium through ChromeDriver.

mod accessibility;
mod accounts;
mod banks;
mod browser;
mod categories;
mod labels;
mod link_standin;
mod numbers;
mod recurring;
mod settings;
mod shell;
mod steps;
