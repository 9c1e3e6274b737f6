//! Code that is its own download (docs/performance.md, "Web app size"): the pages and panels
//! marked `#[wasm_split(…, fallible)]` are fetched the first time they are needed. A part that
//! cannot be fetched (the server is unreachable, or it now runs a newer Tally whose parts replaced
//! the ones this page started with) is shown as such, never a crash: a load failure in a part
//! without `fallible` would panic, and a panic aborts the whole app.

use crate::api::ClientError;
use leptos::prelude::*;
use leptos::wasm_split::SplitLoaderError;

impl From<SplitLoaderError> for ClientError {
    fn from(_: SplitLoaderError) -> Self {
        Self::Network(
            "this part of the app could not be loaded; if Tally was updated since the page was \
             opened, reload it"
                .to_owned(),
        )
    }
}

/// What shows instead of a page or panel whose code could not be fetched.
pub fn unavailable(_: SplitLoaderError) -> AnyView {
    view! {
        <div class="alert" role="alert">
            <p>
                "This part of Tally could not be loaded. The server may be out of reach, or Tally "
                "was updated since this page was opened."
            </p>
            <button type="button" class="button" on:click=|_| reload()>"Reload the page"</button>
        </div>
    }
    .into_any()
}

fn reload() {
    if let Some(window) = web_sys::window() {
        let _ = window.location().reload();
    }
}

/// How many pages' parts are on their way: the header shows a bar while any is, so that a click
/// on a page not opened before visibly does something on a slow connection
/// (`components::layout`).
#[derive(Clone, Copy)]
pub struct PagesLoading(RwSignal<u32>);

impl PagesLoading {
    pub fn provide() {
        provide_context(Self(RwSignal::new(0)));
    }

    pub fn any(self) -> bool {
        self.0.get() > 0
    }
}

/// A page's part on its way, counted in `PagesLoading` from `start` until this is dropped: when
/// the part arrives or fails, or the navigation that wanted it is abandoned.
pub struct PendingPart(Option<PagesLoading>);

impl PendingPart {
    pub fn start() -> Self {
        let loading = use_context::<PagesLoading>();
        if let Some(loading) = loading {
            loading.0.update(|n| *n += 1);
        }
        Self(loading)
    }
}

impl Drop for PendingPart {
    fn drop(&mut self) {
        if let Some(loading) = self.0 {
            loading.0.try_update(|n| *n = n.saturating_sub(1));
        }
    }
}
