//! The dashboard's "Budgets" card: this month's overall progress, and the budgets near or over
//! their limit.

use crate::api;
use crate::format;
use crate::pages::budget_status_words;
use crate::routes::Page;
use leptos::prelude::*;
use leptos_router::components::A;
use rust_decimal::Decimal;
use tally_shared::api::budgets::{BudgetMonth, BudgetStatus};

#[component]
pub fn BudgetCard(month: LocalResource<Result<BudgetMonth, api::ClientError>>) -> impl IntoView {
    let loaded = move || month.get().and_then(Result::ok);
    view! {
        <section class="card" aria-labelledby="budget-card-title" data-testid="budget-card">
            <h2 class="card-title" id="budget-card-title">"Budgets this month"</h2>
            {move || loaded().map(|view| {
                if view.budgets.is_empty() {
                    return view! {
                        <p class="muted">
                            "No budgets yet. "
                            <A href=Page::Budgets.path()>"Plan your month"</A>
                        </p>
                    }
                    .into_any();
                }
                let watch: Vec<_> = view
                    .budgets
                    .iter()
                    .filter(|b| b.status != BudgetStatus::OnTrack)
                    .cloned()
                    .collect();
                view! {
                    {view.totals.into_iter().map(|t| {
                        let used = t.percent_used.unwrap_or(Decimal::ONE_HUNDRED);
                        let label = format!(
                            "{} spent of {} budgeted",
                            format::money(t.spent, &t.currency),
                            format::money(t.available, &t.currency)
                        );
                        let tone = if used >= Decimal::ONE_HUNDRED {
                            "budget-over"
                        } else if used >= Decimal::from(80) {
                            "budget-near"
                        } else {
                            "budget-ok"
                        };
                        view! {
                            <p>{label.clone()}</p>
                            <div class=tone><div class="budget-bar" role="progressbar" aria-label=label
                                aria-valuemin="0" aria-valuemax="100"
                                aria-valuenow=used.clamp(Decimal::ZERO, Decimal::ONE_HUNDRED).round().to_string()>
                                <div class="budget-fill"
                                    style=format!("width: {}%", used.clamp(Decimal::ZERO, Decimal::ONE_HUNDRED))></div>
                            </div></div>
                        }
                    }).collect_view()}
                    {if watch.is_empty() {
                        view! { <p class="muted">"Every budget is on track."</p> }.into_any()
                    } else {
                        view! {
                            <ul class="budget-card-list">
                                {watch.into_iter().map(|b| {
                                    let (words, class) = budget_status_words(b.status);
                                    view! {
                                        <li>
                                            <span>{b.category_name}</span>
                                            <span class=format!("budget-status {class}")>
                                                {words} " · " {format::money(b.spent, &b.currency)} " of "
                                                {format::money(b.available, &b.currency)}
                                            </span>
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                        }.into_any()
                    }}
                    <p><A href=Page::Budgets.path()>"All budgets"</A></p>
                }
                .into_any()
            })}
        </section>
    }
}
