//! The dashboard's "Banks" section: the linked banks with their accounts, linking another one,
//! and everything done to a bank (refresh, update login, remove), confirmed first where it
//! cannot be undone. The dashboard owns the banks and does what is asked; this only shows them.

use crate::api::ClientError;
use crate::calendar;
use crate::components::bank_card::{BankActions, BankCard, CardContext};
use crate::components::error_view::LoadError;
use crate::components::status::EmptyState;
use crate::link_flow::{LinkFinished, LinkFlowError, LinkMode};
use chrono::{DateTime, Utc};
use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::collections::HashMap;
use std::time::Duration;
use tally_shared::api::accounts::{Account, AccountList};
use tally_shared::api::institutions::Institution;
use tally_shared::api::items::{Item, ItemList};
use tally_shared::ids::ItemId;

/// "5 minutes ago" is redrawn this often.
const CLOCK_TICK: Duration = Duration::from_secs(30);

#[component]
pub fn BanksSection(
    items: LocalResource<Result<ItemList, ClientError>>,
    accounts: LocalResource<Result<AccountList, ClientError>>,
    /// Logos and colours by institution id, as they arrive.
    institutions: Signal<HashMap<String, Institution>>,
    /// Link, for a bank not linked yet (here) or to log in again (on a card).
    link: Action<LinkMode, Result<LinkFinished, LinkFlowError>>,
    actions: BankActions,
    /// Fetches the banks again, after they failed to load.
    retry: Callback<()>,
) -> impl IntoView {
    let removing = RwSignal::new(None::<Item>);
    let context = CardContext {
        institutions,
        now: clock(),
        actions,
        open_menu: RwSignal::new(None),
        ask_remove: Callback::new(move |item| removing.set(Some(item))),
    };
    let has_banks = move || {
        items
            .get()
            .and_then(Result::ok)
            .is_some_and(|list| !list.items.is_empty())
    };
    let link_button = move || view! { <LinkBankButton link small=false /> };

    view! {
        <section class="card banks" aria-labelledby="banks-title">
            <div class="section-head">
                <h2 class="card-title" id="banks-title">"Banks"</h2>
                <Show when=has_banks>
                    <LinkBankButton link small=true />
                </Show>
            </div>
            {move || {
                link.value().get().and_then(Result::err).map(|error| view! {
                    <div class="alert link-error" role="alert">
                        <p>{error.to_string()}</p>
                        <button type="button" class="button button-small" on:click=move |_| link.clear()>
                            "Dismiss"
                        </button>
                    </div>
                })
            }}
            <Transition fallback=|| view! { <BanksLoading /> }>
                <ErrorBoundary fallback=move |errors| view! {
                    <LoadError title="Your banks could not be loaded." errors retry />
                }>
                    // Read as they are, not awaited: each refetch redraws from the newest
                    // answers (an awaited Suspend could settle on an older pair).
                    {move || {
                        let (items, accounts) = items.get().zip(accounts.get())?;
                        Some(items.and_then(|ItemList { items }| {
                            let AccountList { accounts } = accounts?;
                            Ok::<_, ClientError>(if items.is_empty() {
                                view! {
                                    <EmptyState title="No banks linked yet">
                                        <p>
                                            "Link a bank to see its accounts and balances here, with your "
                                            "net worth, spending and transactions kept up to date on their own."
                                        </p>
                                        <div class="empty-actions">{link_button}</div>
                                    </EmptyState>
                                }
                                .into_any()
                            } else {
                                view! {
                                    <BankList items accounts context />
                                }
                                .into_any()
                            })
                        }))
                    }}
                </ErrorBoundary>
            </Transition>
            <RemoveDialog removing confirm=actions.remove />
        </section>
    }
}

#[component]
fn BankList(items: Vec<Item>, accounts: Vec<Account>, context: CardContext) -> impl IntoView {
    let mut by_item: HashMap<ItemId, Vec<Account>> = HashMap::new();
    for account in accounts {
        by_item.entry(account.item_id).or_default().push(account);
    }
    view! {
        <div class="bank-list">
            {items
                .into_iter()
                .map(|item| {
                    let accounts = by_item.remove(&item.id).unwrap_or_default();
                    view! { <BankCard item accounts context /> }
                })
                .collect_view()}
        </div>
    }
}

#[component]
fn LinkBankButton(
    link: Action<LinkMode, Result<LinkFinished, LinkFlowError>>,
    /// In the section's head, beside its title; full size in the empty state.
    small: bool,
) -> impl IntoView {
    let pending = link.pending();
    view! {
        <button
            type="button"
            class=if small { "button button-primary button-small" } else { "button button-primary" }
            aria-busy=move || pending.get().to_string()
            disabled=pending
            on:click=move |_| {
                link.clear();
                link.dispatch(LinkMode::New);
            }
        >
            {move || if pending.get() { "Linking…" } else { "Link a bank" }}
        </button>
    }
}

/// Space held for the cards while they load, so nothing jumps when they arrive.
#[component]
fn BanksLoading() -> impl IntoView {
    view! {
        <div class="bank-list" aria-busy="true">
            <div class="bank-card bank-card-loading">
                <p class="muted" role="status">"Loading your banks…"</p>
            </div>
        </div>
    }
}

/// "Remove First Platypus Bank?": the one place a bank is removed from.
#[component]
fn RemoveDialog(removing: RwSignal<Option<Item>>, confirm: Callback<ItemId>) -> impl IntoView {
    let dialog = NodeRef::<html::Dialog>::new();
    Effect::new(move |_| {
        let Some(dialog) = dialog.get() else {
            return;
        };
        match (removing.get().is_some(), dialog.open()) {
            (true, false) => {
                if let Err(error) = dialog.show_modal() {
                    leptos::logging::warn!("cannot open the remove dialog: {error:?}");
                }
            }
            (false, true) => dialog.close(),
            _ => {}
        }
    });
    let name = move || {
        removing
            .get()
            .map(|item| item.institution_name)
            .unwrap_or_default()
    };
    view! {
        <dialog
            class="dialog"
            node_ref=dialog
            aria-labelledby="remove-bank-title"
            on:close=move |_| removing.set(None)
        >
            <h2 id="remove-bank-title">{move || format!("Remove {}?", name())}</h2>
            <p>
                {move || format!(
                    "Its accounts and transactions are deleted from Tally, and Tally's access to {} is \
                     revoked. You can link it again later.",
                    name()
                )}
            </p>
            <div class="dialog-actions">
                <button type="button" class="button" on:click=move |_| removing.set(None)>
                    "Cancel"
                </button>
                <button
                    type="button"
                    class="button button-danger-solid"
                    on:click=move |_| {
                        if let Some(item) = removing.get_untracked() {
                            confirm.run(item.id);
                        }
                        removing.set(None);
                    }
                >
                    "Remove bank"
                </button>
            </div>
        </dialog>
    }
}

/// Now, redrawn every [`CLOCK_TICK`] while the section is shown.
fn clock() -> RwSignal<DateTime<Utc>> {
    let now = RwSignal::new(calendar::now());
    spawn_local(async move {
        loop {
            gloo_timers::future::sleep(CLOCK_TICK).await;
            if now.try_set(calendar::now()).is_some() {
                break;
            }
        }
    });
    now
}
