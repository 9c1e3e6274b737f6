//! `/budgets`: a monthly plan per spending category. Move between months, see each budget's
//! progress (in words and colour), edit one in place from this month onward, copy last month's,
//! and give a budget to what escaped the plan.

mod row;

use crate::api;
use crate::components::category_picker::CategoryPicker;
use crate::components::field::{BoundInput, Complaints, Field};
use crate::components::sign_in_prompt::SignInPrompt;
use crate::format;
use crate::state::refresh::on_stale;
use crate::state::session::use_session;
use chrono::{Months, NaiveDate};
use leptos::prelude::*;
use leptos_meta::Title;
use tally_shared::api::budgets::{BudgetInput, BudgetMonth, BudgetStatus, BudgetTotals};
use tally_shared::api::categories::{Category, CategoryKind};
use tally_shared::ids::CategoryId;

#[component]
pub fn BudgetsPage() -> impl IntoView {
    let session = use_session();
    view! {
        <Title text="Budgets" />
        <div class="page-head">
            <h1>"Budgets"</h1>
        </div>
        {move || match session.user() {
            Some(_) => view! { <Budgets /> }.into_any(),
            None if session.is_known() => view! { <SignInPrompt /> }.into_any(),
            None => ().into_any(),
        }}
    }
}

/// `YYYY-MM` → its first day.
fn first_day(month: &str) -> Option<NaiveDate> {
    crate::calendar::parse_day(&format!("{month}-01"))
}

/// The month `delta` months from `month` (`YYYY-MM`).
fn shift(month: &str, delta: i32) -> Option<String> {
    let day = first_day(month)?;
    let moved = if delta >= 0 {
        day.checked_add_months(Months::new(delta.unsigned_abs()))
    } else {
        day.checked_sub_months(Months::new(delta.unsigned_abs()))
    }?;
    Some(crate::calendar::month_key(moved))
}

/// "March 2026".
fn month_name(month: &str) -> String {
    first_day(month).map_or_else(|| month.to_owned(), format::month_year)
}

/// The status in words, and the class that colours it.
pub fn status_words(status: BudgetStatus) -> (&'static str, &'static str) {
    match status {
        BudgetStatus::OnTrack => ("On track", "budget-ok"),
        BudgetStatus::Near => ("Near the limit", "budget-near"),
        BudgetStatus::Over => ("Over budget", "budget-over"),
    }
}

/// What the rows, the add form and the month's actions share.
#[derive(Clone, Copy)]
struct Shown {
    view: LocalResource<Result<BudgetMonth, api::ClientError>>,
    categories: Memo<Vec<Category>>,
}

impl Shown {
    fn loaded(self) -> Option<BudgetMonth> {
        self.view.get().and_then(Result::ok)
    }

    fn month_text(self) -> Option<String> {
        self.loaded().map(|view| view.month)
    }

    fn reload(self) {
        self.view.refetch();
    }
}

#[component]
fn Budgets() -> impl IntoView {
    let month = RwSignal::new(None::<String>);
    let view = LocalResource::new(move || api::budgets::month(month.get()));
    let category_list = LocalResource::new(api::categories::list);
    on_stale(move |stale| {
        if stale.banking() {
            view.refetch();
        }
        if stale.categories() {
            category_list.refetch();
            view.refetch();
        }
    });
    let categories = Memo::new(move |_| {
        category_list
            .get()
            .and_then(Result::ok)
            .map(|list| list.categories)
            .unwrap_or_default()
    });
    let shown = Shown { view, categories };
    let go = move |delta: i32| {
        if let Some(next) = shown.month_text().and_then(|m| shift(&m, delta)) {
            month.set(Some(next));
        }
    };
    let load_error = move || view.get().and_then(Result::err);
    view! {
        <div class="page-sections">
            <section class="card" aria-labelledby="budget-month-title">
                <div class="budget-month-head">
                    <button type="button" class="button button-small" on:click=move |_| go(-1)
                        aria-label="Previous month">"‹ Previous"</button>
                    <h2 class="card-title" id="budget-month-title" aria-live="polite">
                        {move || shown.month_text().map(|m| month_name(&m)).unwrap_or_else(|| "This month".to_owned())}
                    </h2>
                    <button type="button" class="button button-small" on:click=move |_| go(1)
                        aria-label="Next month">"Next ›"</button>
                </div>
                {move || load_error().map(|error| view! {
                    <div class="alert" role="alert">
                        <p>{format!("Your budgets could not be loaded: {error}")}</p>
                        <button type="button" class="button button-small" on:click=move |_| view.refetch()>"Retry"</button>
                    </div>
                })}
                {move || shown.loaded().map(|loaded| view! { <MonthTotals view=loaded /> })}
                <CopyLastMonth shown />
                <ul class="budget-list" data-testid="budgets">
                    <For
                        each=move || shown.loaded().map(|v| v.budgets).unwrap_or_default()
                        key=|b| (b.category_id, b.budgeted, b.spent, b.rolled_over, b.rollover, b.currency.clone(), b.since.clone())
                        let:budget
                    >
                        <row::BudgetRow budget shown />
                    </For>
                </ul>
                {move || shown.loaded().filter(|v| v.budgets.is_empty()).map(|_| view! {
                    <p class="muted">"No budgets this month yet. Add one below, or copy last month's."</p>
                })}
            </section>
            <Unbudgeted shown />
            <AddBudget shown />
        </div>
    }
}

/// The month's totals per currency, and what is left to spend each day.
#[component]
fn MonthTotals(view: BudgetMonth) -> impl IntoView {
    let days_left = view.days_left;
    view.totals
        .into_iter()
        .map(|totals| view! { <TotalsLine totals days_left /> })
        .collect_view()
}

