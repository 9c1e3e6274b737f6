//! Settings → Profile: who is signed in here.

use crate::components::status::{Badge, Tone};
use crate::state::session::use_session;
use leptos::prelude::*;

#[component]
pub fn Profile() -> impl IntoView {
    let session = use_session();
    view! {
        <section class="card" aria-labelledby="profile-title">
            <h2 class="card-title" id="profile-title">"Profile"</h2>
            {move || session.user().map(|user| view! {
                <dl class="profile">
                    <dt>"Username"</dt>
                    <dd data-testid="profile-username">{user.username}</dd>
                    <dt>"Role"</dt>
                    <dd>
                        {if user.is_admin {
                            view! { <Badge tone=Tone::Good label="Administrator" /> }.into_any()
                        } else {
                            view! { <Badge tone=Tone::Neutral label="Member" /> }.into_any()
                        }}
                    </dd>
                </dl>
            })}
        </section>
    }
}
