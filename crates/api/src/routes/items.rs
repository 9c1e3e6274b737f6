//! `/api/items`: the banks a person has linked — link one, list, look at, refresh, repair and
//! remove them. Every route answers 404 for an item that is not the caller's.

use crate::auth::AuthUser;
use crate::db;
use crate::db::items::{ItemSummary, PlaidItem};
use crate::db::sync_jobs::SyncReason;
use crate::domain::InstitutionId;
use crate::error::ApiError;
use crate::institutions;
use crate::items::{self, LinkError};
use crate::state::AppState;
use actix_web::{web, HttpResponse};
use secrecy::SecretString;
use tally_shared::api::config::PlaidMode;
use tally_shared::api::items::{CreateItemRequest, Item, ItemList, ItemStatus};
use tally_shared::ids::{ItemId, UserId};
use tally_shared::{ApiError as ApiErrorBody, FieldError};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/items").get(list_items).post(create_item))
        .service(
            web::resource("/items/{item_id}")
                .get(get_item)
                .delete(delete_item),
        )
        .service(web::resource("/items/{item_id}/refresh").post(refresh_item))
        .service(web::resource("/items/{item_id}/login-repaired").post(login_repaired))
        .service(web::resource("/items/{item_id}/sandbox/reset-login").post(sandbox_reset_login));
}

/// The longest public token accepted (Plaid's are about 60 characters).
const MAX_PUBLIC_TOKEN_LEN: usize = 512;
const MAX_INSTITUTION_NAME_LEN: usize = 200;

#[utoipa::path(get, path = "/api/items", tag = "items",
    responses((status = 200, body = ItemList), (status = 401, body = ApiErrorBody)))]
#[tracing::instrument(name = "list items", skip_all, fields(user_id = %user.user_id))]
async fn list_items(
    state: web::Data<AppState>,
    user: AuthUser,
) -> Result<web::Json<ItemList>, ApiError> {
    let items = db::items::summaries(&state.db, user.user_id)
        .await?
        .into_iter()
        .map(item_dto)
        .collect();
    Ok(web::Json(ItemList { items }))
}

#[utoipa::path(post, path = "/api/items", tag = "items", request_body = CreateItemRequest,
    responses((status = 201, description = "Linked; the first sync is queued", body = Item),
              (status = 409, description = "`duplicate_item`: this bank is already linked", body = ApiErrorBody),
              (status = 422, body = ApiErrorBody), (status = 502, description = "Plaid refused the token", body = ApiErrorBody),
              (status = 401, body = ApiErrorBody)))]
#[tracing::instrument(name = "link a bank", skip_all, fields(user_id = %user.user_id))]
async fn create_item(
    state: web::Data<AppState>,
    user: AuthUser,
    body: web::Json<CreateItemRequest>,
) -> Result<HttpResponse, ApiError> {
    let CreateItemRequest {
        public_token,
        institution_id,
        institution_name,
    } = body.into_inner();
    let mut fields = Vec::new();
    let public_token = public_token.trim().to_owned();
    if public_token.is_empty() || public_token.len() > MAX_PUBLIC_TOKEN_LEN {
        fields.push(field(
            "public_token",
            "Link's public token is missing or malformed.",
        ));
    }
    let institution_id = InstitutionId::parse(&institution_id)
        .map_err(|message| fields.push(field("institution_id", &message)))
        .ok();
    let institution_name = institution_name
        .map(|name| name.trim().to_owned())
        .filter(|name| !name.is_empty());
    if institution_name
        .as_ref()
        .is_some_and(|name| name.chars().count() > MAX_INSTITUTION_NAME_LEN)
    {
        fields.push(field("institution_name", "The bank's name is too long."));
    }
    let (Some(institution_id), true) = (institution_id, fields.is_empty()) else {
        return Err(ApiError::Validation(fields));
    };
    let institution_name = match institution_name {
        Some(name) => name,
        None => bank_name(&state, &institution_id).await,
    };

    let public_token = SecretString::from(public_token);
    let item_id = items::link(
        &state,
        user.user_id,
        &public_token,
        institution_id.as_str(),
        &institution_name,
    )
    .await
    .map_err(|error| match error {
        LinkError::Duplicate { institution_name } => ApiError::DuplicateItem(format!(
            "{institution_name} is already linked. Use “Update login” on it if it needs attention."
        )),
        LinkError::Plaid(error) => error.into(),
        LinkError::Database(error) => error.into(),
        LinkError::Announce(error) => ApiError::Unexpected(error.into()),
    })?;
    let item = summary(&state, user.user_id, item_id).await?;
    Ok(HttpResponse::Created().json(item))
}

