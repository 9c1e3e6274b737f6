//! One budget's row (its progress, and editing it in place), and one row of unbudgeted spending
//! with "Add a budget".

use super::{status_words, Shown};
use crate::api;
use crate::components::field::Complaints;
use crate::format;
use leptos::prelude::*;
use rust_decimal::Decimal;
use tally_shared::api::budgets::{Budget, BudgetInput, UnbudgetedSpending};
use tally_shared::ids::CategoryId;

/// The bar's fill, 0 to 100: what was spent of what is available.
fn fill(budget: &Budget) -> Decimal {
    match budget.percent_used {
        Some(used) => used.clamp(Decimal::ZERO, Decimal::ONE_HUNDRED),
        None if budget.spent > Decimal::ZERO => Decimal::ONE_HUNDRED,
        None => Decimal::ZERO,
    }
}

#[component]
pub(super) fn BudgetRow(budget: Budget, shown: Shown) -> impl IntoView {
    let editing = RwSignal::new(false);
    let money = {
        let currency = budget.currency.clone();
        move |amount: Decimal| format::money(amount, &currency)
    };
    let (status, status_class) = status_words(budget.status);
    let used = budget
        .percent_used
        .map_or_else(|| "—".to_owned(), |p| format!("{}%", p.round()));
    let fill_width = format!("width: {}%", fill(&budget));
    let remaining = if budget.remaining.is_sign_negative() {
        format!("{} over", money(-budget.remaining))
    } else {
        format!("{} left", money(budget.remaining))
    };
    let rolled = (!budget.rolled_over.is_zero()).then(|| {
        if budget.rolled_over.is_sign_negative() {
            format!("{} overspent last month", money(-budget.rolled_over))
        } else {
            format!("{} rolled over", money(budget.rolled_over))
        }
    });
    let label = format!(
        "{}: {} spent of {}, {status}",
        budget.category_name,
        money(budget.spent),
        money(budget.available)
    );
    let name = budget.category_name.clone();
    let within = budget
        .within_parent
        .then_some("Also counted in its parent's budget");
    let percent_now = fill(&budget).round().to_string();
    let edit_budget = budget.clone();
    view! {
        <li class=format!("budget-row {status_class}") data-testid="budget-row" data-category=budget.category_id.to_string()>
            <div class="budget-line">
                <span class="budget-name">{name}</span>
                <span class=format!("budget-status {status_class}")>{status}</span>
                <span class="budget-figures">
                    {money(budget.spent)} " of " {money(budget.available)}
                </span>
            </div>
            <div class="budget-bar" role="progressbar" aria-label=label
                aria-valuemin="0" aria-valuemax="100" aria-valuenow=percent_now>
                <div class="budget-fill" style=fill_width></div>
            </div>
            <div class="budget-line muted">
                <span>{used} " used · " {remaining}</span>
                {rolled.map(|text| view! { <span>{text}</span> })}
                {within.map(|text| view! { <span>{text}</span> })}
                <button type="button" class="button button-small" aria-expanded=move || editing.get().to_string()
                    on:click=move |_| editing.update(|e| *e = !*e)>
                    {move || if editing.get() { "Close" } else { "Edit" }}
                </button>
            </div>
            <Show when=move || editing.get()>
                <EditBudget budget=edit_budget.clone() shown editing />
            </Show>
        </li>
    }
}

