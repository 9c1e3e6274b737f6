//! `/transactions`: every transaction, filtered, a page at a time.
//!
//! The filters live in the address (`?q=coffee&pending=true`, the API's own names), so a reload
//! or a shared link keeps them. Pages are the server's keyset pages: "Next page" asks for the
//! rows after the last cursor, and the cursors of the pages before are kept to go back. Only the
//! current page is ever in the DOM, however many transactions there are.

use crate::api;
use crate::components::error_view::ErrorView;
use crate::components::sign_in_prompt::SignInPrompt;
use crate::components::transaction_filters::TransactionFilters;
use crate::components::transactions_table::TransactionsTable;
use crate::pages::category_list::load_categories;
use crate::pages::transaction_editor::TransactionEditor;
use crate::routes::Page;
use crate::state::refresh::on_stale;
use crate::state::session::use_session;
use crate::transaction_filter::{self, query_string};
use leptos::html::H2;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::NavigateOptions;
use tally_shared::api::categories::Category;
use tally_shared::api::transactions::{TransactionFilter, TransactionPage};
use tally_shared::ids::TransactionId;

/// Rows on one page.
const PAGE_SIZE: u32 = 50;

#[component]
pub fn TransactionsPage() -> impl IntoView {
    let session = use_session();
    view! {
        <Title text="Transactions" />
        <div class="page-head">
            <h1>"Transactions"</h1>
        </div>
        {move || match session.user() {
            Some(_) => view! { <Transactions /> }.into_any(),
            None if session.is_known() => view! { <SignInPrompt /> }.into_any(),
            None => ().into_any(),
        }}
    }
}

/// The cursors of the pages before the current one, for the filter they were made for.
#[derive(Debug, Clone, Default, PartialEq)]
struct PageTrail {
    filter: TransactionFilter,
    /// The `next_cursor` of each page passed; the last one leads to the current page.
    cursors: Vec<String>,
}

