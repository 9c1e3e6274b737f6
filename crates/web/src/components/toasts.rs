//! Where toasts show: one polite live region, bottom right (bottom, full width, on phones).

use crate::components::status::Tone;
use crate::state::toasts::use_toasts;
use leptos::prelude::*;

#[component]
pub fn ToastRegion() -> impl IntoView {
    let toasts = use_toasts();
    view! {
        <div
            class="toasts"
            role="status"
            aria-live="polite"
            on:mouseenter=move |_| toasts.hold(true)
            on:mouseleave=move |_| toasts.hold(false)
            on:focusin=move |_| toasts.hold(true)
            on:focusout=move |_| toasts.hold(false)
        >
            <For each=move || toasts.shown().get() key=|toast| toast.id let:toast>
                <div class=tone_class(toast.tone) data-testid="toast">
                    <p class="toast-text">{toast.text}</p>
                    <button
                        type="button"
                        class="toast-close"
                        aria-label="Dismiss notification"
                        on:click=move |_| toasts.dismiss(toast.id)
                    >
                        <span aria-hidden="true">"×"</span>
                    </button>
                </div>
            </For>
        </div>
    }
}

fn tone_class(tone: Tone) -> &'static str {
    match tone {
        Tone::Good => "toast toast-good",
        Tone::Warn => "toast toast-warn",
        Tone::Bad => "toast toast-bad",
        Tone::Neutral => "toast",
    }
}
