//! Small presentational pieces for showing a state.

use leptos::prelude::*;

/// The visual tone of a badge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Good,
    Warn,
    Bad,
    Neutral,
}

impl Tone {
    fn class(self) -> &'static str {
        match self {
            Self::Good => "badge badge-good",
            Self::Warn => "badge badge-warn",
            Self::Bad => "badge badge-bad",
            Self::Neutral => "badge",
        }
    }
}

#[component]
pub fn Badge(tone: Tone, #[prop(into)] label: String) -> impl IntoView {
    view! { <span class=tone.class()>{label}</span> }
}

/// A titled panel with a body.
#[component]
pub fn Card(#[prop(into)] title: String, children: Children) -> impl IntoView {
    view! {
        <section class="card">
            <h2 class="card-title">{title}</h2>
            {children()}
        </section>
    }
}

/// An empty state: what is not here yet, and what to do about it.
#[component]
pub fn EmptyState(#[prop(into)] title: String, children: Children) -> impl IntoView {
    view! {
        <div class="empty">
            <div class="empty-icon" aria-hidden="true"></div>
            <h2>{title}</h2>
            <div class="empty-body">{children()}</div>
        </div>
    }
}
