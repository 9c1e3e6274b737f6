//! What a region shows when its data did not load: what failed, why, and a way to try again.

use leptos::prelude::*;

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
            <ul>
                {move || {
                    errors
                        .get()
                        .into_iter()
                        .map(|(_, error)| view! { <li>{error.to_string()}</li> })
                        .collect_view()
                }}
            </ul>
            <button type="button" class="button button-small" on:click=move |_| retry.run(())>
                "Retry"
            </button>
        </div>
    }
}