#[component]
fn Transactions() -> impl IntoView {
    let query = use_query_map();
    let filter = Memo::new(move |_| query.with(transaction_filter::from_query));
    let trail = RwSignal::new(PageTrail::default());
    // A trail made for another filter (the filter changed, or back/forward) counts for nothing:
    // a new filter starts on its first page.
    let passed = Memo::new(move |_| {
        let filter = filter.get();
        trail.with(|trail| {
            if trail.filter == filter {
                trail.cursors.clone()
            } else {
                Vec::new()
            }
        })
    });
    let request = Memo::new(move |_| TransactionFilter {
        cursor: passed.with(|cursors| cursors.last().cloned()),
        limit: Some(PAGE_SIZE),
        ..filter.get()
    });
    let page = LocalResource::new(move || {
        let request = request.get();
        async move { api::transactions::list(&request).await }
    });
    let accounts = LocalResource::new(api::accounts::list_accounts);
    on_stale(move |stale| {
        if stale.banking() {
            accounts.refetch();
            // Later pages stay as they are: their rows would shift under the reader.
            if passed.with_untracked(Vec::is_empty) {
                page.refetch();
            }
        }
    });

    let navigate = use_navigate();
    let set_filter = Callback::new(move |next: TransactionFilter| {
        navigate(
            &Page::Transactions.with_query(&query_string(&next)),
            NavigateOptions {
                replace: true,
                scroll: false,
                ..NavigateOptions::default()
            },
        );
    });
    let account_list = Signal::derive(move || {
        accounts
            .get()
            .and_then(Result::ok)
            .map(|list| list.accounts)
            .unwrap_or_default()
    });

    let loading = RwSignal::new(false);
    let results_heading = NodeRef::<H2>::new();
    let show_results_top = move || {
        if let Some(heading) = results_heading.get_untracked() {
            heading.scroll_into_view();
            let _ = heading.focus();
        }
    };
    let next_cursor = move || {
        page.with(|page| {
            page.as_ref()
                .and_then(|page| page.as_ref().ok())
                .and_then(|page| page.next_cursor.clone())
        })
    };
    let go_next = move |_| {
        let Some(cursor) = next_cursor() else { return };
        let mut cursors = passed.get_untracked();
        cursors.push(cursor);
        trail.set(PageTrail {
            filter: filter.get_untracked(),
            cursors,
        });
        show_results_top();
    };
    let go_back = move |_| {
        let mut cursors = passed.get_untracked();
        cursors.pop();
        trail.set(PageTrail {
            filter: filter.get_untracked(),
            cursors,
        });
        show_results_top();
    };
    let page_number = move || passed.with(Vec::len) + 1;
    let categories = load_categories();
    let editing = RwSignal::new(None::<TransactionId>);
    let open = Callback::new(move |id| editing.set(Some(id)));
    // An edit may move the row out of this filter: the page shows it as it is now.
    let edited = Callback::new(move |()| page.refetch());
    let export = move || filter.with(api::transactions::export_url);

    view! {
        <TransactionFilters filter accounts=account_list on_change=set_filter />
        <section class="card numbers-card results" aria-labelledby="results-heading">
            <div class="section-head">
                <h2 class="card-title" id="results-heading" tabindex="-1" node_ref=results_heading>
                    {move || {
                        let which = if filter.with(transaction_filter::narrows) { "Matching transactions" } else { "All transactions" };
                        format!("{which} · page {}", page_number())
                    }}
                </h2>
                <div class="results-tools">
                    <span class="muted small" aria-live="polite">
                        {move || loading.get().then_some("Updating…")}
                    </span>
                    <a class="button button-small" href=export download rel="external">
                        "Download CSV"
                    </a>
                </div>
            </div>
            <Transition
                fallback=|| view! { <p class="muted loading-block">"Loading transactions…"</p> }
                set_pending=loading.write_only()
            >
                <ErrorBoundary fallback=|errors| view! { <ErrorView errors /> }>
                    {move || Suspend::new(async move {
                        page.await.map(|page| view! {
                            <PageRows page filtered=filter.with_untracked(transaction_filter::narrows) on_clear=set_filter categories on_open=open />
                        })
                    })}
                </ErrorBoundary>
            </Transition>
            <Show when=move || !(passed.with(Vec::is_empty) && next_cursor().is_none())>
                <nav class="pager" aria-label="Pages">
                    <button
                        type="button"
                        class="button button-small"
                        disabled=move || loading.get() || passed.with(Vec::is_empty)
                        on:click=go_back
                    >
                        "Previous page"
                    </button>
                    <span class="muted small" data-testid="page-number">{move || format!("Page {}", page_number())}</span>
                    <button
                        type="button"
                        class="button button-small"
                        disabled=move || loading.get() || next_cursor().is_none()
                        on:click=go_next
                    >
                        "Next page"
                    </button>
                </nav>
            </Show>
        </section>
        <TransactionEditor editing on_saved=edited />
    }
}

/// The rows of one page, or why there are none.
#[component]
fn PageRows(
    page: TransactionPage,
    /// Whether any filter narrows the list (so that "none" means "none that match").
    filtered: bool,
    on_clear: Callback<TransactionFilter>,
    categories: Signal<Vec<Category>>,
    on_open: Callback<TransactionId>,
) -> impl IntoView {
    if page.transactions.is_empty() {
        return if filtered {
            view! {
                <div class="empty-line">
                    <p>"No transactions match these filters."</p>
                    <button
                        type="button"
                        class="button button-small"
                        on:click=move |_| on_clear.run(TransactionFilter::default())
                    >
                        "Show all transactions"
                    </button>
                </div>
            }
            .into_any()
        } else {
            view! {
                <p class="empty-line">"No transactions yet. They arrive with a bank's first sync."</p>
            }
            .into_any()
        };
    }
    view! {
        <TransactionsTable transactions=page.transactions caption="The matching transactions, newest first" categories on_open />
    }
    .into_any()
}
