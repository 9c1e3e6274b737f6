//! One page of transactions as a table; on a phone each row becomes a card. A click on a row (or
//! Enter on its name) opens it for editing.

use crate::components::transaction_parts::{
    category_group, split_words, TransactionAmount, TransactionTags, TransactionTitle,
};
use crate::format;
use leptos::prelude::*;
use tally_shared::api::categories::Category;
use tally_shared::api::transactions::Transaction;
use tally_shared::ids::TransactionId;

#[component]
pub fn TransactionsTable(
    transactions: Vec<Transaction>,
    /// What the table holds, for screen readers ("Page 2 of the matching transactions").
    #[prop(into)]
    caption: String,
    /// The person's categories, to name split parts and primaries (empty while they load).
    #[prop(into)]
    categories: Signal<Vec<Category>>,
    /// Opens a transaction for editing.
    on_open: Callback<TransactionId>,
) -> impl IntoView {
    let rows = transactions
        .into_iter()
        .map(|transaction| {
            let id = transaction.id;
            let for_category = transaction.clone();
            let category = move || {
                categories.with(|all| {
                    (
                        category_group(&for_category, all),
                        split_words(&for_category, all),
                    )
                })
            };
            let category_name = transaction.category_name.clone();
            let hidden = transaction.hidden;
            view! {
                <tr
                    data-testid="transaction-row"
                    class="tx-row"
                    class:tx-hidden=hidden
                    on:click=move |_| on_open.run(id)
                >
                    <td class="tx-date">{format::date(transaction.date)}</td>
                    <td class="tx-desc">
                        <button type="button" class="tx-open" aria-haspopup="dialog">
                            <TransactionTitle transaction=transaction.clone() />
                        </button>
                        <TransactionTags tags=transaction.tags.clone() />
                    </td>
                    <td class="tx-cat">
                        {move || {
                            let (group, parts) = category();
                            if parts.is_empty() {
                                view! {
                                    <span>{category_name.clone()}</span>
                                    {group.map(|group| view! { <span class="tx-subtle">{group}</span> })}
                                }
                                .into_any()
                            } else {
                                view! {
                                    <span>{format!("Split in {}", parts.len())}</span>
                                    <ul class="tx-parts" data-testid="split-parts">
                                        {parts.into_iter().map(|part| view! { <li>{part}</li> }).collect_view()}
                                    </ul>
                                }
                                .into_any()
                            }
                        }}
                    </td>
                    <td class="tx-account">{transaction.account_name.clone()}</td>
                    <td class="tx-amount"><TransactionAmount transaction /></td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <table class="table tx-table">
            <caption class="visually-hidden">{caption}</caption>
            <thead>
                <tr>
                    <th scope="col">"Date"</th>
                    <th scope="col">"Description"</th>
                    <th scope="col">"Category"</th>
                    <th scope="col">"Account"</th>
                    <th scope="col" class="tx-amount">"Amount"</th>
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table>
    }
}
