//! The dashboard's net worth section: per currency (never added across currencies) what is
//! owned, what is owed and the difference, by kind of account; the history as a line; and the
//! assets no bank reports, which people enter and delete here.

use crate::api::ClientError;
use crate::calendar;
use crate::components::confirm_dialog::ConfirmDialog;
use crate::components::error_view::ErrorView;
use crate::components::field::{Complaints, Field};
use crate::components::net_worth_chart::NetWorthChart;
use crate::format;
use leptos::prelude::*;
use rust_decimal::Decimal;
use tally_shared::api::assets::{Asset, AssetList, NewAsset};
use tally_shared::api::insights::{
    AccountTypeTotal, BalanceSide, CurrencyNetWorth, NetWorth, NetWorthHistory, NetWorthSeries,
};
use tally_shared::ids::AssetId;

#[component]
pub fn NetWorthSection(
    net_worth: LocalResource<Result<NetWorth, ClientError>>,
    history: LocalResource<Result<NetWorthHistory, ClientError>>,
    assets: LocalResource<Result<AssetList, ClientError>>,
    add_asset: Action<NewAsset, Result<Asset, ClientError>>,
    delete_asset: Action<AssetId, Result<(), ClientError>>,
    /// What the currency field starts with.
    default_currency: &'static str,
) -> impl IntoView {
    let asking = RwSignal::new(None::<Asset>);
    let question = Signal::derive(move || {
        asking.get().map(|asset| {
            (
                format!("Delete “{}”?", asset.description),
                format!(
                    "Its {} will no longer count in your net worth. This cannot be undone.",
                    format::money(asset.value.amount, asset.value.currency.as_str())
                ),
            )
        })
    });
    let confirm = Callback::new(move |()| {
        if let Some(asset) = asking.get_untracked() {
            delete_asset.dispatch(asset.id);
        }
        asking.set(None);
    });
    let delete_error = move || delete_asset.value().get().and_then(Result::err);

    view! {
        <section class="card numbers-card" aria-labelledby="net-worth-heading">
            <h2 class="card-title" id="net-worth-heading">"Net worth"</h2>
            <Transition fallback=|| view! { <p class="muted loading-block">"Adding up your accounts…"</p> }>
                <ErrorBoundary fallback=|errors| view! { <ErrorView errors /> }>
                    {move || Suspend::new(async move {
                        let net_worth = net_worth.await?;
                        let history = history.await?;
                        Ok::<_, ClientError>(view! { <NetWorthFigures net_worth history /> })
                    })}
                </ErrorBoundary>
            </Transition>
            <div class="manual-assets">
                <h3 class="subhead">"Assets you entered"</h3>
                <p class="muted small">
                    "Things of value no bank reports, such as a house or a car. They count in the "
                    "net worth of their currency."
                </p>
                <Transition fallback=|| view! { <p class="muted">"Loading your assets…"</p> }>
                    <ErrorBoundary fallback=|errors| view! { <ErrorView errors /> }>
                        {move || Suspend::new(async move {
                            assets.await.map(|list| view! {
                                <ManualAssetList
                                    assets=list.assets
                                    on_delete=Callback::new(move |asset| asking.set(Some(asset)))
                                />
                            })
                        })}
                    </ErrorBoundary>
                </Transition>
                {move || delete_error().map(|error| view! {
                    <p class="alert" role="alert">{format!("The asset was not deleted: {error}")}</p>
                })}
                <AssetForm action=add_asset default_currency />
            </div>
            <ConfirmDialog
                question
                confirm_label="Delete asset"
                on_confirm=confirm
                on_cancel=Callback::new(move |()| asking.set(None))
            />
        </section>
    }
}

