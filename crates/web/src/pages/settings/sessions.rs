//! Settings → Active sessions: every browser signed in as this person, with a way to sign each
//! out, or all but this one.

use crate::api::{self, ClientError};
use crate::components::error_view::ErrorView;
use crate::components::status::{Badge, Tone};
use crate::{calendar, format};
use leptos::prelude::*;
use tally_shared::api::account::{ActiveSession, ActiveSessionList};
use tally_shared::ids::SessionId;

#[component]
pub fn ActiveSessions(
    sessions: LocalResource<Result<ActiveSessionList, ClientError>>,
) -> impl IntoView {
    let revoke = Action::new_local(move |id: &SessionId| {
        let id = *id;
        async move {
            let result = api::account::revoke_session(id).await;
            sessions.refetch();
            result
        }
    });
    let sign_out_others = Action::new_local(move |(): &()| async move {
        let result = api::account::sign_out_others().await;
        sessions.refetch();
        result
    });
    let others_pending = sign_out_others.pending();
    // Offered only when there is someone else to sign out.
    let has_others = move || {
        sessions
            .get()
            .and_then(Result::ok)
            .is_some_and(|list| list.sessions.iter().any(|session| !session.current))
    };
    let failure = move || {
        revoke
            .value()
            .get()
            .and_then(Result::err)
            .or_else(|| sign_out_others.value().get().and_then(Result::err))
    };
    view! {
        <section class="card" aria-labelledby="sessions-title">
            <div class="section-head">
                <h2 class="card-title" id="sessions-title">"Active sessions"</h2>
                {move || has_others().then(|| view! {
                    <button
                        class="button button-small button-danger"
                        disabled=others_pending
                        on:click=move |_| { sign_out_others.dispatch(()); }
                    >
                        "Sign out everywhere else"
                    </button>
                })}
            </div>
            <p class="muted">
                "The browsers signed in as you. Revoke one you do not recognise, and change your password."
            </p>
            {move || failure().map(|error| view! { <p class="alert" role="alert">{error.to_string()}</p> })}
            <Transition fallback=|| view! { <p class="muted">"Loading sessions…"</p> }>
                <ErrorBoundary fallback=|errors| view! { <ErrorView errors /> }>
                    {move || Suspend::new(async move {
                        sessions.await.map(|list| view! {
                            <div class="table-scroll">
                                <table class="table sessions-table">
                                    <thead>
                                        <tr>
                                            <th>"Device"</th>
                                            <th class="session-address">"Address"</th>
                                            <th>"Last used"</th>
                                            <th><span class="visually-hidden">"Actions"</span></th>
                                        </tr>
                                    </thead>
                                    <tbody>
                                        {list.sessions.into_iter().map(|session| view! { <SessionRow session revoke /> }).collect_view()}
                                    </tbody>
                                </table>
                            </div>
                        })
                    })}
                </ErrorBoundary>
            </Transition>
        </section>
    }
}

#[component]
fn SessionRow(
    session: ActiveSession,
    revoke: Action<SessionId, Result<(), ClientError>>,
) -> impl IntoView {
    let now = calendar::now();
    let id = session.id;
    let revoke_label = format!("Revoke {}", session.device);
    let signed_in = format!("Signed in {}", format::date_time(session.created_at));
    let address = session
        .address
        .unwrap_or_else(|| "Unknown address".to_owned());
    view! {
        <tr data-testid="session-row">
            <td>
                <span class="session-device" title=signed_in>{session.device}</span>
                {session.current.then(|| view! { " " <Badge tone=Tone::Good label="This device" /> })}
                // Narrow screens have no address column: the address goes under the device.
                <span class="session-address-below" aria-hidden="true">{address.clone()}</span>
            </td>
            <td class="session-address">{address}</td>
            <td title=format::date_time(session.last_used_at)>
                {if session.current { "Now".to_owned() } else { format::capitalized(&format::ago(session.last_used_at, now)) }}
            </td>
            <td class="actions">
                {(!session.current).then(|| view! {
                    <button
                        class="button button-small button-danger"
                        aria-label=revoke_label
                        on:click=move |_| { revoke.dispatch(id); }
                    >
                        "Revoke"
                    </button>
                })}
            </td>
        </tr>
    }
}
