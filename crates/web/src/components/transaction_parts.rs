//! What a transaction row shows, shared by the dashboard's list and the transactions table.

use crate::components::merchant_logo::MerchantLogo;
use crate::components::status::{Badge, Tone};
use crate::format;
use leptos::prelude::*;
use tally_shared::api::categories::Category;
use tally_shared::api::transactions::Transaction;

/// Who the money went to or came from: the merchant Plaid recognised, else the bank's text.
pub fn counterparty(transaction: &Transaction) -> String {
    transaction
        .merchant_name
        .clone()
        .filter(|name| !name.trim().is_empty())
        .unwrap_or_else(|| transaction.name.clone())
}

/// The effective category's primary ("Food and drink" for Coffee) when it has one, from the
/// person's categories; else Plaid's primary in words.
pub fn category_group(transaction: &Transaction, categories: &[Category]) -> Option<String> {
    let primary = match categories.iter().find(|c| c.id == transaction.category_id) {
        Some(category) => category
            .parent_id
            .and_then(|parent| categories.iter().find(|c| c.id == parent))
            .map(|parent| parent.name.clone()),
        None => transaction
            .category_primary
            .as_deref()
            .map(|primary| format::category(primary, None)),
    };
    primary.filter(|primary| *primary != transaction.category_name)
}

/// "Groceries $30.00": each part of a split transaction, named from the person's categories.
pub fn split_words(transaction: &Transaction, categories: &[Category]) -> Vec<String> {
    transaction
        .splits
        .iter()
        .map(|part| {
            let name = categories
                .iter()
                .find(|c| c.id == part.category_id)
                .map_or("Another category", |c| c.name.as_str());
            let amount = match transaction.currency.as_deref() {
                Some(currency) => format::money_magnitude(part.amount, currency),
                None => format::number(part.amount.abs()),
            };
            format!("{name} {amount}")
        })
        .collect()
}

/// "Transfer to Savings" (money out) or "Transfer from Checking" (money in): the other side of a
/// transfer between the person's own accounts; `None` when it is not one.
pub fn transfer_words(transaction: &Transaction) -> Option<String> {
    transaction.transfer_pair_id?;
    let account = transaction
        .transfer_account_name
        .as_deref()
        .unwrap_or("another account");
    let direction = if transaction.amount.is_sign_negative() {
        "from"
    } else {
        "to"
    };
    Some(format!("Transfer {direction} {account}"))
}

/// The name a person gave it (or a rule did), else the counterparty; with the bank's own text
/// under it when that says something else. Badges say pending, hidden and needs review; a
/// transfer between the person's accounts says where the money went or came from.
#[component]
pub fn TransactionTitle(transaction: Transaction) -> impl IntoView {
    let bank = counterparty(&transaction);
    let (who, below) = match transaction.display_name.clone() {
        Some(name) if name != bank => (name, Some(bank.clone())),
        _ => {
            let raw = (bank != transaction.name).then(|| transaction.name.clone());
            (bank.clone(), raw)
        }
    };
    let transfer = transfer_words(&transaction);
    view! {
        <span class="tx-title">
            <MerchantLogo name=bank logo_url=transaction.logo_url.clone() />
            <span class="tx-names">
                <span class="tx-name">
                    {who}
                    {transaction.pending.then(|| view! { " " <Badge tone=Tone::Warn label="Pending" /> })}
                    {transaction.hidden.then(|| view! { " " <Badge tone=Tone::Neutral label="Hidden" /> })}
                    {transaction.needs_review.then(|| view! { " " <Badge tone=Tone::Bad label="Needs review" /> })}
                </span>
                {below.map(|below| view! { <span class="tx-raw">{below}</span> })}
                {transfer.map(|words| view! {
                    <span class="tx-transfer" data-testid="transfer-partner">
                        <span aria-hidden="true">"⇄ "</span>
                        {words}
                    </span>
                })}
            </span>
        </span>
    }
}

/// The transaction's tags as small chips; nothing when it has none.
#[component]
pub fn TransactionTags(tags: Vec<String>) -> impl IntoView {
    (!tags.is_empty()).then(|| {
        view! {
            <ul class="tx-tags" aria-label="Tags">
                {tags.into_iter().map(|tag| view! { <li class="tx-tag">{tag}</li> }).collect_view()}
            </ul>
        }
    })
}

/// The amount in its own currency, signed as a person reads it: money in "+" and green, money
/// out "−". (Plaid's amounts are the other way round: positive is money out.)
#[component]
pub fn TransactionAmount(transaction: Transaction) -> impl IntoView {
    let flow = -transaction.amount;
    let text = match transaction.currency.as_deref() {
        Some(currency) => format::money_signed(flow, currency),
        None => format::number(flow),
    };
    let (class, direction) = if flow.is_sign_positive() && !flow.is_zero() {
        ("amount amount-in", "Money in: ")
    } else {
        ("amount amount-out", "Money out: ")
    };
    view! {
        <span class=class>
            <span class="visually-hidden">{direction}</span>
            {text}
        </span>
    }
}
