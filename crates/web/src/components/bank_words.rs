//! A bank's state and its accounts in words: the badge, what needs doing, account kinds and
//! balances.

use crate::components::status::Tone;
use crate::format;
use tally_shared::api::accounts::Account;
use tally_shared::api::items::{Item, ItemStatus};

/// The badge: "Up to date", "Syncing…", "Login required", …
pub fn status_badge(item: &Item) -> (Tone, &'static str) {
    match item.status {
        ItemStatus::Good if item.syncing || item.last_synced_at.is_none() => {
            (Tone::Neutral, "Syncing…")
        }
        ItemStatus::Good => (Tone::Good, "Up to date"),
        ItemStatus::LoginRequired => (Tone::Bad, "Login required"),
        ItemStatus::PendingExpiration => (Tone::Warn, "Expiring soon"),
        ItemStatus::PendingDisconnect => (Tone::Warn, "Disconnecting soon"),
        ItemStatus::PermissionRevoked => (Tone::Bad, "Access revoked"),
        ItemStatus::NewAccountsAvailable => (Tone::Neutral, "New accounts available"),
        ItemStatus::Error => (Tone::Bad, "Sync error"),
    }
}

const UPDATE_LOGIN: Option<&str> = Some("Update login");

/// What the person should know or do about a bank that is not simply fine, and the action
/// that opens Link in update mode to fix it, when that is the fix: "Update login" to log in
/// again, "Choose accounts" to share accounts the bank has opened (the server opens Link on
/// its account chooser for such a bank).
pub fn attention(item: &Item) -> Option<(String, Option<&'static str>)> {
    let name = &item.institution_name;
    let note = match item.status {
        ItemStatus::Good => return None,
        ItemStatus::LoginRequired => (
            format!("{name} needs you to log in again before Tally can sync it."),
            UPDATE_LOGIN,
        ),
        ItemStatus::PendingExpiration => {
            let when = item
                .consent_expires_at
                .map(|at| format!(" on {}", format::date(at.date_naive())))
                .unwrap_or_else(|| " soon".to_owned());
            (
                format!("Your permission to share {name} runs out{when}. Log in again to renew it."),
                UPDATE_LOGIN,
            )
        }
        ItemStatus::PendingDisconnect => (
            format!("{name} will disconnect soon. Log in again to stay connected."),
            UPDATE_LOGIN,
        ),
        ItemStatus::PermissionRevoked => (
            "Access was revoked at the bank. Log in again to reconnect, or remove it.".to_owned(),
            UPDATE_LOGIN,
        ),
        ItemStatus::NewAccountsAvailable => (
            format!("{name} has accounts you have not shared with Tally yet."),
            Some("Choose accounts"),
        ),
        ItemStatus::Error => (
            "Tally stopped trying to sync this bank after repeated failures. Try “Refresh transactions”.".to_owned(),
            None,
        ),
    };
    Some(note)
}

/// "Checking", "Credit card", "Student loan", "IRA"; the type when there is no subtype.
pub fn account_kind(account: &Account) -> String {
    let Some(subtype) = account.subtype.as_deref().filter(|s| !s.is_empty()) else {
        return match account.account_type.as_str() {
            "depository" => "Bank account".to_owned(),
            other => sentence_case(other),
        };
    };
    match subtype {
        "cd" => "CD".to_owned(),
        "ira" | "hsa" | "sep ira" | "simple ira" | "roth" => format::upper(subtype),
        "401a" | "401k" | "403b" | "457b" => {
            let (number, letter) = subtype.split_at(3);
            format!("{number}({letter})")
        }
        "paypal" => "PayPal".to_owned(),
        "student" | "auto" | "business" | "commercial" | "consumer" | "construction"
            if account.account_type == "loan" =>
        {
            format!("{} loan", sentence_case(subtype))
        }
        other => sentence_case(other),
    }
}

/// The balance to show, and a word after it for debts: "$410.00 owed".
pub fn balance(account: &Account) -> (String, Option<&'static str>) {
    let Some(amount) = account.current_balance.or(account.available_balance) else {
        return ("No balance".to_owned(), None);
    };
    let Some(currency) = account.currency.as_deref() else {
        return (format::number(amount), None);
    };
    if !account.is_liability {
        return (format::money(amount, currency), None);
    }
    // Plaid gives what is owed on a card or loan as a positive balance.
    let note = if amount.is_sign_negative() && !amount.is_zero() {
        "in credit"
    } else {
        "owed"
    };
    (format::money_magnitude(amount, currency), Some(note))
}

/// "••1234".
pub fn mask(account: &Account) -> Option<String> {
    account
        .mask
        .as_deref()
        .filter(|mask| !mask.is_empty())
        .map(|mask| format!("••{mask}"))
}

fn sentence_case(text: &str) -> String {
    format::capitalized(&text.replace('_', " "))
}
