//! `GET` and `PATCH /api/transactions/{id}`: one transaction with Plaid's own values and who set
//! each field, and the person's edits to it.

use super::transaction;
use crate::auth::AuthUser;
use crate::db;
use crate::db::transaction_labels::LabelSources;
use crate::domain::LabelEdit;
use crate::error::ApiError;
use crate::state::AppState;
use crate::ws::EventHub;
use actix_web::web;
use sqlx::PgConnection;
use tally_shared::api::transactions::{
    FieldSource, FieldSources, PlaidLabels, TransactionDetail, TransactionEdit,
};
use tally_shared::ids::{TransactionId, UserId};
use tally_shared::ws::ServerEvent;
use tally_shared::ApiError as ApiErrorBody;

pub(super) fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/transactions/{transaction_id}")
            .get(get_transaction)
            .patch(edit_transaction),
    );
}

#[utoipa::path(get, path = "/api/transactions/{transaction_id}", tag = "banking",
    params(("transaction_id" = String, Path, description = "The transaction's id")),
    responses((status = 200, description = "The effective values, Plaid's own, and who set each field", body = TransactionDetail),
              (status = 404, description = "No such transaction of mine", body = ApiErrorBody),
              (status = 401, body = ApiErrorBody)))]
#[tracing::instrument(name = "get transaction", skip_all, fields(user_id = %user.user_id))]
pub(super) async fn get_transaction(
    state: web::Data<AppState>,
    user: AuthUser,
    transaction_id: web::Path<TransactionId>,
) -> Result<web::Json<TransactionDetail>, ApiError> {
    // One snapshot, so the values and their sources agree even while a sync commits.
    let mut tx = db::begin_consistent_read(&state.db).await?;
    let found = detail(&mut tx, user.user_id, transaction_id.into_inner()).await?;
    tx.commit().await?;
    Ok(web::Json(found))
}

#[utoipa::path(patch, path = "/api/transactions/{transaction_id}", tag = "banking",
    request_body = TransactionEdit,
    params(("transaction_id" = String, Path, description = "The transaction's id")),
    responses((status = 200, description = "The transaction as it is now; `needs_review` is cleared", body = TransactionDetail),
              (status = 404, description = "No such transaction of mine, or `category_id` is no category I see", body = ApiErrorBody),
              (status = 422, description = "Every invalid field, at once", body = ApiErrorBody),
              (status = 401, body = ApiErrorBody)))]
#[tracing::instrument(name = "edit transaction", skip_all, fields(user_id = %user.user_id))]
pub(super) async fn edit_transaction(
    state: web::Data<AppState>,
    user: AuthUser,
    transaction_id: web::Path<TransactionId>,
    body: web::Json<TransactionEdit>,
) -> Result<web::Json<TransactionDetail>, ApiError> {
    let transaction_id = transaction_id.into_inner();
    let edit = LabelEdit::parse(&body).map_err(ApiError::Validation)?;

    let mut tx = state.db.begin().await?;
    if let Some(Some(category_id)) = edit.category_id {
        // Held until the commit, so the category cannot be deleted under this edit.
        db::categories::lock(&mut tx, user.user_id).await?;
        if db::categories::find(&mut *tx, user.user_id, category_id)
            .await?
            .is_none()
        {
            return Err(ApiError::Missing("There is no such category.".to_owned()));
        }
    }
    if !db::transaction_labels::edit(&mut *tx, user.user_id, transaction_id, &edit).await? {
        return Err(ApiError::NotFound);
    }
    EventHub::publish_with(&mut *tx, user.user_id, ServerEvent::TransactionsChanged)
        .await
        .map_err(|e| ApiError::Unexpected(e.into()))?;
    let edited = detail(&mut tx, user.user_id, transaction_id).await?;
    tx.commit().await?;
    tracing::info!(%transaction_id, "transaction edited");
    crate::budgets::check_alerts(&state, user.user_id).await;
    Ok(web::Json(edited))
}

/// The transaction as `GET` shows it, or 404.
async fn detail(
    conn: &mut PgConnection,
    user_id: UserId,
    transaction_id: TransactionId,
) -> Result<TransactionDetail, ApiError> {
    let record = db::transactions::one(&mut *conn, user_id, transaction_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let sources = db::transaction_labels::sources(&mut *conn, user_id, transaction_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let fields = field_sources(&sources)?;
    Ok(TransactionDetail {
        transaction: transaction(record),
        plaid: PlaidLabels {
            category_id: sources.plaid_category_id,
            category_name: sources.plaid_category_name,
            name: sources.name,
            merchant_name: sources.merchant_name,
        },
        sources: fields,
    })
}

fn field_sources(sources: &LabelSources) -> Result<FieldSources, ApiError> {
    // The query writes only these three words; anything else is our bug.
    let source = |word: &str| match word {
        "user" => Ok(FieldSource::User),
        "rule" => Ok(FieldSource::Rule),
        "plaid" => Ok(FieldSource::Plaid),
        other => Err(ApiError::Unexpected(anyhow::anyhow!(
            "unknown field source {other:?}"
        ))),
    };
    Ok(FieldSources {
        category_id: source(&sources.category)?,
        display_name: source(&sources.display_name)?,
        notes: source(&sources.notes)?,
        tags: source(&sources.tags)?,
        hidden: source(&sources.hidden)?,
    })
}
