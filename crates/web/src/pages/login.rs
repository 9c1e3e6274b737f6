//! `/login` and `/register`.

use crate::api;
use crate::components::credentials_form::CredentialsForm;
use crate::routes::Page;
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
            navigate(Page::Dashboard.path(), Default::default());
        }
    });
}

#[component]
pub fn LoginPage() -> impl IntoView {
    view! {
        <Title text="Log in" />
        <section class="auth-card">
            <LogInForm heading="Log in to Tally" />
            <p class="muted">"New here? " <A href=Page::Register.path()>"Create an account"</A></p>
        </section>
    }
}

#[component]
pub fn RegisterPage() -> impl IntoView {
    view! {
        <Title text="Create an account" />
        <section class="auth-card">
            <RegisterForm heading="Create your account" />
            <p class="muted">"Already have an account? " <A href=Page::LogIn.path()>"Log in"</A></p>
        </section>
    }
}

/// A heading and the log-in form; signed in, it goes to the dashboard.
#[component]
pub fn LogInForm(
    heading: &'static str,
    /// Under a page's own `h1` (the home page), the heading is an `h2`.
    #[prop(optional)]
    secondary: bool,
) -> impl IntoView {
    let action = Action::new_local(|(username, password): &(String, String)| {
        api::session::log_in(username.clone(), password.clone())
    });
    on_signed_in(action);
    view! {
        {heading_view(heading, secondary)}
        <CredentialsForm action submit_label="Log in" password_autocomplete="current-password" />
    }
}

/// A heading and the registration form; registered, it goes to the dashboard.
#[component]
pub fn RegisterForm(
    heading: &'static str,
    /// Under a page's own `h1` (the home page), the heading is an `h2`.
    #[prop(optional)]
    secondary: bool,
) -> impl IntoView {
    let action = Action::new_local(|(username, password): &(String, String)| {
        api::session::register(username.clone(), password.clone())
    });
    on_signed_in(action);
    view! {
        {heading_view(heading, secondary)}
        <p class="muted">"The first account on this server is its administrator."</p>
        <CredentialsForm
            action
            submit_label="Create account"
            password_autocomplete="new-password"
            password_hint="At least 10 characters."
        />
    }
}

fn heading_view(heading: &'static str, secondary: bool) -> AnyView {
    if secondary {
        view! { <h2>{heading}</h2> }.into_any()
    } else {
        view! { <h1>{heading}</h1> }.into_any()
    }
}
