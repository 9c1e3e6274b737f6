//! The dashboard's newest transactions, with the way to all of them.

use crate::api::ClientError;
use crate::components::error_view::ErrorView;
use crate::components::transaction_parts::{TransactionAmount, TransactionTags, TransactionTitle};
use crate::format;
use crate::routes::Page;
use leptos::prelude::*;
use leptos_router::components::A;
use tally_shared::api::transactions::TransactionPage;
use tally_shared::ids::TransactionId;

#[component]
pub fn RecentTransactions(
    recent: LocalResource<Result<TransactionPage, ClientError>>,
    /// Opens a transaction for editing.
    on_open: Callback<TransactionId>,
) -> impl IntoView {
    view! {
        <section class="card numbers-card" aria-labelledby="recent-heading">
            <div class="section-head">
                <h2 class="card-title" id="recent-heading">"Recent transactions"</h2>
                <A href=Page::Transactions.path() attr:class="button button-small">"See all transactions"</A>
            </div>
            <Transition fallback=|| view! { <p class="muted loading-block">"Loading transactions…"</p> }>
                <ErrorBoundary fallback=|errors| view! { <ErrorView errors /> }>
                    {move || Suspend::new(async move {
                        recent.await.map(|page| {
                            if page.transactions.is_empty() {
                                return view! {
                                    <p class="empty-line">"No transactions yet. They arrive with a bank's first sync."</p>
                                }
                                .into_any();
                            }
                            let rows = page
                                .transactions
                                .into_iter()
                                .map(|transaction| {
                                    let id = transaction.id;
                                    let meta = format!(
                                        "{} · {}",
                                        format::date(transaction.date),
                                        if transaction.splits.is_empty() {
                                            transaction.category_name.clone()
                                        } else {
                                            format!("Split in {}", transaction.splits.len())
                                        }
                                    );
                                    view! {
                                        <li class="tx-item tx-row" data-testid="recent-transaction" on:click=move |_| on_open.run(id)>
                                            <span class="tx-item-main">
                                                <button type="button" class="tx-open" aria-haspopup="dialog">
                                                    <TransactionTitle transaction=transaction.clone() />
                                                </button>
                                                <TransactionTags tags=transaction.tags.clone() />
                                            </span>
                                            <span class="tx-meta">{meta}</span>
                                            <TransactionAmount transaction />
                                        </li>
                                    }
                                })
                                .collect_view();
                            view! { <ul class="tx-list">{rows}</ul> }.into_any()
                        })
                    })}
                </ErrorBoundary>
            </Transition>
        </section>
    }
}
