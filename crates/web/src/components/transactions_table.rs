//! One page of transactions as a table; on a phone each row becomes a card.

use crate::components::transaction_parts::{
    category_words, detail_words, TransactionAmount, TransactionTitle,
};
use crate::format;
use leptos::prelude::*;
use tally_shared::api::transactions::Transaction;

#[component]
pub fn TransactionsTable(
    transactions: Vec<Transaction>,
    /// What the table holds, for screen readers ("Page 2 of the matching transactions").
    #[prop(into)]
    caption: String,
) -> impl IntoView {
    let rows = transactions
        .into_iter()
        .map(|transaction| {
            let detail = detail_words(&transaction);
            view! {
                <tr data-testid="transaction-row">
                    <td class="tx-date">{format::date(transaction.date)}</td>
                    <td class="tx-desc"><TransactionTitle transaction=transaction.clone() /></td>
                    <td class="tx-cat">
                        <span>{category_words(&transaction)}</span>
                        {detail.map(|detail| view! { <span class="tx-subtle">{detail}</span> })}
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
