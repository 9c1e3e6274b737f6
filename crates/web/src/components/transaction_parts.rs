//! What a transaction row shows, shared by the dashboard's list and the transactions table.

use crate::components::merchant_logo::MerchantLogo;
use crate::components::status::{Badge, Tone};
use crate::format;
use leptos::prelude::*;
use tally_shared::api::transactions::Transaction;

/// Who the money went to or came from: the merchant Plaid recognised, else the bank's text.
pub fn counterparty(transaction: &Transaction) -> String {
    transaction
        .merchant_name
        .clone()
        .filter(|name| !name.trim().is_empty())
        .unwrap_or_else(|| transaction.name.clone())
}

/// "Food and drink", or "Uncategorized".
pub fn category_words(transaction: &Transaction) -> String {
    match &transaction.category_primary {
        Some(primary) => format::category(primary, None),
        None => "Uncategorized".to_owned(),
    }
}

/// The detailed category under the primary one ("Coffee"), when it says more.
pub fn detail_words(transaction: &Transaction) -> Option<String> {
    let detailed = transaction.category_detailed.as_deref()?;
    let primary = transaction.category_primary.as_deref();
    let words = format::category(detailed, primary);
    (primary.map(|p| format::category(p, None)) != Some(words.clone())).then_some(words)
}

/// The logo, the counterparty and, when it differs, the bank's own description; a badge
/// when pending.
#[component]
pub fn TransactionTitle(transaction: Transaction) -> impl IntoView {
    let who = counterparty(&transaction);
    let raw = (who != transaction.name).then(|| transaction.name.clone());
    view! {
        <div class="tx-title">
            <MerchantLogo name=who.clone() logo_url=transaction.logo_url.clone() />
            <div class="tx-names">
                <span class="tx-name">
                    {who}
                    {transaction.pending.then(|| view! { " " <Badge tone=Tone::Warn label="Pending" /> })}
                </span>
                {raw.map(|raw| view! { <span class="tx-raw">{raw}</span> })}
            </div>
        </div>
    }
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
