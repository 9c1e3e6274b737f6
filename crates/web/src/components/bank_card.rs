//! One linked bank: its logo and name, status, last sync, accounts, and what can be done with it.

use crate::components::bank_words::{account_kind, attention, balance, mask, status_badge};
use crate::components::status::Badge;
use crate::format;
use chrono::{DateTime, Utc};
use leptos::ev::{FocusEvent, KeyboardEvent};
use leptos::html;
use leptos::prelude::*;
use std::collections::HashMap;
use tally_shared::api::accounts::Account;
use tally_shared::api::institutions::Institution;
use tally_shared::api::items::Item;
use tally_shared::ids::ItemId;
use wasm_bindgen::JsCast;

/// What can be done to a bank, and the work under way: the page that owns the banks does it.
#[derive(Clone, Copy)]
pub struct BankActions {
    pub refresh: Callback<ItemId>,
    pub update_login: Callback<ItemId>,
    pub test_login_required: Callback<ItemId>,
    /// "Test login required" exists in simulator and sandbox mode only.
    pub can_test_login: Signal<bool>,
    /// Removes the bank, once the person has confirmed it.
    pub remove: Callback<ItemId>,
    /// Work under way per bank: "Refreshing…", "Removing…".
    pub busy: Signal<HashMap<ItemId, &'static str>>,
    /// The last thing that went wrong per bank, in words.
    pub problems: Signal<HashMap<ItemId, String>>,
    /// Link is open, for this bank or another: buttons that open it wait.
    pub linking: Signal<bool>,
}

/// What every card reads besides its own bank. Cards are drawn again whenever the banks are
/// fetched again, so all of it belongs to the page or the section, never to one drawing of a card.
#[derive(Clone, Copy)]
pub struct CardContext {
    /// Logos and colours by institution id, as they arrive.
    pub institutions: Signal<HashMap<String, Institution>>,
    pub now: RwSignal<DateTime<Utc>>,
    pub actions: BankActions,
    /// The bank whose menu is open.
    pub open_menu: RwSignal<Option<ItemId>>,
    /// Asks to remove the bank; the section confirms first.
    pub ask_remove: Callback<Item>,
}

#[component]
pub fn BankCard(item: Item, accounts: Vec<Account>, context: CardContext) -> impl IntoView {
    let CardContext {
        institutions,
        now,
        actions,
        ..
    } = context;
    let id = item.id;
    let name = item.institution_name.clone();
    let (tone, label) = status_badge(&item);
    let institution_id = item.institution_id.clone();
    let title_id = format!("bank-{id}");
    let labelled_by = title_id.clone();
    let busy = move || actions.busy.with(|busy| busy.get(&id).copied());
    let problem = move || actions.problems.with(|problems| problems.get(&id).cloned());
    let synced = item.last_synced_at;
    let synced_text = move || match synced {
        Some(at) => format!("Synced {}", format::ago(at, now.get())),
        None => "Not synced yet".to_owned(),
    };
    let attention = attention(&item).map(|(text, fix_in_link)| {
        let button = fix_in_link.map(|label| {
            view! {
                <button
                    type="button"
                    class="button button-small button-primary"
                    disabled=move || actions.linking.get() || busy().is_some()
                    on:click=move |_| actions.update_login.run(id)
                >
                    {label}
                </button>
            }
        });
        view! {
            <div class="bank-attention">
                <p>{text}</p>
                {button}
            </div>
        }
    });
    let accounts_label = format!("{name} accounts");
    let no_accounts = if item.syncing || synced.is_none() {
        "Accounts appear after the first sync."
    } else {
        "No accounts shared from this bank."
    };
    let account_rows = if accounts.is_empty() {
        view! { <li class="bank-account bank-account-none muted">{no_accounts}</li> }.into_any()
    } else {
        accounts
            .into_iter()
            .map(|account| view! { <AccountRow account /> })
            .collect_view()
            .into_any()
    };

    view! {
        <article class="bank-card" aria-labelledby=labelled_by data-testid="bank-card">
            <div class="bank-head">
                <BankLogo name=name.clone() institution_id institutions />
                <div class="bank-title">
                    <h3 id=title_id>{name.clone()}</h3>
                    <p class="bank-sub">
                        <span class="bank-status" data-testid="bank-status">
                            <Badge tone label />
                        </span>
                        <span class="bank-synced" title=synced.map(format::date_time)>{synced_text}</span>
                    </p>
                </div>
                <div class="bank-actions">
                    <button
                        type="button"
                        class="button button-small"
                        aria-busy=move || (busy() == Some("Refreshing…")).to_string()
                        disabled=move || busy().is_some()
                        on:click=move |_| actions.refresh.run(id)
                    >
                        {move || busy().unwrap_or("Refresh transactions")}
                    </button>
                    <BankMenu item context />
                </div>
            </div>
            {attention}
            {move || problem().map(|text| view! { <p class="bank-problem" role="alert">{text}</p> })}
            <ul class="bank-accounts" aria-label=accounts_label>{account_rows}</ul>
        </article>
    }
}

