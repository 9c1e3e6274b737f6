//! A searchable category picker (an ARIA combobox): type to filter, arrows to move, Enter to
//! choose, Escape to close. Categories are offered grouped by their primary; hidden ones (and
//! those under a hidden primary) are not offered, though a hidden one already chosen still shows.

use crate::format;
use leptos::html;
use leptos::prelude::*;
use std::sync::atomic::{AtomicUsize, Ordering};
use tally_shared::api::categories::Category;
use tally_shared::ids::CategoryId;
use wasm_bindgen::JsCast;

/// Gives each picker on the page ids of its own.
static NEXT_PICKER: AtomicUsize = AtomicUsize::new(0);

/// "Food and drink › Coffee": a category with its primary.
pub fn category_path(categories: &[Category], id: CategoryId) -> Option<String> {
    let category = categories.iter().find(|c| c.id == id)?;
    Some(
        match category
            .parent_id
            .and_then(|parent| categories.iter().find(|c| c.id == parent))
        {
            Some(parent) => format!("{} › {}", parent.name, category.name),
            None => category.name.clone(),
        },
    )
}

/// One choice in the list.
#[derive(Debug, Clone, PartialEq)]
struct Choice {
    id: CategoryId,
    name: String,
    /// The primary's name, for a category under one.
    primary: Option<String>,
    /// Whether it matches what was typed itself (a primary may be listed only for its own).
    matches: bool,
}

/// The categories offered for `query`, in tree order: a primary when it or one of its own
/// matches, and each of its own that matches (all of them when the primary does).
fn choices(categories: &[Category], query: &str) -> Vec<Choice> {
    let query = format::lower(query.trim());
    let matches = |name: &str| query.is_empty() || format::lower(name).contains(&query);
    let mut offered = Vec::new();
    for primary in categories
        .iter()
        .filter(|c| c.parent_id.is_none() && !c.hidden)
    {
        let primary_matches = matches(&primary.name);
        let children: Vec<&Category> = categories
            .iter()
            .filter(|c| c.parent_id == Some(primary.id) && !c.hidden)
            .filter(|c| primary_matches || matches(&c.name))
            .collect();
        if !primary_matches && children.is_empty() {
            continue;
        }
        offered.push(Choice {
            id: primary.id,
            name: primary.name.clone(),
            primary: None,
            matches: primary_matches,
        });
        offered.extend(children.into_iter().map(|c| Choice {
            id: c.id,
            name: c.name.clone(),
            primary: Some(primary.name.clone()),
            matches: true,
        }));
    }
    offered
}

