//! The filters of the transactions page: text and tag (applied once typing pauses), account,
//! category, dates, pending, amounts, hidden and needs review. Each change hands the whole new
//! filter to `on_change`.

use crate::components::field::Field;
use crate::format;
use crate::transaction_filter;
use gloo_timers::callback::Timeout;
use leptos::prelude::*;
use rust_decimal::Decimal;
use std::str::FromStr;
use tally_shared::api::accounts::Account;
use tally_shared::api::transactions::{HiddenFilter, TransactionFilter};
use tally_shared::ids::AccountId;

/// How long typing must pause before the search runs.
const SEARCH_DELAY_MS: u32 = 300;

/// Plaid's personal finance categories (v2), primary level.
const CATEGORIES: [&str; 18] = [
    "BANK_FEES",
    "ENTERTAINMENT",
    "FOOD_AND_DRINK",
    "GENERAL_MERCHANDISE",
    "GENERAL_SERVICES",
    "GOVERNMENT_AND_NON_PROFIT",
    "HOME_IMPROVEMENT",
    "INCOME",
    "LOAN_DISBURSEMENTS",
    "LOAN_PAYMENTS",
    "MEDICAL",
    "OTHER",
    "PERSONAL_CARE",
    "RENT_AND_UTILITIES",
    "TRANSFER_IN",
    "TRANSFER_OUT",
    "TRANSPORTATION",
    "TRAVEL",
];

