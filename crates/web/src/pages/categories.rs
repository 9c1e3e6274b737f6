//! `/categories`: Plaid's categories as the person sees them and their own, as a tree: add one,
//! rename, change the kind, hide or show, and delete their own with somewhere for its
//! transactions to go.

mod delete;
mod row;

use crate::api;
use crate::components::field::{BoundInput, Complaints, Field};
use crate::components::sign_in_prompt::SignInPrompt;
use crate::state::refresh::on_stale;
use crate::state::session::use_session;
use leptos::prelude::*;
use leptos_meta::Title;
use tally_shared::api::categories::{Category, CategoryKind, NewCategory};
use tally_shared::ids::CategoryId;

#[component]
pub fn CategoriesPage() -> impl IntoView {
    let session = use_session();
    view! {
        <Title text="Categories" />
        <div class="page-head">
            <h1>"Categories"</h1>
        </div>
        {move || match session.user() {
            Some(_) => view! { <CategoryManager /> }.into_any(),
            None if session.is_known() => view! { <SignInPrompt /> }.into_any(),
            None => ().into_any(),
        }}
    }
}

/// What the rows, the add form and the delete dialog share: the categories as last loaded, and
/// a way to load them again after a change.
#[derive(Clone, Copy)]
struct Categories {
    list: Memo<Vec<Category>>,
    reload: Callback<()>,
}

impl Categories {
    fn find(self, id: CategoryId) -> Option<Category> {
        self.list
            .with(|list| list.iter().find(|c| c.id == id).cloned())
    }

    /// "Food and drink › Coffee": a category with its primary, for choosing among all of them.
    fn path_of(self, category: &Category) -> String {
        match category.parent_id.and_then(|id| self.find(id)) {
            Some(parent) => format!("{} › {}", parent.name, category.name),
            None => category.name.clone(),
        }
    }
}

/// The kind in words, for the person.
fn kind_label(kind: CategoryKind) -> &'static str {
    match kind {
        CategoryKind::Spending => "Spending",
        CategoryKind::Income => "Income",
        CategoryKind::Transfer => "Transfer",
    }
}

#[component]
fn CategoryManager() -> impl IntoView {
    let resource = LocalResource::new(api::categories::list);
    on_stale(move |stale| {
        if stale.categories() {
            resource.refetch();
        }
    });
    let list = Memo::new(move |_| {
        resource
            .get()
            .and_then(Result::ok)
            .map(|list| list.categories)
            .unwrap_or_default()
    });
    let categories = Categories {
        list,
        reload: Callback::new(move |()| resource.refetch()),
    };
    let load_error = move || resource.get().and_then(Result::err);
    let loaded = move || resource.get().is_some_and(|result| result.is_ok());
    let primaries = move || {
        list.with(|list| {
            list.iter()
                .filter(|c| c.parent_id.is_none())
                .map(|c| c.id)
                .collect::<Vec<_>>()
        })
    };
    let deleting = RwSignal::new(None::<CategoryId>);
    view! {
        <div class="page-sections">
            <AddCategory categories />
            <section class="card" aria-labelledby="category-tree-title">
                <h2 class="card-title" id="category-tree-title">"All categories"</h2>
                <p class="muted">
                    "Plaid's categories are there from the start; rename, hide or change the kind of any of them, "
                    "for you alone. Only "<strong>"spending"</strong>" counts as spending. A hidden category is not "
                    "offered any more, and what is in it stays."
                </p>
                {move || load_error().map(|error| view! {
                    <div class="alert" role="alert">
                        <p>{format!("Your categories could not be loaded: {error}")}</p>
                        <button type="button" class="button button-small" on:click=move |_| resource.refetch()>
                            "Retry"
                        </button>
                    </div>
                })}
                {move || (!loaded() && load_error().is_none())
                    .then(|| view! { <p class="muted">"Loading categories…"</p> })}
                <ul class="cat-tree" data-testid="category-tree">
                    <For each=primaries key=|id| *id let:id>
                        <li class="cat-group">
                            <row::CategoryRow id categories deleting />
                            <ul class="cat-children">
                                <For
                                    each=move || {
                                        list.with(|list| {
                                            list.iter()
                                                .filter(|c| c.parent_id == Some(id))
                                                .map(|c| c.id)
                                                .collect::<Vec<_>>()
                                        })
                                    }
                                    key=|id| *id
                                    let:child
                                >
                                    <li><row::CategoryRow id=child categories deleting /></li>
                                </For>
                            </ul>
                        </li>
                    </For>
                </ul>
            </section>
            <delete::DeleteCategory categories deleting />
        </div>
    }
}

