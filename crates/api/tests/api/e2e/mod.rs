//! Browser tests: the real server and headless Chromium through ChromeDriver.

mod browser;
mod link_standin;
mod shell;
