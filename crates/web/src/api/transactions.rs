use super::{read_json, ClientError};
use gloo_net::http::Request;
use tally_shared::api::transactions::{TransactionFilter, TransactionPage};

/// `GET /api/transactions`: one page of the transactions that match `filter`.
pub async fn list(filter: &TransactionFilter) -> Result<TransactionPage, ClientError> {
    let url = format!("/api/transactions?{}", query_string(filter));
    read_json(Request::get(&url).send().await?).await
}

/// The filter as the API's query string (`q=coffee&pending=true`), every value URI-encoded and
/// absent ones left out.
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