/// Adding a category of one's own, at the top or under a primary; its kind starts as the
/// primary's.
#[component]
fn AddCategory(categories: Categories) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let parent = RwSignal::new(String::new());
    let kind = RwSignal::new(CategoryKind::Spending.as_str().to_owned());
    let add = Action::new_local(move |body: &NewCategory| {
        let body = body.clone();
        async move {
            let created = api::categories::create(&body).await;
            if created.is_ok() {
                categories.reload.run(());
            }
            created
        }
    });
    let complaints = Complaints::of(add, &["name", "parent_id", "kind"]);
    let pending = add.pending();
    Effect::new(move |_| {
        if let Some(Ok(_)) = add.value().get() {
            name.set(String::new());
        }
    });
    let parents = move || {
        categories.list.with(|list| {
            list.iter()
                .filter(|c| c.parent_id.is_none() && !c.hidden)
                .map(|c| (c.id.to_string(), c.name.clone()))
                .collect::<Vec<_>>()
        })
    };
    let choose_parent = move |ev| {
        let chosen = event_target_value(&ev);
        let parent_kind = chosen
            .parse::<CategoryId>()
            .ok()
            .and_then(|id| categories.find(id))
            .map(|c| c.kind);
        if let Some(parent_kind) = parent_kind {
            kind.set(parent_kind.as_str().to_owned());
        }
        parent.set(chosen);
    };
    view! {
        <section class="card" aria-labelledby="add-category-title">
            <h2 class="card-title" id="add-category-title">"Add a category"</h2>
            <form
                class="cat-form"
                on:submit=move |ev| {
                    ev.prevent_default();
                    add.dispatch(NewCategory {
                        name: name.get_untracked(),
                        parent_id: parent.get_untracked().parse().ok(),
                        kind: kind.get_untracked(),
                    });
                }
            >
                <Field label="Name" hint=Some("Up to 60 characters.".to_owned()) error=complaints.about("name")>
                    <BoundInput name="name" value=name autocomplete="off" />
                </Field>
                <Field label="Under" error=complaints.about("parent_id")>
                    <select name="parent_id" prop:value=parent on:change=choose_parent>
                        <option value="">"Nothing (a new primary)"</option>
                        <For each=parents key=|(id, name)| (id.clone(), name.clone()) let:option>
                            <option value=option.0>{option.1}</option>
                        </For>
                    </select>
                </Field>
                <Field label="Kind" error=complaints.about("kind")>
                    <KindSelect value=kind name="kind" />
                </Field>
                <button class="button button-primary cat-submit" type="submit" disabled=pending>
                    {move || if pending.get() { "Adding…" } else { "Add category" }}
                </button>
                {move || complaints.general().map(|error| view! {
                    <p class="alert cat-form-error" role="alert">{error.to_string()}</p>
                })}
                {move || matches!(add.value().get(), Some(Ok(_))).then(|| {
                    let added = add.value().get().and_then(Result::ok).map(|c| c.name).unwrap_or_default();
                    view! { <p class="alert alert-good cat-form-error" role="status">{format!("“{added}” was added.")}</p> }
                })}
            </form>
        </section>
    }
}

/// The three kinds, as a select bound to `value` (the wire name).
#[component]
fn KindSelect(
    value: RwSignal<String>,
    name: &'static str,
    #[prop(optional, into)] label: Option<Signal<String>>,
    #[prop(optional)] on_pick: Option<Callback<String>>,
) -> impl IntoView {
    view! {
        <select
            name=name
            aria-label=move || label.map(|label| label.get())
            prop:value=value
            on:change=move |ev| {
                let picked = event_target_value(&ev);
                value.set(picked.clone());
                if let Some(on_pick) = on_pick {
                    on_pick.run(picked);
                }
            }
        >
            {CategoryKind::ALL.into_iter().map(|kind| view! {
                <option value=kind.as_str()>{kind_label(kind)}</option>
            }).collect_view()}
        </select>
    }
}
