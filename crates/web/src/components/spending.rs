//! The dashboard's spending section: a period (a calendar month, or any range of days), and for
//! it, in each currency, the money spent by category, the refunds apart, and the top merchants.

use crate::api::ClientError;
use crate::calendar;
use crate::components::error_view::ErrorView;
use crate::components::spending_chart::{CategoryBars, TopMerchants};
use crate::format;
use chrono::NaiveDate;
use leptos::prelude::*;
use tally_shared::api::insights::{CurrencySpending, Spending};

/// The days spending is shown for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpendingPeriod {
    /// The calendar month of this day (any day in it).
    Month(NaiveDate),
    /// From one day to another, both included.
    Range { from: NaiveDate, to: NaiveDate },
}

impl SpendingPeriod {
    pub fn this_month() -> Self {
        Self::Month(calendar::month_start(calendar::today()))
    }

    /// The first and the last day.
    pub fn days(self) -> (NaiveDate, NaiveDate) {
        match self {
            Self::Month(day) => (calendar::month_start(day), calendar::month_end(day)),
            Self::Range { from, to } => (from, to),
        }
    }

    /// "November 2026", or "Nov 3, 2026 – Nov 20, 2026".
    pub fn label(self) -> String {
        match self {
            Self::Month(day) => format::month_year(day),
            Self::Range { from, to } => {
                format!("{} – {}", format::date(from), format::date(to))
            }
        }
    }
}

#[component]
pub fn SpendingSection(
    period: RwSignal<SpendingPeriod>,
    include_pending: RwSignal<bool>,
    spending: LocalResource<Result<Spending, ClientError>>,
) -> impl IntoView {
    view! {
        <section class="card numbers-card" aria-labelledby="spending-heading">
            <div class="section-head">
                <h2 class="card-title" id="spending-heading">"Spending"</h2>
                <PeriodPicker period include_pending />
            </div>
            <Transition fallback=|| view! { <p class="muted loading-block">"Adding up your spending…"</p> }>
                <ErrorBoundary fallback=|errors| view! { <ErrorView errors /> }>
                    {move || Suspend::new(async move {
                        spending.await.map(|spending| view! { <SpendingBody spending /> })
                    })}
                </ErrorBoundary>
            </Transition>
            <p class="note">
                "Money moved between your own accounts, card and loan payments, and income are "
                "not spending, so they are left out."
            </p>
        </section>
    }
}

/// Previous and next month, a month field, or a custom range of days; and whether pending
/// transactions count.
#[component]
fn PeriodPicker(
    period: RwSignal<SpendingPeriod>,
    include_pending: RwSignal<bool>,
) -> impl IntoView {
    let is_range = move || matches!(period.get(), SpendingPeriod::Range { .. });
    let shift = move |months: i32| {
        let (from, _) = period.get_untracked().days();
        period.set(SpendingPeriod::Month(calendar::shift_month(from, months)));
    };
    let month_value = move || {
        let (from, _) = period.get().days();
        calendar::month_key(from)
    };
    let set_month = move |value: String| {
        if let Some(day) = calendar::parse_day(&format!("{value}-01")) {
            period.set(SpendingPeriod::Month(day));
        }
    };
    let set_bound = move |is_from: bool, value: String| {
        let Some(day) = calendar::parse_day(&value) else {
            return;
        };
        let (from, to) = period.get_untracked().days();
        let (from, to) = if is_from { (day, to) } else { (from, day) };
        period.set(SpendingPeriod::Range { from, to });
    };
    let bound_field = move |label: &'static str, is_from: bool| {
        let day = move || {
            let (from, to) = period.get().days();
            if is_from { from } else { to }.to_string()
        };
        view! {
            <label class="inline-field">
                <span class="field-label">{label}</span>
                <input
                    type="date"
                    required
                    prop:value=day
                    on:change=move |ev| set_bound(is_from, event_target_value(&ev))
                />
            </label>
        }
    };
    let toggle_range = move |_| {
        let (from, to) = period.get_untracked().days();
        if is_range() {
            period.set(SpendingPeriod::Month(from));
        } else {
            period.set(SpendingPeriod::Range { from, to });
        }
    };

    view! {
        <div class="period-picker" role="group" aria-label="Period">
            <Show
                when=is_range
                fallback=move || view! {
                    <button type="button" class="button button-small" aria-label="Previous month" on:click=move |_| shift(-1)>
                        "‹"
                    </button>
                    <label class="inline-field">
                        <span class="visually-hidden">"Month"</span>
                        <input
                            type="month"
                            required
                            prop:value=month_value
                            on:change=move |ev| set_month(event_target_value(&ev))
                        />
                    </label>
                    <button type="button" class="button button-small" aria-label="Next month" on:click=move |_| shift(1)>
                        "›"
                    </button>
                }
            >
                {bound_field("From", true)}
                {bound_field("To", false)}
            </Show>
            <button type="button" class="button button-small" aria-pressed=move || is_range().to_string() on:click=toggle_range>
                "Custom range"
            </button>
            <label class="inline-check">
                <input
                    type="checkbox"
                    prop:checked=include_pending
                    on:change=move |ev| include_pending.set(event_target_checked(&ev))
                />
                "Include pending"
            </label>
        </div>
    }
}

#[component]
fn SpendingBody(spending: Spending) -> impl IntoView {
    let period = if spending.from == calendar::month_start(spending.from)
        && spending.to == calendar::month_end(spending.from)
    {
        SpendingPeriod::Month(spending.from)
    } else {
        SpendingPeriod::Range {
            from: spending.from,
            to: spending.to,
        }
    };
    if spending.currencies.is_empty() {
        return view! {
            <p class="empty-line">{format!("No spending in {}.", period.label())}</p>
        }
        .into_any();
    }
    let several = spending.currencies.len() > 1;
    spending
        .currencies
        .into_iter()
        .map(|currency| view! { <CurrencySpendingView currency period several /> })
        .collect_view()
        .into_any()
}

#[component]
fn CurrencySpendingView(
    currency: CurrencySpending,
    period: SpendingPeriod,
    /// More than one currency: each says which it is.
    several: bool,
) -> impl IntoView {
    let code = currency.currency.clone();
    let (from, to) = period.days();
    let heading = if several {
        format!("In {code}")
    } else {
        period.label()
    };
    let refunds = (!currency.refunds.is_zero()).then(|| {
        let refunds = format::money_magnitude(currency.refunds, &code);
        view! {
            <p class="spend-refunds">
                "Refunds: "
                <strong>{refunds}</strong>
                " came back. They are shown apart, not taken off your spending."
            </p>
        }
    });
    view! {
        <div class="spend-currency" data-currency=currency.currency>
            <div class="spend-summary">
                <p class="spend-label">{heading}</p>
                <p class="spend-total" data-testid=format!("spending-total-{code}")>
                    {format::money(currency.total, &code)}
                    <span class="spend-total-note">" spent"</span>
                </p>
                {refunds}
            </div>
            <div class="spend-grid">
                <CategoryBars
                    categories=currency.categories
                    total=currency.total
                    currency=code.clone()
                    from
                    to
                />
                <TopMerchants merchants=currency.top_merchants currency=code.clone() />
            </div>
        </div>
    }
}
