//! The person's categories, for the pages that choose among them (the transaction editor, the
//! Rules page), kept fresh by live events.

use crate::api;
use crate::state::refresh::on_stale;
use leptos::prelude::*;
use tally_shared::api::categories::Category;

/// Loads the categories now and again whenever they change; empty until they arrive.
pub fn load_categories() -> Signal<Vec<Category>> {
    let resource = LocalResource::new(api::categories::list);
    on_stale(move |stale| {
        if stale.categories() {
            resource.refetch();
        }
    });
    Signal::derive(move || {
        resource
            .get()
            .and_then(Result::ok)
            .map(|list| list.categories)
            .unwrap_or_default()
    })
}
