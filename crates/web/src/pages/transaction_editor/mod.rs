//! The transaction editor: a side panel, opened from a row of `/transactions` or of the
//! dashboard's Recent transactions, where a person relabels one transaction (category, display
//! name, notes, tags, hidden), gives a field back to their bank (and rules), splits it, and pairs
//! or unpairs it as a transfer between their own accounts.
//! After a new category for a merchant it offers the rule that would do the same for the rest.

mod fields;
mod offer;
mod splits;
mod transfer;

use crate::api;
use crate::components::modal::modal_while;
use crate::lazy;
use crate::pages::category_list::load_categories;
use leptos::html::Dialog;
use leptos::prelude::*;
use leptos::wasm_split::{wasm_split, SplitLoaderError};
use tally_shared::api::categories::Category;
use tally_shared::api::transactions::TransactionDetail;
use tally_shared::ids::TransactionId;

/// The editor's code is its own download (see `crate::lazy`): it is fetched the first time a
/// transaction is opened, and the panel stays mounted from then on.
#[component]
pub fn TransactionEditor(
    /// The transaction being edited; `None` closes the panel.
    editing: RwSignal<Option<TransactionId>>,
    /// Called after anything was saved, so the page shows it at once.
    on_saved: Callback<()>,
) -> impl IntoView {
    let opened = Memo::new(move |before: Option<&bool>| {
        before.copied().unwrap_or(false) || editing.with(Option::is_some)
    });
    move || {
        opened.get().then(|| {
            Suspend::new(async move {
                editor_panel(editing, on_saved)
                    .await
                    .unwrap_or_else(lazy::unavailable)
            })
        })
    }
}

#[wasm_split(transaction_editor, wasm_split_path = ::leptos::wasm_split, fallible)]
fn editor_panel(
    editing: RwSignal<Option<TransactionId>>,
    on_saved: Callback<()>,
) -> Result<AnyView, SplitLoaderError> {
    Ok(view! { <EditorPanel editing on_saved /> }.into_any())
}

#[component]
fn EditorPanel(editing: RwSignal<Option<TransactionId>>, on_saved: Callback<()>) -> impl IntoView {
    let dialog = NodeRef::<Dialog>::new();
    let categories = load_categories();
    let detail = LocalResource::new(move || {
        let id = editing.get();
        async move {
            match id {
                Some(id) => Some(api::transactions::detail(id).await),
                None => None,
            }
        }
    });
    modal_while(dialog, move || editing.with(Option::is_some));
    let close = Callback::new(move |()| editing.set(None));
    // The loaded transaction, once it is the one asked for (not the last one opened).
    let loaded = Memo::new(move |_| {
        let wanted = editing.get()?;
        match detail.get().flatten()? {
            Ok(detail) if detail.transaction.id == wanted => Some(Ok(detail)),
            Ok(_) => None,
            Err(error) => Some(Err(error.to_string())),
        }
    });
    view! {
        <dialog
            node_ref=dialog
            class="dialog panel"
            aria-labelledby="editor-title"
            data-testid="transaction-editor"
            on:close=move |_| editing.set(None)
        >
            <div class="panel-head">
                <h2 id="editor-title">"Edit transaction"</h2>
                <button type="button" class="panel-close" aria-label="Close the editor" on:click=move |_| close.run(())>
                    "×"
                </button>
            </div>
            {move || match loaded.get() {
                None => editing.with(Option::is_some)
                    .then(|| view! { <p class="muted">"Loading the transaction…"</p> })
                    .into_any(),
                Some(Err(error)) => view! {
                    <p class="alert" role="alert">{format!("This transaction could not be loaded: {error}")}</p>
                }
                .into_any(),
                Some(Ok(detail)) => view! { <Editor detail categories on_saved close /> }.into_any(),
            }}
        </dialog>
    }
}

/// What the panel shows for one loaded transaction: a summary, the labels form (or, once it
/// was saved with a new category, the offered rule), and the split.
#[component]
fn Editor(
    detail: TransactionDetail,
    categories: Signal<Vec<Category>>,
    on_saved: Callback<()>,
    close: Callback<()>,
) -> impl IntoView {
    let current = RwSignal::new(detail);
    let offer = RwSignal::new(None::<offer::Offer>);
    let reload = Callback::new(move |()| {
        let id = current.with_untracked(|d| d.transaction.id);
        leptos::task::spawn_local(async move {
            if let Ok(fresh) = api::transactions::detail(id).await {
                current.try_set(fresh);
            }
        });
        on_saved.run(());
    });
    let needs_review = move || current.with(|d| d.transaction.needs_review);
    view! {
        <Summary detail=current />
        {move || needs_review().then(|| view! {
            <p class="alert alert-warn" role="status" data-testid="needs-review">
                "Your bank changed this transaction's amount, so its split was removed. Split it \
                 again, or save to mark it reviewed."
            </p>
        })}
        {move || match offer.get() {
            Some(question) => view! { <offer::OfferRule question close /> }.into_any(),
            None => view! {
                <fields::LabelsForm current categories offer on_saved close />
                <splits::SplitEditor current categories on_saved=reload />
                <transfer::TransferSection current on_saved=reload />
            }
            .into_any(),
        }}
    }
}

/// The transaction as the bank reported it: who, when, how much, from which account.
#[component]
fn Summary(detail: RwSignal<TransactionDetail>) -> impl IntoView {
    use crate::components::transaction_parts::{counterparty, transfer_words, TransactionAmount};
    use crate::format;
    view! {
        {move || {
            let transaction = detail.with(|d| d.transaction.clone());
            let bank_name = counterparty(&transaction);
            view! {
                <div class="editor-summary">
                    <div>
                        <p class="editor-name">{transaction.display_name.clone().unwrap_or_else(|| bank_name.clone())}</p>
                        <p class="small muted">
                            {format!("{} · {}", format::date(transaction.date), transaction.account_name)}
                            {transaction.pending.then_some(" · pending")}
                        </p>
                        <p class="small muted">{format!("Bank's description: {}", transaction.name)}</p>
                        {transfer_words(&transaction).map(|words| view! {
                            <p class="small tx-transfer">{words}</p>
                        })}
                    </div>
                    <TransactionAmount transaction />
                </div>
            }
        }}
    }
}
