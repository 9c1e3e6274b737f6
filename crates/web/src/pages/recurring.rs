//! `/recurring`: what repeats. Subscriptions and bills, each group with what it costs a month and
//! a year; income with its next dates; the person confirms or dismisses each stream, and
//! transfers between their own accounts, those no longer seen and those dismissed wait at the
//! bottom.

mod row;

use crate::api;
use crate::components::error_view::ErrorView;
use crate::components::sign_in_prompt::SignInPrompt;
use crate::format;
use crate::state::refresh::on_stale;
use crate::state::session::use_session;
use leptos::prelude::*;
use leptos_meta::Title;
use row::StreamRow;
use rust_decimal::Decimal;
use std::collections::{BTreeMap, HashMap};
use tally_shared::api::categories::Category;
use tally_shared::api::recurring::{Direction, RecurringPatch, RecurringStream, StreamState};
use tally_shared::ids::{CategoryId, RecurringStreamId};

#[component]
pub fn RecurringPage() -> impl IntoView {
    let session = use_session();
    view! {
        <Title text="Recurring" />
        <div class="page-head">
            <h1>"Recurring"</h1>
        </div>
        {move || match session.user() {
            Some(_) => view! { <RecurringStreams /> }.into_any(),
            None if session.is_known() => view! { <SignInPrompt /> }.into_any(),
            None => ().into_any(),
        }}
    }
}

/// Plaid's primary categories whose payments are bills (what a home, a loan or the state asks
/// for) rather than subscriptions one chose.
const BILL_CATEGORIES: &[&str] = &[
    "RENT_AND_UTILITIES",
    "LOAN_PAYMENTS",
    "GOVERNMENT_AND_NON_PROFIT",
    "BANK_FEES",
];
/// A detailed category that is a bill under a primary that is not.
const BILL_DETAILED: &[&str] = &["GENERAL_SERVICES_INSURANCE"];
/// Money moving between the person's own accounts: neither a cost nor income, so kept out of
/// the groups and their totals.
const TRANSFER_CATEGORIES: &[&str] = &["TRANSFER_IN", "TRANSFER_OUT"];
const TRANSFER_DETAILED: &[&str] = &["LOAN_PAYMENTS_CREDIT_CARD_PAYMENT"];

/// The groups a stream is shown in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Group {
    Subscriptions,
    Bills,
    Income,
    /// Between the person's own accounts (a transfer to savings, a card's payment).
    Transfers,
    /// No longer seen (tombstoned or inactive).
    Ended,
    Dismissed,
}

/// Which group `stream` goes in, `plaid_codes` telling each category's Plaid code and its
/// primary's.
fn group_of(
    stream: &RecurringStream,
    plaid_codes: &HashMap<CategoryId, (Option<String>, Option<String>)>,
) -> Group {
    if stream.state == StreamState::Dismissed {
        return Group::Dismissed;
    }
    if !stream.is_active {
        return Group::Ended;
    }
    let codes = stream
        .category_id
        .and_then(|id| plaid_codes.get(&id))
        .cloned()
        .unwrap_or_default();
    let is_transfer = codes
        .0
        .as_deref()
        .is_some_and(|code| TRANSFER_DETAILED.contains(&code))
        || codes
            .1
            .as_deref()
            .is_some_and(|code| TRANSFER_CATEGORIES.contains(&code));
    if is_transfer {
        return Group::Transfers;
    }
    if stream.direction == Direction::Inflow {
        return Group::Income;
    }
    let is_bill = codes
        .0
        .as_deref()
        .is_some_and(|code| BILL_DETAILED.contains(&code))
        || codes
            .1
            .as_deref()
            .is_some_and(|code| BILL_CATEGORIES.contains(&code));
    if is_bill {
        Group::Bills
    } else {
        Group::Subscriptions
    }
}

/// Each category's Plaid code and its primary's (a primary is its own primary).
fn plaid_codes(categories: &[Category]) -> HashMap<CategoryId, (Option<String>, Option<String>)> {
    let by_id: HashMap<CategoryId, &Category> = categories.iter().map(|c| (c.id, c)).collect();
    categories
        .iter()
        .map(|category| {
            let primary = category
                .parent_id
                .and_then(|id| by_id.get(&id).copied())
                .unwrap_or(category);
            (
                category.id,
                (category.plaid_code.clone(), primary.plaid_code.clone()),
            )
        })
        .collect()
}

