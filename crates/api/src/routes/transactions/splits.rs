//! `/api/transactions/{id}/splits`: one transaction divided into parts, each counted under its
//! own category. A split replaces any earlier one whole; a sync that changes the amount under it
//! removes it (`db::splits::drop_unbalanced`).

use super::transaction;
use crate::auth::AuthUser;
use crate::db;
use crate::domain::SplitParts;
use crate::error::ApiError;
use crate::state::AppState;
use crate::ws::EventHub;
use actix_web::web;
use sqlx::PgConnection;
use tally_shared::api::transactions::{Split, Transaction};
use tally_shared::ids::{TransactionId, UserId};
use tally_shared::ws::ServerEvent;
use tally_shared::ApiError as ApiErrorBody;
use uuid::Uuid;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/transactions/{transaction_id}/splits")
            .put(split_transaction)
            .delete(unsplit_transaction),
    );
}

#[utoipa::path(put, path = "/api/transactions/{transaction_id}/splits", tag = "banking",
    request_body = Vec<Split>,
    params(("transaction_id" = String, Path, description = "The transaction's id")),
    responses((status = 200, description = "The transaction with its new split; `needs_review` is cleared", body = Transaction),
              (status = 404, description = "No such transaction of mine, or a part's `category_id` is no category I see", body = ApiErrorBody),
              (status = 422, description = "Every invalid field, at once: fewer than 2 or more than 20 parts or parts that do not add up to the amount exactly (`splits`, saying what remains), a zero amount (`splits[i].amount`), notes over 2,000 characters (`splits[i].notes`)", body = ApiErrorBody),
              (status = 401, body = ApiErrorBody)))]
#[tracing::instrument(name = "split transaction", skip_all, fields(user_id = %user.user_id))]
async fn split_transaction(
    state: web::Data<AppState>,
    user: AuthUser,
    transaction_id: web::Path<TransactionId>,
    body: web::Json<Vec<Split>>,
) -> Result<web::Json<Transaction>, ApiError> {
    let transaction_id = transaction_id.into_inner();
    let mut tx = state.db.begin().await?;
    let amount = db::splits::lock_amount(&mut tx, user.user_id, transaction_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let parts = SplitParts::parse(body.into_inner(), amount).map_err(ApiError::Validation)?;
    let categories: Vec<Uuid> = parts.parts().iter().map(|p| p.category_id.0).collect();
    let unseen = db::splits::unseen_categories(&mut *tx, user.user_id, &categories).await?;
    if let Some(category_id) = unseen.first() {
        return Err(ApiError::Missing(format!(
            "There is no category {category_id} to put a part in."
        )));
    }
    db::splits::replace(&mut tx, user.user_id, transaction_id, parts.parts()).await?;
    let split = changed(&mut tx, user.user_id, transaction_id).await?;
    tx.commit().await?;
    tracing::info!(%transaction_id, parts = split.splits.len(), "transaction split");
    crate::budgets::check_alerts(&state, user.user_id).await;
    Ok(web::Json(split))
}

#[utoipa::path(delete, path = "/api/transactions/{transaction_id}/splits", tag = "banking",
    params(("transaction_id" = String, Path, description = "The transaction's id")),
    responses((status = 200, description = "The transaction, whole again (also when it was not split); `needs_review` is cleared", body = Transaction),
              (status = 404, description = "No such transaction of mine", body = ApiErrorBody),
              (status = 401, body = ApiErrorBody)))]
#[tracing::instrument(name = "unsplit transaction", skip_all, fields(user_id = %user.user_id))]
async fn unsplit_transaction(
    state: web::Data<AppState>,
    user: AuthUser,
    transaction_id: web::Path<TransactionId>,
) -> Result<web::Json<Transaction>, ApiError> {
    let transaction_id = transaction_id.into_inner();
    let mut tx = state.db.begin().await?;
    db::splits::lock_amount(&mut tx, user.user_id, transaction_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    db::splits::remove(&mut tx, user.user_id, transaction_id).await?;
    let whole = changed(&mut tx, user.user_id, transaction_id).await?;
    tx.commit().await?;
    tracing::info!(%transaction_id, "transaction split removed");
    crate::budgets::check_alerts(&state, user.user_id).await;
    Ok(web::Json(whole))
}

/// The transaction as it is after a change, announced to the person's other tabs at the commit.
pub(super) async fn changed(
    tx: &mut PgConnection,
    user_id: UserId,
    transaction_id: TransactionId,
) -> Result<Transaction, ApiError> {
    EventHub::publish_with(&mut *tx, user_id, ServerEvent::TransactionsChanged)
        .await
        .map_err(|e| ApiError::Unexpected(e.into()))?;
    let record = db::transactions::one(&mut *tx, user_id, transaction_id)
        .await?
        .ok_or_else(|| {
            ApiError::Unexpected(anyhow::anyhow!("a transaction vanished in its own change"))
        })?;
    Ok(transaction(record))
}
