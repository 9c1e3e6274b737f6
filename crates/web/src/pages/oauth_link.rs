//! `/oauth-link`: where a bank sends people back after an OAuth consent, to finish linking.

use crate::components::status::EmptyState;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

#[component]
pub fn OAuthLinkPage() -> impl IntoView {
    view! {
        <Title text="Finishing your bank link" />
        <EmptyState title="No bank link in progress">
            <p>
                "This page finishes linking a bank that sent you to its own website to sign in. "
                "There is no link waiting to be finished in this browser."
            </p>
            <A href="/dashboard" attr:class="button">"Go to your dashboard"</A>
        </EmptyState>
    }
}
