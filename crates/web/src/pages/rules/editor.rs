//! Making or changing a rule, in a side panel: its name, its conditions (all must match), its
//! actions, and how many transactions the conditions match now, counted as they are typed.

use super::conditions::{ConditionDraft, ConditionRow};
use crate::api::{self, ClientError};
use crate::components::category_picker::CategoryPicker;
use crate::components::modal::modal_while;
use crate::components::status::Tone;
use crate::components::tag_input::TagInput;
use crate::components::transaction_parts::counterparty;
use crate::format;
use crate::state::toasts::use_toasts;
use gloo_timers::callback::Timeout;
use leptos::html::Dialog;
use leptos::prelude::*;
use rust_decimal::Decimal;
use tally_shared::api::accounts::Account;
use tally_shared::api::categories::Category;
use tally_shared::api::rules::{
    Condition, NewRule, Rule, RuleActions, RulePreviewRequest, RuleUpdate,
};

/// How long typing must pause before the match count is asked for.
const PREVIEW_DELAY_MS: u32 = 400;
/// How many of the matches the editor names.
const SAMPLE_SHOWN: usize = 5;
/// The datalist of Plaid's category codes the conditions offer.
const CODES_LIST: &str = "plaid-category-codes";

/// What the panel is open for.
#[derive(Debug, Clone, PartialEq)]
pub enum Editing {
    New,
    Existing(Rule),
}

#[component]
pub fn RuleEditor(
    /// `None` closes the panel.
    editing: RwSignal<Option<Editing>>,
    categories: Signal<Vec<Category>>,
    accounts: Signal<Vec<Account>>,
    /// Called once the rule was saved.
    on_saved: Callback<()>,
) -> impl IntoView {
    let dialog = NodeRef::<Dialog>::new();
    modal_while(dialog, move || editing.with(Option::is_some));
    let title = move || match editing.get() {
        Some(Editing::Existing(rule)) => format!("Edit “{}”", rule.name),
        _ => "New rule".to_owned(),
    };
    view! {
        <dialog
            node_ref=dialog
            class="dialog panel"
            aria-labelledby="rule-editor-title"
            data-testid="rule-editor"
            on:close=move |_| editing.set(None)
        >
            <div class="panel-head">
                <h2 id="rule-editor-title">{title}</h2>
                <button type="button" class="panel-close" aria-label="Close the rule editor" on:click=move |_| editing.set(None)>
                    "×"
                </button>
            </div>
            <datalist id=CODES_LIST>
                {move || categories.get().into_iter().filter_map(|c| c.plaid_code).map(|code| view! {
                    <option value=code></option>
                }).collect_view()}
            </datalist>
            {move || editing.get().map(|target| view! {
                <RuleForm target categories accounts close=Callback::new(move |()| editing.set(None)) on_saved />
            })}
        </dialog>
    }
}

