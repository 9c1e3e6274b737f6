//! `/admin`: every user of this server, and sign-up invites (administrators only).

mod invites;

use crate::api;
use crate::components::error_view::ErrorView;
use crate::components::sign_in_prompt::SignInPrompt;
use crate::components::status::{Badge, EmptyState, Tone};
use crate::state::session::use_session;
use crate::{calendar, format};
use leptos::prelude::*;
use leptos_meta::Title;
use tally_shared::api::admin::AdminUserSummary;
use tally_shared::ids::UserId;

#[component]
pub fn AdminPage() -> impl IntoView {
    let session = use_session();
    view! {
        <Title text="Admin" />
        <div class="page-head">
            <h1>"Admin"</h1>
        </div>
        {move || match session.user() {
            Some(user) if user.is_admin => view! {
                <div class="page-sections">
                    <UserList />
                    <invites::Invites />
                </div>
            }
            .into_any(),
            Some(_) => view! {
                <EmptyState title="Not allowed">
                    <p>"Only administrators can see this page."</p>
                </EmptyState>
            }
            .into_any(),
            None if session.is_known() => view! { <SignInPrompt /> }.into_any(),
            None => ().into_any(),
        }}
    }
}

#[component]
fn UserList() -> impl IntoView {
    let me = use_session().user().map(|user| user.id);
    let users = LocalResource::new(api::admin::list_users);
    let remove = Action::new_local(move |user: &AdminUserSummary| {
        let id = user.id;
        async move {
            let result = api::admin::delete_user(id).await;
            users.refetch();
            result
        }
    });
    let set_role = Action::new_local(move |&(id, is_admin): &(UserId, bool)| async move {
        let result = api::admin::set_admin(id, is_admin).await;
        users.refetch();
        result
    });
    let reset_two_factor = Action::new_local(move |id: &UserId| {
        let id = *id;
        async move {
            let result = api::admin::reset_two_factor(id).await;
            users.refetch();
            result
        }
    });
    view! {
        <section class="card">
            <h2 class="card-title">"Users"</h2>
            <Transition fallback=|| view! { <p class="muted">"Loading users…"</p> }>
                <ErrorBoundary fallback=|errors| view! { <ErrorView errors /> }>
                    {move || Suspend::new(async move {
                        users.await.map(|list| view! {
                            <table class="table">
                                <thead>
                                    <tr>
                                        <th>"Username"</th><th>"Role"</th><th>"Joined"</th>
                                        <th>"Two-factor"</th><th>"Passkeys"</th><th>"Banks"</th><th>"Last sync"</th><th></th>
                                    </tr>
                                </thead>
                                <tbody>
                                    {list.users.into_iter().map(|user| {
                                        let joined = format::date(user.created_at.date_naive());
                                        let banks = user.linked_banks.to_string();
                                        let last_sync = user.last_synced_at.map_or_else(
                                            || "Never".to_owned(),
                                            |at| format::ago(at, calendar::now()),
                                        );
                                        let last_sync_title = user.last_synced_at.map(format::date_time);
                                        let is_me = me == Some(user.id);
                                        let role = if user.is_admin {
                                            view! { <Badge tone=Tone::Good label="Admin" /> }.into_any()
                                        } else {
                                            view! { <Badge tone=Tone::Neutral label="User" /> }.into_any()
                                        };
                                        let two_factor = if user.two_factor {
                                            view! { <Badge tone=Tone::Good label="On" /> }.into_any()
                                        } else {
                                            view! { <Badge tone=Tone::Neutral label="Off" /> }.into_any()
                                        };
                                        let passkeys = user.passkeys.to_string();
                                        let has_two_factor = user.two_factor || user.passkeys > 0;
                                        let name = user.username.clone();
                                        let reset_question = format!(
                                            "Reset {name}'s two-factor codes and passkeys? They are signed out everywhere and then log in with their password alone."
                                        );
                                        let reset_label = format!("Reset two-factor codes of {name}");
                                        let (id, is_admin) = (user.id, user.is_admin);
                                        let role_button = if is_admin { "Demote" } else { "Promote" };
                                        let role_title = if is_admin {
                                            "No longer an administrator"
                                        } else {
                                            "Make an administrator"
                                        };
                                        view! {
                                            <tr>
                                                <td>{user.username.clone()}</td>
                                                <td>{role}</td>
                                                <td>{joined}</td>
                                                <td>{two_factor}</td>
                                                <td>{passkeys}</td>
                                                <td>{banks}</td>
                                                <td title=last_sync_title>{last_sync}</td>
                                                <td class="actions">
                                                    // Administrators leave through "Delete my account", not here.
                                                    {if is_me {
                                                        view! { <span class="muted">"You"</span> }.into_any()
                                                    } else {
                                                        view! {
                                                            <button
                                                                class="button button-small"
                                                                title=role_title
                                                                on:click=move |_| {
                                                                    set_role.dispatch((id, !is_admin));
                                                                }
                                                            >
                                                                {role_button}
                                                            </button>
                                                            " "
                                                            {has_two_factor.then(|| view! {
                                                                <button
                                                                    class="button button-small"
                                                                    aria-label=reset_label
                                                                    title="For someone who lost their authenticator and recovery codes"
                                                                    on:click=move |_| {
                                                                        if window().confirm_with_message(&reset_question).unwrap_or(false) {
                                                                            reset_two_factor.dispatch(id);
                                                                        }
                                                                    }
                                                                >
                                                                    "Reset two-factor"
                                                                </button>
                                                                " "
                                                            })}
                                                            <button
                                                                class="button button-small button-danger"
                                                                on:click=move |_| {
                                                                    let question = format!("Delete {name} and all of their data?");
                                                                    if window().confirm_with_message(&question).unwrap_or(false) {
                                                                        remove.dispatch(user.clone());
                                                                    }
                                                                }
                                                            >
                                                                "Delete"
                                                            </button>
                                                        }
                                                        .into_any()
                                                    }}
                                                </td>
                                            </tr>
                                        }
                                    }).collect_view()}
                                </tbody>
                            </table>
                        })
                    })}
                </ErrorBoundary>
            </Transition>
            {move || {
                remove
                    .value()
                    .get()
                    .and_then(Result::err)
                    .or_else(|| set_role.value().get().and_then(Result::err))
                    .or_else(|| reset_two_factor.value().get().and_then(Result::err))
                    .map(|error| view! { <p class="alert" role="alert">{error.to_string()}</p> })
            }}
        </section>
    }
}
