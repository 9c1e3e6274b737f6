//! The username and password form of the log-in and registration pages.

use crate::api::ClientError;
use crate::components::field::{Complaints, Field};
use leptos::prelude::*;
use tally_shared::api::session::CurrentUser;

#[component]
pub fn CredentialsForm(
    /// Runs with `(username, password)` when the form is sent.
    action: Action<(String, String), Result<CurrentUser, ClientError>>,
    #[prop(into)] submit_label: String,
    /// `current-password` or `new-password`, for password managers.
    password_autocomplete: &'static str,
    #[prop(optional, into)] password_hint: Option<String>,
) -> impl IntoView {
    let username = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let pending = action.pending();
    let complaints = Complaints::of(action, &["username", "password"]);

    view! {
        <form
            class="form"
            on:submit=move |ev| {
                ev.prevent_default();
                action.dispatch((username.get_untracked(), password.get_untracked()));
            }
        >
            {move || complaints.general().map(|error| view! { <p class="alert" role="alert">{error.to_string()}</p> })}
            <Field label="Username" error=complaints.about("username")>
                <input
                    name="username"
                    autocomplete="username"
                    required
                    prop:value=username
                    on:input=move |ev| username.set(event_target_value(&ev))
                />
            </Field>
            <Field label="Password" hint=password_hint error=complaints.about("password")>
                <input
                    name="password"
                    type="password"
                    autocomplete=password_autocomplete
                    required
                    prop:value=password
                    on:input=move |ev| password.set(event_target_value(&ev))
                />
            </Field>
            <button class="button button-primary button-block" type="submit" disabled=pending>
                {move || if pending.get() { "Please wait…".to_owned() } else { submit_label.clone() }}
            </button>
        </form>
    }
}
