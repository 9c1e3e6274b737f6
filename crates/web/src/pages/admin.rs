//! `/admin`: users, their banks and their last sync (administrators only).

use crate::components::status::EmptyState;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn AdminPage() -> impl IntoView {
    view! {
        <Title text="Admin" />
        <div class="page-head">
            <h1>"Admin"</h1>
        </div>
        <EmptyState title="Administrators only">
            <p>"The user list is shown to administrators once they sign in."</p>
            <p class="muted">"Accounts and sign-in are not part of this build yet."</p>
        </EmptyState>
    }
}
