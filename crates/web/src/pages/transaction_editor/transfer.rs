//! The editor's Transfer section: the other side of a transfer between the person's own
//! accounts ("Transfer to Savings"), with Unpair; or, for a transaction that is not paired, the
//! transactions that could be its other side (the opposite amount in another account within four
//! days, as the sync pairs them), each with Pair.

use crate::api::{self, ClientError};
use crate::components::transaction_parts::{counterparty, transfer_words};
use crate::format;
use chrono::Days;
use leptos::html::H3;
use leptos::prelude::*;
use tally_shared::api::transactions::{Transaction, TransactionDetail, TransactionFilter};
use tally_shared::ids::TransactionId;

/// How far either side of the date the other side is looked for, as the sync pairs.
const DAYS_APART: u64 = 4;

/// The transactions that could be the other side of `transaction`: posted, the opposite amount,
/// in another account, in the same currency, within `DAYS_APART` days, and not paired already.
async fn other_sides(transaction: Transaction) -> Result<Vec<Transaction>, ClientError> {
    let opposite = (-transaction.amount).to_string();
    let filter = TransactionFilter {
        from: transaction.date.checked_sub_days(Days::new(DAYS_APART)),
        to: transaction.date.checked_add_days(Days::new(DAYS_APART)),
        pending: Some(false),
        min_amount: Some(opposite.clone()),
        max_amount: Some(opposite),
        ..TransactionFilter::default()
    };
    let page = api::transactions::list(&filter).await?;
    Ok(page
        .transactions
        .into_iter()
        .filter(|other| {
            other.account_id != transaction.account_id
                && other.currency == transaction.currency
                && other.transfer_pair_id.is_none()
        })
        .collect())
}

#[component]
pub fn TransferSection(
    current: RwSignal<TransactionDetail>,
    /// Called once a pair was made or undone.
    on_saved: Callback<()>,
) -> impl IntoView {
    let transaction = move || current.with(|d| d.transaction.clone());
    let id = move || current.with_untracked(|d| d.transaction.id);
    // The button pressed goes away with what it did: the keyboard's focus goes to the heading,
    // whose section then says what is so now.
    let heading = NodeRef::<H3>::new();
    let done = move |result: Result<(), ClientError>| {
        if result.is_ok() {
            on_saved.run(());
            if let Some(heading) = heading.get_untracked() {
                let _ = heading.focus();
            }
        }
        result
    };
    let unpair = Action::new_local(move |()| {
        let id = id();
        async move { done(api::transactions::unpair_transfer(id).await) }
    });
    let pair = Action::new_local(move |other: &TransactionId| {
        let (id, other) = (id(), *other);
        async move { done(api::transactions::pair_transfer(id, other).await) }
    });
    let looking = RwSignal::new(false);
    let candidates = LocalResource::new(move || {
        let wanted = looking
            .get()
            .then(|| current.with(|d| d.transaction.clone()));
        async move {
            match wanted {
                Some(transaction) => Some(other_sides(transaction).await),
                None => None,
            }
        }
    });
    let busy = Signal::derive(move || unpair.pending().get() || pair.pending().get());
    let error = move || {
        unpair
            .value()
            .get()
            .and_then(Result::err)
            .or_else(|| pair.value().get().and_then(Result::err))
    };
    view! {
        <section class="editor-transfer" aria-labelledby="transfer-title" data-testid="transfer-section">
            <h3 id="transfer-title" node_ref=heading tabindex="-1">"Transfer"</h3>
            {move || {
                let transaction = transaction();
                match transfer_words(&transaction) {
                    Some(words) => view! {
                        <p class="transfer-partner" data-testid="editor-transfer-partner">
                            <span aria-hidden="true">"⇄ "</span>
                            {words}
                        </p>
                        <p class="small muted">
                            "Money moving between your own accounts: both sides are left out of \
                             spending and income."
                        </p>
                        <button
                            type="button"
                            class="button button-small"
                            disabled=busy
                            on:click=move |_| { unpair.dispatch(()); }
                        >
                            {move || if unpair.pending().get() { "Unpairing…" } else { "Unpair" }}
                        </button>
                    }
                    .into_any(),
                    None if transaction.pending => view! {
                        <p class="small muted">
                            "A pending transaction can be paired as a transfer once it posts."
                        </p>
                    }
                    .into_any(),
                    None => view! {
                        <p class="small muted">
                            "Money moving between two of your accounts, such as a card payment, \
                             is paired with its other side and left out of spending and income."
                        </p>
                        <Show
                            when=move || looking.get()
                            fallback=move || view! {
                                <button type="button" class="button button-small" on:click=move |_| looking.set(true)>
                                    "Find the other side"
                                </button>
                            }
                        >
                            <Candidates candidates pair busy />
                        </Show>
                    }
                    .into_any(),
                }
            }}
            {move || error().map(|error| view! {
                <p class="alert" role="alert">{error.field_message("other_id").unwrap_or_else(|| error.to_string())}</p>
            })}
        </section>
    }
}

/// The transactions that could be the other side, each with a Pair button.
#[component]
fn Candidates(
    candidates: LocalResource<Option<Result<Vec<Transaction>, ClientError>>>,
    pair: Action<TransactionId, Result<(), ClientError>>,
    busy: Signal<bool>,
) -> impl IntoView {
    view! {
        {move || match candidates.get().flatten() {
            None => view! { <p class="muted small">"Looking for the other side…"</p> }.into_any(),
            Some(Err(error)) => view! {
                <p class="alert" role="alert">{format!("The other side could not be looked for: {error}")}</p>
            }
            .into_any(),
            Some(Ok(found)) if found.is_empty() => view! {
                <p class="small muted" data-testid="no-transfer-candidates">
                    "No transaction of the opposite amount within four days in your other accounts."
                </p>
            }
            .into_any(),
            Some(Ok(found)) => view! {
                <ul class="transfer-candidates" aria-label="Possible other sides">
                    {found.into_iter().map(|other| {
                        let who = other.display_name.clone().unwrap_or_else(|| counterparty(&other));
                        let when = format::date(other.date);
                        let label = format!("Pair with {who} on {when} in {}", other.account_name);
                        let other_id = other.id;
                        view! {
                            <li class="transfer-candidate">
                                <span class="transfer-candidate-text">
                                    <span class="tx-name">{who}</span>
                                    <span class="tx-subtle">{format!("{when} · {}", other.account_name)}</span>
                                </span>
                                <button
                                    type="button"
                                    class="button button-small"
                                    aria-label=label
                                    disabled=busy
                                    on:click=move |_| { pair.dispatch(other_id); }
                                >
                                    "Pair"
                                </button>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            }
            .into_any(),
        }}
    }
}
