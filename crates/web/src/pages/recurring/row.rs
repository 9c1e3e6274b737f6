//! One stream on the Recurring page: what it is, how often, what it costs, its flags, the
//! person's decision, and the way to its transactions.

use crate::format;
use crate::routes::Page;
use crate::transaction_filter::query_string;
use leptos::prelude::*;
use leptos_router::components::A;
use tally_shared::api::recurring::{
    Direction, Frequency, RecurringStream, StreamFlag, StreamSource, StreamState,
};
use tally_shared::api::transactions::TransactionFilter;
use tally_shared::ids::RecurringStreamId;

/// "Monthly", "Every two weeks": how often, in words.
pub fn frequency_words(frequency: Frequency) -> &'static str {
    match frequency {
        Frequency::Weekly => "Weekly",
        Frequency::Biweekly => "Every two weeks",
        Frequency::SemiMonthly => "Twice a month",
        Frequency::Monthly => "Monthly",
        Frequency::Annually => "Yearly",
    }
}

/// The transactions page narrowed to the stream's account and merchant (or the words of its
/// description before any number: the reference that changes from one charge to the next).
fn transactions_link(stream: &RecurringStream) -> String {
    let words = stream.merchant_name.clone().unwrap_or_else(|| {
        stream
            .description
            .split(|c: char| c.is_ascii_digit() || c == '#')
            .next()
            .unwrap_or_default()
            .trim()
            .to_owned()
    });
    let filter = TransactionFilter {
        account_id: Some(stream.account_id),
        q: Some(words).filter(|q| !q.is_empty()),
        ..TransactionFilter::default()
    };
    Page::Transactions.with_query(&query_string(&filter))
}

#[component]
pub fn StreamRow(
    stream: RecurringStream,
    on_decide: Callback<(RecurringStreamId, StreamState)>,
) -> impl IntoView {
    let id = stream.id;
    let name = stream.name.clone();
    let amount = format::money(stream.last_amount, &stream.currency);
    let monthly = match stream.frequency {
        Frequency::Monthly => String::new(),
        _ => format!(
            "{} a month",
            format::money(stream.monthly_amount, &stream.currency)
        ),
    };
    let when = match (stream.next_date, stream.is_active) {
        (Some(next), true) => format!("next {}", format::date(next)),
        _ => format!("last {}", format::date(stream.last_date)),
    };
    let mut meta = vec![frequency_words(stream.frequency).to_owned()];
    meta.extend(stream.category_name.clone());
    meta.push(when);
    if stream.source == StreamSource::Local {
        meta.push("found by Tally".to_owned());
    }
    let price_changed = stream.flags.contains(&StreamFlag::PriceChanged);
    let late = stream.flags.contains(&StreamFlag::Late);
    let sign = match stream.direction {
        Direction::Inflow => "rec-amount rec-in",
        Direction::Outflow => "rec-amount",
    };
    let state_badge = match stream.state {
        StreamState::Suggested => view! { <span class="badge">"Suggested"</span> }.into_any(),
        StreamState::Confirmed => {
            view! { <span class="badge badge-good">"Confirmed"</span> }.into_any()
        }
        StreamState::Dismissed => view! { <span class="badge">"Dismissed"</span> }.into_any(),
    };
    let decide = move |state| move |_| on_decide.run((id, state));
    let buttons = match stream.state {
        StreamState::Suggested => view! {
            <button type="button" class="button button-small button-primary" on:click=decide(StreamState::Confirmed)
                aria-label=format!("Confirm {name}")>"Confirm"</button>
            <button type="button" class="button button-small" on:click=decide(StreamState::Dismissed)
                aria-label=format!("Dismiss {name}")>"Dismiss"</button>
        }
        .into_any(),
        StreamState::Confirmed => view! {
            <button type="button" class="button button-small" on:click=decide(StreamState::Dismissed)
                aria-label=format!("Dismiss {name}")>"Dismiss"</button>
        }
        .into_any(),
        StreamState::Dismissed => view! {
            <button type="button" class="button button-small" on:click=decide(StreamState::Suggested)
                aria-label=format!("Restore {name}")>"Restore"</button>
        }
        .into_any(),
    };
    let link_label = format!("Transactions of {}", stream.name);
    view! {
        <li class="rec-row" data-testid="recurring-stream">
            <div class="rec-main">
                <span class="rec-name">{stream.name.clone()}</span>
                <span class="rec-badges">
                    {state_badge}
                    {price_changed.then(|| view! {
                        <span class="badge badge-warn" title="The last charge differs from the one before by more than 10%">"Price changed"</span>
                    })}
                    {late.then(|| view! {
                        <span class="badge badge-bad" title="The expected date and a few days' grace have passed with no payment">"Late"</span>
                    })}
                </span>
                <span class="rec-meta muted">{meta.join(" · ")}</span>
            </div>
            <div class=sign>
                <span>{amount}</span>
                <small class="muted">{monthly}</small>
            </div>
            <div class="rec-actions">
                {buttons}
                <A href=transactions_link(&stream) attr:class="button button-small" attr:aria-label=link_label>
                    "Transactions"
                </A>
            </div>
        </li>
    }
}
