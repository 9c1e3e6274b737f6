//! Deleting one of the person's own categories: where its transactions go first (its primary,
//! else Uncategorised, unless they choose another), then the categories under it go too.

use super::Categories;
use crate::api;
use leptos::html::Dialog;
use leptos::prelude::*;
use tally_shared::ids::CategoryId;

/// Plaid's category for what has none, the default place for a top-level category's transactions.
const UNCATEGORISED: &str = "OTHER_OTHER";

#[component]
pub fn DeleteCategory(
    categories: Categories,
    deleting: RwSignal<Option<CategoryId>>,
) -> impl IntoView {
    let dialog = NodeRef::<Dialog>::new();
    let target = RwSignal::new(String::new());
    let remove = Action::new_local(move |&(id, target): &(CategoryId, CategoryId)| async move {
        let removed = api::categories::delete(id, target).await;
        if removed.is_ok() {
            categories.reload.run(());
        }
        removed
    });
    let pending = remove.pending();
    let doomed = Memo::new(move |_| deleting.get().and_then(|id| categories.find(id)));
    // The categories that stay: not this one, not one under it, not hidden.
    let targets = move || {
        let Some(doomed) = doomed.get() else {
            return Vec::new();
        };
        categories.list.with(|list| {
            list.iter()
                .filter(|c| !c.hidden && c.id != doomed.id && c.parent_id != Some(doomed.id))
                .map(|c| (c.id.to_string(), categories.path_of(c)))
                .collect::<Vec<_>>()
        })
    };
    let children = move || {
        doomed.get().map_or(0, |doomed| {
            categories.list.with(|list| {
                list.iter()
                    .filter(|c| c.parent_id == Some(doomed.id))
                    .count()
            })
        })
    };
    Effect::new(move |_| {
        let open = doomed.get();
        if let Some(doomed) = &open {
            let uncategorised = categories.list.with(|list| {
                list.iter()
                    .find(|c| c.plaid_code.as_deref() == Some(UNCATEGORISED))
                    .map(|c| c.id)
            });
            let default = doomed.parent_id.or(uncategorised);
            target.set(default.map(|id| id.to_string()).unwrap_or_default());
            remove.value().set(None);
        }
        if let Some(dialog) = dialog.get() {
            if open.is_some() && !dialog.open() {
                let _ = dialog.show_modal();
            } else if open.is_none() && dialog.open() {
                dialog.close();
            }
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(())) = remove.value().get() {
            deleting.set(None);
        }
    });
    let title = move || {
        doomed
            .get()
            .map(|c| format!("Delete “{}”?", c.name))
            .unwrap_or_default()
    };
    view! {
        <dialog
            node_ref=dialog
            class="dialog"
            aria-labelledby="delete-category-title"
            on:close=move |_| deleting.set(None)
        >
            <h2 id="delete-category-title">{title}</h2>
            <form
                class="form"
                on:submit=move |ev| {
                    ev.prevent_default();
                    let chosen = target.get_untracked().parse::<CategoryId>().ok();
                    if let (Some(id), Some(chosen)) = (deleting.get_untracked(), chosen) {
                        remove.dispatch((id, chosen));
                    }
                }
            >
                <p>
                    "Its transactions move to the category you choose."
                    {move || match children() {
                        0 => String::new(),
                        1 => " The category under it is deleted too.".to_owned(),
                        n => format!(" The {n} categories under it are deleted too."),
                    }}
                </p>
                <label class="field">
                    <span class="field-label">"Move its transactions to"</span>
                    <select name="reassign_to" required prop:value=target on:change=move |ev| target.set(event_target_value(&ev))>
                        <For each=targets key=|(id, path)| (id.clone(), path.clone()) let:option>
                            <option value=option.0>{option.1}</option>
                        </For>
                    </select>
                </label>
                {move || remove.value().get().and_then(Result::err).map(|error| view! {
                    <p class="alert" role="alert">{error.to_string()}</p>
                })}
                <div class="dialog-actions">
                    <button type="button" class="button" autofocus on:click=move |_| deleting.set(None)>
                        "Cancel"
                    </button>
                    <button type="submit" class="button button-danger-solid" disabled=pending>
                        {move || if pending.get() { "Deleting…" } else { "Delete category" }}
                    </button>
                </div>
            </form>
        </dialog>
    }
}