#[component]
pub fn CategoryPicker(
    /// Every category the person sees (hidden ones included; they are not offered).
    #[prop(into)]
    categories: Signal<Vec<Category>>,
    /// The chosen category.
    value: RwSignal<Option<CategoryId>>,
    /// The visible label.
    #[prop(into)]
    label: String,
    /// A label for screen readers instead of the visible one (a split part's "Category of part 2").
    #[prop(optional, into)]
    aria_label: Option<Signal<String>>,
    /// Shown under the input.
    #[prop(optional, into)]
    hint: Option<Signal<String>>,
    /// The server's complaint about this field.
    #[prop(optional, into)]
    error: Option<Signal<Option<String>>>,
    /// A name for tests and forms.
    #[prop(default = "category_id")]
    name: &'static str,
) -> impl IntoView {
    let n = NEXT_PICKER.fetch_add(1, Ordering::Relaxed);
    let input_id = format!("category-picker-{n}");
    let list_id = format!("category-picker-{n}-list");
    let hint_id = format!("category-picker-{n}-hint");
    let option_id = move |id: CategoryId| format!("category-picker-{n}-{id}");

    let chosen_path = move || {
        value
            .get()
            .and_then(|id| categories.with(|all| category_path(all, id)))
            .unwrap_or_default()
    };
    // What is typed; `None` while the input shows the chosen category.
    let typed = RwSignal::new(None::<String>);
    let open = RwSignal::new(false);
    let active = RwSignal::new(None::<CategoryId>);
    let offered = Memo::new(move |_| {
        let query = typed.get().unwrap_or_default();
        categories.with(|all| choices(all, &query))
    });
    let input = NodeRef::<html::Input>::new();
    let list = NodeRef::<html::Ul>::new();

    let show_active = move |id: CategoryId| {
        active.set(Some(id));
        // Keep the active option in sight within the list, not the page.
        if let (Some(list), Some(option)) = (
            list.get_untracked(),
            document().get_element_by_id(&option_id(id)),
        ) {
            if let Ok(option) = option.dyn_into::<web_sys::HtmlElement>() {
                let top = option.offset_top();
                let bottom = top + option.offset_height();
                if top < list.scroll_top() {
                    list.set_scroll_top(top);
                } else if bottom > list.scroll_top() + list.client_height() {
                    list.set_scroll_top(bottom - list.client_height());
                }
            }
        }
    };
    let close = move || {
        open.set(false);
        typed.set(None);
        active.set(None);
    };
    let choose = move |id: CategoryId| {
        value.set(Some(id));
        close();
    };
    let open_list = move || {
        if !open.get_untracked() {
            open.set(true);
            let start = value
                .get_untracked()
                .filter(|id| offered.with_untracked(|o| o.iter().any(|c| c.id == *id)))
                .or_else(|| offered.with_untracked(|o| o.first().map(|c| c.id)));
            if let Some(start) = start {
                request_animation_frame(move || show_active(start));
            }
        }
    };
    let step = move |by: isize| {
        let ids: Vec<CategoryId> = offered.with_untracked(|o| o.iter().map(|c| c.id).collect());
        if ids.is_empty() {
            return;
        }
        let at = active
            .get_untracked()
            .and_then(|id| ids.iter().position(|c| *c == id));
        let last = ids.len().saturating_sub(1);
        let next = match (at, by.is_negative()) {
            (None, false) => 0,
            (None, true) => last,
            (Some(at), false) => (at + 1).min(last),
            (Some(at), true) => at.saturating_sub(1),
        };
        show_active(ids[next]);
    };
    let on_keydown = move |ev: leptos::ev::KeyboardEvent| match ev.key().as_str() {
        "ArrowDown" => {
            ev.prevent_default();
            if open.get_untracked() {
                step(1);
            } else {
                open_list();
            }
        }
        "ArrowUp" => {
            ev.prevent_default();
            if open.get_untracked() {
                step(-1);
            } else {
                open_list();
            }
        }
        "Home" | "End" if open.get_untracked() => {
            ev.prevent_default();
            let ids: Vec<CategoryId> = offered.with_untracked(|o| o.iter().map(|c| c.id).collect());
            let end = if ev.key() == "Home" {
                ids.first()
            } else {
                ids.last()
            };
            if let Some(id) = end {
                show_active(*id);
            }
        }
        "Enter" if open.get_untracked() => {
            // Choosing, not submitting the form around the picker.
            ev.prevent_default();
            if let Some(id) = active.get_untracked() {
                choose(id);
            }
        }
        "Escape" if open.get_untracked() => {
            // Closing the list, not the dialog around it.
            ev.prevent_default();
            ev.stop_propagation();
            close();
        }
        "Tab" => close(),
        _ => {}
    };

    let describedby = {
        let hint_id = hint_id.clone();
        move || {
            (hint.is_some() || error.is_some_and(|e| e.with(Option::is_some)))
                .then(|| hint_id.clone())
        }
    };
    let input_id_for_label = input_id.clone();
    let list_id_for_input = list_id.clone();
    view! {
        <div class="field picker" data-testid="category-picker">
            <label class="field-label" for=input_id_for_label>{label}</label>
            <div class="picker-box">
                <input
                    node_ref=input
                    id=input_id
                    name=name
                    type="text"
                    role="combobox"
                    autocomplete="off"
                    spellcheck="false"
                    aria-autocomplete="list"
                    aria-controls=list_id_for_input
                    aria-expanded=move || if open.get() { "true" } else { "false" }
                    aria-activedescendant=move || open.get().then(|| active.get().map(option_id)).flatten()
                    aria-label=move || aria_label.map(|l| l.get())
                    aria-describedby=describedby
                    placeholder="Type to search categories"
                    prop:value=move || typed.get().unwrap_or_else(chosen_path)
                    on:input=move |ev| {
                        typed.set(Some(event_target_value(&ev)));
                        open.set(true);
                        // The first that matches itself, not a primary listed for its own.
                        let first = offered.with_untracked(|o| {
                            o.iter().find(|c| c.matches).map(|c| c.id)
                        });
                        active.set(first);
                        if let Some(list) = list.get_untracked() {
                            list.set_scroll_top(0);
                        }
                    }
                    on:focus=move |_| {
                        if let Some(input) = input.get_untracked() {
                            input.select();
                        }
                    }
                    on:click=move |_| open_list()
                    on:keydown=on_keydown
                    on:blur=move |_| close()
                />
                <span class="picker-caret" aria-hidden="true"></span>
                <ul
                    node_ref=list
                    id=list_id
                    class="picker-list"
                    role="listbox"
                    aria-label=move || format!("Categories matching “{}”", typed.get().unwrap_or_default())
                    hidden=move || !open.get()
                >
                    {move || {
                        let offered = offered.get();
                        if offered.is_empty() {
                            return view! { <li class="picker-none" role="presentation">"No category matches."</li> }.into_any();
                        }
                        offered
                            .into_iter()
                            .map(|choice| {
                                let id = choice.id;
                                let is_child = choice.primary.is_some();
                                view! {
                                    <li
                                        id=option_id(id)
                                        role="option"
                                        class="picker-option"
                                        class:picker-primary=!is_child
                                        class:picker-child=is_child
                                        class:picker-active=move || active.get() == Some(id)
                                        aria-selected=move || if value.get() == Some(id) { "true" } else { "false" }
                                        on:mousedown=move |ev| {
                                            // Keep focus in the input; the click chooses.
                                            ev.prevent_default();
                                        }
                                        on:click=move |_| choose(id)
                                    >
                                        {choice.name}
                                        {choice.primary.map(|primary| view! {
                                            <span class="visually-hidden">{format!(", in {primary}")}</span>
                                        })}
                                    </li>
                                }
                            })
                            .collect_view()
                            .into_any()
                    }}
                </ul>
            </div>
            {move || {
                let complaint = error.and_then(|e| e.get());
                let note = hint.map(|h| h.get());
                (complaint.is_some() || note.is_some()).then(|| view! {
                    <span id=hint_id.clone() class="picker-notes">
                        {note.map(|note| view! { <span class="field-hint">{note}</span> })}
                        {complaint.map(|c| view! { <span class="field-error">{c}</span> })}
                    </span>
                })
            }}
        </div>
    }
}