#[component]
pub fn TransactionFilters(
    #[prop(into)] filter: Signal<TransactionFilter>,
    /// The accounts to choose from (empty while they load).
    #[prop(into)]
    accounts: Signal<Vec<Account>>,
    on_change: Callback<TransactionFilter>,
) -> impl IntoView {
    let change = move |edit: &dyn Fn(&mut TransactionFilter)| {
        let mut next = filter.get_untracked();
        edit(&mut next);
        on_change.run(next);
    };

    let search = TypedFilter::new(
        filter,
        on_change,
        |f| &mut f.q,
        |text| text.trim().to_owned(),
    );
    let tag = TypedFilter::new(
        filter,
        on_change,
        |f| &mut f.tag,
        |text| format::lower(text.trim()),
    );

    let category_options = move || {
        let current = filter.with(|f| f.category.clone());
        let mut options: Vec<(String, String)> = CATEGORIES
            .iter()
            .map(|code| ((*code).to_owned(), format::category(code, None)))
            .collect();
        // A detailed category (from the spending chart) is offered too, under its own name.
        if let Some(current) = current.filter(|c| !CATEGORIES.contains(&c.as_str())) {
            let primary = CATEGORIES.iter().find(|p| current.starts_with(*p)).copied();
            let words = match primary {
                Some(primary) => format!(
                    "{}: {}",
                    format::category(primary, None),
                    format::category(&current, Some(primary))
                ),
                None => format::category(&current, None),
            };
            options.push((current, words));
        }
        options.sort_by(|a, b| a.1.cmp(&b.1));
        options
    };
    let account_options = move || {
        accounts
            .get()
            .into_iter()
            .map(|account| {
                let mask = account
                    .mask
                    .as_deref()
                    .map(|mask| format!(" ••{mask}"))
                    .unwrap_or_default();
                (
                    account.id.to_string(),
                    format!("{}{mask} · {}", account.name, account.institution_name),
                )
            })
            .collect::<Vec<_>>()
    };
    // `from` or `to`: the first or the last day.
    let day_field = move |label: &'static str, is_from: bool| {
        let day = move || filter.with(|f| if is_from { f.from } else { f.to });
        view! {
            <Field label>
                <input
                    type="date"
                    name=if is_from { "from" } else { "to" }
                    prop:value=move || day().map(|d| d.to_string()).unwrap_or_default()
                    on:change=move |ev| {
                        let day = transaction_filter::day(&event_target_value(&ev));
                        change(&|f| if is_from { f.from = day } else { f.to = day });
                    }
                />
            </Field>
        }
    };

    // `min_amount` or `max_amount`: applied when the field is left, if it is a number.
    let amount_field = move |label: &'static str, is_min: bool| {
        let now = move || {
            filter.with(|f| {
                if is_min {
                    f.min_amount.clone()
                } else {
                    f.max_amount.clone()
                }
            })
        };
        let wrong = RwSignal::new(false);
        view! {
            <Field label>
                <input
                    type="text"
                    inputmode="decimal"
                    name=if is_min { "min_amount" } else { "max_amount" }
                    autocomplete="off"
                    placeholder="0.00"
                    title="Money out is positive, money in negative, as the bank reports it."
                    aria-invalid=move || wrong.get().then_some("true")
                    prop:value=move || now().unwrap_or_default()
                    on:change=move |ev| {
                        let text = event_target_value(&ev).trim().to_owned();
                        if text.is_empty() {
                            wrong.set(false);
                            change(&|f| if is_min { f.min_amount = None } else { f.max_amount = None });
                        } else if Decimal::from_str(&text).is_ok() {
                            wrong.set(false);
                            let amount = Some(text.clone());
                            change(&|f| if is_min { f.min_amount = amount.clone() } else { f.max_amount = amount.clone() });
                        } else {
                            wrong.set(true);
                        }
                    }
                />
                {move || wrong.get().then(|| view! { <span class="field-error">"A number, such as 12.50."</span> })}
            </Field>
        }
    };

    view! {
        <form
            class="filters"
            role="search"
            aria-label="Filter transactions"
            on:submit=move |ev| {
                ev.prevent_default();
                search.apply();
                tag.apply();
            }
        >
            <Field label="Search" class="filter-search">
                <input
                    type="search"
                    name="q"
                    placeholder="Merchant or description"
                    autocomplete="off"
                    maxlength="200"
                    prop:value=search.text
                    on:input=move |ev| search.typed(event_target_value(&ev))
                />
            </Field>
            <Field label="Account">
                <select
                    name="account_id"
                    on:change=move |ev| {
                        let id = event_target_value(&ev).parse::<AccountId>().ok();
                        change(&|f| f.account_id = id);
                    }
                >
                    <option value="" prop:selected=move || filter.with(|f| f.account_id.is_none())>
                        "All accounts"
                    </option>
                    {move || {
                        let selected = filter.with(|f| f.account_id.map(|id| id.to_string()));
                        account_options()
                            .into_iter()
                            .map(|(id, label)| {
                                let is_selected = selected.as_deref() == Some(id.as_str());
                                view! { <option value=id prop:selected=is_selected>{label}</option> }
                            })
                            .collect_view()
                    }}
                </select>
            </Field>
            <Field label="Category">
                <select
                    name="category"
                    on:change=move |ev| {
                        let code = Some(event_target_value(&ev)).filter(|c| !c.is_empty());
                        change(&|f| f.category = code.clone());
                    }
                >
                    <option value="" prop:selected=move || filter.with(|f| f.category.is_none())>
                        "All categories"
                    </option>
                    {move || {
                        let selected = filter.with(|f| f.category.clone());
                        category_options()
                            .into_iter()
                            .map(|(code, label)| {
                                let is_selected = selected.as_deref() == Some(code.as_str());
                                view! { <option value=code prop:selected=is_selected>{label}</option> }
                            })
                            .collect_view()
                    }}
                </select>
            </Field>
            {day_field("From", true)}
            {day_field("To", false)}
            <Field label="Status">
                <select
                    name="pending"
                    on:change=move |ev| {
                        let pending = transaction_filter::pending(&event_target_value(&ev));
                        change(&|f| f.pending = pending);
                    }
                >
                    <option value="" prop:selected=move || filter.with(|f| f.pending.is_none())>"All"</option>
                    <option value="true" prop:selected=move || filter.with(|f| f.pending == Some(true))>"Pending"</option>
                    <option value="false" prop:selected=move || filter.with(|f| f.pending == Some(false))>"Posted"</option>
                </select>
            </Field>
            <Field label="Tag">
                <input
                    type="search"
                    name="tag"
                    autocomplete="off"
                    maxlength="40"
                    placeholder="e.g. holiday"
                    prop:value=tag.text
                    on:input=move |ev| tag.typed(event_target_value(&ev))
                />
            </Field>
            {amount_field("Min amount", true)}
            {amount_field("Max amount", false)}
            <Field label="Hidden">
                <select
                    name="hidden"
                    on:change=move |ev| {
                        let hidden = transaction_filter::hidden(&event_target_value(&ev))
                            .filter(|h| *h != HiddenFilter::False);
                        change(&|f| f.hidden = hidden);
                    }
                >
                    <option value="false" prop:selected=move || filter.with(|f| matches!(f.hidden, None | Some(HiddenFilter::False)))>"Not hidden"</option>
                    <option value="true" prop:selected=move || filter.with(|f| f.hidden == Some(HiddenFilter::True))>"Hidden"</option>
                    <option value="all" prop:selected=move || filter.with(|f| f.hidden == Some(HiddenFilter::All))>"All"</option>
                </select>
            </Field>
            <div class="filter-actions">
                <label class="inline-check">
                    <input
                        type="checkbox"
                        name="needs_review"
                        prop:checked=move || filter.with(|f| f.needs_review == Some(true))
                        on:change=move |ev| {
                            let review = event_target_checked(&ev).then_some(true);
                            change(&|f| f.needs_review = review);
                        }
                    />
                    "Needs review"
                </label>
                <button
                    type="button"
                    class="button button-small"
                    disabled=move || !filter.with(transaction_filter::narrows)
                    on:click=move |_| {
                        search.clear();
                        tag.clear();
                        on_change.run(TransactionFilter::default());
                    }
                >
                    "Clear filters"
                </button>
            </div>
        </form>
    }
}