/// "$25.99 a month · $311.88 a year", per currency, from the streams' monthly equivalents.
fn totals(streams: &[RecurringStream]) -> String {
    let mut monthly: BTreeMap<&str, Decimal> = BTreeMap::new();
    for stream in streams {
        *monthly.entry(stream.currency.as_str()).or_default() += stream.monthly_amount;
    }
    monthly
        .into_iter()
        .map(|(currency, month)| {
            format!(
                "{} a month · {} a year",
                format::money(month, currency),
                format::money(month * Decimal::from(12), currency)
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}

#[component]
fn RecurringStreams() -> impl IntoView {
    let streams = LocalResource::new(api::recurring::list);
    let categories = LocalResource::new(api::categories::list);
    on_stale(move |stale| {
        if stale.banking() || stale.categories() {
            streams.refetch();
        }
        if stale.categories() {
            categories.refetch();
        }
    });
    let decide = Action::new_local(move |(id, state): &(RecurringStreamId, StreamState)| {
        let (id, state) = (*id, *state);
        async move {
            let patch = RecurringPatch {
                state: Some(state),
                ..RecurringPatch::default()
            };
            let decided = api::recurring::patch(id, &patch).await;
            streams.refetch();
            decided
        }
    });
    let on_decide = Callback::new(move |choice| {
        decide.dispatch(choice);
    });
    let failed = move || decide.value().get().and_then(Result::err);

    view! {
        {move || failed().map(|error| view! {
            <p class="alert" role="alert">{format!("That could not be saved: {error}")}</p>
        })}
        <Transition fallback=|| view! { <p class="muted loading-block">"Loading what repeats…"</p> }>
            <ErrorBoundary fallback=|errors| view! { <ErrorView errors /> }>
                {move || Suspend::new(async move {
                    let list = streams.await?;
                    let categories = categories.await.map(|list| list.categories).unwrap_or_default();
                    let codes = plaid_codes(&categories);
                    let (mut subscriptions, mut bills, mut income) = (Vec::new(), Vec::new(), Vec::new());
                    let (mut transfers, mut ended, mut dismissed) = (Vec::new(), Vec::new(), Vec::new());
                    for stream in list.streams {
                        match group_of(&stream, &codes) {
                            Group::Subscriptions => subscriptions.push(stream),
                            Group::Bills => bills.push(stream),
                            Group::Income => income.push(stream),
                            Group::Transfers => transfers.push(stream),
                            Group::Ended => ended.push(stream),
                            Group::Dismissed => dismissed.push(stream),
                        }
                    }
                    income.sort_by_key(|stream| stream.next_date);
                    let nothing = subscriptions.is_empty() && bills.is_empty() && income.is_empty()
                        && transfers.is_empty() && ended.is_empty() && dismissed.is_empty();
                    Ok::<_, api::ClientError>(view! {
                        {nothing.then(|| view! {
                            <section class="card">
                                <p class="empty-line">
                                    "Nothing repeats yet. Once a bank has synced a few months of transactions, "
                                    "the subscriptions, bills and income it finds appear here for you to confirm."
                                </p>
                            </section>
                        })}
                        <div class="page-sections">
                            <StreamGroup title="Subscriptions" id="rec-subscriptions" streams=subscriptions on_decide with_totals=true />
                            <StreamGroup title="Bills" id="rec-bills" streams=bills on_decide with_totals=true />
                            <StreamGroup title="Income" id="rec-income" streams=income on_decide with_totals=false />
                            <FoldedGroup title="Between your accounts" id="rec-transfers" streams=transfers on_decide />
                            <FoldedGroup title="No longer seen" id="rec-ended" streams=ended on_decide />
                            <FoldedGroup title="Dismissed" id="rec-dismissed" streams=dismissed on_decide />
                        </div>
                    })
                })}
            </ErrorBoundary>
        </Transition>
    }
}

/// One group as a card, with its totals; nothing when it is empty.
#[component]
fn StreamGroup(
    title: &'static str,
    id: &'static str,
    streams: Vec<RecurringStream>,
    on_decide: Callback<(RecurringStreamId, StreamState)>,
    with_totals: bool,
) -> impl IntoView {
    if streams.is_empty() {
        return ().into_any();
    }
    let heading = format!("{id}-title");
    let summary = if with_totals {
        totals(&streams)
    } else {
        let next = streams.iter().filter_map(|s| s.next_date).min();
        match next {
            Some(next) => format!("Next on {}", format::date(next)),
            None => String::new(),
        }
    };
    view! {
        <section class="card rec-group" id=id aria-labelledby=heading.clone()>
            <div class="section-head">
                <h2 class="card-title" id=heading.clone()>{title}</h2>
                <p class="rec-totals" data-testid="recurring-totals">{summary}</p>
            </div>
            <ul class="rec-list">
                {streams.into_iter().map(|stream| view! { <StreamRow stream on_decide /> }).collect_view()}
            </ul>
        </section>
    }
    .into_any()
}

/// A group kept out of the way: folded until opened.
#[component]
fn FoldedGroup(
    title: &'static str,
    id: &'static str,
    streams: Vec<RecurringStream>,
    on_decide: Callback<(RecurringStreamId, StreamState)>,
) -> impl IntoView {
    if streams.is_empty() {
        return ().into_any();
    }
    let count = streams.len();
    view! {
        <section class="card rec-group" id=id>
            <details>
                <summary class="card-title">{format!("{title} ({count})")}</summary>
                <ul class="rec-list">
                    {streams.into_iter().map(|stream| view! { <StreamRow stream on_decide /> }).collect_view()}
                </ul>
            </details>
        </section>
    }
    .into_any()
}
