//! Any path the router does not know.

use crate::components::status::EmptyState;
use crate::routes::Page;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

#[component]
pub fn NotFoundPage() -> impl IntoView {
    view! {
        <Title text="Page not found" />
        <EmptyState title="Page not found">
            <p>"There is no page at this address."</p>
            <A href=Page::Home.path() attr:class="button">"Back to the start"</A>
        </EmptyState>
    }
}
