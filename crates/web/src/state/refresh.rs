//! Which data a live event makes stale, decided here once for every page; and running a page's
//! refetches for each event that arrives while it is open. Each page refetches what it shows of
//! the data an event names, and nothing else decides it.

use crate::state::live::use_live_events;
use leptos::prelude::*;
use tally_shared::ws::ServerEvent;

/// The data a live event makes stale.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stale {
    /// A bank's status changed: the banks themselves, not what they report.
    Banks,
    /// A bank was linked, synced or removed: the banks, their accounts, balances and
    /// transactions, and everything made of them.
    Banking,
    /// Manual assets changed: the assets and the net worth they count in.
    Assets,
    /// Categories were added, changed or deleted.
    Categories,
    /// The socket (re)connected: anything may have changed while it was away.
    Everything,
}

impl Stale {
    fn of(event: Option<&ServerEvent>) -> Option<Self> {
        match event {
            None => Some(Self::Everything),
            Some(ServerEvent::ItemStatusChanged { .. }) => Some(Self::Banks),
            Some(
                ServerEvent::ItemAdded { .. }
                | ServerEvent::ItemSynced { .. }
                | ServerEvent::ItemRemoved { .. }
                | ServerEvent::TransactionsChanged
                | ServerEvent::SplitsRemoved { .. }
                | ServerEvent::RecurringChanged
                | ServerEvent::RecurringPriceChanged { .. }
                | ServerEvent::BudgetsChanged
                | ServerEvent::BudgetAlert { .. },
            ) => Some(Self::Banking),
            Some(ServerEvent::AssetsChanged) => Some(Self::Assets),
            Some(ServerEvent::CategoriesChanged) => Some(Self::Categories),
            Some(ServerEvent::Heartbeat) => None,
        }
    }

    /// The linked banks: their names, statuses and last syncs.
    pub fn banks(self) -> bool {
        matches!(self, Self::Banks | Self::Banking | Self::Everything)
    }

    /// What the banks report: accounts, balances, transactions, and the figures made of them.
    pub fn banking(self) -> bool {
        matches!(self, Self::Banking | Self::Everything)
    }

    /// The assets people enter, and the net worth they count in.
    pub fn assets(self) -> bool {
        matches!(self, Self::Assets | Self::Everything)
    }

    /// The categories, Plaid's as the person changed them and their own.
    pub fn categories(self) -> bool {
        matches!(self, Self::Categories | Self::Everything)
    }
}

/// Calls `refetch` for every live event that arrives from now on and makes something stale
/// (not for the event that was already there when the page opened: its data is fresh).
pub fn on_stale(refetch: impl Fn(Stale) + 'static) {
    let latest = use_live_events().latest();
    let opened_after = latest.with_untracked(|event| event.as_ref().map(|event| event.seq));
    Effect::new(move |_| {
        latest.with(|event| {
            let Some(event) = event else { return };
            if opened_after.is_some_and(|seen| event.seq <= seen) {
                return;
            }
            if let Some(stale) = Stale::of(event.event.as_ref()) {
                refetch(stale);
            }
        });
    });
}
