//! `/rules`: the person's rules in the order they apply. Add one, edit it with a live count of
//! what it matches, move it up or down, apply it to past transactions, delete it.

mod conditions;
mod editor;
mod words;

use crate::api;
use crate::components::confirm_dialog::ConfirmDialog;
use crate::components::sign_in_prompt::SignInPrompt;
use crate::format;
use crate::pages::category_list::load_categories;
use crate::state::refresh::on_stale;
use crate::state::session::use_session;
use editor::{Editing, RuleEditor};
use leptos::prelude::*;
use leptos_meta::Title;
use rust_decimal::Decimal;
use tally_shared::api::accounts::Account;
use tally_shared::api::categories::Category;
use tally_shared::api::rules::{Rule, RuleUpdate};
use tally_shared::ids::RuleId;
use wasm_bindgen::JsCast;

#[component]
pub fn RulesPage() -> impl IntoView {
    let session = use_session();
    view! {
        <Title text="Rules" />
        <div class="page-head">
            <h1>"Rules"</h1>
        </div>
        {move || match session.user() {
            Some(_) => view! { <RuleManager /> }.into_any(),
            None if session.is_known() => view! { <SignInPrompt /> }.into_any(),
            None => ().into_any(),
        }}
    }
}

/// What the rows share: the rules as last loaded, a way to load them again, and the names they
/// show.
#[derive(Clone, Copy)]
struct Rules {
    list: Memo<Vec<Rule>>,
    reload: Callback<()>,
    categories: Signal<Vec<Category>>,
    accounts: Signal<Vec<Account>>,
    editing: RwSignal<Option<Editing>>,
    deleting: RwSignal<Option<Rule>>,
}

#[component]
fn RuleManager() -> impl IntoView {
    let resource = LocalResource::new(api::rules::list);
    let accounts_resource = LocalResource::new(api::accounts::list_accounts);
    // A change of rules (here or in another tab) is announced as `transactions_changed`.
    on_stale(move |stale| {
        if stale.banking() {
            resource.refetch();
            accounts_resource.refetch();
        }
    });
    let list = Memo::new(move |_| {
        resource
            .get()
            .and_then(Result::ok)
            .map(|list| list.rules)
            .unwrap_or_default()
    });
    let accounts = Signal::derive(move || {
        accounts_resource
            .get()
            .and_then(Result::ok)
            .map(|list| list.accounts)
            .unwrap_or_default()
    });
    let rules = Rules {
        list,
        reload: Callback::new(move |()| resource.refetch()),
        categories: load_categories(),
        accounts,
        editing: RwSignal::new(None),
        deleting: RwSignal::new(None),
    };
    let load_error = move || resource.get().and_then(Result::err);
    let loaded = move || resource.get().is_some_and(|r| r.is_ok());
    let ids = move || list.with(|l| l.iter().map(|r| r.id).collect::<Vec<_>>());

    let remove = Action::new_local(move |id: &RuleId| {
        let id = *id;
        async move {
            let removed = api::rules::remove(id).await;
            rules.deleting.set(None);
            rules.reload.run(());
            removed
        }
    });
    let question = Signal::derive(move || {
        rules.deleting.get().map(|rule| {
            (
                format!("Delete “{}”?", rule.name),
                "It stops labelling new transactions. What it labelled already keeps its labels until your rules are applied again."
                    .to_owned(),
            )
        })
    });
    view! {
        <div class="page-sections">
            <section class="card" aria-labelledby="rules-title">
                <div class="section-head">
                    <h2 class="card-title" id="rules-title">"Your rules"</h2>
                    <button
                        type="button"
                        class="button button-primary button-small"
                        aria-haspopup="dialog"
                        on:click=move |_| rules.editing.set(Some(Editing::New))
                    >
                        "New rule"
                    </button>
                </div>
                <p class="muted">
                    "Rules label transactions as they arrive, in this order: a field takes its value from the first rule "
                    "that sets it, and tags gather from every rule that matches. What you set by hand on a "
                    "transaction always wins."
                </p>
                {move || load_error().map(|error| view! {
                    <div class="alert" role="alert">
                        <p>{format!("Your rules could not be loaded: {error}")}</p>
                        <button type="button" class="button button-small" on:click=move |_| resource.refetch()>"Retry"</button>
                    </div>
                })}
                {move || (!loaded() && load_error().is_none())
                    .then(|| view! { <p class="muted">"Loading rules…"</p> })}
                {move || (loaded() && list.with(Vec::is_empty)).then(|| view! {
                    <p class="empty-line" data-testid="no-rules">
                        "No rules yet. Make one here, or accept the one Tally offers when you change a merchant's category."
                    </p>
                })}
                {move || remove.value().get().and_then(Result::err).map(|error| view! {
                    <p class="alert" role="alert">{format!("The rule could not be deleted: {error}")}</p>
                })}
                <ol class="rule-list" data-testid="rule-list">
                    <For each=ids key=|id| *id let:id>
                        <RuleRow id rules />
                    </For>
                </ol>
            </section>
            <RuleEditor
                editing=rules.editing
                categories=rules.categories
                accounts
                on_saved=rules.reload
            />
            <ConfirmDialog
                question
                confirm_label="Delete rule"
                on_confirm=Callback::new(move |()| {
                    if let Some(rule) = rules.deleting.get_untracked() {
                        remove.dispatch(rule.id);
                    }
                })
                on_cancel=Callback::new(move |()| rules.deleting.set(None))
            />
        </div>
    }
}

