//! The username and password form of the log-in and registration pages.

use crate::api::ClientError;
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
    let failure = move || action.value().get().and_then(Result::err);
    let field_error =
        move |field: &'static str| move || failure().and_then(|error| error.field_message(field));
    let general_error = move || {
        failure().filter(|error| {
            error.field_message("username").is_none() && error.field_message("password").is_none()
        })
    };

    view! {
        <form
            class="form"
            on:submit=move |ev| {
                ev.prevent_default();
                action.dispatch((username.get_untracked(), password.get_untracked()));
            }
        >
            {move || general_error().map(|error| view! { <p class="alert" role="alert">{error.to_string()}</p> })}
            <label class="field">
                <span class="field-label">"Username"</span>
                <input
                    name="username"
                    autocomplete="username"
                    required
                    prop:value=username
                    on:input=move |ev| username.set(event_target_value(&ev))
                />
                {move || field_error("username")().map(|m| view! { <span class="field-error">{m}</span> })}
            </label>
            <label class="field">
                <span class="field-label">"Password"</span>
                <input
                    name="password"
                    type="password"
                    autocomplete=password_autocomplete
                    required
                    prop:value=password
                    on:input=move |ev| password.set(event_target_value(&ev))
                />
                {password_hint.map(|hint| view! { <span class="field-hint">{hint}</span> })}
                {move || field_error("password")().map(|m| view! { <span class="field-error">{m}</span> })}
            </label>
            <button class="button button-primary button-block" type="submit" disabled=pending>
                {move || if pending.get() { "Please wait…".to_owned() } else { submit_label.clone() }}
            </button>
        </form>
    }
}
