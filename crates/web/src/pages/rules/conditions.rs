//! One condition of a rule as it is being edited: what it looks at, how it compares, and the
//! value (two for "between", a choice for the direction and the account).

use super::words::{field_words, from_wire, op_words, ops_for, wire, FIELDS};
use leptos::prelude::*;
use tally_shared::api::accounts::Account;
use tally_shared::api::rules::{Condition, ConditionField, ConditionOp, ConditionValue};

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ConditionDraft {
    pub key: usize,
    pub field: RwSignal<ConditionField>,
    pub op: RwSignal<ConditionOp>,
    pub value: RwSignal<String>,
    /// The top of a "between" range.
    pub high: RwSignal<String>,
}

impl ConditionDraft {
    pub fn new(key: usize, condition: &Condition) -> Self {
        let (value, high) = match &condition.value {
            ConditionValue::One(value) => (value.clone(), String::new()),
            ConditionValue::Range([low, high]) => (low.clone(), high.clone()),
        };
        Self {
            key,
            field: RwSignal::new(condition.field),
            op: RwSignal::new(condition.op),
            value: RwSignal::new(value),
            high: RwSignal::new(high),
        }
    }

    pub fn blank(key: usize) -> Self {
        Self::new(
            key,
            &Condition {
                field: ConditionField::Merchant,
                op: ConditionOp::Contains,
                value: ConditionValue::One(String::new()),
            },
        )
    }

    /// The condition as typed; `None` while a value is missing.
    pub fn condition(&self) -> Option<Condition> {
        let value = self.value.get().trim().to_owned();
        if value.is_empty() {
            return None;
        }
        let op = self.op.get();
        let value = if op == ConditionOp::Between {
            let high = self.high.get().trim().to_owned();
            if high.is_empty() {
                return None;
            }
            ConditionValue::Range([value, high])
        } else {
            ConditionValue::One(value)
        };
        Some(Condition {
            field: self.field.get(),
            op,
            value,
        })
    }
}

#[component]
pub fn ConditionRow(
    draft: ConditionDraft,
    /// "1" for the first condition, for the labels screen readers read.
    #[prop(into)]
    number: Signal<usize>,
    accounts: Signal<Vec<Account>>,
    /// Plaid's category codes, offered as the person types one.
    codes_list: &'static str,
    on_remove: Callback<usize>,
) -> impl IntoView {
    let label = move |what: &str| format!("{what} of condition {}", number.get());
    let choose_field = move |ev| {
        let Some(field) = from_wire::<ConditionField>(&event_target_value(&ev)) else {
            return;
        };
        let before = draft.field.get_untracked();
        draft.field.set(field);
        if !ops_for(field).contains(&draft.op.get_untracked()) {
            draft.op.set(ops_for(field)[0]);
        }
        match field {
            ConditionField::Direction => draft.value.set("out".to_owned()),
            ConditionField::AccountId => draft.value.set(
                accounts
                    .with_untracked(|a| a.first().map(|a| a.id.to_string()))
                    .unwrap_or_default(),
            ),
            _ if matches!(
                before,
                ConditionField::Direction | ConditionField::AccountId
            ) =>
            {
                draft.value.set(String::new());
            }
            _ => {}
        }
    };
    let value_input = move || {
        match draft.field.get() {
        ConditionField::Direction => view! {
            <select
                name="condition_value"
                aria-label=move || label("Direction")
                on:change=move |ev| draft.value.set(event_target_value(&ev))
            >
                <option value="out" prop:selected=move || draft.value.get() != "in">"Money out"</option>
                <option value="in" prop:selected=move || draft.value.get() == "in">"Money in"</option>
            </select>
        }
        .into_any(),
        ConditionField::AccountId => view! {
            <select
                name="condition_value"
                aria-label=move || label("Account")
                on:change=move |ev| draft.value.set(event_target_value(&ev))
            >
                {move || accounts.get().into_iter().map(|account| {
                    let mask = account.mask.map(|m| format!(" ••{m}")).unwrap_or_default();
                    let id = account.id.to_string();
                    let selected = {
                        let id = id.clone();
                        move || draft.value.with(|v| *v == id)
                    };
                    view! { <option value=id prop:selected=selected>{format!("{}{mask}", account.name)}</option> }
                }).collect_view()}
            </select>
        }
        .into_any(),
        field => {
            let amount = field == ConditionField::Amount;
            let codes = field == ConditionField::PlaidCategory;
            view! {
                <input
                    type="text"
                    name="condition_value"
                    autocomplete="off"
                    inputmode=amount.then_some("decimal")
                    list=codes.then_some(codes_list)
                    placeholder=if amount { "12.50" } else if codes { "FOOD_AND_DRINK_COFFEE" } else { "Text" }
                    aria-label=move || label("Value")
                    prop:value=draft.value
                    on:input=move |ev| draft.value.set(event_target_value(&ev))
                />
                {move || (draft.op.get() == ConditionOp::Between).then(|| view! {
                    <span class="rule-and" aria-hidden="true">"and"</span>
                    <input
                        type="text"
                        name="condition_high"
                        autocomplete="off"
                        inputmode="decimal"
                        placeholder="50.00"
                        aria-label=move || label("Highest value")
                        prop:value=draft.high
                        on:input=move |ev| draft.high.set(event_target_value(&ev))
                    />
                })}
            }
            .into_any()
        }
    }
    };
    view! {
        <li class="rule-condition" data-testid="rule-condition">
            <select
                name="condition_field"
                aria-label=move || label("What")
                on:change=choose_field
            >
                {FIELDS.into_iter().map(|field| view! {
                    <option value=wire(field) prop:selected=move || draft.field.get() == field>{field_words(field)}</option>
                }).collect_view()}
            </select>
            <select
                name="condition_op"
                aria-label=move || label("Comparison")
                on:change=move |ev| {
                    if let Some(op) = from_wire(&event_target_value(&ev)) {
                        draft.op.set(op);
                    }
                }
            >
                {move || ops_for(draft.field.get()).iter().map(|op| {
                    let op = *op;
                    view! { <option value=wire(op) prop:selected=move || draft.op.get() == op>{op_words(op)}</option> }
                }).collect_view()}
            </select>
            <span class="rule-value">{value_input}</span>
            <button
                type="button"
                class="button button-small button-danger"
                aria-label=move || format!("Remove condition {}", number.get())
                on:click=move |_| on_remove.run(draft.key)
            >
                "Remove"
            </button>
        </li>
    }
}