/// Puts focus on the element with `id`, if it is there and enabled; says whether it did.
fn focus_by_id(id: &str) -> bool {
    let Some(element) = document().get_element_by_id(id) else {
        return false;
    };
    if element.has_attribute("disabled") {
        return false;
    }
    element
        .dyn_into::<web_sys::HtmlElement>()
        .is_ok_and(|element| element.focus().is_ok())
}

#[component]
fn RuleRow(id: RuleId, rules: Rules) -> impl IntoView {
    let rule = Memo::new(move |_| rules.list.with(|l| l.iter().find(|r| r.id == id).cloned()));
    let index = Memo::new(move |_| rules.list.with(|l| l.iter().position(|r| r.id == id)));
    let count = move || rules.list.with(Vec::len);
    let name = move || rule.with(|r| r.as_ref().map(|r| r.name.clone()).unwrap_or_default());
    let up_id = format!("rule-{id}-up");
    let down_id = format!("rule-{id}-down");

    let movement = Action::new_local(move |&(position, up): &(u32, bool)| async move {
        let moved = api::rules::update(
            id,
            &RuleUpdate {
                position: Some(position),
                ..RuleUpdate::default()
            },
        )
        .await;
        rules.reload.run(());
        (moved, up)
    });
    // Once the list shows the new order, focus stays on the button that moved the rule (or its
    // neighbour, when the rule reached an end).
    Effect::new(move |_| {
        let Some((Ok(moved), up)) = movement.value().get() else {
            return;
        };
        if index.get().and_then(|i| u32::try_from(i).ok()) != Some(moved.position) {
            return;
        }
        request_animation_frame(move || {
            let (first, second) = if up { ("up", "down") } else { ("down", "up") };
            if !focus_by_id(&format!("rule-{id}-{first}")) {
                focus_by_id(&format!("rule-{id}-{second}"));
            }
        });
    });
    let move_by = move |up: bool| {
        let Some(at) = index.get_untracked().and_then(|i| u32::try_from(i).ok()) else {
            return;
        };
        let to = if up { at.saturating_sub(1) } else { at + 1 };
        movement.dispatch((to, up));
    };
    let apply = Action::new_local(move |()| async move { api::rules::apply(id).await });
    let applied_words = move || {
        apply.value().get().map(|result| match result {
            Ok(applied) => {
                let n = format::number(Decimal::from(applied.changed));
                let plural = if applied.changed == 1 { "" } else { "s" };
                (
                    true,
                    format!("Your rules were applied: {n} transaction{plural} changed."),
                )
            }
            Err(error) => (false, format!("Could not apply it: {error}")),
        })
    };
    let move_error = move || movement.value().get().and_then(|(result, _)| result.err());

    view! {
        <li class="rule-row" data-testid="rule-row" data-name=name>
            <div class="rule-order" aria-hidden="true">{move || index.get().map_or(0, |i| i + 1)}</div>
            <div class="rule-body">
                <h3 class="rule-name">{name}</h3>
                {move || rule.get().map(|rule| {
                    let accounts = rules.accounts.get();
                    let when = rule
                        .conditions
                        .iter()
                        .map(|c| words::condition_words(c, &accounts))
                        .collect::<Vec<_>>()
                        .join(" and ");
                    let then = rules.categories.with(|c| words::actions_words(&rule.actions, c));
                    view! {
                        <p class="rule-when small"><span class="rule-key">"When "</span>{when}</p>
                        <p class="rule-then small"><span class="rule-key">"Then "</span>{then}</p>
                    }
                })}
                {move || applied_words().map(|(good, words)| view! {
                    <p class=if good { "alert alert-good rule-note" } else { "alert rule-note" } role="status" data-testid="rule-applied">
                        {words}
                    </p>
                })}
                {move || move_error().map(|error| view! {
                    <p class="alert rule-note" role="alert">{format!("The rule could not be moved: {error}")}</p>
                })}
            </div>
            <div class="rule-actions">
                <button
                    type="button"
                    id=up_id
                    class="button button-small rule-move"
                    aria-label=move || format!("Move {} up", name())
                    disabled=move || index.get() == Some(0) || movement.pending().get()
                    on:click=move |_| move_by(true)
                >
                    "↑"
                </button>
                <button
                    type="button"
                    id=down_id
                    class="button button-small rule-move"
                    aria-label=move || format!("Move {} down", name())
                    disabled=move || index.get().is_none_or(|i| i + 1 >= count()) || movement.pending().get()
                    on:click=move |_| move_by(false)
                >
                    "↓"
                </button>
                <button
                    type="button"
                    class="button button-small"
                    aria-haspopup="dialog"
                    aria-label=move || format!("Edit {}", name())
                    on:click=move |_| {
                        if let Some(rule) = rule.get_untracked() {
                            rules.editing.set(Some(Editing::Existing(rule)));
                        }
                    }
                >
                    "Edit"
                </button>
                <button
                    type="button"
                    class="button button-small"
                    aria-label=move || format!("Apply to past transactions: {}", name())
                    disabled=apply.pending()
                    on:click=move |_| {
                        apply.dispatch(());
                    }
                >
                    {move || if apply.pending().get() { "Applying…" } else { "Apply to past transactions" }}
                </button>
                <button
                    type="button"
                    class="button button-small button-danger"
                    aria-label=move || format!("Delete {}", name())
                    on:click=move |_| rules.deleting.set(rule.get_untracked())
                >
                    "Delete"
                </button>
            </div>
        </li>
    }
}
