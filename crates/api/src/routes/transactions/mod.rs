//! `/api/transactions`: the user's transactions, filtered, newest first, a keyset page at a time;
//! and `/api/transactions/export.csv`, all of them that match, as a CSV download.
//!
//! Filtering by an account or item of another user is not an error: it simply matches nothing,
//! which says no more than an account of one's own without transactions would.

pub(super) mod edit;
pub(super) mod export;
pub(super) mod splits;
pub(super) mod transfer;

use crate::auth::AuthUser;
use crate::db;
use crate::db::transactions::TransactionRecord;
use crate::domain::TransactionParams;
use crate::error::ApiError;
use crate::state::AppState;
use actix_web::web;
use tally_shared::api::transactions::{Transaction, TransactionFilter, TransactionPage};
use tally_shared::ApiError as ApiErrorBody;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/transactions").get(list_transactions))
        .service(web::resource("/transactions/export.csv").get(export::export_csv))
        // After the export, whose path `{transaction_id}` would otherwise take.
        .configure(edit::configure)
        .configure(splits::configure)
        .configure(transfer::configure);
}

#[utoipa::path(get, path = "/api/transactions", tag = "banking", params(TransactionFilter),
    responses((status = 200, description = "One page, newest first", body = TransactionPage),
              (status = 422, description = "A filter, the cursor or the limit is invalid; `fields` names it", body = ApiErrorBody),
              (status = 401, body = ApiErrorBody)))]
#[tracing::instrument(name = "list transactions", skip_all, fields(user_id = %user.user_id))]
async fn list_transactions(
    state: web::Data<AppState>,
    user: AuthUser,
    params: web::Query<TransactionParams>,
) -> Result<web::Json<TransactionPage>, ApiError> {
    let (filters, page) = params.parse_page().map_err(ApiError::Validation)?;
    let (records, next) = db::transactions::page(&state.db, user.user_id, &filters, page).await?;
    Ok(web::Json(TransactionPage {
        transactions: records.into_iter().map(transaction).collect(),
        next_cursor: next.map(|cursor| cursor.encode()),
    }))
}

pub(super) fn transaction(record: TransactionRecord) -> Transaction {
    Transaction {
        id: record.transaction_id,
        account_id: record.account_id,
        item_id: record.item_id,
        account_name: record.account_name,
        amount: record.amount,
        currency: record.currency,
        date: record.date,
        authorized_date: record.authorized_date,
        name: record.name,
        merchant_name: record.merchant_name,
        logo_url: record.logo_url,
        website: record.website,
        payment_channel: record.payment_channel,
        category_primary: record.category_primary,
        category_detailed: record.category_detailed,
        pending: record.pending,
        category_id: record.category_id,
        category_name: record.category_name,
        display_name: record.display_name,
        notes: record.notes,
        tags: record.tags,
        hidden: record.hidden,
        needs_review: record.needs_review,
        splits: record.splits.0,
        transfer_pair_id: record.transfer_pair_id,
        transfer_account_name: record.transfer_account_name,
    }
}