/// Every currency's balance sheet with its history.
#[component]
fn NetWorthFigures(net_worth: NetWorth, history: NetWorthHistory) -> impl IntoView {
    if net_worth.currencies.is_empty() {
        return view! {
            <p class="empty-line">
                "Nothing to add up yet. Link a bank, or enter an asset below, and your net worth "
                "appears here."
            </p>
        }
        .into_any();
    }
    let several = net_worth.currencies.len() > 1;
    net_worth
        .currencies
        .into_iter()
        .map(|currency| {
            let series = history
                .series
                .iter()
                .find(|series| series.currency == currency.currency)
                .cloned()
                .unwrap_or_else(|| NetWorthSeries {
                    currency: currency.currency.clone(),
                    points: Vec::new(),
                    recorded_only: Vec::new(),
                });
            view! {
                <div class="nw-currency">
                    <NetHeadline currency=currency.clone() series=series.clone() several />
                    <NetWorthChart series />
                    <BalanceSides currency />
                </div>
            }
        })
        .collect_view()
        .into_any()
}

/// The net figure, and how it moved over the history shown beside it.
#[component]
fn NetHeadline(currency: CurrencyNetWorth, series: NetWorthSeries, several: bool) -> impl IntoView {
    let code = currency.currency.clone();
    let net_class = if currency.net < Decimal::ZERO {
        "nw-net negative"
    } else {
        "nw-net"
    };
    // From the first day every account counts: a loan whose balance was first recorded today
    // is no change in what the person is worth.
    let all_counted = series
        .recorded_only
        .iter()
        .map(|account| account.recorded_from)
        .max();
    let compared: Vec<_> = series
        .points
        .iter()
        .filter(|point| all_counted.is_none_or(|day| point.date >= day))
        .collect();
    let change = match (compared.first(), compared.last()) {
        (Some(first), Some(last)) if compared.len() > 1 => Some(format!(
            "{} since {}",
            format::money_signed(last.net - first.net, &code),
            format::date(first.date)
        )),
        _ => None,
    };
    view! {
        <div class="nw-headline">
            {several.then(|| view! { <p class="nw-label">{format!("In {code}")}</p> })}
            <p class=net_class data-testid=format!("net-worth-{code}")>
                {format::money(currency.net, &code)}
            </p>
            <p class="nw-equation muted">
                {format!(
                    "{} owned − {} owed",
                    format::money(currency.assets, &code),
                    format::money(currency.liabilities, &code)
                )}
            </p>
            {change.map(|change| view! { <p class="nw-change">{change}</p> })}
        </div>
    }
}

/// What the assets and the liabilities of one currency are made of.
#[component]
fn BalanceSides(currency: CurrencyNetWorth) -> impl IntoView {
    let code = currency.currency.clone();
    let side = |side: BalanceSide| {
        let mut rows: Vec<AccountTypeTotal> = currency
            .by_type
            .iter()
            .filter(|row| row.side == side)
            .cloned()
            .collect();
        rows.sort_by_key(|row| std::cmp::Reverse(row.total));
        rows
    };
    let manual = (!currency.manual_assets.is_zero()).then(|| {
        let manual = format::money(currency.manual_assets, &code);
        view! {
            <li>
                <span>"Entered by you"</span>
                <span class="figure">{manual}</span>
            </li>
        }
    });
    let assets = side(BalanceSide::Asset);
    let liabilities = side(BalanceSide::Liability);
    view! {
        <div class="nw-sides">
            <div class="nw-side">
                <h3 class="nw-side-title">
                    <span>"Assets"</span>
                    <span class="figure" data-testid=format!("assets-{code}")>
                        {format::money(currency.assets, &code)}
                    </span>
                </h3>
                <ul class="nw-kinds">
                    {(assets.is_empty() && manual.is_none()).then(|| view! { <li class="muted">"None"</li> })}
                    <KindRows rows=assets currency=code.clone() />
                    {manual}
                </ul>
            </div>
            <div class="nw-side">
                <h3 class="nw-side-title">
                    <span>"Liabilities"</span>
                    <span class="figure" data-testid=format!("liabilities-{code}")>
                        {format::money(currency.liabilities, &code)}
                    </span>
                </h3>
                <ul class="nw-kinds">
                    {liabilities.is_empty().then(|| view! { <li class="muted">"None"</li> })}
                    <KindRows rows=liabilities currency=code.clone() />
                </ul>
            </div>
        </div>
    }
}

