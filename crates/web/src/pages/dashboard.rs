//! `/dashboard`: accounts, net worth, spending and recent transactions.

use crate::components::status::EmptyState;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn DashboardPage() -> impl IntoView {
    view! {
        <Title text="Dashboard" />
        <div class="page-head">
            <h1>"Dashboard"</h1>
        </div>
        <EmptyState title="No banks linked yet">
            <p>
                "Once a bank is linked, its accounts, your net worth, spending by category and "
                "recent transactions appear here and stay up to date on their own."
            </p>
            <p class="muted">"Sign-in and bank linking are not part of this build yet."</p>
        </EmptyState>
    }
}
