//! Live bank events told as toasts, on whatever page is open: "First Platypus Bank: 12 new
//! transactions", "First Platypus Bank needs you to log in again", "First Platypus Bank removed".
//! Events carry item ids only, so the banks' names are kept here (all of them on each
//! (re)connect, and any bank not seen yet on its own); a removed bank is named from what was kept.

use crate::api;
use crate::components::status::Tone;
use crate::format;
use crate::state::live::use_live_events;
use crate::state::toasts::{use_toasts, Toasts};
use leptos::prelude::*;
use leptos::task::spawn_local;
use rust_decimal::Decimal;
use std::collections::HashMap;
use tally_shared::api::items::ItemStatus;
use tally_shared::ids::ItemId;
use tally_shared::ws::ServerEvent;

type Names = StoredValue<HashMap<ItemId, String>>;

/// Starts telling bank events as toasts; call once, under the live events and toasts.
pub fn tell_bank_news() {
    let live = use_live_events();
    let toasts = use_toasts();
    let names: Names = StoredValue::new(HashMap::new());
    Effect::watch(
        move || live.latest().get(),
        move |latest, _, _| {
            let Some(latest) = latest.clone() else {
                return;
            };
            spawn_local(tell(latest.event, names, toasts));
        },
        false,
    );
}

async fn tell(event: Option<ServerEvent>, names: Names, toasts: Toasts) {
    let Some(event) = event else {
        // (Re)connected: whatever happened meanwhile is on the page already; know the names.
        learn_names(names).await;
        return;
    };
    let told = match event {
        ServerEvent::ItemAdded { item_id } => Some((
            Tone::Good,
            format!("{} linked", name_of(item_id, names).await),
        )),
        ServerEvent::ItemSynced {
            item_id,
            added,
            modified,
            removed,
        } => match sync_news(added, modified, removed) {
            Some(news) => Some((
                Tone::Good,
                format!("{}: {news}", name_of(item_id, names).await),
            )),
            None => None,
        },
        ServerEvent::ItemStatusChanged {
            item_id, status, ..
        } => {
            let name = name_of(item_id, names).await;
            Some(status_news(&name, status))
        }
        ServerEvent::ItemRemoved { item_id } => {
            let name = names
                .try_update_value(|names| names.remove(&item_id))
                .flatten()
                .unwrap_or_else(|| "A bank".to_owned());
            Some((Tone::Neutral, format!("{name} removed")))
        }
        ServerEvent::SplitsRemoved { transaction_ids } => Some((
            Tone::Warn,
            match transaction_ids.len() {
                1 => "The bank changed a split transaction's amount: its split was removed. \
                      Review it under “Needs review”"
                    .to_owned(),
                n => format!(
                    "The bank changed the amounts of {n} split transactions: their splits were \
                     removed. Review them under “Needs review”"
                ),
            },
        )),
        ServerEvent::RecurringPriceChanged {
            name,
            previous_amount,
            last_amount,
            currency,
            ..
        } => Some((
            Tone::Warn,
            format!(
                "{name} now costs {} (was {})",
                format::money(last_amount, &currency),
                format::money(previous_amount, &currency)
            ),
        )),
        ServerEvent::BudgetAlert {
            category_name,
            threshold,
            ..
        } => Some(if threshold >= 100 {
            (
                Tone::Warn,
                format!("{category_name}: this month's budget is used up"),
            )
        } else {
            (
                Tone::Neutral,
                format!("{category_name}: {threshold}% of this month's budget used"),
            )
        }),
        ServerEvent::AssetsChanged
        | ServerEvent::BudgetsChanged
        | ServerEvent::CategoriesChanged
        | ServerEvent::TransactionsChanged
        | ServerEvent::RecurringChanged
        | ServerEvent::Heartbeat => None,
    };
    if let Some((tone, text)) = told {
        toasts.push(tone, text);
    }
}

/// "1,625 new transactions, 1 updated", or `None` when nothing changed.
fn sync_news(added: u64, modified: u64, removed: u64) -> Option<String> {
    let transactions = |n: u64| {
        if n == 1 {
            "transaction"
        } else {
            "transactions"
        }
    };
    let count = |n: u64| format::number(Decimal::from(n));
    let mut parts: Vec<String> = Vec::new();
    if added > 0 {
        parts.push(format!("{} new {}", count(added), transactions(added)));
    }
    for (n, change) in [(modified, "updated"), (removed, "removed")] {
        if n > 0 {
            parts.push(if parts.is_empty() {
                format!("{} {} {change}", count(n), transactions(n))
            } else {
                format!("{} {change}", count(n))
            });
        }
    }
    (!parts.is_empty()).then(|| parts.join(", "))
}

fn status_news(name: &str, status: ItemStatus) -> (Tone, String) {
    match status {
        ItemStatus::Good => (Tone::Good, format!("{name} is connected again")),
        ItemStatus::LoginRequired => (Tone::Warn, format!("{name} needs you to log in again")),
        ItemStatus::PendingExpiration => (
            Tone::Warn,
            format!(
                "{name}: your permission to share runs out soon. Use “Update login” to renew it"
            ),
        ),
        ItemStatus::PendingDisconnect => (
            Tone::Warn,
            format!("{name} will disconnect soon. Use “Update login” to stay connected"),
        ),
        ItemStatus::PermissionRevoked => {
            (Tone::Bad, format!("{name}: access was revoked at the bank"))
        }
        ItemStatus::NewAccountsAvailable => (
            Tone::Neutral,
            format!("{name} has new accounts you can share: use “Choose accounts”"),
        ),
        ItemStatus::Error => (Tone::Bad, format!("{name} could not be synced")),
    }
}

async fn name_of(item_id: ItemId, names: Names) -> String {
    if let Some(name) = names
        .try_with_value(|names| names.get(&item_id).cloned())
        .flatten()
    {
        return name;
    }
    match api::items::get_item(item_id).await {
        Ok(item) => {
            names.try_update_value(|names| names.insert(item_id, item.institution_name.clone()));
            item.institution_name
        }
        Err(error) => {
            leptos::logging::warn!("cannot name bank {item_id}: {error}");
            "Your bank".to_owned()
        }
    }
}

async fn learn_names(names: Names) {
    match api::items::list_items().await {
        Ok(list) => {
            names.try_update_value(|names| {
                for item in list.items {
                    names.insert(item.id, item.institution_name);
                }
            });
        }
        Err(error) => leptos::logging::warn!("cannot learn the banks' names: {error}"),
    }
}