#[utoipa::path(get, path = "/api/items/{item_id}", tag = "items",
    params(("item_id" = String, Path, description = "The item's id")),
    responses((status = 200, body = Item), (status = 404, body = ApiErrorBody), (status = 401, body = ApiErrorBody)))]
#[tracing::instrument(name = "get item", skip_all, fields(user_id = %user.user_id))]
async fn get_item(
    state: web::Data<AppState>,
    user: AuthUser,
    item_id: web::Path<ItemId>,
) -> Result<web::Json<Item>, ApiError> {
    Ok(web::Json(summary(&state, user.user_id, *item_id).await?))
}

#[utoipa::path(delete, path = "/api/items/{item_id}", tag = "items",
    params(("item_id" = String, Path, description = "The item's id")),
    responses((status = 204, description = "Removed at Plaid and here, with all its data"),
              (status = 404, body = ApiErrorBody), (status = 503, description = "Plaid is not answering; nothing was removed", body = ApiErrorBody),
              (status = 401, body = ApiErrorBody)))]
#[tracing::instrument(name = "remove item", skip_all, fields(user_id = %user.user_id))]
async fn delete_item(
    state: web::Data<AppState>,
    user: AuthUser,
    item_id: web::Path<ItemId>,
) -> Result<HttpResponse, ApiError> {
    let item = owned(&state, user.user_id, *item_id).await?;
    items::remove(&state, &item).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[utoipa::path(post, path = "/api/items/{item_id}/refresh", tag = "items",
    params(("item_id" = String, Path, description = "The item's id")),
    responses((status = 202, description = "Plaid asked to check the bank; a sync is queued", body = Item),
              (status = 404, body = ApiErrorBody), (status = 409, description = "The bank wants a new log-in", body = ApiErrorBody),
              (status = 429, description = "This bank was refreshed 3 times in the last hour; see `Retry-After`", body = ApiErrorBody),
              (status = 401, body = ApiErrorBody)))]
#[tracing::instrument(name = "refresh item", skip_all, fields(user_id = %user.user_id))]
async fn refresh_item(
    state: web::Data<AppState>,
    user: AuthUser,
    item_id: web::Path<ItemId>,
) -> Result<HttpResponse, ApiError> {
    let item = owned(&state, user.user_id, *item_id).await?;
    // Plaid bills every refresh.
    state.quotas.refresh(item.item_id)?;
    let access = items::access(&state.cipher, &item)?;
    state.plaid.transactions_refresh(&access).await?;
    state
        .sync_queue
        .queue(&state.db, item.item_id, SyncReason::Refresh)
        .await?;
    Ok(HttpResponse::Accepted().json(summary(&state, user.user_id, item.item_id).await?))
}

#[utoipa::path(post, path = "/api/items/{item_id}/login-repaired", tag = "items",
    params(("item_id" = String, Path, description = "The item's id")),
    responses((status = 200, description = "Plaid confirms the item works again; a sync is queued", body = Item),
              (status = 409, description = "The bank still wants a new log-in", body = ApiErrorBody),
              (status = 404, body = ApiErrorBody), (status = 401, body = ApiErrorBody)))]
