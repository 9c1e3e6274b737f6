//! `/api/transactions`: the filtered list and its CSV export; one transaction, its edits and
//! its split.

use super::{delete, get, send_json, send_json_ignoring_answer, ClientError};
use crate::transaction_filter::{criteria, query_string};
use gloo_net::http::Request;
use tally_shared::api::transactions::{
    Split, TransactionDetail, TransactionEdit, TransactionFilter, TransactionPage, TransferPairing,
};
use tally_shared::ids::TransactionId;

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

/// One transaction: its effective values, Plaid's own, and who set each field.
pub async fn detail(id: TransactionId) -> Result<TransactionDetail, ClientError> {
    get(&format!("/api/transactions/{id}")).await
}

/// Changes what `edit` names; a `null` gives the field back to the rules and Plaid. A 422 names
/// each invalid field (`category_id`, `display_name`, `notes`, `tags`, `hidden`).
pub async fn edit(
    id: TransactionId,
    edit: &TransactionEdit,
) -> Result<TransactionDetail, ClientError> {
    send_json(Request::patch(&format!("/api/transactions/{id}")), edit).await
}

/// Splits the transaction into `parts` (replacing any split); a 422 unless they add up to its
/// amount exactly.
pub async fn split(id: TransactionId, parts: &[Split]) -> Result<(), ClientError> {
    send_json_ignoring_answer(
        Request::put(&format!("/api/transactions/{id}/splits")),
        &parts,
    )
    .await
}

/// Makes the transaction whole again.
pub async fn unsplit(id: TransactionId) -> Result<(), ClientError> {
    delete(&format!("/api/transactions/{id}/splits")).await
}

/// Pairs the transaction with `other_id` as the two sides of a transfer between the person's
/// accounts; a 422 says why they are not (`other_id`), a 409 that one is paired already.
pub async fn pair_transfer(id: TransactionId, other_id: TransactionId) -> Result<(), ClientError> {
    send_json_ignoring_answer(
        Request::post(&format!("/api/transactions/{id}/transfer")),
        &TransferPairing { other_id },
    )
    .await
}

/// Unpairs the transaction and its partner; no sync pairs them again.
pub async fn unpair_transfer(id: TransactionId) -> Result<(), ClientError> {
    delete(&format!("/api/transactions/{id}/transfer")).await
}
