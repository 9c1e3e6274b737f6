//! `/oauth-link`: where a bank sends people back after an OAuth consent, to finish linking.
//! Link opens again with the token this tab kept and this page's address, and finishes as it
//! would have without the detour; then the dashboard.

use crate::components::status::EmptyState;
use crate::link_flow::{self, PendingLink};
use crate::routes::Page;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;
use leptos_router::NavigateOptions;

#[component]
pub fn OAuthLinkPage() -> impl IntoView {
    let pending = PendingLink::load();
    view! {
        <Title text="Finishing your bank link" />
        {match pending {
            Some(pending) => view! { <FinishLink pending /> }.into_any(),
            None => view! { <NothingPending /> }.into_any(),
        }}
    }
}

#[component]
fn FinishLink(pending: PendingLink) -> impl IntoView {
    let here = window().location().href().unwrap_or_default();
    let finish = Action::new_local(move |(): &()| {
        let (pending, here) = (pending.clone(), here.clone());
        async move { link_flow::resume_link(pending, &here).await }
    });
    finish.dispatch(());
    let navigate = use_navigate();
    Effect::new(move |_| {
        // Linked, repaired or closed: the dashboard shows where the banks stand.
        if let Some(Ok(_)) = finish.value().get() {
            let options = NavigateOptions {
                replace: true,
                ..Default::default()
            };
            navigate(Page::Dashboard.path(), options);
        }
    });
    view! {
        {move || match finish.value().get() {
            Some(Err(error)) => view! {
                <EmptyState title="The bank link did not finish">
                    <p class="alert" role="alert">{error.to_string()}</p>
                    <div class="empty-actions">
                        <A href=Page::Dashboard.path() attr:class="button">"Go to your dashboard"</A>
                    </div>
                </EmptyState>
            }
            .into_any(),
            _ => view! {
                <EmptyState title="Finishing your bank link…">
                    <p role="status">"Your bank sent you back here. Tally is finishing the link."</p>
                </EmptyState>
            }
            .into_any(),
        }}
    }
}

#[component]
fn NothingPending() -> impl IntoView {
    view! {
        <EmptyState title="No bank link in progress">
            <p>
                "This page finishes linking a bank that sent you to its own website to sign in. "
                "There is no link waiting to be finished in this browser."
            </p>
            <A href=Page::Dashboard.path() attr:class="button">"Go to your dashboard"</A>
        </EmptyState>
    }
}
