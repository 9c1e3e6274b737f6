//! The filters of the transactions page: text (applied once typing pauses), account, category,
//! dates and pending. Each change hands the whole new filter to `on_change`.

use crate::components::field::Field;
use crate::format;
use crate::transaction_filter;
use gloo_timers::callback::Timeout;
use leptos::prelude::*;
use tally_shared::api::accounts::Account;
use tally_shared::api::transactions::TransactionFilter;
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

    // The search box keeps what is typed; the filter follows once typing pauses.
    let search = RwSignal::new(filter.get_untracked().q.unwrap_or_default());
    let timer = StoredValue::new_local(None::<Timeout>);
    let apply_search = move || {
        timer.set_value(None);
        let text = search.get_untracked();
        let q = Some(text.trim().to_owned()).filter(|q| !q.is_empty());
        if q != filter.get_untracked().q {
            change(&|f| f.q = q.clone());
        }
    };
    // Back, forward or "Clear filters" change the filter: the box shows it, unless typing is
    // under way.
    Effect::new(move |_| {
        let q = filter.with(|f| f.q.clone()).unwrap_or_default();
        if timer.with_value(Option::is_none) && search.get_untracked().trim() != q {
            search.set(q);
        }
    });

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

    view! {
        <form
            class="filters"
            role="search"
            aria-label="Filter transactions"
            on:submit=move |ev| {
                ev.prevent_default();
                apply_search();
            }
        >
            <Field label="Search" class="filter-search">
                <input
                    type="search"
                    name="q"
                    placeholder="Merchant or description"
                    autocomplete="off"
                    maxlength="200"
                    prop:value=search
                    on:input=move |ev| {
                        search.set(event_target_value(&ev));
                        let pending = Timeout::new(SEARCH_DELAY_MS, apply_search);
                        timer.set_value(Some(pending));
                    }
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
            <div class="filter-actions">
                <button
                    type="button"
                    class="button button-small"
                    disabled=move || !filter.with(transaction_filter::narrows)
                    on:click=move |_| {
                        timer.set_value(None);
                        search.set(String::new());
                        on_change.run(TransactionFilter::default());
                    }
                >
                    "Clear filters"
                </button>
            </div>
        </form>
    }
}
