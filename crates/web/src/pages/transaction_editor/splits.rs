//! The split editor: one transaction shared between 2–20 parts, each with its amount, category
//! and note. Amounts are typed as a person reads them (no sign; each part has the
//! transaction's direction), the remainder shows as they type, and the split is not sent until
//! the parts add up to the amount exactly.

use crate::api;
use crate::components::category_picker::CategoryPicker;
use crate::format;
use leptos::prelude::*;
use rust_decimal::Decimal;
use std::str::FromStr;
use tally_shared::api::categories::Category;
use tally_shared::api::transactions::{Split, TransactionDetail};
use tally_shared::ids::CategoryId;

const FEWEST_PARTS: usize = 2;
const MOST_PARTS: usize = 20;

/// One part as it is being typed.
#[derive(Debug, Clone, Copy, PartialEq)]
struct PartDraft {
    key: usize,
    amount: RwSignal<String>,
    category: RwSignal<Option<CategoryId>>,
    note: RwSignal<String>,
}

impl PartDraft {
    fn new(key: usize, amount: String, category: Option<CategoryId>, note: String) -> Self {
        Self {
            key,
            amount: RwSignal::new(amount),
            category: RwSignal::new(category),
            note: RwSignal::new(note),
        }
    }
}

/// "12.50" (or "12,50", as many people write it) as a decimal; `None` when it is not one.
fn parse_amount(text: &str) -> Option<Decimal> {
    let text = text.trim().replace(' ', "");
    let text = if text.contains(',') && !text.contains('.') {
        text.replace(',', ".")
    } else {
        text.replace(',', "")
    };
    Decimal::from_str(&text).ok()
}

/// Where the parts stand: what is left to split (negative when they come to more; `None` while
/// an amount is not a number), and anything else that keeps them from being sent.
#[derive(Debug, Clone, PartialEq)]
struct Check {
    remainder: Option<Decimal>,
    problem: Option<String>,
}

impl Check {
    fn ready(&self) -> bool {
        self.remainder == Some(Decimal::ZERO) && self.problem.is_none()
    }
}

fn check(parts: &[(Option<Decimal>, bool)], total: Decimal) -> Check {
    let amounts: Option<Vec<Decimal>> = parts.iter().map(|(amount, _)| *amount).collect();
    let remainder = amounts.map(|amounts| total - amounts.into_iter().sum::<Decimal>());
    let problem = if parts.len() < FEWEST_PARTS {
        Some("A split has at least two parts.".to_owned())
    } else if parts.len() > MOST_PARTS {
        Some("A split has at most 20 parts.".to_owned())
    } else {
        parts
            .iter()
            .enumerate()
            .find_map(|(n, (amount, has_category))| match amount {
                None => Some(format!("Part {} needs an amount, such as 12.50.", n + 1)),
                Some(amount) if *amount <= Decimal::ZERO => {
                    Some(format!("Part {} needs an amount above zero.", n + 1))
                }
                Some(_) if !has_category => Some(format!("Part {} needs a category.", n + 1)),
                Some(_) => None,
            })
    };
    Check { remainder, problem }
}

