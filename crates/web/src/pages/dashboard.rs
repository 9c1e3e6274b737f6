//! `/dashboard`: net worth, the next 30 days, spending, banks and recent transactions, kept up
//! to date by live events.

mod banks;

use crate::api;
use crate::calendar;
use crate::components::banks::BanksSection;
use crate::components::budget_card::BudgetCard;
use crate::components::net_worth::NetWorthSection;
use crate::components::recent_transactions::RecentTransactions;
use crate::components::spending::{SpendingPeriod, SpendingSection};
use crate::components::upcoming::{self, UpcomingSection};
use crate::format;
use crate::pages::transaction_editor::TransactionEditor;
use crate::routes::Page;
use crate::state::live::use_live_events;
use crate::state::refresh::on_stale;
use crate::state::session::use_session;
use banks::Banks;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_location, use_navigate};
use leptos_router::NavigateOptions;
use tally_shared::api::assets::NewAsset;
use tally_shared::api::insights::NetWorth;
use tally_shared::api::transactions::TransactionFilter;
use tally_shared::ids::{AssetId, TransactionId};

/// How many transactions "Recent transactions" shows.
const RECENT: u32 = 10;
/// How far back the net worth history reaches: see `Dashboard`.
const HISTORY_MONTHS: u32 = 59;

#[component]
pub fn DashboardPage() -> impl IntoView {
    let session = use_session();
    let navigate = use_navigate();
    let location = use_location();
    view! {
        <Title text="Dashboard" />
        <div class="page-head">
            <h1>"Dashboard"</h1>
            {move || session.user().map(|_| view! { <LiveStatus /> })}
        </div>
        {move || match session.user() {
            Some(_) => view! { <Dashboard /> }.into_any(),
            // Logged out (or the session expired): the log-in form is on the home page. Not when
            // the address has already moved on (log out goes to /login) and this page is leaving.
            None if session.is_known() => {
                if location.pathname.get_untracked() == Page::Dashboard.path() {
                    let home = NavigateOptions {
                        replace: true,
                        ..NavigateOptions::default()
                    };
                    navigate(Page::Home.path(), home);
                }
                ().into_any()
            }
            None => ().into_any(),
        }}
    }
}

/// The signed-in person's dashboard. It owns the data; the sections only show it.
#[component]
fn Dashboard() -> impl IntoView {
    let net_worth = LocalResource::new(api::insights::net_worth);
    // The whole history, reconstructed days included, up to the server's today (the day its
    // balance snapshots count in): the API's longest period, five years, less a month so that
    // the browser's today being a day off the server's never makes it longer.
    let history = LocalResource::new(|| {
        let from = calendar::today().checked_sub_months(chrono::Months::new(HISTORY_MONTHS));
        api::insights::net_worth_history(from, None)
    });
    let assets = LocalResource::new(api::assets::list);
    let period = RwSignal::new(SpendingPeriod::this_month());
    let include_pending = RwSignal::new(false);
    let spending = LocalResource::new(move || {
        let (from, to) = period.get().days();
        api::insights::spending(from, to, include_pending.get())
    });
    let budgets = LocalResource::new(|| api::budgets::month(None));
    let recent = LocalResource::new(|| async {
        let newest = TransactionFilter {
            limit: Some(RECENT),
            ..TransactionFilter::default()
        };
        api::transactions::list(&newest).await
    });

    let assets_changed = move || {
        assets.refetch();
        net_worth.refetch();
        history.refetch();
    };
    let add_asset = Action::new_local(move |asset: &NewAsset| {
        let asset = asset.clone();
        async move {
            let created = api::assets::create(&asset).await;
            if created.is_ok() {
                assets_changed();
            }
            created
        }
    });
    let delete_asset = Action::new_local(move |id: &AssetId| {
        let id = *id;
        async move {
            let deleted = api::assets::delete(id).await;
            assets_changed();
            deleted
        }
    });
    let upcoming = LocalResource::new(|| api::insights::upcoming(upcoming::DAYS));
    let cash_flow = LocalResource::new(|| api::insights::cash_flow(upcoming::DAYS));
    let editing = RwSignal::new(None::<TransactionId>);
    let edited = Callback::new(move |()| {
        recent.refetch();
        spending.refetch();
        budgets.refetch();
    });
    let banks = Banks::load();
    on_stale(move |stale| {
        banks.refetch(stale);
        if stale.banking() {
            net_worth.refetch();
            history.refetch();
            spending.refetch();
            budgets.refetch();
            recent.refetch();
            upcoming.refetch();
            cash_flow.refetch();
        }
        if stale.assets() {
            assets_changed();
        }
    });

    // Spending and recent transactions wait for a bank with accounts; until then the banks
    // section says how to link one.
    let has_accounts = move || {
        net_worth
            .get()
            .and_then(Result::ok)
            .map(|net_worth| has_accounts(&net_worth))
    };

    view! {
        <div class="dashboard">
            <NetWorthSection
                net_worth
                history
                assets
                add_asset
                delete_asset
                default_currency=format::locale_currency()
            />
            <Show when=move || has_accounts() == Some(true)>
                <UpcomingSection upcoming cash_flow default_currency=format::locale_currency() />
                <SpendingSection period include_pending spending />
                <BudgetCard month=budgets />
            </Show>
            <BanksSection
                items=banks.items
                accounts=banks.accounts
                institutions=banks.institutions
                link=banks.link
                actions=banks.actions
                retry=banks.reload
            />
            <Show when=move || has_accounts() == Some(true)>
                <RecentTransactions recent on_open=Callback::new(move |id| editing.set(Some(id))) />
            </Show>
            <TransactionEditor editing on_saved=edited />
        </div>
    }
}

/// Whether the figures below follow the server by themselves right now.
#[component]
fn LiveStatus() -> impl IntoView {
    let live = use_live_events();
    view! {
        <p class="live-status" role="status">
            {move || if live.is_connected() {
                view! { <span class="live-dot live-on" aria-hidden="true"></span> "Updating live" }.into_any()
            } else {
                view! { <span class="live-dot" aria-hidden="true"></span> "Connecting…" }.into_any()
            }}
        </p>
    }
}

fn has_accounts(net_worth: &NetWorth) -> bool {
    net_worth
        .currencies
        .iter()
        .any(|currency| currency.by_type.iter().any(|kind| kind.accounts > 0))
}
