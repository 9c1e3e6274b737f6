//! `/api/users`: registering, and deleting one's own account.

use super::session::{secure_cookies, start_session};
use crate::auth::{password, session, sign_out, AuthUser};
use crate::client_address;
use crate::db;
use crate::db::invites::InviteState;
use crate::domain::{Password, Username};
use crate::error::ApiError;
use crate::items;
use crate::state::AppState;
use actix_web::{web, HttpRequest, HttpResponse};
use secrecy::SecretString;
use tally_shared::api::config::Registration;
use tally_shared::api::session::{DeleteAccountRequest, RegisterRequest, SessionResponse};
use tally_shared::ids::{InviteId, UserId};
use tally_shared::ApiError as ApiErrorBody;
use tally_shared::FieldError;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/users").post(register))
        .service(web::resource("/users/me").delete(delete_me));
}

#[utoipa::path(post, path = "/api/users", tag = "users", request_body = RegisterRequest,
    responses((status = 201, description = "Registered and logged in; the first account is the administrator", body = SessionResponse),
              (status = 403, description = "REGISTRATION=closed: this server takes no new accounts", body = ApiErrorBody),
              (status = 409, description = "Username taken", body = ApiErrorBody),
              (status = 422, description = "Invalid username or password, or (REGISTRATION=invite) a missing, unknown, used, revoked or expired invite: field `invite`", body = ApiErrorBody),
              (status = 429, description = "Too many registrations", body = ApiErrorBody)))]
#[tracing::instrument(name = "register", skip_all)]
async fn register(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Json<RegisterRequest>,
) -> Result<HttpResponse, ApiError> {
    let RegisterRequest {
        username,
        password,
        invite,
    } = body.into_inner();
    let username = Username::parse(&username);
    let password = Password::parse(SecretString::from(password));
    let (username, password) = match (username, password) {
        (Ok(username), Ok(password)) => (username, password),
        (username, password) => {
            let mut fields = Vec::new();
            if let Err(message) = username {
                fields.push(FieldError {
                    field: "username".into(),
                    message,
                });
            }
            if let Err(message) = password {
                fields.push(FieldError {
                    field: "password".into(),
                    message,
                });
            }
            return Err(ApiError::Validation(fields));
        }
    };
    state.auth_limits.register(client_address::of(&req))?;
    let registration = state.settings.auth.registration;
    // What can be refused without the lock is refused before the password is hashed (the slow
    // part); the transaction below decides again, under the lock.
    if db::users::any_exist(&state.db).await? {
        refuse_without_invite(registration, invite.as_deref())?;
    }

    let hash = password::hash(password.secret().clone()).await?;
    let mut tx = state.db.begin().await?;
    // Decided under the lock: of two first sign-ups, exactly one is the administrator, and the
    // other is judged as a second sign-up.
    db::users::lock_roles(&mut tx).await?;
    let first = !db::users::any_exist(&mut *tx).await?;
    let invite = if first {
        None
    } else {
        admission(&mut tx, registration, invite.as_deref()).await?
    };
    let user = match db::users::insert(&mut *tx, username.as_str(), &hash, first).await {
        Ok(user) => user,
        Err(error) if db::violated_constraint(&error) == Some("app_user_username_key") => {
            return Err(ApiError::Conflict("That username is taken.".to_owned()));
        }
        Err(error) => return Err(error.into()),
    };
    if let Some(invite_id) = invite {
        db::invites::mark_used(&mut *tx, invite_id, user.user_id).await?;
    }
    tx.commit().await?;
    tracing::info!(user_id = %user.user_id, admin = user.is_admin, invite = ?invite, "registered");
    start_session(
        &state,
        &req,
        user.user_id,
        &user.username,
        user.is_admin,
        HttpResponse::Created(),
    )
    .await
}

/// On a server that already has accounts: the refusal of a closed server, or of an invite-only
/// one to someone without an invite; `Ok` when the invite (if needed) remains to be checked.
fn refuse_without_invite(registration: Registration, invite: Option<&str>) -> Result<(), ApiError> {
    match registration {
        Registration::Open => Ok(()),
        Registration::Closed => Err(ApiError::Refused(
            "This server is not taking new accounts.".to_owned(),
        )),
        Registration::Invite if invite.is_some_and(|token| !token.trim().is_empty()) => Ok(()),
        Registration::Invite => Err(invite_refused(
            "Signing up here needs an invite: ask an administrator for one.",
        )),
    }
}

fn invite_refused(message: &str) -> ApiError {
    ApiError::Validation(vec![FieldError {
        field: "invite".into(),
        message: message.to_owned(),
    }])
}

