//! The dashboard's "Banks" section: the linked banks with their accounts, linking another one,
//! and everything done to a bank (refresh, update login, remove). It owns that data and keeps
//! it current from live events.

use crate::api::{self, ClientError};
use crate::components::bank_card::{BankActions, BankCard};
use crate::components::load_error::LoadError;
use crate::components::status::EmptyState;
use crate::link_flow::{self, LinkFinished, LinkMode};
use crate::state::live::use_live_events;
use chrono::{DateTime, Utc};
use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::collections::{HashMap, HashSet};
use std::time::Duration;
use tally_shared::api::accounts::{Account, AccountList};
use tally_shared::api::config::PlaidMode;
use tally_shared::api::institutions::Institution;
use tally_shared::api::items::{Item, ItemList};
use tally_shared::ids::ItemId;
use tally_shared::ws::ServerEvent;

/// "5 minutes ago" is redrawn this often.
const CLOCK_TICK: Duration = Duration::from_secs(30);

#[component]
pub fn BanksSection() -> impl IntoView {
    let config = LocalResource::new(api::config::get_config);
    let items = LocalResource::new(api::items::list_items);
    let accounts = LocalResource::new(api::accounts::list_accounts);
    let reload = move || {
        items.refetch();
        accounts.refetch();
    };
    follow_live_events(items, accounts);
    let institutions = institutions_of(items);
    let now = clock();

    let link = Action::new_local(|mode: &LinkMode| link_flow::link_bank(*mode));
    let linking: Signal<bool> = link.pending().into();
    Effect::new(move |_| {
        if let Some(Ok(LinkFinished::Linked(_) | LinkFinished::Repaired(_))) = link.value().get() {
            reload();
        }
    });

    let busy = RwSignal::new(HashMap::<ItemId, &'static str>::new());
    let problems = RwSignal::new(HashMap::<ItemId, String>::new());
    let removing = RwSignal::new(None::<Item>);
    // Runs `call` for a bank, showing `doing` on it meanwhile and what went wrong after.
    let work = move |id: ItemId, doing: &'static str, call: ItemCall| {
        busy.update(|busy| {
            busy.insert(id, doing);
        });
        problems.update(|problems| {
            problems.remove(&id);
        });
        spawn_local(async move {
            let outcome = call.run(id).await;
            busy.try_update(|busy| busy.remove(&id));
            match outcome {
                Ok(()) => reload(),
                Err(error) => {
                    problems.try_update(|problems| problems.insert(id, error.to_string()));
                }
            }
        });
    };
    let actions = BankActions {
        refresh: Callback::new(move |id| work(id, "Refreshing…", ItemCall::Refresh)),
        update_login: Callback::new(move |id| {
            link.clear();
            link.dispatch(LinkMode::Update(id));
        }),
        test_login_required: Callback::new(move |id| {
            work(id, "Asking the bank…", ItemCall::ResetLogin)
        }),
        can_test_login: Signal::derive(move || {
            config
                .get()
                .and_then(Result::ok)
                .is_some_and(|config| config.plaid_mode != PlaidMode::Production)
        }),
        remove: Callback::new(move |item: Item| removing.set(Some(item))),
        busy: busy.into(),
        problems: problems.into(),
        linking,
        open_menu: RwSignal::new(None),
    };
    let confirm_remove = Callback::new(move |id| work(id, "Removing…", ItemCall::Remove));
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
                    <LoadError title="Your banks could not be loaded." errors retry=Callback::new(move |()| reload()) />
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
                                view! { <BankList items accounts institutions now actions /> }.into_any()
                            })
                        }))
                    }}
                </ErrorBoundary>
            </Transition>
            <RemoveDialog removing confirm=confirm_remove />
        </section>
    }
}

#[component]
fn BankList(
    items: Vec<Item>,
    accounts: Vec<Account>,
    institutions: RwSignal<HashMap<String, Institution>>,
    now: RwSignal<DateTime<Utc>>,
    actions: BankActions,
) -> impl IntoView {
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
                    view! { <BankCard item accounts institutions now actions /> }
                })
                .collect_view()}
        </div>
    }
}

#[component]
fn LinkBankButton(
    link: Action<LinkMode, Result<LinkFinished, link_flow::LinkFlowError>>,
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

/// What a bank card's buttons ask of the server.
#[derive(Clone, Copy)]
enum ItemCall {
    Refresh,
    ResetLogin,
    Remove,
}

impl ItemCall {
    async fn run(self, id: ItemId) -> Result<(), ClientError> {
        match self {
            Self::Refresh => api::items::refresh_item(id).await.map(drop),
            Self::ResetLogin => api::items::sandbox_reset_login(id).await.map(drop),
            Self::Remove => api::items::delete_item(id).await,
        }
    }
}

/// Refetches what a live event changed; a (re)connection may have missed anything.
fn follow_live_events(
    items: LocalResource<Result<ItemList, ClientError>>,
    accounts: LocalResource<Result<AccountList, ClientError>>,
) {
    let live = use_live_events();
    Effect::watch(
        move || live.latest().get(),
        move |latest, _, _| match latest.as_ref().map(|latest| &latest.event) {
            Some(Some(ServerEvent::ItemAdded { .. } | ServerEvent::ItemStatusChanged { .. })) => {
                items.refetch();
            }
            Some(None | Some(ServerEvent::ItemSynced { .. } | ServerEvent::ItemRemoved { .. })) => {
                items.refetch();
                accounts.refetch();
            }
            _ => {}
        },
        false,
    );
}

/// The banks' logos and colours, asked once per bank as banks appear.
fn institutions_of(
    items: LocalResource<Result<ItemList, ClientError>>,
) -> RwSignal<HashMap<String, Institution>> {
    let known = RwSignal::new(HashMap::new());
    let asked = StoredValue::new(HashSet::new());
    Effect::new(move |_| {
        let Some(Ok(list)) = items.get() else {
            return;
        };
        for item in list.items {
            let id = item.institution_id;
            if asked.with_value(|asked| asked.contains(&id)) {
                continue;
            }
            asked.update_value(|asked| {
                asked.insert(id.clone());
            });
            spawn_local(async move {
                match api::institutions::get_institution(&id).await {
                    Ok(institution) => {
                        known.try_update(|known| known.insert(id, institution));
                    }
                    // The bank's initial stands in for its logo.
                    Err(error) => leptos::logging::warn!("no logo for {id}: {error}"),
                }
            });
        }
    });
    known
}

/// Now, redrawn every [`CLOCK_TICK`] while the section is shown.
fn clock() -> RwSignal<DateTime<Utc>> {
    let now = RwSignal::new(current_time());
    spawn_local(async move {
        loop {
            gloo_timers::future::sleep(CLOCK_TICK).await;
            if now.try_set(current_time()).is_some() {
                break;
            }
        }
    });
    now
}

/// The browser's clock (chrono's own clock is not available in WebAssembly here).
fn current_time() -> DateTime<Utc> {
    let iso = String::from(js_sys::Date::new_0().to_iso_string());
    DateTime::parse_from_rfc3339(&iso)
        .map(|moment| moment.with_timezone(&Utc))
        .unwrap_or_default()
}
