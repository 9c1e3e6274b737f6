//! Tags as chips: type one and press Enter or a comma to add it (leaving the field adds it too),
//! and remove one with its button. Tags are kept as the server keeps them: trimmed, in lower
//! case, each once.

use crate::format;
use leptos::html;
use leptos::prelude::*;
use std::sync::atomic::{AtomicUsize, Ordering};

static NEXT_TAG_INPUT: AtomicUsize = AtomicUsize::new(0);

/// The most tags a transaction may carry, and the longest tag.
pub const MOST_TAGS: usize = 20;
pub const LONGEST_TAG: usize = 40;

/// A tag as it is kept: trimmed and in lower case; `None` when nothing is left.
pub fn normal_tag(text: &str) -> Option<String> {
    let tag = format::lower(text.trim());
    (!tag.is_empty()).then_some(tag)
}

#[component]
pub fn TagInput(
    tags: RwSignal<Vec<String>>,
    #[prop(into)] label: String,
    /// Shown under the chips.
    #[prop(optional, into)]
    hint: Option<String>,
    /// The server's complaint about the tags.
    #[prop(optional, into)]
    error: Option<Signal<Option<String>>>,
) -> impl IntoView {
    let n = NEXT_TAG_INPUT.fetch_add(1, Ordering::Relaxed);
    let input_id = format!("tag-input-{n}");
    let hint_id = format!("tag-input-{n}-hint");
    let draft = RwSignal::new(String::new());
    let input = NodeRef::<html::Input>::new();
    let add = move || {
        let text = draft.get_untracked();
        for tag in text.split(',').filter_map(normal_tag) {
            tags.update(|tags| {
                if !tags.contains(&tag) && tags.len() < MOST_TAGS {
                    tags.push(tag);
                }
            });
        }
        draft.set(String::new());
    };
    let remove = move |tag: String| {
        tags.update(|tags| tags.retain(|t| *t != tag));
        if let Some(input) = input.get_untracked() {
            let _ = input.focus();
        }
    };
    let input_id_for_label = input_id.clone();
    let hint_id_for_input = hint_id.clone();
    view! {
        <div class="field tag-field">
            <label class="field-label" for=input_id_for_label>{label}</label>
            <div class="tag-box">
                <ul class="tag-chips" aria-label="Tags">
                    <For each=move || tags.get() key=|tag| tag.clone() let:tag>
                        <li class="tag-chip" data-testid="tag-chip">
                            <span>{tag.clone()}</span>
                            <button
                                type="button"
                                class="tag-remove"
                                aria-label=format!("Remove tag {tag}")
                                on:click={
                                    let tag = tag.clone();
                                    move |_| remove(tag.clone())
                                }
                            >
                                "×"
                            </button>
                        </li>
                    </For>
                </ul>
                <input
                    node_ref=input
                    id=input_id
                    name="tag"
                    type="text"
                    autocomplete="off"
                    maxlength=LONGEST_TAG.to_string()
                    placeholder=move || if tags.with(Vec::is_empty) { "Add a tag" } else { "Add another" }
                    aria-describedby=hint_id_for_input
                    prop:value=draft
                    on:input=move |ev| {
                        let text = event_target_value(&ev);
                        draft.set(text.clone());
                        // A pasted or typed comma ends a tag.
                        if text.contains(',') {
                            add();
                        }
                    }
                    on:keydown=move |ev| match ev.key().as_str() {
                        "Enter" => {
                            ev.prevent_default();
                            add();
                        }
                        "Backspace" if draft.with_untracked(String::is_empty) => {
                            tags.update(|tags| {
                                tags.pop();
                            });
                        }
                        _ => {}
                    }
                    on:blur=move |_| add()
                />
            </div>
            <span id=hint_id class="field-hint">
                {hint.unwrap_or_else(|| "Enter or a comma adds a tag.".to_owned())}
            </span>
            {move || error.and_then(|e| e.get()).map(|message| view! { <span class="field-error">{message}</span> })}
        </div>
    }
}