/// Whether someone may sign up on a server that already has accounts: `Ok(Some(invite))` when
/// they come with a usable invite (locked until the transaction ends, so only one sign-up uses
/// it), `Ok(None)` when registration is open, and the reason otherwise.
async fn admission(
    tx: &mut sqlx::PgConnection,
    registration: Registration,
    invite: Option<&str>,
) -> Result<Option<InviteId>, ApiError> {
    refuse_without_invite(registration, invite)?;
    let Some(token) = invite
        .map(str::trim)
        .filter(|_| registration == Registration::Invite)
    else {
        return Ok(None);
    };
    match db::invites::find_for_use(tx, &session::token_hash(token)).await? {
        InviteState::Usable(invite_id) => Ok(Some(invite_id)),
        InviteState::Unknown => Err(invite_refused(
            "This invite is not valid: check the link, or ask an administrator for a new one.",
        )),
        InviteState::Used => Err(invite_refused(
            "This invite has already been used: ask an administrator for a new one.",
        )),
        InviteState::Revoked => Err(invite_refused(
            "This invite was revoked: ask an administrator for a new one.",
        )),
        InviteState::Expired => Err(invite_refused(
            "This invite has expired: ask an administrator for a new one.",
        )),
    }
}

#[utoipa::path(delete, path = "/api/users/me", tag = "users", request_body = DeleteAccountRequest,
    responses((status = 204, description = "Account and all its data deleted; its banks removed at Plaid first"),
              (status = 403, description = "Wrong password; nothing was deleted", body = ApiErrorBody),
              (status = 409, description = "You are the last administrator and others have accounts; nothing was deleted", body = ApiErrorBody),
              (status = 422, description = "No password given, or one longer than any can be; nothing was deleted", body = ApiErrorBody),
              (status = 503, description = "Plaid is not answering; nothing was deleted", body = ApiErrorBody),
              (status = 401, body = ApiErrorBody)))]
/// Deletes the account and everything of it, once the password is given again; every browser
/// signed in as it is signed out.
#[tracing::instrument(name = "delete account", skip_all, fields(user_id = %user.user_id))]
async fn delete_me(
    state: web::Data<AppState>,
    user: AuthUser,
    body: Option<web::Json<DeleteAccountRequest>>,
) -> Result<HttpResponse, ApiError> {
    // A missing or unreadable body is the same mistake as an empty password.
    let given = body
        .map(|body| body.into_inner().password)
        .filter(|password| !password.is_empty())
        .ok_or_else(|| {
            ApiError::Validation(vec![FieldError {
                field: "password".into(),
                message: "Enter your password to delete your account.".to_owned(),
            }])
        })?;
    Password::within_limit(&given).map_err(|message| {
        ApiError::Validation(vec![FieldError {
            field: "password".into(),
            message,
        }])
    })?;
    if !password::is_password_of(&state.db, user.user_id, given).await? {
        tracing::info!("account deletion refused: wrong password");
        return Err(ApiError::Refused(
            "That is not your password; your account was not deleted.".to_owned(),
        ));
    }
    // Asked before the banks go, so a refusal leaves everything as it was; asked again with the
    // delete, under the lock, so two administrators leaving at once cannot leave none.
    refuse_if_last_admin(&state, user.user_id).await?;
    // Banks are removed at Plaid first: if Plaid cannot be reached, nothing is deleted yet and
    // the person can try again, rather than leave their banks linked there.
    items::remove_all(&state, user.user_id).await?;
    let mut tx = state.db.begin().await?;
    db::users::lock_roles(&mut tx).await?;
    if db::users::is_last_admin_of_others(&mut *tx, user.user_id).await? {
        return Err(last_admin_leaving());
    }
    sign_out::everywhere(&mut tx, user.user_id).await?;
    db::users::delete(&mut *tx, user.user_id).await?;
    tx.commit().await?;
    tracing::info!("account deleted");
    Ok(HttpResponse::NoContent()
        .cookie(session::removal_cookie(secure_cookies(&state)))
        .finish())
}

async fn refuse_if_last_admin(state: &AppState, user_id: UserId) -> Result<(), ApiError> {
    let mut tx = state.db.begin().await?;
    db::users::lock_roles(&mut tx).await?;
    if db::users::is_last_admin_of_others(&mut *tx, user_id).await? {
        return Err(last_admin_leaving());
    }
    Ok(())
}

fn last_admin_leaving() -> ApiError {
    ApiError::Conflict(
        "You are the only administrator: make someone else an administrator before you delete \
         your account."
            .to_owned(),
    )
}