/// A text box of the filter (search, tag): it keeps what is typed, and the filter follows once
/// typing pauses. Back, forward or "Clear filters" change the filter: the box then shows it,
/// unless typing is under way.
#[derive(Clone, Copy)]
struct TypedFilter {
    text: RwSignal<String>,
    timer: StoredValue<Option<Timeout>, LocalStorage>,
    filter: Signal<TransactionFilter>,
    on_change: Callback<TransactionFilter>,
    /// Which field of the filter the box is.
    field: fn(&mut TransactionFilter) -> &mut Option<String>,
    /// What is typed as the filter keeps it.
    normal: fn(&str) -> String,
}

impl TypedFilter {
    fn new(
        filter: Signal<TransactionFilter>,
        on_change: Callback<TransactionFilter>,
        field: fn(&mut TransactionFilter) -> &mut Option<String>,
        normal: fn(&str) -> String,
    ) -> Self {
        let typed = Self {
            text: RwSignal::new(String::new()),
            timer: StoredValue::new_local(None),
            filter,
            on_change,
            field,
            normal,
        };
        typed.text.set(typed.now_untracked().unwrap_or_default());
        Effect::new(move |_| {
            let now = field(&mut filter.get()).clone().unwrap_or_default();
            if typed.timer.with_value(Option::is_none) && typed.text.get_untracked().trim() != now {
                typed.text.set(now);
            }
        });
        typed
    }

    fn now_untracked(self) -> Option<String> {
        (self.field)(&mut self.filter.get_untracked()).clone()
    }

    fn typed(self, text: String) {
        self.text.set(text);
        let pending = Timeout::new(SEARCH_DELAY_MS, move || self.apply());
        self.timer.set_value(Some(pending));
    }

    fn apply(self) {
        self.timer.set_value(None);
        let wanted = Some((self.normal)(&self.text.get_untracked())).filter(|t| !t.is_empty());
        if wanted != self.now_untracked() {
            let mut next = self.filter.get_untracked();
            *(self.field)(&mut next) = wanted;
            self.on_change.run(next);
        }
    }

    fn clear(self) {
        self.timer.set_value(None);
        self.text.set(String::new());
    }
}
