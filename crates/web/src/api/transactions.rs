use super::{read_json, ClientError};
use gloo_net::http::Request;
use tally_shared::api::accounts::AccountList;
use tally_shared::api::transactions::{TransactionFilter, TransactionPage};

/// `GET /api/transactions`: one page of the transactions that match `filter`.
pub async fn list(filter: &TransactionFilter) -> Result<TransactionPage, ClientError> {
    let url = format!("/api/transactions?{}", query_string(filter));
    read_json(Request::get(&url).send().await?).await
}

/// `GET /api/transactions/export.csv` for `filter` (its cursor and limit left out), for a link:
/// the browser downloads the file itself, with the session cookie.
pub fn export_url(filter: &TransactionFilter) -> String {
    let everything = TransactionFilter {
        cursor: None,
        limit: None,
        ..filter.clone()
    };
    format!("/api/transactions/export.csv?{}", query_string(&everything))
}

/// `GET /api/accounts`, for the account filter.
// The accounts endpoint's own module (`api/accounts.rs`) comes with the banks work; until they
// meet, the transaction filter asks for the list from here.
pub async fn filter_accounts() -> Result<AccountList, ClientError> {
    read_json(Request::get("/api/accounts").send().await?).await
}

/// The filter as the API's query string (`q=coffee&pending=true`), every value URI-encoded and
/// absent ones left out. The transactions page uses the same string for its own address.
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
