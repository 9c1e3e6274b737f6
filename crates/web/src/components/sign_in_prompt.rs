//! What a page that needs a signed-in person shows to someone who is not.

use crate::components::status::EmptyState;
use crate::routes::Page;
use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn SignInPrompt() -> impl IntoView {
    view! {
        <EmptyState title="Log in to see your money">
            <p>"Your accounts and transactions are private to your account."</p>
            <div class="empty-actions">
                <A href=Page::LogIn.path() attr:class="button button-primary">"Log in"</A>
                <A href=Page::Register.path() attr:class="button">"Create an account"</A>
            </div>
        </EmptyState>
    }
}
