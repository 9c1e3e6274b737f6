//! `/api/account`: the signed-in person's password, and the browsers signed in as them.

use super::session::secure_cookies;
use crate::auth::{device, password, session, sign_out, AuthUser};
use crate::client_address;
use crate::db;
use crate::domain::Password;
use crate::error::ApiError;
use crate::state::AppState;
use actix_web::{web, HttpRequest, HttpResponse};
use secrecy::SecretString;
use tally_shared::api::account::{ActiveSession, ActiveSessionList, ChangePasswordRequest};
use tally_shared::ids::SessionId;
use tally_shared::ApiError as ApiErrorBody;
use tally_shared::FieldError;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/account/password").put(change_password))
        .service(
            web::resource("/account/sessions")
                .get(list_sessions)
                .delete(sign_out_others),
        )
        .service(web::resource("/account/sessions/{session_id}").delete(revoke_session));
}

#[utoipa::path(put, path = "/api/account/password", tag = "account", request_body = ChangePasswordRequest,
    responses((status = 204, description = "Changed; every other browser signed in as you is signed out, this one stays"),
              (status = 403, description = "The current password is wrong; nothing was changed", body = ApiErrorBody),
              (status = 422, description = "The new password breaks a rule (field `new_password`), or no current password (field `current_password`)", body = ApiErrorBody),
              (status = 429, description = "Too many attempts, counted with log-in attempts", body = ApiErrorBody),
              (status = 401, body = ApiErrorBody)))]
/// Changes the password, given the current one; signs out every other session of the user.
#[tracing::instrument(name = "change password", skip_all, fields(user_id = %user.user_id))]
async fn change_password(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: AuthUser,
    body: web::Json<ChangePasswordRequest>,
) -> Result<HttpResponse, ApiError> {
    let ChangePasswordRequest {
        current_password,
        new_password,
    } = body.into_inner();
    let new_password = Password::parse(SecretString::from(new_password));
    let mut fields = Vec::new();
    if current_password.is_empty() {
        fields.push(FieldError {
            field: "current_password".into(),
            message: "Enter your current password.".to_owned(),
        });
    }
    if let Err(message) = &new_password {
        fields.push(FieldError {
            field: "new_password".into(),
            message: message.clone(),
        });
    }
    let (Ok(new_password), true) = (new_password, fields.is_empty()) else {
        return Err(ApiError::Validation(fields));
    };
    // Someone at a borrowed browser guessing the password is slowed as log-in guesses are.
    let address = client_address::of(&req);
    state.auth_limits.log_in(address, &user.username)?;
    if !password::is_password_of(&state.db, user.user_id, current_password).await? {
        tracing::info!("password change refused: wrong current password");
        return Err(ApiError::Refused(
            "That is not your current password; your password was not changed.".to_owned(),
        ));
    }
    state.auth_limits.logged_in(address, &user.username);
    let hash = password::hash(new_password.secret().clone()).await?;
    let mut tx = state.db.begin().await?;
    db::users::set_password_hash(&mut *tx, user.user_id, &hash).await?;
    let signed_out = sign_out::all_but(&mut tx, user.user_id, user.session_id).await?;
    tx.commit().await?;
    tracing::info!(other_sessions_signed_out = signed_out, "password changed");
    Ok(HttpResponse::NoContent().finish())
}

#[utoipa::path(get, path = "/api/account/sessions", tag = "account",
    responses((status = 200, description = "The browsers signed in as you: this one first, then the most recently used", body = ActiveSessionList),
              (status = 401, body = ApiErrorBody)))]
#[tracing::instrument(name = "list sessions", skip_all, fields(user_id = %user.user_id))]
async fn list_sessions(
    state: web::Data<AppState>,
    user: AuthUser,
) -> Result<web::Json<ActiveSessionList>, ApiError> {
    let oldest = session::oldest_live_start(state.settings.auth.session_lifetime);
    let mut sessions: Vec<ActiveSession> =
        db::sessions::list_for_user(&state.db, user.user_id, oldest)
            .await?
            .into_iter()
            .map(|record| ActiveSession {
                id: record.session_id,
                created_at: record.created_at,
                last_used_at: record.last_seen_at,
                device: device::describe(record.user_agent.as_deref()),
                address: record.address,
                current: record.session_id == user.session_id,
            })
            .collect();
    sessions.sort_by_key(|session| !session.current);
    Ok(web::Json(ActiveSessionList { sessions }))
}

#[utoipa::path(delete, path = "/api/account/sessions/{session_id}", tag = "account",
    params(("session_id" = String, Path, description = "The session's id, from the session list")),
    responses((status = 204, description = "Signed out, and its live-event sockets closed; revoking this browser's own session also clears its cookie"),
              (status = 404, description = "You have no session with that id", body = ApiErrorBody),
              (status = 401, body = ApiErrorBody)))]
#[tracing::instrument(name = "revoke session", skip_all, fields(user_id = %user.user_id))]
async fn revoke_session(
    state: web::Data<AppState>,
    user: AuthUser,
    session_id: web::Path<SessionId>,
) -> Result<HttpResponse, ApiError> {
    let session_id = session_id.into_inner();
    let mut tx = state.db.begin().await?;
    if !sign_out::one(&mut tx, user.user_id, session_id).await? {
        return Err(ApiError::NotFound);
    }
    tx.commit().await?;
    tracing::info!(%session_id, "session revoked");
    let mut response = HttpResponse::NoContent();
    if session_id == user.session_id {
        response.cookie(session::removal_cookie(secure_cookies(&state)));
    }
    Ok(response.finish())
}

#[utoipa::path(delete, path = "/api/account/sessions", tag = "account",
    responses((status = 204, description = "Every other browser signed in as you is signed out; this one stays"),
              (status = 401, body = ApiErrorBody)))]
#[tracing::instrument(name = "sign out everywhere else", skip_all, fields(user_id = %user.user_id))]
async fn sign_out_others(
    state: web::Data<AppState>,
    user: AuthUser,
) -> Result<HttpResponse, ApiError> {
    let mut tx = state.db.begin().await?;
    let signed_out = sign_out::all_but(&mut tx, user.user_id, user.session_id).await?;
    tx.commit().await?;
    tracing::info!(sessions = signed_out, "signed out everywhere else");
    Ok(HttpResponse::NoContent().finish())
}
