//! A merchant's logo, or its initial on a coloured tile when there is none or it fails to load.

use crate::format;
use leptos::prelude::*;

/// Monogram tiles take their colour from a palette of this many (`.monogram-0` …).
const PALETTE_SIZE: u32 = 6;

#[component]
pub fn MerchantLogo(
    /// Who the logo is of: its alt text, and the monogram's letter.
    #[prop(into)]
    name: String,
    logo_url: Option<String>,
) -> impl IntoView {
    let failed = RwSignal::new(false);
    let initial = format::initial(&name).unwrap_or_default();
    let tone = name.bytes().map(u32::from).sum::<u32>() % PALETTE_SIZE;
    let monogram_class = format!("logo monogram monogram-{tone}");
    let alt = format!("{name} logo");
    move || match logo_url.as_ref().filter(|_| !failed.get()) {
        Some(url) => view! {
            <img
                class="logo"
                src=url.clone()
                alt=alt.clone()
                width="32"
                height="32"
                loading="lazy"
                on:error=move |_| failed.set(true)
            />
        }
        .into_any(),
        None => view! {
            <span class=monogram_class.clone() aria-hidden="true">{initial.clone()}</span>
        }
        .into_any(),
    }
}
