//! The dashboard's "Next 30 days": the bills and income coming, the balance they leave drawn as
//! a line, and how low it gets before the next income, in words.

use crate::api::ClientError;
use crate::components::error_view::ErrorView;
use crate::components::net_worth_chart::{coordinate, percent_of, ticks};
use crate::format;
use crate::routes::Page;
use leptos::prelude::*;
use leptos_router::components::A;
use rust_decimal::Decimal;
use tally_shared::api::insights::{CashFlow, CurrencyCashFlow, Upcoming, UpcomingPayment};
use tally_shared::api::recurring::Direction;

/// How many days the card looks ahead.
pub const DAYS: u32 = 30;
/// How many payments the card lists before "and N more".
const LISTED: usize = 8;

#[component]
pub fn UpcomingSection(
    upcoming: LocalResource<Result<Upcoming, ClientError>>,
    cash_flow: LocalResource<Result<CashFlow, ClientError>>,
    /// The currency to draw when there are several: the browser's own, if the person has it.
    default_currency: &'static str,
) -> impl IntoView {
    view! {
        <section class="card upcoming-card" aria-labelledby="upcoming-heading" data-testid="upcoming-card">
            <div class="section-head">
                <h2 class="card-title" id="upcoming-heading">{format!("Next {DAYS} days")}</h2>
                <A href=Page::Recurring.path() attr:class="button button-small">"See what repeats"</A>
            </div>
            <Transition fallback=|| view! { <p class="muted loading-block">"Looking ahead…"</p> }>
                <ErrorBoundary fallback=|errors| view! { <ErrorView errors /> }>
                    {move || Suspend::new(async move {
                        let upcoming = upcoming.await?;
                        let cash_flow = cash_flow.await?;
                        Ok::<_, ClientError>(upcoming_view(upcoming, cash_flow, default_currency))
                    })}
                </ErrorBoundary>
            </Transition>
        </section>
    }
}

fn upcoming_view(upcoming: Upcoming, cash_flow: CashFlow, default_currency: &str) -> AnyView {
    let chosen = cash_flow
        .currencies
        .iter()
        .find(|c| c.currency == default_currency)
        .or_else(|| {
            cash_flow
                .currencies
                .iter()
                .find(|c| upcoming.payments.iter().any(|p| p.currency == c.currency))
        })
        .or_else(|| cash_flow.currencies.first())
        .cloned();
    if upcoming.payments.is_empty() {
        return view! {
            <p class="empty-line">
                "No bills or income expected. Confirm what repeats on the Recurring page, and it is "
                "counted here."
            </p>
        }
        .into_any();
    }
    let more = upcoming.payments.len().saturating_sub(LISTED);
    let rows = upcoming
        .payments
        .iter()
        .take(LISTED)
        .cloned()
        .map(payment_row)
        .collect_view();
    view! {
        {chosen.map(|flow| {
            let words = lowest_in_words(&flow, &upcoming.payments);
            view! {
                <p class="upcoming-lowest" data-testid="upcoming-lowest">{words}</p>
                <BalanceLine flow />
            }
        })}
        <ul class="upcoming-list">{rows}</ul>
        {(more > 0).then(|| view! {
            <p class="muted">{format!("and {more} more in the next {DAYS} days")}</p>
        })}
    }
    .into_any()
}

fn payment_row(payment: UpcomingPayment) -> impl IntoView {
    let (class, amount) = match payment.direction {
        Direction::Inflow => (
            "upcoming-amount rec-in",
            format::money_signed(payment.amount, &payment.currency),
        ),
        Direction::Outflow => (
            "upcoming-amount",
            format::money_signed(-payment.amount, &payment.currency),
        ),
    };
    let when = if payment.overdue {
        "Due, not yet seen".to_owned()
    } else {
        format::day_month(payment.date)
    };
    view! {
        <li class="upcoming-row" data-testid="upcoming-payment">
            <span class="upcoming-date">{when}</span>
            <span class="upcoming-name">{payment.name}</span>
            <span class=class>{amount}</span>
        </li>
    }
}

