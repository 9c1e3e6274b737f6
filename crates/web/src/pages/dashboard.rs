//! `/dashboard`: accounts, net worth, spending and recent transactions.

use crate::components::banks::BanksSection;
use crate::components::status::EmptyState;
use crate::state::session::use_session;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

#[component]
pub fn DashboardPage() -> impl IntoView {
    let session = use_session();
    view! {
        <Title text="Dashboard" />
        <div class="page-head">
            <h1>"Dashboard"</h1>
        </div>
        {move || match session.user() {
            Some(_) => view! { <BanksSection /> }.into_any(),
            None if session.is_known() => view! { <SignInPrompt /> }.into_any(),
            None => ().into_any(),
        }}
    }
}

/// For pages that need a signed-in user.
#[component]
pub fn SignInPrompt() -> impl IntoView {
    view! {
        <EmptyState title="Log in to see your money">
            <p>"Your accounts and transactions are private to your account."</p>
            <div class="empty-actions">
                <A href="/login" attr:class="button button-primary">"Log in"</A>
                <A href="/register" attr:class="button">"Create an account"</A>
            </div>
        </EmptyState>
    }
}
