//! `/login` and `/register`.

use crate::api;
use crate::components::credentials_form::CredentialsForm;
use crate::state::session::use_session;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;
use tally_shared::api::session::CurrentUser;

/// Once `action` succeeds: remember the user and go to the dashboard.
fn on_signed_in(action: Action<(String, String), Result<CurrentUser, api::ClientError>>) {
    let session = use_session();
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(user)) = action.value().get() {
            session.set(Some(user));
            navigate("/dashboard", Default::default());
        }
    });
}

#[component]
pub fn LoginPage() -> impl IntoView {
    let action = Action::new_local(|(username, password): &(String, String)| {
        api::session::log_in(username.clone(), password.clone())
    });
    on_signed_in(action);
    view! {
        <Title text="Log in" />
        <section class="auth-card">
            <h1>"Log in to Tally"</h1>
            <CredentialsForm action submit_label="Log in" password_autocomplete="current-password" />
            <p class="muted">"New here? " <A href="/register">"Create an account"</A></p>
        </section>
    }
}

#[component]
pub fn RegisterPage() -> impl IntoView {
    let action = Action::new_local(|(username, password): &(String, String)| {
        api::session::register(username.clone(), password.clone())
    });
    on_signed_in(action);
    view! {
        <Title text="Create an account" />
        <section class="auth-card">
            <h1>"Create your account"</h1>
            <p class="muted">"The first account on this server is its administrator."</p>
            <CredentialsForm
                action
                submit_label="Create account"
                password_autocomplete="new-password"
                password_hint="At least 10 characters."
            />
            <p class="muted">"Already have an account? " <A href="/login">"Log in"</A></p>
        </section>
    }
}
