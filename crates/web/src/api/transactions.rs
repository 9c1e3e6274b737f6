//! `/api/transactions`: the filtered list and its CSV export.

use super::{get, ClientError};
use crate::transaction_filter::{criteria, query_string};
use tally_shared::api::transactions::{TransactionFilter, TransactionPage};

/// `GET /api/transactions`: one page of the transactions that match `filter`.
pub async fn list(filter: &TransactionFilter) -> Result<TransactionPage, ClientError> {
    get(&format!("/api/transactions?{}", query_string(filter))).await
}

/// `GET /api/transactions/export.csv` for `filter` (its cursor and limit left out), for a link:
/// the browser downloads the file itself, with the session cookie.
pub fn export_url(filter: &TransactionFilter) -> String {
    format!(
        "/api/transactions/export.csv?{}",
        query_string(&criteria(filter))
    )
}