/// "More actions": update login, test login required (simulator and sandbox), remove.
#[component]
fn BankMenu(item: Item, context: CardContext) -> impl IntoView {
    let CardContext {
        actions,
        open_menu,
        ask_remove,
        ..
    } = context;
    let id = item.id;
    let name = item.institution_name.clone();
    let menu_id = format!("bank-menu-{id}");
    let list_id = menu_id.clone();
    let container = NodeRef::<html::Div>::new();
    let toggle = NodeRef::<html::Button>::new();
    let is_open = move || open_menu.get() == Some(id);
    let close = move |refocus: bool| {
        open_menu.set(None);
        if let (true, Some(toggle)) = (refocus, toggle.try_get_untracked().flatten()) {
            let _ = toggle.focus();
        }
    };
    // Leaving the menu with Tab or a click elsewhere closes it. (This also runs as a card that
    // has focus is taken away, after its node refs are gone: hence `try_`.)
    let on_focusout = move |ev: FocusEvent| {
        let inside = ev
            .related_target()
            .and_then(|target| target.dyn_into::<web_sys::Node>().ok())
            .zip(container.try_get_untracked().flatten())
            .is_some_and(|(target, container)| container.contains(Some(&target)));
        if !inside && open_menu.try_get_untracked().flatten() == Some(id) {
            open_menu.set(None);
        }
    };
    let on_keydown = move |ev: KeyboardEvent| {
        if ev.key() == "Escape" && is_open() {
            ev.prevent_default();
            close(true);
        }
    };
    let choose = move |action: Callback<ItemId>| {
        close(true);
        action.run(id);
    };
    let remove = move || {
        close(true);
        ask_remove.run(item.clone());
    };

    view! {
        <div class="menu" node_ref=container on:focusout=on_focusout on:keydown=on_keydown>
            <button
                type="button"
                class="button button-small menu-toggle"
                node_ref=toggle
                aria-label=format!("More actions for {name}")
                aria-expanded=move || is_open().to_string()
                aria-controls=move || is_open().then(|| menu_id.clone())
                on:click=move |_| open_menu.set(if is_open() { None } else { Some(id) })
            >
                <span aria-hidden="true">"More"</span>
                <span class="menu-caret" aria-hidden="true"></span>
            </button>
            <Show when=is_open>
                <ul class="menu-list" id=list_id.clone()>
                    <li>
                        <button
                            type="button"
                            class="menu-item"
                            disabled=move || actions.linking.get()
                            on:click=move |_| choose(actions.update_login)
                        >
                            "Update login"
                        </button>
                    </li>
                    <Show when=move || actions.can_test_login.get()>
                        <li>
                            <button
                                type="button"
                                class="menu-item"
                                on:click=move |_| choose(actions.test_login_required)
                            >
                                "Test login required"
                            </button>
                        </li>
                    </Show>
                    <li>
                        <button type="button" class="menu-item menu-item-danger" on:click={
                            let remove = remove.clone();
                            move |_| remove()
                        }>
                            "Remove"
                        </button>
                    </li>
                </ul>
            </Show>
        </div>
    }
}

