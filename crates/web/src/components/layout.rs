//! The header, navigation and footer around every page.

use crate::api;
use crate::lazy::PagesLoading;
use crate::routes::Page;
use crate::state::session::use_session;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;
use tally_shared::api::config::PlaidMode;

#[component]
pub fn Layout(children: Children) -> impl IntoView {
    let session = use_session();
    let navigate = use_navigate();
    let config = LocalResource::new(api::config::get_config);
    // Nobody should mistake simulated money for their own.
    let simulated = move || {
        config
            .get()
            .and_then(Result::ok)
            .is_some_and(|config| config.plaid_mode == PlaidMode::Simulator)
    };
    let log_out = move |_| {
        let navigate = navigate.clone();
        spawn_local(async move {
            if api::session::log_out().await.is_ok() {
                session.set(None);
                navigate(Page::LogIn.path(), Default::default());
            }
        });
    };
    let loading = use_context::<PagesLoading>();
    let idle = move || !loading.is_some_and(PagesLoading::any);
    view! {
        <div class="shell">
            <div class="page-loading" role="progressbar" aria-label="Loading the page" hidden=idle></div>
            <header class="topbar">
                <A href=Page::Home.path() attr:class="brand">
                    <span class="brand-mark" aria-hidden="true">"T"</span>
                    <span class="brand-name">"Tally"</span>
                </A>
                <Show when=simulated>
                    <span class="sim-badge" title="This server runs Plaid's offline simulator: no real bank is connected.">
                        "Simulated bank data"
                    </span>
                </Show>
                <nav class="nav" aria-label="Main">
                    <A href=Page::Home.path() exact=true>"Home"</A>
                    <A href=Page::Dashboard.path()>"Dashboard"</A>
                    <A href=Page::Transactions.path()>"Transactions"</A>
                    <A href=Page::Budgets.path()>"Budgets"</A>
                    <A href=Page::Recurring.path()>"Recurring"</A>
                    <A href=Page::Categories.path()>"Categories"</A>
                    <A href=Page::Rules.path()>"Rules"</A>
                    {move || session.user().filter(|u| u.is_admin).map(|_| view! { <A href=Page::Admin.path()>"Admin"</A> })}
                    {move || session.user().map(|_| view! { <A href=Page::Settings.path()>"Settings"</A> })}
                </nav>
                <div class="account">
                    {move || match session.user() {
                        Some(user) => view! {
                            <span class="account-name" data-testid="signed-in-as">{user.username}</span>
                            <button class="button button-small" on:click=log_out.clone()>"Log out"</button>
                        }
                        .into_any(),
                        None if session.is_known() => view! {
                            <A href=Page::LogIn.path() attr:class="button button-small">"Log in"</A>
                        }
                        .into_any(),
                        None => ().into_any(),
                    }}
                </div>
            </header>
            <main class="content">{children()}</main>
            <footer class="footer">
                "Tally · self-hosted personal finance · your data stays on your server"
            </footer>
        </div>
    }
}
