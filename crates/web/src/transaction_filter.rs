//! The transaction filter in the web app. Its query string is both the API's
//! (`/api/transactions?q=coffee&pending=true`, and the CSV export's) and the transactions page's
//! own address, so a reload or a shared link keeps the filters; it is written and read here
//! only, with each field's text form, which the filter form's inputs share.

use chrono::NaiveDate;
use leptos_router::params::ParamsMap;
use tally_shared::api::transactions::{HiddenFilter, TransactionFilter};

/// The filter as a query string (`q=coffee&pending=true`), every value URI-encoded and absent
/// ones left out.
pub fn query_string(filter: &TransactionFilter) -> String {
    let TransactionFilter {
        account_id,
        item_id,
        category,
        q,
        from,
        to,
        pending,
        min_amount,
        max_amount,
        category_id,
        tag,
        hidden,
        needs_review,
        cursor,
        limit,
    } = filter;
    let pairs = [
        ("q", q.clone()),
        ("account_id", account_id.map(|id| id.to_string())),
        ("item_id", item_id.map(|id| id.to_string())),
        ("category", category.clone()),
        ("from", from.map(|day| day.to_string())),
        ("to", to.map(|day| day.to_string())),
        ("pending", pending.map(|pending| pending.to_string())),
        ("min_amount", min_amount.clone()),
        ("max_amount", max_amount.clone()),
        ("category_id", category_id.map(|id| id.to_string())),
        ("tag", tag.clone()),
        (
            "hidden",
            hidden.map(|hidden| hidden_text(hidden).to_owned()),
        ),
        (
            "needs_review",
            needs_review.map(|review| review.to_string()),
        ),
        ("cursor", cursor.clone()),
        ("limit", limit.map(|limit| limit.to_string())),
    ];
    pairs
        .into_iter()
        .filter_map(|(name, value)| {
            let value = value.filter(|v| !v.is_empty())?;
            Some(format!(
                "{name}={}",
                String::from(js_sys::encode_uri_component(&value))
            ))
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// The filter an address asks for: what it narrows the list by, never a page of it. Values that
/// do not parse are left out, as if absent.
pub fn from_query(query: &ParamsMap) -> TransactionFilter {
    let text = |name: &str| {
        query
            .get(name)
            .map(|value| value.trim().to_owned())
            .filter(|value| !value.is_empty())
    };
    TransactionFilter {
        q: text("q"),
        account_id: text("account_id").and_then(|id| id.parse().ok()),
        item_id: text("item_id").and_then(|id| id.parse().ok()),
        category: text("category"),
        from: text("from").as_deref().and_then(day),
        to: text("to").as_deref().and_then(day),
        pending: text("pending").as_deref().and_then(pending),
        min_amount: text("min_amount"),
        max_amount: text("max_amount"),
        category_id: text("category_id").and_then(|id| id.parse().ok()),
        tag: text("tag"),
        hidden: text("hidden").as_deref().and_then(hidden),
        needs_review: text("needs_review").as_deref().and_then(pending),
        cursor: None,
        limit: None,
    }
}

/// What the filter narrows the list by, with its page (cursor and limit) left out.
pub fn criteria(filter: &TransactionFilter) -> TransactionFilter {
    TransactionFilter {
        cursor: None,
        limit: None,
        ..filter.clone()
    }
}

/// Whether the filter leaves any transaction out.
pub fn narrows(filter: &TransactionFilter) -> bool {
    criteria(filter) != TransactionFilter::default()
}

/// A day as `from` and `to` are written: `2026-11-03`.
pub fn day(text: &str) -> Option<NaiveDate> {
    crate::calendar::parse_day(text)
}

/// `pending` as written: `true` (pending only), `false` (posted only); anything else is both.
pub fn pending(text: &str) -> Option<bool> {
    match text {
        "true" => Some(true),
        "false" => Some(false),
        _ => None,
    }
}

/// `hidden` as written: `false` (not hidden, the API's default), `true` (hidden only), `all`.
pub fn hidden(text: &str) -> Option<HiddenFilter> {
    match text {
        "false" => Some(HiddenFilter::False),
        "true" => Some(HiddenFilter::True),
        "all" => Some(HiddenFilter::All),
        _ => None,
    }
}

fn hidden_text(filter: HiddenFilter) -> &'static str {
    match filter {
        HiddenFilter::False => "false",
        HiddenFilter::True => "true",
        HiddenFilter::All => "all",
    }
}