/// The bank's logo, or its initial on the bank's colour when it has none.
#[component]
fn BankLogo(
    name: String,
    institution_id: String,
    institutions: Signal<HashMap<String, Institution>>,
) -> impl IntoView {
    move || {
        let known = institutions.with(|known| known.get(&institution_id).cloned());
        let logo = known
            .as_ref()
            .and_then(|institution| institution.logo.as_deref())
            .filter(|logo| !logo.is_empty())
            .map(|logo| {
                if logo.starts_with("data:image/") {
                    logo.to_owned()
                } else {
                    format!("data:image/png;base64,{logo}")
                }
            });
        if let Some(src) = logo {
            return view! { <img class="bank-logo" src=src alt="" width="44" height="44" /> }
                .into_any();
        }
        let background = known
            .as_ref()
            .and_then(|institution| institution.primary_color.as_deref())
            .and_then(hex_colour)
            .unwrap_or_else(|| fallback_colour(&name));
        let ink = if is_light(background) {
            "#0f172a"
        } else {
            "#ffffff"
        };
        let style = format!(
            "background-color: #{:02x}{:02x}{:02x}; color: {ink}",
            background.0, background.1, background.2
        );
        let initial =
            format::initial(name.trim_start_matches("The ")).unwrap_or_else(|| "?".to_owned());
        view! { <span class="bank-logo bank-monogram" style=style aria-hidden="true">{initial}</span> }
            .into_any()
    }
}

#[component]
fn AccountRow(account: Account) -> impl IntoView {
    let kind = account_kind(&account);
    let mask = mask(&account);
    let (amount, note) = balance(&account);
    view! {
        <li class="bank-account">
            <div class="bank-account-main">
                <span class="bank-account-name">{account.name.clone()}</span>
                <span class="bank-account-kind">
                    {kind}
                    {mask.map(|mask| view! { <span class="bank-account-mask">{mask}</span> })}
                </span>
            </div>
            <div class="bank-account-balance">
                <span class="bank-account-amount">{amount}</span>
                {note.map(|note| view! { <span class="bank-account-note">{note}</span> })}
            </div>
        </li>
    }
}

/// `#RRGGBB` (or `#RGB`) as red, green and blue; anything else is not a colour we use.
fn hex_colour(text: &str) -> Option<(u8, u8, u8)> {
    let digits = text.strip_prefix('#')?;
    let channel = |hex: &str| u8::from_str_radix(hex, 16).ok();
    match digits.len() {
        6 => Some((
            channel(digits.get(0..2)?)?,
            channel(digits.get(2..4)?)?,
            channel(digits.get(4..6)?)?,
        )),
        3 => {
            let twice = |i: usize| digits.get(i..=i).map(|d| d.repeat(2));
            Some((
                channel(&twice(0)?)?,
                channel(&twice(1)?)?,
                channel(&twice(2)?)?,
            ))
        }
        _ => None,
    }
}

/// A steady colour per name, from a few that carry white text well.
fn fallback_colour(name: &str) -> (u8, u8, u8) {
    const PALETTE: [(u8, u8, u8); 6] = [
        (0x0f, 0x76, 0x6e),
        (0x1d, 0x4e, 0xd8),
        (0x7c, 0x3a, 0xed),
        (0xb4, 0x53, 0x09),
        (0xbe, 0x12, 0x3c),
        (0x33, 0x41, 0x55),
    ];
    let hash = name.bytes().fold(0usize, |hash, byte| {
        hash.wrapping_mul(31).wrapping_add(usize::from(byte))
    });
    PALETTE[hash % PALETTE.len()]
}

/// Whether dark text reads better than white on this colour (perceived brightness).
fn is_light((red, green, blue): (u8, u8, u8)) -> bool {
    let brightness = 299 * u32::from(red) + 587 * u32::from(green) + 114 * u32::from(blue);
    brightness > 170_000
}
