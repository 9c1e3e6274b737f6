//! Passkeys: `/api/account/passkeys` (the signed-in person's, registered and removed on
//! Settings) and `/api/session/passkey` (signing in with one alone).

use super::session::start_session;
use crate::auth::passkey::{self, PASSKEYS_PER_USER};
use crate::auth::AuthUser;
use crate::client_address;
use crate::db;
use crate::domain::PasskeyName;
use crate::error::ApiError;
use crate::state::AppState;
use actix_web::{web, HttpRequest, HttpResponse};
use tally_shared::api::passkeys::{
    FinishPasskeyCeremony, Passkey, PasskeyCeremony, PasskeyList, StartPasskeyRegistration,
};
use tally_shared::api::session::SessionResponse;
use tally_shared::ids::PasskeyId;
use tally_shared::{ApiError as ApiErrorBody, FieldError};

/// Failed passkey sign-ins are slowed per address as failed log-ins are, under a name no
/// account can have.
const SIGN_IN_LIMIT_NAME: &str = "passkey sign-in";

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/account/passkeys").get(list_passkeys))
        .service(web::resource("/account/passkeys/register/start").post(start_registration))
        .service(web::resource("/account/passkeys/register/finish").post(finish_registration))
        .service(web::resource("/account/passkeys/{passkey_id}").delete(delete_passkey))
        .service(web::resource("/session/passkey/start").post(start_sign_in))
        .service(web::resource("/session/passkey/finish").post(finish_sign_in));
}

#[utoipa::path(get, path = "/api/account/passkeys", tag = "account",
    responses((status = 200, description = "Your passkeys, oldest first", body = PasskeyList),
              (status = 401, body = ApiErrorBody)))]
#[tracing::instrument(name = "list passkeys", skip_all, fields(user_id = %user.user_id))]
async fn list_passkeys(
    state: web::Data<AppState>,
    user: AuthUser,
) -> Result<web::Json<PasskeyList>, ApiError> {
    let passkeys = db::passkeys::list_for_user(&state.db, user.user_id)
        .await?
        .into_iter()
        .map(|passkey| Passkey {
            id: passkey.passkey_id,
            name: passkey.name,
            created_at: passkey.created_at,
            last_used_at: passkey.last_used_at,
        })
        .collect();
    Ok(web::Json(PasskeyList {
        passkeys,
        limit: PASSKEYS_PER_USER,
    }))
}

#[utoipa::path(post, path = "/api/account/passkeys/register/start", tag = "account",
    request_body = StartPasskeyRegistration,
    responses((status = 200, description = "Options for `navigator.credentials.create()`, and the ceremony id to finish with (it lasts five minutes)", body = PasskeyCeremony),
              (status = 409, description = "You have the most passkeys one person may have, or one by that name; or PUBLIC_URL cannot host passkeys (an IP address)", body = ApiErrorBody),
              (status = 422, description = "The name is empty or longer than 100 characters (field `name`)", body = ApiErrorBody),
              (status = 401, body = ApiErrorBody)))]
/// Starts registering a passkey for the signed-in person.
#[tracing::instrument(name = "start passkey registration", skip_all, fields(user_id = %user.user_id))]
async fn start_registration(
    state: web::Data<AppState>,
    user: AuthUser,
    body: web::Json<StartPasskeyRegistration>,
) -> Result<web::Json<PasskeyCeremony>, ApiError> {
    let name = PasskeyName::parse(&body.name).map_err(|message| {
        ApiError::Validation(vec![FieldError {
            field: "name".to_owned(),
            message,
        }])
    })?;
    let ceremony = passkey::start_registration(&state, user.user_id, &user.username, &name).await?;
    Ok(web::Json(ceremony))
}

