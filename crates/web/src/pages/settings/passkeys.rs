//! Settings → Passkeys: the person's passkeys (each named, with when it was added and last
//! used), adding one under a name, and removing one.

use crate::api;
use crate::components::confirm_dialog::ConfirmDialog;
use crate::components::error_view::ErrorView;
use crate::components::field::{BoundInput, Field};
use crate::interop::webauthn;
use crate::passkey_flow;
use crate::{calendar, format};
use leptos::prelude::*;
use tally_shared::api::passkeys::{Passkey, PasskeyList};
use tally_shared::ids::PasskeyId;

#[component]
pub fn Passkeys() -> impl IntoView {
    let passkeys = LocalResource::new(api::passkeys::list);
    let name = RwSignal::new(String::new());
    let add = Action::new_local(move |name: &String| {
        let name = name.clone();
        async move {
            let result = passkey_flow::register(name).await;
            passkeys.refetch();
            result
        }
    });
    let remove = Action::new_local(move |id: &PasskeyId| {
        let id = *id;
        async move {
            let result = api::passkeys::remove(id).await;
            passkeys.refetch();
            result
        }
    });
    let adding = add.pending();
    let added = move || add.value().get().and_then(Result::ok);
    Effect::new(move |_| {
        if added().is_some() {
            name.set(String::new());
        }
    });
    let add_failure = move || add.value().get().and_then(Result::err);
    let name_error = ViewFn::from(move || {
        add_failure()
            .and_then(|error| error.field_message("name"))
            .map(|message| view! { <span class="field-error">{message}</span> })
    });
    let general_failure = move || {
        add_failure()
            .filter(|error| error.field_message("name").is_none())
            .map(|error| error.to_string())
            .or_else(|| {
                remove
                    .value()
                    .get()
                    .and_then(Result::err)
                    .map(|error| error.to_string())
            })
    };
    // Removing asks first: the passkey stops signing anyone in at once.
    let removing = RwSignal::new(None::<(PasskeyId, String)>);
    let question = Signal::derive(move || {
        removing.get().map(|(_, name)| {
            (
                format!("Remove the passkey “{name}”?"),
                "It will no longer sign you in. You can add it again later.".to_owned(),
            )
        })
    });
    let confirm = Callback::new(move |()| {
        if let Some((id, _)) = removing.get_untracked() {
            remove.dispatch(id);
        }
        removing.set(None);
    });
    let supported = webauthn::supported();
    view! {
        <section class="card" aria-labelledby="passkeys-title" data-testid="passkeys">
            <h2 class="card-title" id="passkeys-title">"Passkeys"</h2>
            <p class="muted">
                "Sign in with your fingerprint, face, screen lock or security key instead of your password: "
                "no username to type, nothing to steal. A passkey is both of your factors, so it also skips the two-factor code."
            </p>
            {move || general_failure().map(|error| view! { <p class="alert" role="alert">{error}</p> })}
            {move || added().map(|passkey| view! {
                <p class="alert alert-good" role="status">
                    {format!("The passkey “{}” was added. Use it on the log-in page.", passkey.name)}
                </p>
            })}
            <Transition fallback=|| view! { <p class="muted">"Loading passkeys…"</p> }>
                <ErrorBoundary fallback=|errors| view! { <ErrorView errors /> }>
                    {move || Suspend::new(async move {
                        passkeys.await.map(|list| view! { <PasskeyTable list removing /> })
                    })}
                </ErrorBoundary>
            </Transition>
            {if supported {
                view! {
                    <form
                        class="form form-narrow"
                        on:submit=move |ev| {
                            ev.prevent_default();
                            add.dispatch(name.get_untracked());
                        }
                    >
                        <Field label="Name for a new passkey" hint=Some("Such as “Phone” or “Security key”.".to_owned()) error=name_error>
                            <BoundInput name="passkey_name" value=name autocomplete="off" />
                        </Field>
                        <button class="button button-primary" type="submit" disabled=adding>
                            {move || if adding.get() { "Waiting for your passkey…" } else { "Add a passkey" }}
                        </button>
                    </form>
                }
                .into_any()
            } else {
                view! {
                    <p class="muted" role="note">
                        "This browser cannot make passkeys. Use an up-to-date browser to add one."
                    </p>
                }
                .into_any()
            }}
            <ConfirmDialog
                question
                confirm_label="Remove passkey"
                on_confirm=confirm
                on_cancel=Callback::new(move |()| removing.set(None))
            />
        </section>
    }
}

/// The list, or a sentence when there is nothing in it.
#[component]
fn PasskeyTable(
    list: PasskeyList,
    removing: RwSignal<Option<(PasskeyId, String)>>,
) -> impl IntoView {
    if list.passkeys.is_empty() {
        return view! {
            <p class="muted" data-testid="no-passkeys">"You have no passkeys yet."</p>
        }
        .into_any();
    }
    let limit = format!(
        "{} of at most {} passkeys.",
        list.passkeys.len(),
        list.limit
    );
    view! {
        <div class="table-scroll">
            <table class="table passkeys-table">
                <caption class="visually-hidden">"Your passkeys"</caption>
                <thead>
                    <tr>
                        <th>"Name"</th>
                        <th class="passkey-added">"Added"</th>
                        <th>"Last used"</th>
                        <th><span class="visually-hidden">"Actions"</span></th>
                    </tr>
                </thead>
                <tbody>
                    {list.passkeys.into_iter().map(|passkey| view! { <PasskeyRow passkey removing /> }).collect_view()}
                </tbody>
            </table>
        </div>
        <p class="muted">{limit}</p>
    }
    .into_any()
}

#[component]
fn PasskeyRow(passkey: Passkey, removing: RwSignal<Option<(PasskeyId, String)>>) -> impl IntoView {
    let now = calendar::now();
    let Passkey {
        id,
        name,
        created_at,
        last_used_at,
    } = passkey;
    let remove_label = format!("Remove passkey {name}");
    let last_used = last_used_at.map_or_else(|| "Never".to_owned(), |at| format::ago(at, now));
    let last_used_title = last_used_at.map(format::date_time);
    let asked = name.clone();
    let added = format!("Added {}", format::date_time(created_at));
    view! {
        <tr data-testid="passkey-row">
            <td class="passkey-name" title=added>{name}</td>
            <td class="passkey-added" title=format::date_time(created_at)>{format::date(created_at.date_naive())}</td>
            <td title=last_used_title>{last_used}</td>
            <td class="actions">
                <button
                    class="button button-small button-danger"
                    type="button"
                    aria-label=remove_label
                    on:click=move |_| removing.set(Some((id, asked.clone())))
                >
                    "Remove"
                </button>
            </td>
        </tr>
    }
}