#[component]
fn TotalsLine(totals: BudgetTotals, days_left: u32) -> impl IntoView {
    let currency = totals.currency.clone();
    let money = move |amount| format::money(amount, &currency);
    // Nothing a day when nothing is left: the line above says it is over plan.
    let per_day = totals
        .left_per_day
        .filter(|per_day| !per_day.is_zero())
        .map(|per_day| format!("{} a day for the {days_left} days left", money(per_day)));
    view! {
        <div class="budget-totals" data-testid="budget-totals">
            <p>
                <strong>{money(totals.spent)}</strong>
                " spent of "
                <strong>{money(totals.available)}</strong>
                {(!totals.rolled_over.is_zero()).then(|| format!(" ({} rolled over)", money(totals.rolled_over)))}
            </p>
            <p class="muted">
                {if totals.remaining.is_sign_negative() {
                    format!("{} over plan", money(-totals.remaining))
                } else {
                    format!("{} left", money(totals.remaining))
                }}
                {per_day.map(|text| format!(" · {text}"))}
            </p>
            {(!totals.committed.is_zero()).then(|| view! {
                <p class="muted" data-testid="budget-committed">
                    {format!(
                        "{} in confirmed recurring bills still to come this month",
                        money(totals.committed)
                    )}
                </p>
            })}
        </div>
    }
}

/// "Copy last month": last month's budgets for this month onward.
#[component]
fn CopyLastMonth(shown: Shown) -> impl IntoView {
    let copy = Action::new_local(move |to: &String| {
        let to = to.clone();
        async move {
            let from = shift(&to, -1).unwrap_or_default();
            let copied = api::budgets::copy(&from, &to).await;
            shown.reload();
            copied
        }
    });
    let pending = copy.pending();
    let said = move || {
        copy.value().get().map(|result| match result {
            Ok(copied) if copied.copied == 0 => "Last month had no budgets to copy.".to_owned(),
            Ok(copied) => format!("Copied {} budgets from last month.", copied.copied),
            Err(error) => format!("Last month's budgets could not be copied: {error}"),
        })
    };
    view! {
        <div class="budget-actions">
            <button type="button" class="button button-small" disabled=pending
                on:click=move |_| {
                    if let Some(month) = shown.month_text() {
                        copy.dispatch(month);
                    }
                }>
                "Copy last month"
            </button>
            <span class="muted" role="status">{said}</span>
        </div>
    }
}

/// Spending no budget covers this month, each with "Add a budget".
#[component]
fn Unbudgeted(shown: Shown) -> impl IntoView {
    let rows = move || shown.loaded().map(|v| v.unbudgeted).unwrap_or_default();
    view! {
        <Show when=move || !rows().is_empty()>
            <section class="card" aria-labelledby="unbudgeted-title">
                <h2 class="card-title" id="unbudgeted-title">"Not in any budget"</h2>
                <ul class="budget-list" data-testid="unbudgeted">
                    <For each=rows key=|u| (u.category_id, u.currency.clone(), u.spent) let:item>
                        <row::UnbudgetedRow item shown />
                    </For>
                </ul>
            </section>
        </Show>
    }
}

/// A budget for any spending category.
#[component]
fn AddBudget(shown: Shown) -> impl IntoView {
    let category = RwSignal::new(None::<CategoryId>);
    let amount = RwSignal::new(String::new());
    let currency = RwSignal::new(format::locale_currency().to_owned());
    let rollover = RwSignal::new(false);
    let add = Action::new_local(move |(id, input): &(CategoryId, BudgetInput)| {
        let (id, input) = (*id, input.clone());
        async move {
            let set = api::budgets::set(id, &input).await;
            if set.is_ok() {
                shown.reload();
            }
            set
        }
    });
    let complaints = Complaints::of(add, &["amount", "currency", "category_id"]);
    Effect::new(move |_| {
        if let Some(Ok(_)) = add.value().get() {
            amount.set(String::new());
            category.set(None);
        }
    });
    let spending = Signal::derive(move || {
        shown
            .categories
            .get()
            .into_iter()
            .filter(|c| c.kind == CategoryKind::Spending)
            .collect::<Vec<_>>()
    });
    let missing_category = RwSignal::new(false);
    view! {
        <section class="card" aria-labelledby="add-budget-title">
            <h2 class="card-title" id="add-budget-title">"Add a budget"</h2>
            <form class="form budget-form" on:submit=move |ev| {
                ev.prevent_default();
                let Some(id) = category.get_untracked() else {
                    missing_category.set(true);
                    return;
                };
                missing_category.set(false);
                add.dispatch((id, BudgetInput {
                    amount: amount.get_untracked(),
                    currency: currency.get_untracked(),
                    rollover: rollover.get_untracked(),
                    from_month: shown.month_text(),
                }));
            }>
                {move || complaints.general().map(|error| view! { <p class="alert" role="alert">{error.to_string()}</p> })}
                <CategoryPicker
                    categories=spending
                    value=category
                    label="Category"
                    name="budget_category"
                    error=Signal::derive(move || missing_category.get().then(|| "Choose a spending category.".to_owned()))
                />
                <Field label="Each month" error=complaints.about("amount")>
                    <BoundInput name="amount" value=amount autocomplete="off" input_type="text" />
                </Field>
                <Field label="Currency" error=complaints.about("currency")>
                    <BoundInput name="currency" value=currency autocomplete="off" />
                </Field>
                <label class="inline-check">
                    <input type="checkbox" name="rollover" prop:checked=rollover
                        on:change=move |ev| rollover.set(event_target_checked(&ev)) />
                    " Roll over what is left or overspent"
                </label>
                <button class="button button-primary" type="submit" disabled=add.pending()>"Add budget"</button>
            </form>
        </section>
    }
}
