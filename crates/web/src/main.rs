//! Tally in the browser: a client-side rendered Leptos app served by the api.

mod api;
mod app;
mod calendar;
mod components;
mod format;
mod interop;
mod lazy;
mod link_flow;
mod pages;
mod passkey_flow;
mod routes;
mod state;
mod transaction_filter;

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(app::App);
}
