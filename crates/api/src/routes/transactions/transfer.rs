//! `/api/transactions/{id}/transfer`: the person pairs two of their transactions as a transfer
//! between their own accounts, or unpairs one the sync made. Either choice is remembered, and
//! no later sync goes against it (`sync::transfers`).

use super::splits::changed;
use crate::auth::AuthUser;
use crate::db;
use crate::domain::transfers::{check_hand_pair, Refusal};
use crate::error::ApiError;
use crate::state::AppState;
use actix_web::web;
use tally_shared::api::transactions::{Transaction, TransferPairing};
use tally_shared::ids::TransactionId;
use tally_shared::{ApiError as ApiErrorBody, FieldError};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/transactions/{transaction_id}/transfer")
            .post(pair_transfer)
            .delete(unpair_transfer),
    );
}

#[utoipa::path(post, path = "/api/transactions/{transaction_id}/transfer", tag = "banking",
    request_body = TransferPairing,
    params(("transaction_id" = String, Path, description = "The transaction's id")),
    responses((status = 200, description = "The transaction, paired with `other_id` by hand (also when the two were already paired); no sync unpairs them. Both are left out of spending and income", body = Transaction),
              (status = 404, description = "No such transaction of mine, or `other_id` is none of mine", body = ApiErrorBody),
              (status = 409, description = "One of the two is already paired with a third transaction: unpair it first", body = ApiErrorBody),
              (status = 422, description = "Not two sides of one transfer (`other_id` says why): the same transaction or account, different currencies, amounts of the same sign, or a pending transaction", body = ApiErrorBody),
              (status = 401, body = ApiErrorBody)))]
#[tracing::instrument(name = "pair transfer", skip_all, fields(user_id = %user.user_id))]
async fn pair_transfer(
    state: web::Data<AppState>,
    user: AuthUser,
    transaction_id: web::Path<TransactionId>,
    body: web::Json<TransferPairing>,
) -> Result<web::Json<Transaction>, ApiError> {
    let transaction_id = transaction_id.into_inner();
    let other_id = body.other_id;
    let mut tx = state.db.begin().await?;
    db::transfers::lock(&mut tx, user.user_id).await?;
    let (one, other) =
        match db::transfers::sides(&mut tx, user.user_id, transaction_id, other_id).await? {
            (None, _) => return Err(ApiError::NotFound),
            (Some(_), None) => {
                return Err(ApiError::Missing(format!(
                    "There is no transaction {other_id} to pair with."
                )))
            }
            (Some(one), Some(other)) => (one, other),
        };
    check_hand_pair(&one, &other).map_err(|refusal| match refusal {
        Refusal::Invalid(message) => ApiError::Validation(vec![FieldError {
            field: "other_id".into(),
            message,
        }]),
        Refusal::Taken(message) => ApiError::Conflict(message),
    })?;
    db::transfers::choose_by_hand(&mut tx, user.user_id, transaction_id, other_id, true).await?;
    let paired = changed(&mut tx, user.user_id, transaction_id).await?;
    tx.commit().await?;
    tracing::info!(%transaction_id, %other_id, "transfer paired by hand");
    Ok(web::Json(paired))
}

#[utoipa::path(delete, path = "/api/transactions/{transaction_id}/transfer", tag = "banking",
    params(("transaction_id" = String, Path, description = "The transaction's id")),
    responses((status = 200, description = "The transaction, unpaired (also when it was not paired); its former partner too. No sync pairs either of them again; they can be paired by hand", body = Transaction),
              (status = 404, description = "No such transaction of mine", body = ApiErrorBody),
              (status = 401, body = ApiErrorBody)))]
#[tracing::instrument(name = "unpair transfer", skip_all, fields(user_id = %user.user_id))]
async fn unpair_transfer(
    state: web::Data<AppState>,
    user: AuthUser,
    transaction_id: web::Path<TransactionId>,
) -> Result<web::Json<Transaction>, ApiError> {
    let transaction_id = transaction_id.into_inner();
    let mut tx = state.db.begin().await?;
    db::transfers::lock(&mut tx, user.user_id).await?;
    let partner = db::transfers::partner(&mut tx, user.user_id, transaction_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    if let Some(partner) = partner {
        db::transfers::choose_by_hand(&mut tx, user.user_id, transaction_id, partner, false)
            .await?;
        tracing::info!(%transaction_id, %partner, "transfer unpaired by hand");
    }
    let unpaired = changed(&mut tx, user.user_id, transaction_id).await?;
    tx.commit().await?;
    Ok(web::Json(unpaired))
}
