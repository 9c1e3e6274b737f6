//! What a live event means for the numbers on screen, and running a page's refetches for each
//! event that arrives while it is open.

use crate::state::live::use_live_events;
use leptos::prelude::*;
use tally_shared::ws::ServerEvent;

/// The data a live event makes stale.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stale {
    /// A bank was linked, synced or removed: balances, transactions and everything made of them.
    Banking,
    /// Manual assets changed: the assets and the net worth they count in.
    Assets,
    /// The socket (re)connected: anything may have changed while it was away.
    Everything,
}

impl Stale {
    fn of(event: Option<&ServerEvent>) -> Option<Self> {
        match event {
            None => Some(Self::Everything),
            Some(
                ServerEvent::ItemAdded { .. }
                | ServerEvent::ItemSynced { .. }
                | ServerEvent::ItemRemoved { .. },
            ) => Some(Self::Banking),
            Some(ServerEvent::AssetsChanged) => Some(Self::Assets),
            Some(ServerEvent::ItemStatusChanged { .. } | ServerEvent::Heartbeat) => None,
        }
    }

    pub fn banking(self) -> bool {
        matches!(self, Self::Banking | Self::Everything)
    }

    pub fn assets(self) -> bool {
        matches!(self, Self::Assets | Self::Everything)
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