#[utoipa::path(post, path = "/api/account/passkeys/register/finish", tag = "account",
    request_body = FinishPasskeyCeremony,
    responses((status = 201, description = "The passkey is registered", body = Passkey),
              (status = 400, description = "The ceremony is unknown, used or expired, or the authenticator's answer does not check out (forged, for another site, the user not verified)", body = ApiErrorBody),
              (status = 409, description = "That authenticator's passkey is already registered, or the name or the cap was taken meanwhile", body = ApiErrorBody),
              (status = 401, body = ApiErrorBody)))]
/// Checks the authenticator's answer and keeps the new passkey.
#[tracing::instrument(name = "finish passkey registration", skip_all, fields(user_id = %user.user_id))]
async fn finish_registration(
    state: web::Data<AppState>,
    user: AuthUser,
    body: web::Json<FinishPasskeyCeremony>,
) -> Result<HttpResponse, ApiError> {
    let passkey = passkey::finish_registration(&state, user.user_id, body.into_inner()).await?;
    Ok(HttpResponse::Created().json(passkey))
}

#[utoipa::path(delete, path = "/api/account/passkeys/{passkey_id}", tag = "account",
    params(("passkey_id" = String, Path, description = "The passkey's id, from your list")),
    responses((status = 204, description = "Removed; it no longer signs anyone in"),
              (status = 404, description = "You have no passkey with that id", body = ApiErrorBody),
              (status = 401, body = ApiErrorBody)))]
#[tracing::instrument(name = "remove passkey", skip_all, fields(user_id = %user.user_id))]
async fn delete_passkey(
    state: web::Data<AppState>,
    user: AuthUser,
    passkey_id: web::Path<PasskeyId>,
) -> Result<HttpResponse, ApiError> {
    let passkey_id = passkey_id.into_inner();
    if !db::passkeys::delete(&state.db, user.user_id, passkey_id).await? {
        return Err(ApiError::NotFound);
    }
    tracing::info!(%passkey_id, "passkey removed");
    Ok(HttpResponse::NoContent().finish())
}

#[utoipa::path(post, path = "/api/session/passkey/start", tag = "session",
    responses((status = 200, description = "Options for `navigator.credentials.get()` (any of this site's passkeys, user verification required), and the ceremony id to finish with (it lasts five minutes)", body = PasskeyCeremony),
              (status = 409, description = "PUBLIC_URL cannot host passkeys (an IP address)", body = ApiErrorBody),
              (status = 429, description = "Too many sign-ins started from this address", body = ApiErrorBody)))]
/// Starts a sign-in with a passkey alone: no username, no password.
#[tracing::instrument(name = "start passkey sign-in", skip_all)]
async fn start_sign_in(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<web::Json<PasskeyCeremony>, ApiError> {
    state
        .auth_limits
        .start_passkey_sign_in(client_address::of(&req))?;
    Ok(web::Json(passkey::start_sign_in(&state).await?))
}

#[utoipa::path(post, path = "/api/session/passkey/finish", tag = "session",
    request_body = FinishPasskeyCeremony,
    responses((status = 200, description = "Signed in; sets the session cookie. A passkey is both factors, so no two-factor code is asked", body = SessionResponse),
              (status = 400, description = "The ceremony is unknown, used or expired, the passkey is not registered, or its answer does not check out", body = ApiErrorBody),
              (status = 429, description = "Too many failed sign-ins from this address", body = ApiErrorBody)))]
/// Checks the passkey's answer and signs its owner in, exactly as a password log-in does.
#[tracing::instrument(name = "finish passkey sign-in", skip_all)]
async fn finish_sign_in(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Json<FinishPasskeyCeremony>,
) -> Result<HttpResponse, ApiError> {
    let address = client_address::of(&req);
    state.auth_limits.log_in(address, SIGN_IN_LIMIT_NAME)?;
    let owner = passkey::finish_sign_in(&state, body.into_inner()).await?;
    state.auth_limits.logged_in(address, SIGN_IN_LIMIT_NAME);
    start_session(
        &state,
        &req,
        owner.user_id,
        &owner.username,
        owner.is_admin,
        HttpResponse::Ok(),
    )
    .await
}
