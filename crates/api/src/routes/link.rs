//! `/api/link/*`: tokens that open Plaid Link, and the record of what happened in it.

use crate::auth::AuthUser;
use crate::db;
use crate::error::ApiError;
use crate::items;
use crate::plaid::LinkTokenOptions;
use crate::state::AppState;
use actix_web::{web, HttpResponse};
use tally_shared::api::config::PlaidMode;
use tally_shared::api::items::{ItemStatus, LinkEventRequest, LinkTokenRequest, LinkTokenResponse};
use tally_shared::{ApiError as ApiErrorBody, FieldError};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/link/token").post(create_link_token))
        .service(web::resource("/link/events").post(record_link_event));
}

/// The longest text kept from a Link callback.
const MAX_EVENT_FIELD_LEN: usize = 1_000;

#[utoipa::path(post, path = "/api/link/token", tag = "link", request_body = LinkTokenRequest,
    responses((status = 200, body = LinkTokenResponse),
              (status = 404, description = "`item_id` is not one of mine", body = ApiErrorBody),
              (status = 429, description = "Too many link tokens in the last hour (30); see `Retry-After`", body = ApiErrorBody),
              (status = 502, body = ApiErrorBody), (status = 503, body = ApiErrorBody),
              (status = 401, body = ApiErrorBody)))]
/// A token for linking a new bank, or, with `item_id`, for update mode on that item (with
/// account selection when the bank has new accounts available).
#[tracing::instrument(name = "create link token", skip_all, fields(user_id = %user.user_id))]
async fn create_link_token(
    state: web::Data<AppState>,
    user: AuthUser,
    body: web::Json<LinkTokenRequest>,
) -> Result<web::Json<LinkTokenResponse>, ApiError> {
    state.quotas.link_token(user.user_id)?;
    let client_user_id = user.user_id.to_string();
    let webhook = webhook_url(&state);
    let options = LinkTokenOptions {
        client_user_id: &client_user_id,
        webhook: &webhook,
        redirect_uri: state.settings.plaid.redirect_uri.as_str(),
    };
    let created = match body.item_id {
        Some(item_id) => {
            let item = db::items::owned(&state.db, user.user_id, item_id)
                .await?
                .ok_or(ApiError::NotFound)?;
            let access = items::access(&state.cipher, &item)?;
            // After NEW_ACCOUNTS_AVAILABLE, Link lets the person choose the accounts to share.
            let account_selection = item.status == ItemStatus::NewAccountsAvailable.as_str();
            state
                .plaid
                .link_token_for_update(&access, &options, account_selection)
                .await?
        }
        None => state.plaid.link_token_for_new_item(&options).await?,
    };
    Ok(web::Json(LinkTokenResponse {
        link_token: created.link_token,
        expiration: created.expiration,
    }))
}

/// Where Plaid sends this app's webhooks: the app itself in simulator mode, else `PUBLIC_URL`.
fn webhook_url(state: &AppState) -> String {
    let base = match state.settings.plaid.mode {
        PlaidMode::Simulator => state.plaid.base_url(),
        PlaidMode::Sandbox | PlaidMode::Production => &state.settings.server.public_url,
    };
    base.join("/webhooks/plaid")
        .map_or_else(|_| base.to_string(), |url| url.to_string())
}

#[utoipa::path(post, path = "/api/link/events", tag = "link", request_body = LinkEventRequest,
    responses((status = 204, description = "Recorded"), (status = 422, body = ApiErrorBody),
              (status = 401, body = ApiErrorBody)))]
/// Records one of Link's callbacks, so that a failed link can be explained later.
#[tracing::instrument(name = "record link event", skip_all, fields(user_id = %user.user_id))]
async fn record_link_event(
    state: web::Data<AppState>,
    user: AuthUser,
    body: web::Json<LinkEventRequest>,
) -> Result<HttpResponse, ApiError> {
    let event = body.into_inner();
    let fields: Vec<FieldError> = [
        ("event_name", &event.event_name),
        ("link_session_id", &event.link_session_id),
        ("request_id", &event.request_id),
        ("status", &event.status),
        ("error_type", &event.error_type),
        ("error_code", &event.error_code),
        ("error_message", &event.error_message),
        ("institution_id", &event.institution_id),
        ("institution_name", &event.institution_name),
    ]
    .into_iter()
    .filter(|(_, value)| {
        value
            .as_ref()
            .is_some_and(|v| v.chars().count() > MAX_EVENT_FIELD_LEN)
    })
    .map(|(name, _)| FieldError {
        field: name.to_owned(),
        message: format!("At most {MAX_EVENT_FIELD_LEN} characters."),
    })
    .collect();
    if !fields.is_empty() {
        return Err(ApiError::Validation(fields));
    }
    db::events::insert_link_event(&state.db, user.user_id, &event).await?;
    tracing::info!(
        kind = event.kind.as_str(),
        event = event.event_name.as_deref().unwrap_or("-"),
        link_session_id = event.link_session_id.as_deref().unwrap_or("-"),
        error_code = event.error_code.as_deref().unwrap_or("-"),
        "Link event"
    );
    Ok(HttpResponse::NoContent().finish())
}
