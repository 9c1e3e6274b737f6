//! One category in the tree: its name (renamed in place), kind, whether it is hidden, and what
//! can be done to it. A row stays in the page while the list reloads, so focus stays where the
//! person left it.

use super::{kind_label, Categories, KindSelect};
use crate::api;
use crate::components::status::{Badge, Tone};
use crate::format;
use leptos::html;
use leptos::prelude::*;
use tally_shared::api::categories::{Category, CategoryChanges};
use tally_shared::ids::CategoryId;

#[component]
pub fn CategoryRow(
    id: CategoryId,
    categories: Categories,
    /// Set to a category's id to ask where its transactions go before deleting it.
    deleting: RwSignal<Option<CategoryId>>,
) -> impl IntoView {
    let category = Memo::new(move |_| categories.find(id));
    let read = move |f: fn(&Category) -> String| {
        move || category.with(|c| c.as_ref().map(f).unwrap_or_default())
    };
    let name = read(|c| c.name.clone());
    let hidden = move || category.with(|c| c.as_ref().is_some_and(|c| c.hidden));
    let own = move || category.with(|c| c.as_ref().is_some_and(Category::is_own));
    let is_primary = move || category.with(|c| c.as_ref().is_some_and(|c| c.parent_id.is_none()));

    let save = Action::new_local(move |changes: &CategoryChanges| {
        let changes = changes.clone();
        async move {
            let saved = api::categories::update(id, &changes).await;
            if saved.is_ok() {
                categories.reload.run(());
            }
            saved
        }
    });
    let error = move || save.value().get().and_then(Result::err);

    let editing = RwSignal::new(false);
    let draft = RwSignal::new(String::new());
    let input = NodeRef::<html::Input>::new();
    let rename_button = NodeRef::<html::Button>::new();
    Effect::new(move |_| {
        if editing.get() {
            if let Some(input) = input.get() {
                let _ = input.focus();
                input.select();
            }
        }
    });
    let stop_editing = move || {
        editing.set(false);
        if let Some(button) = rename_button.get_untracked() {
            let _ = button.focus();
        }
    };
    Effect::new(move |_| {
        if let Some(Ok(_)) = save.value().get() {
            if editing.get_untracked() {
                stop_editing();
            }
        }
    });

    let kind = RwSignal::new(String::new());
    Effect::new(move |_| {
        if let Some(now) = category.with(|c| c.as_ref().map(|c| c.kind.as_str().to_owned())) {
            kind.set(now);
        }
    });
    let kind_label_text = Signal::derive(move || format!("Kind of {}", name()));
    let plaid_note = move || {
        category.with(|c| {
            let c = c.as_ref()?;
            let renamed = c.plaid_name.as_ref().filter(|plaid| **plaid != c.name);
            let rekinded = c.plaid_kind.filter(|plaid| *plaid != c.kind);
            match (renamed, rekinded) {
                (None, None) => None,
                (name, kind) => {
                    let mut was = Vec::new();
                    if let Some(name) = name {
                        was.push(format!("“{name}”"));
                    }
                    if let Some(kind) = kind {
                        was.push(format::lower(kind_label(kind)));
                    }
                    Some(format!("Plaid: {}", was.join(", ")))
                }
            }
        })
    };

    view! {
        <div
            class="cat-row"
            class:cat-primary=is_primary
            class:cat-hidden=hidden
            data-testid="category-row"
            data-name=name
        >
            <div class="cat-name">
                <Show
                    when=move || editing.get()
                    fallback=move || view! {
                        <span class="cat-label">{name}</span>
                        {move || own().then(|| view! { <Badge tone=Tone::Good label="Yours" /> })}
                        {move || hidden().then(|| view! { <Badge tone=Tone::Neutral label="Hidden" /> })}
                        {move || plaid_note().map(|note| view! { <span class="cat-note small muted">{note}</span> })}
                    }
                >
                    <form
                        class="cat-rename"
                        on:submit=move |ev| {
                            ev.prevent_default();
                            save.dispatch(CategoryChanges {
                                name: Some(draft.get_untracked()),
                                ..Default::default()
                            });
                        }
                    >
                        <input
                            node_ref=input
                            name="category_name"
                            aria-label=move || format!("New name for {}", name())
                            maxlength="60"
                            required
                            prop:value=draft
                            on:input=move |ev| draft.set(event_target_value(&ev))
                            on:keydown=move |ev| {
                                if ev.key() == "Escape" {
                                    ev.prevent_default();
                                    stop_editing();
                                }
                            }
                        />
                        <button class="button button-small button-primary" type="submit">"Save"</button>
                        <button class="button button-small" type="button" on:click=move |_| stop_editing()>
                            "Cancel"
                        </button>
                    </form>
                </Show>
            </div>
            <div class="cat-kind">
                <KindSelect
                    value=kind
                    name="category_kind"
                    label=kind_label_text
                    on_pick=Callback::new(move |picked: String| {
                        save.dispatch(CategoryChanges { kind: Some(picked), ..Default::default() });
                    })
                />
            </div>
            <div class="cat-actions">
                <button
                    class="button button-small"
                    type="button"
                    node_ref=rename_button
                    aria-label=move || format!("Rename {}", name())
                    on:click=move |_| {
                        draft.set(name());
                        editing.set(true);
                    }
                >
                    "Rename"
                </button>
                <button
                    class="button button-small"
                    type="button"
                    aria-label=move || format!("{} {}", if hidden() { "Show" } else { "Hide" }, name())
                    on:click=move |_| {
                        save.dispatch(CategoryChanges { hidden: Some(!hidden()), ..Default::default() });
                    }
                >
                    {move || if hidden() { "Show" } else { "Hide" }}
                </button>
                {move || own().then(|| view! {
                    <button
                        class="button button-small button-danger"
                        type="button"
                        aria-label=move || format!("Delete {}", name())
                        on:click=move |_| deleting.set(Some(id))
                    >
                        "Delete"
                    </button>
                })}
            </div>
            {move || error().map(|error| view! {
                <p class="alert cat-row-error" role="alert">{error.to_string()}</p>
            })}
        </div>
    }
}
