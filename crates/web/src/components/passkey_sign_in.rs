//! "Sign in with a passkey" under the log-in form: no username, no password; the browser asks
//! which of this site's passkeys to use. Hidden where the browser has no passkeys at all.

use crate::interop::webauthn;
use crate::passkey_flow;
use crate::routes::Page;
use crate::state::session::use_session;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

#[component]
pub fn PasskeySignIn() -> impl IntoView {
    let session = use_session();
    let navigate = use_navigate();
    let sign_in = Action::new_local(|(): &()| passkey_flow::sign_in());
    let pending = sign_in.pending();
    Effect::new(move |_| {
        if let Some(Ok(user)) = sign_in.value().get() {
            session.set(Some(user));
            navigate(Page::Dashboard.path(), Default::default());
        }
    });
    let failure = move || sign_in.value().get().and_then(Result::err);
    webauthn::supported().then(|| {
        view! {
            <div class="passkey-sign-in">
                <p class="or-divider">"or"</p>
                {move || failure().map(|error| view! { <p class="alert" role="alert">{error.to_string()}</p> })}
                <button
                    class="button button-block"
                    type="button"
                    disabled=pending
                    on:click=move |_| { sign_in.dispatch(()); }
                >
                    <svg width="18" height="18" viewBox="0 0 24 24" aria-hidden="true" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round">
                        <circle cx="8" cy="8" r="4" />
                        <path d="M2 21v-2a5 5 0 0 1 5-5h2" />
                        <circle cx="17" cy="15" r="2.5" />
                        <path d="M17 17.5V22m0-2h2" />
                    </svg>
                    {move || if pending.get() { "Waiting for your passkey…" } else { "Sign in with a passkey" }}
                </button>
            </div>
        }
    })
}
