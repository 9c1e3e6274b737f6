//! The dashboard's banks: the linked banks and their accounts, their logos, linking another one,
//! and everything done to a bank (refresh, update login, test login required, remove). The page
//! owns all of it; the Banks section only shows it and asks.

use crate::api::{self, ClientError};
use crate::components::bank_card::BankActions;
use crate::link_flow::{self, LinkFinished, LinkFlowError, LinkMode};
use crate::state::refresh::Stale;
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::collections::{HashMap, HashSet};
use tally_shared::api::accounts::AccountList;
use tally_shared::api::config::PlaidMode;
use tally_shared::api::institutions::Institution;
use tally_shared::api::items::ItemList;
use tally_shared::ids::ItemId;

#[derive(Clone, Copy)]
pub struct Banks {
    pub items: LocalResource<Result<ItemList, ClientError>>,
    pub accounts: LocalResource<Result<AccountList, ClientError>>,
    /// Logos and colours by institution id, as they arrive.
    pub institutions: Signal<HashMap<String, Institution>>,
    /// Link, for a new bank or to log in again to one.
    pub link: Action<LinkMode, Result<LinkFinished, LinkFlowError>>,
    pub actions: BankActions,
    /// Fetches the banks and their accounts again.
    pub reload: Callback<()>,
}

impl Banks {
    pub fn load() -> Self {
        let config = LocalResource::new(api::config::get_config);
        let items = LocalResource::new(api::items::list_items);
        let accounts = LocalResource::new(api::accounts::list_accounts);
        let reload = move || {
            items.refetch();
            accounts.refetch();
        };

        let link = Action::new_local(|mode: &LinkMode| link_flow::link_bank(*mode));
        Effect::new(move |_| {
            if let Some(Ok(LinkFinished::Linked(_) | LinkFinished::Repaired(_))) =
                link.value().get()
            {
                reload();
            }
        });

        let busy = RwSignal::new(HashMap::<ItemId, &'static str>::new());
        let problems = RwSignal::new(HashMap::<ItemId, String>::new());
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
            remove: Callback::new(move |id| work(id, "Removing…", ItemCall::Remove)),
            busy: busy.into(),
            problems: problems.into(),
            linking: link.pending().into(),
        };
        Self {
            items,
            accounts,
            institutions: institutions_of(items),
            link,
            actions,
            reload: Callback::new(move |()| reload()),
        }
    }

    /// Refetches what of the banks `stale` names.
    pub fn refetch(&self, stale: Stale) {
        if stale.banks() {
            self.items.refetch();
        }
        if stale.banking() {
            self.accounts.refetch();
        }
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

/// The banks' logos and colours, asked once per bank as banks appear.
fn institutions_of(
    items: LocalResource<Result<ItemList, ClientError>>,
) -> Signal<HashMap<String, Institution>> {
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
    known.into()
}
