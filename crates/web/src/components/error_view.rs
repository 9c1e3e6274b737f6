//! What an `<ErrorBoundary>` shows: what went wrong, and for a region that can load again, a
//! way to try again.

use leptos::prelude::*;

#[component]
pub fn ErrorView(errors: ArcRwSignal<Errors>) -> impl IntoView {
    view! {
        <div class="alert" role="alert">
            <strong>"Something went wrong. "</strong>
            <ErrorList errors />
        </div>
    }
}

/// A region whose data did not load: what failed, why, and Retry.
#[component]
pub fn LoadError(
    /// "Your banks could not be loaded."
    #[prop(into)]
    title: String,
    errors: ArcRwSignal<Errors>,
    retry: Callback<()>,
) -> impl IntoView {
    view! {
        <div class="alert load-error" role="alert">
            <p><strong>{title}</strong></p>
            <ErrorList errors />
            <button type="button" class="button button-small" on:click=move |_| retry.run(())>
                "Retry"
            </button>
        </div>
    }
}

#[component]
fn ErrorList(errors: ArcRwSignal<Errors>) -> impl IntoView {
    view! {
        <ul>
            {move || {
                errors
                    .get()
                    .into_iter()
                    .map(|(_, error)| view! { <li>{error.to_string()}</li> })
                    .collect_view()
            }}
        </ul>
    }
}