#[component]
fn RuleForm(
    target: Editing,
    categories: Signal<Vec<Category>>,
    accounts: Signal<Vec<Account>>,
    close: Callback<()>,
    on_saved: Callback<()>,
) -> impl IntoView {
    let toasts = use_toasts();
    let existing = match &target {
        Editing::Existing(rule) => Some(rule.clone()),
        Editing::New => None,
    };
    let start = existing.clone();
    let name = RwSignal::new(start.as_ref().map(|r| r.name.clone()).unwrap_or_default());
    let conditions = RwSignal::new(match &start {
        Some(rule) => rule
            .conditions
            .iter()
            .enumerate()
            .map(|(key, c)| ConditionDraft::new(key, c))
            .collect(),
        None => vec![ConditionDraft::blank(0)],
    });
    let next_key = StoredValue::new(conditions.with_untracked(Vec::len));
    let actions = start.map(|r| r.actions).unwrap_or_default();
    let category = RwSignal::new(actions.category_id);
    let display_name = RwSignal::new(actions.display_name.clone().unwrap_or_default());
    let tags = RwSignal::new(actions.add_tags.clone());
    let hide = RwSignal::new(actions.hide);

    // The conditions as typed (those with a value), and the count of what they match once
    // typing pauses.
    let typed = Memo::new(move |_| {
        conditions.with(|all| {
            all.iter()
                .filter_map(ConditionDraft::condition)
                .collect::<Vec<Condition>>()
        })
    });
    let asked = RwSignal::new(None::<Vec<Condition>>);
    let timer = StoredValue::new_local(None::<Timeout>);
    Effect::new(move |_| {
        let now = typed.get();
        let wait = Timeout::new(PREVIEW_DELAY_MS, move || {
            asked.set((!now.is_empty()).then_some(now));
        });
        timer.set_value(Some(wait));
    });
    let preview = LocalResource::new(move || {
        let asked = asked.get();
        async move {
            match asked {
                Some(conditions) => {
                    Some(api::rules::preview(&RulePreviewRequest { conditions }).await)
                }
                None => None,
            }
        }
    });

    let save = Action::new_local(move |()| {
        let actions = RuleActions {
            category_id: category.get_untracked(),
            display_name: Some(display_name.get_untracked().trim().to_owned())
                .filter(|n| !n.is_empty()),
            add_tags: tags.get_untracked(),
            hide: hide.get_untracked(),
        };
        let conditions = typed.get_untracked();
        let name = name.get_untracked().trim().to_owned();
        let existing = existing.clone();
        async move {
            let saved = match existing {
                Some(rule) => {
                    let update = RuleUpdate {
                        name: Some(name),
                        conditions: Some(conditions),
                        actions: Some(actions),
                        position: None,
                    };
                    api::rules::update(rule.id, &update).await?
                }
                None => {
                    let rule = NewRule {
                        name,
                        conditions,
                        actions,
                        position: None,
                    };
                    api::rules::create(&rule).await?
                }
            };
            toasts.push(Tone::Good, format!("Rule “{}” saved", saved.name));
            on_saved.run(());
            close.run(());
            Ok::<_, ClientError>(saved)
        }
    });
    let pending = save.pending();
    let failure = move || save.value().get().and_then(Result::err);
    let name_error = move || failure().and_then(|e| e.field_message("name"));
    let other_errors = move || {
        failure().map(|error| match &error {
            ClientError::Api(body) => {
                let fields: Vec<String> = body
                    .fields
                    .iter()
                    .filter(|f| f.field != "name")
                    .map(|f| f.message.clone())
                    .collect();
                (body.message.clone(), fields)
            }
            other => (other.to_string(), Vec::new()),
        })
    };
    let position = move |key: usize| {
        conditions.with(|all| all.iter().position(|c| c.key == key).map_or(0, |i| i + 1))
    };
    let remove =
        Callback::new(move |key: usize| conditions.update(|all| all.retain(|c| c.key != key)));
    // A condition's signals belong to the form, not to the event that added it.
    let owner = StoredValue::new_local(Owner::current());
    let add = move |_| {
        let key = next_key.get_value();
        next_key.set_value(key + 1);
        let draft = owner.with_value(|owner| match owner {
            Some(owner) => owner.with(|| ConditionDraft::blank(key)),
            None => ConditionDraft::blank(key),
        });
        conditions.update(|all| all.push(draft));
    };
    let count_words = move || match (asked.get(), preview.get().flatten()) {
        (None, _) => "Add a condition with a value to see what it matches.".to_owned(),
        (Some(_), None) => "Counting…".to_owned(),
        (Some(_), Some(Ok(found))) => {
            let n = format::number(Decimal::from(found.matches));
            match found.matches {
                1 => "Matches 1 transaction".to_owned(),
                _ => format!("Matches {n} transactions"),
            }
        }
        (Some(_), Some(Err(error))) => format!("Cannot count yet: {error}"),
    };
    let sample = move || {
        preview
            .get()
            .flatten()
            .and_then(Result::ok)
            .map(|found| {
                found
                    .sample
                    .iter()
                    .take(SAMPLE_SHOWN)
                    .map(|t| {
                        format!(
                            "{} · {}",
                            t.display_name.clone().unwrap_or_else(|| counterparty(t)),
                            format::date(t.date)
                        )
                    })
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default()
    };
    view! {
        <form
            class="form editor-form"
            novalidate
            on:submit=move |ev| {
                ev.prevent_default();
                save.dispatch(());
            }
        >
            <label class="field">
                <span class="field-label">"Name"</span>
                <input
                    name="rule_name"
                    type="text"
                    autocomplete="off"
                    required
                    maxlength="100"
                    placeholder="e.g. Coffee shops"
                    prop:value=name
                    on:input=move |ev| name.set(event_target_value(&ev))
                />
                {move || name_error().map(|e| view! { <span class="field-error">{e}</span> })}
            </label>
            <fieldset class="rule-fieldset">
                <legend class="field-label">"When a transaction matches all of these"</legend>
                <ol class="rule-conditions">
                    <For each=move || conditions.get() key=|c| c.key let:draft>
                        <ConditionRow
                            draft
                            number=Signal::derive(move || position(draft.key))
                            accounts
                            codes_list=CODES_LIST
                            on_remove=remove
                        />
                    </For>
                </ol>
                <button type="button" class="button button-small" on:click=add>"Add a condition"</button>
                <div class="rule-matches" aria-live="polite">
                    <p class="rule-count" data-testid="rule-match-count">{count_words}</p>
                    <ul class="rule-sample small muted">
                        {move || sample().into_iter().map(|line| view! { <li>{line}</li> }).collect_view()}
                    </ul>
                </div>
            </fieldset>
            <fieldset class="rule-fieldset">
                <legend class="field-label">"Then"</legend>
                <CategoryPicker categories value=category label="Set the category" />
                {move || category.get().is_some().then(|| view! {
                    <button type="button" class="button-link small rule-clear" on:click=move |_| category.set(None)>
                        "Leave the category alone"
                    </button>
                })}
                <label class="field">
                    <span class="field-label">"Set the display name"</span>
                    <input
                        name="rule_display_name"
                        type="text"
                        autocomplete="off"
                        maxlength="200"
                        placeholder="Leave it as it is"
                        prop:value=display_name
                        on:input=move |ev| display_name.set(event_target_value(&ev))
                    />
                </label>
                <TagInput tags label="Add tags" />
                <label class="inline-check editor-check">
                    <input type="checkbox" name="rule_hide" prop:checked=hide on:change=move |ev| hide.set(event_target_checked(&ev)) />
                    "Hide the transaction"
                </label>
            </fieldset>
            {move || other_errors().map(|(message, fields)| view! {
                <div class="alert" role="alert">
                    <p>{message}</p>
                    {(!fields.is_empty()).then(|| view! {
                        <ul>{fields.into_iter().map(|f| view! { <li>{f}</li> }).collect_view()}</ul>
                    })}
                </div>
            })}
            <div class="dialog-actions">
                <button type="button" class="button" on:click=move |_| close.run(())>"Cancel"</button>
                <button type="submit" class="button button-primary" disabled=pending>
                    {move || if pending.get() { "Saving…" } else { "Save rule" }}
                </button>
            </div>
        </form>
    }
}
