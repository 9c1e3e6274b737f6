//! Spending drawn: one horizontal SVG bar per category, longest for the largest, each opening to
//! its detailed categories; and the merchants most was spent at.

use crate::format;
use crate::routes::Page;
use crate::transaction_filter::query_string;
use chrono::NaiveDate;
use leptos::prelude::*;
use rust_decimal::Decimal;
use tally_shared::api::insights::{CategoryTotal, MerchantTotal};
use tally_shared::api::transactions::TransactionFilter;

/// Bars take their colour from a palette of this many (`.cat-0` … in the stylesheet).
const PALETTE_SIZE: usize = 8;

#[component]
pub fn CategoryBars(
    /// Largest first.
    categories: Vec<CategoryTotal>,
    /// All spending, of which each category is a share.
    total: Decimal,
    #[prop(into)] currency: String,
    from: NaiveDate,
    to: NaiveDate,
) -> impl IntoView {
    let largest = categories
        .iter()
        .map(|category| category.total)
        .max()
        .unwrap_or_default();
    let rows = categories
        .into_iter()
        .enumerate()
        .map(|(index, category)| {
            let name = category.name.clone();
            let width = bar_width(category.total, largest);
            let details = category
                .detailed
                .iter()
                .map(|detail| {
                    view! {
                        <li>
                            <span>{detail.name.clone()}</span>
                            <span class="bar-detail-value">
                                {format::money(detail.total, &currency)}
                                <span class="muted">{format!(" · {}", transactions(detail.transactions))}</span>
                            </span>
                        </li>
                    }
                })
                .collect_view();
            let see_all = Page::Transactions.with_query(&query_string(&TransactionFilter {
                category_id: Some(category.category_id),
                from: Some(from),
                to: Some(to),
                ..TransactionFilter::default()
            }));
            view! {
                <li class=format!("bar-row cat-{}", index % PALETTE_SIZE)>
                    <details>
                        <summary>
                            <span class="bar-name">{name.clone()}</span>
                            <span class="bar-value">
                                {format::money(category.total, &currency)}
                                <span class="bar-share">{format::percent(category.total, total)}</span>
                            </span>
                            <svg class="bar" viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true">
                                <rect class="bar-track" x="0" y="0" width="100" height="10" />
                                <rect class="bar-fill" x="0" y="0" width=width height="10" />
                            </svg>
                        </summary>
                        <div class="bar-details">
                            <ul>{details}</ul>
                            <a href=see_all>{format!("See the {} transactions", format::lower(&name))}</a>
                        </div>
                    </details>
                </li>
            }
        })
        .collect_view();
    view! {
        <div class="category-chart">
            <h3 class="subhead">"By category"</h3>
            <ul class="bars" aria-label="Spending by category, largest first">{rows}</ul>
        </div>
    }
}

#[component]
pub fn TopMerchants(
    merchants: Vec<MerchantTotal>,
    #[prop(into)] currency: String,
) -> impl IntoView {
    let rows = merchants
        .into_iter()
        .map(|merchant| {
            view! {
                <li>
                    <span class="merchant-name">{merchant.merchant}</span>
                    <span class="merchant-count muted">{transactions(merchant.transactions)}</span>
                    <span class="merchant-total">{format::money(merchant.total, &currency)}</span>
                </li>
            }
        })
        .collect_view();
    view! {
        <div class="top-merchants">
            <h3 class="subhead">"Top merchants"</h3>
            <ol class="merchants">{rows}</ol>
        </div>
    }
}

/// The bar's length, as a percentage of the largest one; at least a sliver, so that no
/// category is invisible.
fn bar_width(total: Decimal, largest: Decimal) -> String {
    if largest <= Decimal::ZERO {
        return "0".to_owned();
    }
    let width = (total * Decimal::ONE_HUNDRED / largest)
        .max(Decimal::ONE)
        .round_dp(2);
    width.normalize().to_string()
}

fn transactions(count: i64) -> String {
    if count == 1 {
        "1 transaction".to_owned()
    } else {
        format!("{count} transactions")
    }
}