#[component]
fn KindRows(rows: Vec<AccountTypeTotal>, currency: String) -> impl IntoView {
    rows.into_iter()
        .map(|row| {
            let kind = format::account_kind(&row.account_type, row.subtype.as_deref());
            let count = (row.accounts > 1).then(|| format!(" · {} accounts", row.accounts));
            view! {
                <li>
                    <span>{kind}<span class="muted small">{count}</span></span>
                    <span class="figure">{format::money(row.total, &currency)}</span>
                </li>
            }
        })
        .collect_view()
}

#[component]
fn ManualAssetList(assets: Vec<Asset>, on_delete: Callback<Asset>) -> impl IntoView {
    if assets.is_empty() {
        return view! { <p class="muted">"None yet."</p> }.into_any();
    }
    let now = calendar::now();
    let rows = assets
        .into_iter()
        .map(|asset| {
            let label = format!("Delete {}", asset.description);
            let value = format::money(asset.value.amount, asset.value.currency.as_str());
            let description = asset.description.clone();
            let added = format!("added {}", format::ago(asset.created_at, now));
            let added_at = format::date_time(asset.created_at);
            view! {
                <li class="asset-row">
                    <span class="asset-name">
                        {description}
                        <span class="asset-added muted small" title=added_at>{added}</span>
                    </span>
                    <span class="figure">{value}</span>
                    <button
                        type="button"
                        class="button button-small button-danger"
                        aria-label=label
                        on:click=move |_| on_delete.run(asset.clone())
                    >
                        "Delete"
                    </button>
                </li>
            }
        })
        .collect_view();
    view! { <ul class="asset-list" data-testid="manual-assets">{rows}</ul> }.into_any()
}

/// Description, value and currency; the server's complaints shown beside each field.
#[component]
fn AssetForm(
    action: Action<NewAsset, Result<Asset, ClientError>>,
    default_currency: &'static str,
) -> impl IntoView {
    let description = RwSignal::new(String::new());
    let value = RwSignal::new(String::new());
    let currency = RwSignal::new(default_currency.to_owned());
    let pending = action.pending();
    let complaints = Complaints::of(action, &["description", "value", "currency"]);
    Effect::new(move |_| {
        if let Some(Ok(_)) = action.value().get() {
            description.set(String::new());
            value.set(String::new());
        }
    });

    view! {
        <form
            class="asset-form"
            aria-label="Add an asset"
            on:submit=move |ev| {
                ev.prevent_default();
                action.dispatch(NewAsset {
                    description: description.get_untracked(),
                    value: value.get_untracked(),
                    currency: format::upper(currency.get_untracked().trim()),
                });
            }
        >
            <Field label="Description" class="asset-description" error=complaints.about("description")>
                <input
                    name="description"
                    placeholder="House, car…"
                    autocomplete="off"
                    required
                    maxlength="200"
                    prop:value=description
                    on:input=move |ev| description.set(event_target_value(&ev))
                />
            </Field>
            <Field label="Value" class="asset-value" error=complaints.about("value")>
                <input
                    name="value"
                    inputmode="decimal"
                    placeholder="250000"
                    autocomplete="off"
                    required
                    prop:value=value
                    on:input=move |ev| value.set(event_target_value(&ev))
                />
            </Field>
            <Field label="Currency" class="asset-currency" error=complaints.about("currency")>
                <input
                    name="currency"
                    autocomplete="off"
                    autocapitalize="characters"
                    spellcheck="false"
                    required
                    maxlength="3"
                    list="asset-currencies"
                    prop:value=currency
                    on:input=move |ev| currency.set(event_target_value(&ev))
                />
                <datalist id="asset-currencies">
                    {["USD", "EUR", "GBP", "CAD", "AUD", "JPY", "CHF"]
                        .into_iter()
                        .map(|code| view! { <option value=code></option> })
                        .collect_view()}
                </datalist>
            </Field>
            <button class="button button-primary asset-submit" type="submit" disabled=pending>
                {move || if pending.get() { "Adding…" } else { "Add asset" }}
            </button>
            {move || complaints.general().map(|error| view! {
                <p class="alert asset-form-error" role="alert">{error.to_string()}</p>
            })}
        </form>
    }
}