/// "Before your next income (Payroll, $2,000.00 on Dec 12), your balance is lowest at $24.75 on
/// Dec 10."
fn lowest_in_words(flow: &CurrencyCashFlow, payments: &[UpcomingPayment]) -> String {
    let currency = flow.currency.as_str();
    let income = payments
        .iter()
        .find(|p| p.direction == Direction::Inflow && p.currency == currency);
    let before = |date| {
        flow.points
            .iter()
            .filter(move |point| income.is_none_or(|income| point.date < income.date))
            .filter(move |point| point.date <= date)
            .min_by_key(|point| point.balance)
    };
    let lowest = flow.points.last().and_then(|last| before(last.date));
    let warning = |balance: Decimal| {
        if balance.is_sign_negative() && !balance.is_zero() {
            " That is below zero."
        } else {
            ""
        }
    };
    match (income, lowest) {
        (Some(income), Some(low)) => format!(
            "Before your next income ({}, {} on {}), your balance is lowest at {} on {}.{}",
            income.name,
            format::money(income.amount, currency),
            format::day_month(income.date),
            format::money(low.balance, currency),
            format::day_month(low.date),
            warning(low.balance)
        ),
        (Some(income), None) => format!(
            "Your next income, {} ({}), is due today; your balance is {} now.",
            income.name,
            format::money(income.amount, currency),
            format::money(flow.starting_balance, currency)
        ),
        (None, _) => format!(
            "No income expected in the next {DAYS} days: your balance is lowest at {} on {}.{}",
            format::money(flow.lowest_balance, currency),
            format::day_month(flow.lowest_date),
            warning(flow.lowest_balance)
        ),
    }
}

/// The projected balance, day by day, as a line.
#[component]
fn BalanceLine(flow: CurrencyCashFlow) -> impl IntoView {
    let currency = flow.currency.clone();
    let values: Vec<Decimal> = std::iter::once(flow.starting_balance)
        .chain(flow.points.iter().map(|p| p.balance))
        .collect();
    let low = values.iter().copied().min().unwrap_or_default();
    let high = values.iter().copied().max().unwrap_or_default();
    let ticks = ticks(low, high, 3);
    let bottom = ticks.first().copied().unwrap_or(low);
    let top = ticks.last().copied().unwrap_or(high);
    let last_index = values.len().saturating_sub(1).max(1);
    let y = move |value: Decimal| coordinate(percent_of(top - value, top - bottom));
    let x =
        move |index: usize| coordinate(percent_of(Decimal::from(index), Decimal::from(last_index)));
    // A step line: a balance holds until the day's payments move it.
    let mut path = format!("M0,{}", y(flow.starting_balance));
    for (index, balance) in values.iter().enumerate().skip(1) {
        path.push_str(&format!(" H{} V{}", x(index), y(*balance)));
    }
    let gridlines = ticks
        .iter()
        .map(|tick| {
            let level = y(*tick);
            let class = if tick.is_zero() {
                "chart-grid chart-zero"
            } else {
                "chart-grid"
            };
            view! { <line class=class x1="0" x2="100" y1=level.clone() y2=level /> }
        })
        .collect_view();
    let money_labels = ticks
        .iter()
        .map(|tick| {
            let top = format!("top: {}%", y(*tick));
            view! { <span style=top>{format::money_compact(*tick, &currency)}</span> }
        })
        .collect_view();
    let (first, last) = (flow.points.first(), flow.points.last());
    let date_labels = [(first, "left: 0%"), (last, "left: 100%")]
        .into_iter()
        .filter_map(|(point, left)| point.map(|point| (point.date, left)))
        .map(|(date, left)| view! { <span style=left>{format::day_month(date)}</span> })
        .collect_view();
    let title = format!("Projected balance in {currency}");
    let description = format!(
        "From {} today to {} on {}; lowest {} on {}.",
        format::money(flow.starting_balance, &currency),
        last.map(|p| format::money(p.balance, &currency))
            .unwrap_or_default(),
        last.map(|p| format::date(p.date)).unwrap_or_default(),
        format::money(flow.lowest_balance, &currency),
        format::date(flow.lowest_date),
    );
    let id = format!("cash-flow-{currency}");
    let labelled_by = format!("{id}-title {id}-desc");
    view! {
        <figure class="chart upcoming-chart">
            <h3 class="chart-title" id=format!("{id}-title")>{title.clone()}</h3>
            <div class="chart-body">
                <div class="chart-y" aria-hidden="true">{money_labels}</div>
                <div class="chart-plot">
                    <svg viewBox="0 0 100 100" preserveAspectRatio="none" role="img" aria-labelledby=labelled_by>
                        <title>{title}</title>
                        <desc id=format!("{id}-desc")>{description}</desc>
                        {gridlines}
                        <path class="chart-line" d=path data-testid="cash-flow-line" />
                    </svg>
                </div>
                <div class="chart-x" aria-hidden="true">{date_labels}</div>
            </div>
        </figure>
    }
}
