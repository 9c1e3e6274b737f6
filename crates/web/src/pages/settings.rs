//! `/settings`: the signed-in person's own account: who they are, their password, two-factor
//! codes, passkeys, the browsers signed in as them, and deleting it all.

mod passkeys;
mod password;
mod profile;
mod sessions;
mod two_factor;

use crate::api;
use crate::components::confirm_dialog::ConfirmDialog;
use crate::components::field::{BoundInput, Complaints, Field};
use crate::components::sign_in_prompt::SignInPrompt;
use crate::routes::Page;
use crate::state::session::use_session;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_navigate;

#[component]
pub fn SettingsPage() -> impl IntoView {
    let session = use_session();
    view! {
        <Title text="Settings" />
        <div class="page-head">
            <h1>"Settings"</h1>
        </div>
        {move || match session.user() {
            Some(_) => view! { <AccountSections /> }.into_any(),
            None if session.is_known() => view! { <SignInPrompt /> }.into_any(),
            None => ().into_any(),
        }}
    }
}

/// The signed-in person's sections. The page owns the session list, which a password change
/// shortens.
#[component]
fn AccountSections() -> impl IntoView {
    let sessions = LocalResource::new(api::account::sessions);
    view! {
        <div class="page-sections">
            <profile::Profile />
            <password::ChangePassword on_changed=Callback::new(move |()| sessions.refetch()) />
            <two_factor::TwoFactor />
            <passkeys::Passkeys />
            <sessions::ActiveSessions sessions />
            <DeleteAccount />
        </div>
    }
}

/// Deleting one's own account: the password again, then everything goes (banks at Plaid first).
#[component]
fn DeleteAccount() -> impl IntoView {
    let session = use_session();
    let navigate = use_navigate();
    let password = RwSignal::new(String::new());
    let delete =
        Action::new_local(|password: &String| api::session::delete_account(password.clone()));
    let complaints = Complaints::of(delete, &["password"]);
    let pending = delete.pending();
    // The password is asked first; then, once more, whether they mean it.
    let asking = RwSignal::new(None::<(String, String)>);
    let confirm = Callback::new(move |()| {
        asking.set(None);
        delete.dispatch(password.get_untracked());
    });
    Effect::new(move |_| {
        if let Some(Ok(())) = delete.value().get() {
            session.set(None);
            navigate(Page::Home.path(), Default::default());
        }
    });
    view! {
        <section class="card">
            <h2 class="card-title">"Delete my account"</h2>
            <p class="muted">
                "Your account, your linked banks (removed at Plaid too), your transactions and "
                "everything else of yours are deleted, and every browser signed in as you is signed out. "
                "This cannot be undone."
            </p>
            <form
                class="form form-narrow"
                on:submit=move |ev| {
                    ev.prevent_default();
                    asking.set(Some((
                        "Delete your account?".to_owned(),
                        "Your account and all of its data are deleted. This cannot be undone.".to_owned(),
                    )));
                }
            >
                {move || complaints.general().map(|error| view! { <p class="alert" role="alert">{error.to_string()}</p> })}
                <Field label="Your password" error=complaints.about("password")>
                    <BoundInput name="password" input_type="password" value=password autocomplete="current-password" />
                </Field>
                <button class="button button-danger-solid" type="submit" disabled=pending>
                    {move || if pending.get() { "Deleting…" } else { "Delete my account" }}
                </button>
            </form>
            <ConfirmDialog
                question=asking
                confirm_label="Delete everything"
                on_confirm=confirm
                on_cancel=Callback::new(move |()| asking.set(None))
            />
        </section>
    }
}