/// The budget's amount, currency and rollover from the shown month onward; or no budget from it.
#[component]
fn EditBudget(budget: Budget, shown: Shown, editing: RwSignal<bool>) -> impl IntoView {
    let amount = RwSignal::new(budget.budgeted.to_string());
    let currency = RwSignal::new(budget.currency.clone());
    let rollover = RwSignal::new(budget.rollover);
    let id = budget.category_id;
    let save = Action::new_local(move |input: &BudgetInput| {
        let input = input.clone();
        async move {
            let set = api::budgets::set(id, &input).await;
            if set.is_ok() {
                editing.set(false);
                shown.reload();
            }
            set
        }
    });
    let end = Action::new_local(move |month: &String| {
        let month = month.clone();
        async move {
            let ended = api::budgets::end(id, &month).await;
            if ended.is_ok() {
                editing.set(false);
                shown.reload();
            }
            ended
        }
    });
    let complaints = Complaints::of(save, &["amount", "currency"]);
    let end_error = move || end.value().get().and_then(Result::err);
    let month = move || shown.month_text().unwrap_or_default();
    view! {
        <form class="form budget-edit" on:submit=move |ev| {
            ev.prevent_default();
            save.dispatch(BudgetInput {
                amount: amount.get_untracked(),
                currency: currency.get_untracked(),
                rollover: rollover.get_untracked(),
                from_month: Some(month()),
            });
        }>
            {move || complaints.general().map(|error| view! { <p class="alert" role="alert">{error.to_string()}</p> })}
            {move || end_error().map(|error| view! { <p class="alert" role="alert">{error.to_string()}</p> })}
            <label class="field">
                <span class="field-label">"Each month"</span>
                <input name="amount" inputmode="decimal" autocomplete="off" required prop:value=amount
                    on:input=move |ev| amount.set(event_target_value(&ev)) />
                {move || complaints.about("amount").run()}
            </label>
            <label class="field">
                <span class="field-label">"Currency"</span>
                <input name="currency" autocomplete="off" required maxlength="3" prop:value=currency
                    on:input=move |ev| currency.set(format::upper(&event_target_value(&ev))) />
                {move || complaints.about("currency").run()}
            </label>
            <label class="inline-check">
                <input type="checkbox" name="rollover" prop:checked=rollover
                    on:change=move |ev| rollover.set(event_target_checked(&ev)) />
                " Roll over what is left or overspent"
            </label>
            <p class="muted">{move || format!("Applies from {} onward; earlier months keep theirs.", super::month_name(&month()))}</p>
            <div class="budget-actions">
                <button class="button button-primary" type="submit" disabled=save.pending()>"Save"</button>
                <button class="button button-danger" type="button" disabled=end.pending()
                    on:click=move |_| { end.dispatch(month()); }>
                    "Remove from this month on"
                </button>
            </div>
        </form>
    }
}

/// Spending in a category no budget covers, with a quick budget for it.
#[component]
pub(super) fn UnbudgetedRow(item: UnbudgetedSpending, shown: Shown) -> impl IntoView {
    let amount = RwSignal::new(String::new());
    let id: CategoryId = item.category_id;
    let currency = item.currency.clone();
    let add = Action::new_local(move |input: &BudgetInput| {
        let input = input.clone();
        async move {
            let set = api::budgets::set(id, &input).await;
            if set.is_ok() {
                shown.reload();
            }
            set
        }
    });
    let complaints = Complaints::of(add, &["amount"]);
    let spent = format::money(item.spent, &item.currency);
    let input_label = format!("Monthly budget for {}", item.category_name);
    view! {
        <li class="budget-row" data-testid="unbudgeted-row">
            <form class="budget-line budget-quick" on:submit=move |ev| {
                ev.prevent_default();
                add.dispatch(BudgetInput {
                    amount: amount.get_untracked(),
                    currency: currency.clone(),
                    rollover: false,
                    from_month: shown.month_text(),
                });
            }>
                <span class="budget-name">{item.category_name.clone()}</span>
                <span class="budget-figures">{spent} " spent"</span>
                <input name="amount" inputmode="decimal" autocomplete="off" required placeholder="Amount"
                    aria-label=input_label prop:value=amount
                    on:input=move |ev| amount.set(event_target_value(&ev)) />
                <button class="button button-small" type="submit" disabled=add.pending()>"Add a budget"</button>
                {move || complaints.about("amount").run()}
                {move || complaints.general().map(|error| view! { <span class="alert" role="alert">{error.to_string()}</span> })}
            </form>
        </li>
    }
}
