//! The admin page's invites: make a one-time sign-up link, see every invite, revoke one.

use crate::api;
use crate::components::error_view::ErrorView;
use crate::components::status::{Badge, Tone};
use crate::{calendar, format};
use leptos::prelude::*;
use tally_shared::api::admin::InviteSummary;
use tally_shared::ids::InviteId;

#[component]
pub fn Invites() -> impl IntoView {
    let invites = LocalResource::new(api::admin::list_invites);
    let create = Action::new_local(move |(): &()| async move {
        let created = api::admin::create_invite().await;
        invites.refetch();
        created
    });
    let revoke = Action::new_local(move |id: &InviteId| {
        let id = *id;
        async move {
            let result = api::admin::revoke_invite(id).await;
            invites.refetch();
            result
        }
    });
    let pending = create.pending();
    view! {
        <section class="card">
            <div class="section-head">
                <h2 class="card-title">"Invites"</h2>
                <button class="button button-small button-primary" disabled=pending on:click=move |_| { create.dispatch(()); }>
                    "Create invite"
                </button>
            </div>
            <p class="muted">
                "An invite link lets one person create an account, once, within 7 days. "
                "It is shown only when it is made: copy it and send it."
            </p>
            {move || create.value().get().map(|created| match created {
                Ok(invite) => view! {
                    <label class="field">
                        <span class="field-label">"New invite link"</span>
                        <input
                            readonly
                            data-testid="invite-link"
                            prop:value=invite.link
                            on:focus=move |ev| {
                                event_target::<web_sys::HtmlInputElement>(&ev).select();
                            }
                        />
                        <span class="field-hint">{format!("Valid until {}.", format::date_time(invite.expires_at))}</span>
                    </label>
                }
                .into_any(),
                Err(error) => view! { <p class="alert" role="alert">{error.to_string()}</p> }.into_any(),
            })}
            <Transition fallback=|| view! { <p class="muted">"Loading invites…"</p> }>
                <ErrorBoundary fallback=|errors| view! { <ErrorView errors /> }>
                    {move || Suspend::new(async move {
                        invites.await.map(|list| {
                            if list.invites.is_empty() {
                                return view! { <p class="muted">"No invites yet."</p> }.into_any();
                            }
                            view! {
                                <table class="table">
                                    <thead>
                                        <tr><th>"Made"</th><th>"By"</th><th>"Status"</th><th></th></tr>
                                    </thead>
                                    <tbody>
                                        {list.invites.into_iter().map(|invite| view! { <InviteRow invite revoke /> }).collect_view()}
                                    </tbody>
                                </table>
                            }
                            .into_any()
                        })
                    })}
                </ErrorBoundary>
            </Transition>
            {move || revoke.value().get().and_then(Result::err).map(|error| view! {
                <p class="alert" role="alert">{error.to_string()}</p>
            })}
        </section>
    }
}

#[component]
fn InviteRow(
    invite: InviteSummary,
    revoke: Action<InviteId, Result<(), api::ClientError>>,
) -> impl IntoView {
    let now = calendar::now();
    let open = invite.used_at.is_none() && invite.revoked_at.is_none() && invite.expires_at > now;
    let status = match (&invite.used_at, &invite.revoked_at) {
        (Some(_), _) => {
            let by = invite
                .used_by
                .clone()
                .unwrap_or_else(|| "a deleted user".to_owned());
            view! { <Badge tone=Tone::Good label=format!("Used by {by}") /> }.into_any()
        }
        (None, Some(_)) => view! { <Badge tone=Tone::Neutral label="Revoked" /> }.into_any(),
        (None, None) if !open => view! { <Badge tone=Tone::Neutral label="Expired" /> }.into_any(),
        (None, None) => {
            let label = format!("Open, expires {}", format::date_time(invite.expires_at));
            view! { <Badge tone=Tone::Warn label /> }.into_any()
        }
    };
    let id = invite.id;
    view! {
        <tr>
            <td title=format::date_time(invite.created_at)>{format::ago(invite.created_at, now)}</td>
            <td>{invite.created_by.unwrap_or_else(|| "a deleted user".to_owned())}</td>
            <td>{status}</td>
            <td class="actions">
                {open.then(|| view! {
                    <button class="button button-small button-danger" on:click=move |_| { revoke.dispatch(id); }>
                        "Revoke"
                    </button>
                })}
            </td>
        </tr>
    }
}