#[tracing::instrument(name = "login repaired", skip_all, fields(user_id = %user.user_id))]
async fn login_repaired(
    state: web::Data<AppState>,
    user: AuthUser,
    item_id: web::Path<ItemId>,
) -> Result<web::Json<Item>, ApiError> {
    let item = owned(&state, user.user_id, *item_id).await?;
    let access = items::access(&state.cipher, &item)?;
    let confirmed = state.plaid.item_get(&access).await?;
    if let Some(error) = &confirmed.item.error {
        tracing::info!(code = %error.error_code, "the item is still in error after update mode");
        return Err(ApiError::Conflict(
            "The bank still needs you to log in. Try “Update login” again.".to_owned(),
        ));
    }
    db::items::set_consent_expiry(
        &state.db,
        item.item_id,
        confirmed.item.consent_expiration_time,
    )
    .await?;
    items::set_status(&state, item.item_id, ItemStatus::Good, None).await?;
    state
        .sync_queue
        .queue(&state.db, item.item_id, SyncReason::Repair)
        .await?;
    Ok(web::Json(
        summary(&state, user.user_id, item.item_id).await?,
    ))
}

#[utoipa::path(post, path = "/api/items/{item_id}/sandbox/reset-login", tag = "items",
    params(("item_id" = String, Path, description = "The item's id")),
    responses((status = 200, description = "The item now needs a new log-in (simulator and sandbox only)", body = Item),
              (status = 404, description = "Unknown item, or production mode", body = ApiErrorBody),
              (status = 401, body = ApiErrorBody)))]
#[tracing::instrument(name = "sandbox reset login", skip_all, fields(user_id = %user.user_id))]
async fn sandbox_reset_login(
    state: web::Data<AppState>,
    user: AuthUser,
    item_id: web::Path<ItemId>,
) -> Result<web::Json<Item>, ApiError> {
    if state.settings.plaid.mode == PlaidMode::Production {
        return Err(ApiError::NotFound);
    }
    let item = owned(&state, user.user_id, *item_id).await?;
    let access = items::access(&state.cipher, &item)?;
    state.plaid.sandbox_item_reset_login(&access).await?;
    items::set_status(
        &state,
        item.item_id,
        ItemStatus::LoginRequired,
        Some("ITEM_LOGIN_REQUIRED"),
    )
    .await?;
    Ok(web::Json(
        summary(&state, user.user_id, item.item_id).await?,
    ))
}

async fn owned(state: &AppState, user_id: UserId, item_id: ItemId) -> Result<PlaidItem, ApiError> {
    db::items::owned(&state.db, user_id, item_id)
        .await?
        .ok_or(ApiError::NotFound)
}

async fn summary(state: &AppState, user_id: UserId, item_id: ItemId) -> Result<Item, ApiError> {
    db::items::summary(&state.db, user_id, item_id)
        .await?
        .map(item_dto)
        .ok_or(ApiError::NotFound)
}

/// The owner's view of an item.
fn item_dto(summary: ItemSummary) -> Item {
    Item {
        id: summary.item_id,
        institution_id: summary.institution_id,
        institution_name: summary.institution_name,
        status: ItemStatus::parse(&summary.status).unwrap_or(ItemStatus::Error),
        error_code: summary.error_code,
        last_synced_at: summary.last_synced_at,
        last_webhook_at: summary.last_webhook_at,
        consent_expires_at: summary.consent_expires_at,
        syncing: summary.syncing,
        account_count: summary.account_count,
        created_at: summary.created_at,
    }
}

/// The bank's name (kept, or from Plaid), when Link did not pass it on; its id if Plaid cannot say.
async fn bank_name(state: &AppState, institution_id: &InstitutionId) -> String {
    match institutions::lookup(state, institution_id).await {
        Ok(found) => found.name,
        Err(error) => {
            tracing::info!(%error, "no name for the institution");
            institution_id.as_str().to_owned()
        }
    }
}

fn field(name: &str, message: &str) -> FieldError {
    FieldError {
        field: name.to_owned(),
        message: message.to_owned(),
    }
}
