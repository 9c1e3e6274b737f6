//! The second step of logging in: the code an authenticator app shows, or a recovery code.

use crate::api;
use crate::components::field::Complaints;
use crate::routes::Page;
use crate::state::session::use_session;
use leptos::html;
use leptos::prelude::*;
use leptos::wasm_split::{wasm_split, SplitLoaderError};
use leptos_router::hooks::use_navigate;

/// The code form is its own download (see `crate::lazy`), fetched once a password has asked for
/// a code.
#[wasm_split(second_factor_form, wasm_split_path = ::leptos::wasm_split, fallible)]
pub fn second_factor_form(
    challenge: String,
    on_back: Callback<()>,
) -> Result<AnyView, SplitLoaderError> {
    Ok(view! { <SecondFactorForm challenge on_back /> }.into_any())
}

#[component]
fn SecondFactorForm(
    /// What the right password earned; it works once, for five minutes.
    challenge: String,
    /// Back to the username and password (the challenge ended, or the person wants to).
    on_back: Callback<()>,
) -> impl IntoView {
    let session = use_session();
    let navigate = use_navigate();
    let code = RwSignal::new(String::new());
    let recovery = RwSignal::new(false);
    let challenge = StoredValue::new(challenge);
    let verify = Action::new_local(move |code: &String| {
        api::two_factor::complete_sign_in(challenge.get_value(), code.clone())
    });
    let complaints = Complaints::of(verify, &["code"]);
    let pending = verify.pending();
    // The person came here by pressing Enter in the password field: the code field takes over,
    // and takes the next try after a wrong code.
    let input = NodeRef::<html::Input>::new();
    Effect::new(move |_| match verify.value().get() {
        Some(Ok(signed_in)) => {
            session.set(Some(signed_in.user));
            navigate(Page::Dashboard.path(), Default::default());
        }
        Some(Err(_)) => {
            code.set(String::new());
            if let Some(input) = input.get_untracked() {
                let _ = input.focus();
            }
        }
        None => {}
    });
    Effect::new(move |_| {
        recovery.track();
        if let Some(input) = input.get() {
            let _ = input.focus();
        }
    });
    view! {
        <form
            class="form"
            data-testid="two-factor-form"
            on:submit=move |ev| {
                ev.prevent_default();
                verify.dispatch(code.get_untracked());
            }
        >
            <p class="muted">
                {move || if recovery.get() {
                    "Type one of the recovery codes you saved when you turned two-factor codes on. Each works once."
                } else {
                    "Your password was right. Now type the 6-digit code your authenticator app shows for Tally."
                }}
            </p>
            {move || complaints.general().map(|error| view! { <p class="alert" role="alert">{error.to_string()}</p> })}
            <label class="field">
                <span class="field-label">
                    {move || if recovery.get() { "Recovery code" } else { "Code from your app" }}
                </span>
                <input
                    node_ref=input
                    name="code"
                    required
                    autocomplete="one-time-code"
                    inputmode=move || if recovery.get() { "text" } else { "numeric" }
                    spellcheck="false"
                    prop:value=code
                    on:input=move |ev| code.set(event_target_value(&ev))
                />
            </label>
            <button class="button button-primary button-block" type="submit" disabled=pending>
                {move || if pending.get() { "Checking…" } else { "Verify" }}
            </button>
            <div class="second-factor-links">
                <button
                    class="button button-small"
                    type="button"
                    on:click=move |_| {
                        recovery.update(|on| *on = !*on);
                        code.set(String::new());
                    }
                >
                    {move || if recovery.get() { "Use my authenticator app" } else { "Use a recovery code" }}
                </button>
                <button class="button button-small" type="button" on:click=move |_| on_back.run(())>
                    "Back"
                </button>
            </div>
        </form>
    }
}
