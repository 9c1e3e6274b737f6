//! Settings → Change password: the current one again, the new one twice. Every other browser
//! signed in as this person is signed out; this one stays.

use crate::api;
use crate::components::field::{BoundInput, Complaints, Field};
use leptos::prelude::*;

#[component]
pub fn ChangePassword(
    /// Called once the password has changed (the other browsers are gone from the list).
    on_changed: Callback<()>,
) -> impl IntoView {
    let current = RwSignal::new(String::new());
    let new = RwSignal::new(String::new());
    let repeated = RwSignal::new(String::new());
    let mismatch = RwSignal::new(false);
    let change = Action::new_local(|(current, new): &(String, String)| {
        api::account::change_password(current.clone(), new.clone())
    });
    let complaints = Complaints::of(change, &["current_password", "new_password"]);
    let pending = change.pending();
    Effect::new(move |_| {
        if let Some(Ok(())) = change.value().get() {
            current.set(String::new());
            new.set(String::new());
            repeated.set(String::new());
            on_changed.run(());
        }
    });
    let repeat_error = ViewFn::from(move || {
        mismatch
            .get()
            .then(|| view! { <span class="field-error">"The two new passwords differ."</span> })
    });
    view! {
        <section class="card" aria-labelledby="change-password-title">
            <h2 class="card-title" id="change-password-title">"Change password"</h2>
            <p class="muted">
                "Every other browser signed in as you is signed out; this one stays signed in."
            </p>
            <form
                class="form form-narrow"
                on:submit=move |ev| {
                    ev.prevent_default();
                    let differ = new.get_untracked() != repeated.get_untracked();
                    mismatch.set(differ);
                    if !differ {
                        change.dispatch((current.get_untracked(), new.get_untracked()));
                    }
                }
            >
                {move || complaints.general().map(|error| view! { <p class="alert" role="alert">{error.to_string()}</p> })}
                {move || matches!(change.value().get(), Some(Ok(()))).then(|| view! {
                    <p class="alert alert-good" role="status">
                        "Your password was changed, and every other browser was signed out."
                    </p>
                })}
                <Field label="Current password" error=complaints.about("current_password")>
                    <BoundInput name="current_password" input_type="password" value=current autocomplete="current-password" />
                </Field>
                <Field
                    label="New password"
                    hint=Some("At least 10 characters.".to_owned())
                    error=complaints.about("new_password")
                >
                    <BoundInput name="new_password" input_type="password" value=new autocomplete="new-password" />
                </Field>
                <Field label="New password again" error=repeat_error>
                    <BoundInput name="repeat_password" input_type="password" value=repeated autocomplete="new-password" />
                </Field>
                <button class="button button-primary" type="submit" disabled=pending>
                    {move || if pending.get() { "Changing…" } else { "Change password" }}
                </button>
            </form>
        </section>
    }
}
