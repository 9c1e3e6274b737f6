//! The username and password form of the log-in and registration pages (with the invite, when
//! signing up needs one).

use crate::api::ClientError;
use crate::components::field::{BoundInput, Complaints, Field};
use leptos::prelude::*;

#[component]
pub fn CredentialsForm<T>(
    /// Runs with `(username, password)` when the form is sent.
    action: Action<(String, String), Result<T, ClientError>>,
    #[prop(into)] submit_label: String,
    /// `current-password` or `new-password`, for password managers.
    password_autocomplete: &'static str,
    #[prop(optional, into)] password_hint: Option<String>,
    /// Sign-up by invite: the invite's token, shown (prefilled from the link) and editable.
    #[prop(optional_no_strip)]
    invite: Option<RwSignal<String>>,
) -> impl IntoView
where
    T: Clone + Send + Sync + 'static,
{
    let username = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let pending = action.pending();
    let complaints = Complaints::of(action, &["username", "password", "invite"]);

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
                <BoundInput name="username" value=username autocomplete="username" />
            </Field>
            <Field label="Password" hint=password_hint error=complaints.about("password")>
                <BoundInput name="password" input_type="password" value=password autocomplete=password_autocomplete />
            </Field>
            {invite.map(|invite| view! {
                <Field
                    label="Invite"
                    hint=Some("From the invite link an administrator sent you.".to_owned())
                    error=complaints.about("invite")
                >
                    <BoundInput name="invite" value=invite autocomplete="off" />
                </Field>
            })}
            <button class="button button-primary button-block" type="submit" disabled=pending>
                {move || if pending.get() { "Please wait…".to_owned() } else { submit_label.clone() }}
            </button>
        </form>
    }
}