#[component]
pub fn SplitEditor(
    current: RwSignal<TransactionDetail>,
    categories: Signal<Vec<Category>>,
    /// Called once the split was saved or removed.
    on_saved: Callback<()>,
) -> impl IntoView {
    let (total, negative, currency, category, saved_parts) = current.with_untracked(|d| {
        let t = &d.transaction;
        (
            t.amount.abs(),
            t.amount.is_sign_negative(),
            t.currency.clone(),
            t.category_id,
            t.splits.clone(),
        )
    });
    let currency = StoredValue::new(currency);
    let money = move |amount: Decimal| {
        currency.with_value(|currency| match currency.as_deref() {
            Some(currency) => format::money(amount, currency),
            None => format::number(amount),
        })
    };
    let next_key = StoredValue::new(saved_parts.len());
    let parts = RwSignal::new(
        saved_parts
            .iter()
            .enumerate()
            .map(|(key, part)| {
                PartDraft::new(
                    key,
                    part.amount.abs().to_string(),
                    Some(part.category_id),
                    part.notes.clone().unwrap_or_default(),
                )
            })
            .collect::<Vec<_>>(),
    );
    let is_split = move || current.with(|d| !d.transaction.splits.is_empty());
    // Outside `view!`: a `>=` in an attribute there ends the tag.
    let full = move || parts.with(Vec::len) >= MOST_PARTS;
    let open = RwSignal::new(!saved_parts.is_empty());
    // A part's signals belong to the editor, not to the button that added it (the first
    // parts are added by a button that goes away with them).
    let owner = StoredValue::new_local(Owner::current());
    let add_part = move |amount: String, category: Option<CategoryId>| {
        let key = next_key.get_value();
        next_key.set_value(key + 1);
        let new_part = || PartDraft::new(key, amount, category, String::new());
        let part = owner.with_value(|owner| match owner {
            Some(owner) => owner.with(new_part),
            None => new_part(),
        });
        parts.update(|parts| parts.push(part));
    };
    let start = move |_| {
        parts.set(Vec::new());
        add_part(total.to_string(), Some(category));
        add_part(String::new(), None);
        open.set(true);
    };
    let state = Memo::new(move |_| {
        let typed: Vec<(Option<Decimal>, bool)> = parts.with(|parts| {
            parts
                .iter()
                .map(|p| (parse_amount(&p.amount.get()), p.category.get().is_some()))
                .collect()
        });
        check(&typed, total)
    });
    let save = Action::new_local(move |()| {
        let id = current.with_untracked(|d| d.transaction.id);
        let sent: Vec<Split> = parts.with_untracked(|parts| {
            parts
                .iter()
                .filter_map(|p| {
                    let amount = parse_amount(&p.amount.get_untracked())?;
                    Some(Split {
                        amount: if negative { -amount } else { amount },
                        category_id: p.category.get_untracked()?,
                        notes: Some(p.note.get_untracked().trim().to_owned())
                            .filter(|n| !n.is_empty()),
                    })
                })
                .collect()
        });
        async move {
            let saved = api::transactions::split(id, &sent).await;
            if saved.is_ok() {
                on_saved.run(());
            }
            saved
        }
    });
    let unsplit = Action::new_local(move |()| {
        let id = current.with_untracked(|d| d.transaction.id);
        async move {
            let removed = api::transactions::unsplit(id).await;
            if removed.is_ok() {
                parts.set(Vec::new());
                open.set(false);
                on_saved.run(());
            }
            removed
        }
    });
    let error = move || {
        save.value()
            .get()
            .and_then(Result::err)
            .or_else(|| unsplit.value().get().and_then(Result::err))
    };
    let saved_now = move || matches!(save.value().get(), Some(Ok(())));
    let pending = Signal::derive(move || save.pending().get() || unsplit.pending().get());
    let position = move |key: usize| {
        parts.with(|parts| parts.iter().position(|p| p.key == key).map_or(0, |i| i + 1))
    };
    let remainder_words = move || match state.with(|s| s.remainder) {
        Some(left) if left.is_zero() => "The parts add up to the amount.".to_owned(),
        Some(left) if left > Decimal::ZERO => format!("Left to split: {}", money(left)),
        Some(over) => format!("Over by {}", money(-over)),
        None => "Type each part's amount to see what is left.".to_owned(),
    };
    view! {
        <section class="editor-split" aria-labelledby="split-title">
            <h3 id="split-title">"Split"</h3>
            <Show
                when=move || open.get()
                fallback=move || view! {
                    <p class="small muted">"Share this transaction between categories, such as groceries and household in one shop."</p>
                    <button type="button" class="button button-small" on:click=start>"Split this transaction"</button>
                }
            >
                <form
                    class="split-form"
                    novalidate
                    on:submit=move |ev| {
                        ev.prevent_default();
                        if state.with_untracked(Check::ready) {
                            save.dispatch(());
                        }
                    }
                >
                    <p class="small muted">{format!("The parts must add up to {} exactly.", money(total))}</p>
                    <ol class="split-parts">
                        <For each=move || parts.get() key=|part| part.key let:part>
                            <li class="split-part" data-testid="split-part">
                                <PartText
                                    label="Amount"
                                    which=Signal::derive(move || format!(" of part {}", position(part.key)))
                                    name="split_amount"
                                    value=part.amount
                                    decimal=true
                                />
                                <CategoryPicker
                                    categories
                                    value=part.category
                                    label="Category"
                                    aria_label=Signal::derive(move || format!("Category of part {}", position(part.key)))
                                    name="split_category"
                                />
                                <PartText
                                    label="Note"
                                    which=Signal::derive(move || format!(" for part {}", position(part.key)))
                                    name="split_note"
                                    value=part.note
                                    decimal=false
                                />
                                <button
                                    type="button"
                                    class="button button-small button-danger split-remove"
                                    aria-label=move || format!("Remove part {}", position(part.key))
                                    on:click=move |_| parts.update(|parts| parts.retain(|p| p.key != part.key))
                                >
                                    "Remove"
                                </button>
                            </li>
                        </For>
                    </ol>
                    <button
                        type="button"
                        class="button button-small"
                        disabled=full
                        on:click=move |_| {
                            let left = state
                                .with_untracked(|s| s.remainder)
                                .filter(|left| *left > Decimal::ZERO)
                                .map(|left| left.to_string())
                                .unwrap_or_default();
                            add_part(left, None);
                        }
                    >
                        "Add a part"
                    </button>
                    <p
                        class="split-remainder"
                        class:split-balanced=move || state.with(|s| s.remainder == Some(Decimal::ZERO))
                        aria-live="polite"
                        data-testid="split-remainder"
                    >
                        {remainder_words}
                    </p>
                    {move || state.with(|s| s.problem.clone()).map(|problem| view! {
                        <p class="field-error" data-testid="split-problem">{problem}</p>
                    })}
                    {move || error().map(|error| {
                        let details = error.messages_about("");
                        view! {
                            <div class="alert" role="alert">
                                <p>{error.to_string()}</p>
                                {(!details.is_empty()).then(|| view! {
                                    <ul>{details.into_iter().map(|d| view! { <li>{d}</li> }).collect_view()}</ul>
                                })}
                            </div>
                        }
                    })}
                    {move || saved_now().then(|| view! { <p class="alert alert-good" role="status">"Split saved."</p> })}
                    <div class="dialog-actions">
                        {move || is_split().then(|| view! {
                            <button type="button" class="button button-danger" disabled=pending on:click=move |_| { unsplit.dispatch(()); }>
                                "Remove split"
                            </button>
                        })}
                        <button
                            type="submit"
                            class="button button-primary"
                            disabled=move || pending.get() || !state.with(Check::ready)
                        >
                            {move || if save.pending().get() { "Saving…" } else { "Save split" }}
                        </button>
                    </div>
                </form>
            </Show>
        </section>
    }
}

/// A part's amount or note: its visible label, and which part it is for screen readers.
#[component]
fn PartText(
    label: &'static str,
    /// " of part 2": read after the label, not shown.
    which: Signal<String>,
    name: &'static str,
    value: RwSignal<String>,
    /// An amount (a decimal keyboard on phones) rather than words.
    decimal: bool,
) -> impl IntoView {
    view! {
        <label class=if decimal { "field split-amount" } else { "field split-note" }>
            <span class="field-label">
                {label}
                <span class="visually-hidden">{which}</span>
            </span>
            <input
                type="text"
                inputmode=decimal.then_some("decimal")
                name=name
                autocomplete="off"
                placeholder=decimal.then_some("0.00")
                maxlength=(!decimal).then_some("2000")
                prop:value=value
                on:input=move |ev| value.set(event_target_value(&ev))
            />
        </label>
    }
}
