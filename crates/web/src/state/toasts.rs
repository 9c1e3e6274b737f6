//! Toasts: short messages any page can push. Each goes away on its own after a few seconds
//! (not while the pointer or focus is on the toasts) or when dismissed.

use crate::components::status::Tone;
use gloo_timers::future::sleep;
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::time::Duration;

/// How long a toast stays.
const SHOWN_FOR: Duration = Duration::from_secs(6);
/// Older toasts make way beyond this many.
const MOST_SHOWN: usize = 4;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Toast {
    pub id: u64,
    pub tone: Tone,
    pub text: String,
}

#[derive(Clone, Copy)]
pub struct Toasts {
    shown: RwSignal<Vec<Toast>>,
    next_id: StoredValue<u64>,
    /// The pointer is over the toasts or focus is in them: leave them be.
    held: RwSignal<bool>,
}

impl Toasts {
    pub fn push(&self, tone: Tone, text: impl Into<String>) {
        let id = self.next_id.get_value();
        self.next_id.set_value(id + 1);
        let toast = Toast {
            id,
            tone,
            text: text.into(),
        };
        self.shown.update(|shown| {
            shown.push(toast);
            if shown.len() > MOST_SHOWN {
                shown.remove(0);
            }
        });
        let toasts = *self;
        spawn_local(async move {
            sleep(SHOWN_FOR).await;
            while toasts.held.try_get_untracked() == Some(true) {
                sleep(Duration::from_secs(1)).await;
            }
            toasts.dismiss(id);
        });
    }

    pub fn dismiss(&self, id: u64) {
        self.shown
            .try_update(|shown| shown.retain(|toast| toast.id != id));
    }

    pub fn shown(&self) -> Signal<Vec<Toast>> {
        self.shown.into()
    }

    pub fn hold(&self, held: bool) {
        self.held.set(held);
    }
}

pub fn provide_toasts() {
    provide_context(Toasts {
        shown: RwSignal::new(Vec::new()),
        next_id: StoredValue::new(0),
        held: RwSignal::new(false),
    });
}

pub fn use_toasts() -> Toasts {
    expect_context::<Toasts>()
}
