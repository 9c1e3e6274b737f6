//! `/api/users`: registering, and deleting one's own account.

use super::session::{client_address, secure_cookies, start_session};
use crate::auth::{password, session, AuthUser};
use crate::db;
use crate::domain::{Password, Username};
use crate::error::ApiError;
use crate::items;
use crate::state::AppState;
use actix_web::{web, HttpRequest, HttpResponse};
use secrecy::SecretString;
use tally_shared::api::session::{RegisterRequest, SessionResponse};
use tally_shared::ApiError as ApiErrorBody;
use tally_shared::FieldError;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/users").post(register))
        .service(web::resource("/users/me").delete(delete_me));
}

#[utoipa::path(post, path = "/api/users", tag = "users", request_body = RegisterRequest,
    responses((status = 201, description = "Registered and logged in", body = SessionResponse),
              (status = 409, description = "Username taken", body = ApiErrorBody),
              (status = 422, description = "Invalid username or password", body = ApiErrorBody),
              (status = 429, description = "Too many registrations", body = ApiErrorBody)))]
#[tracing::instrument(name = "register", skip_all)]
async fn register(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Json<RegisterRequest>,
) -> Result<HttpResponse, ApiError> {
    let RegisterRequest { username, password } = body.into_inner();
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
    state.auth_limits.register(client_address(&req))?;

    let hash = password::hash(password.secret().clone()).await?;
    let admin = state
        .settings
        .auth
        .admin_usernames
        .contains(&username.as_str().to_lowercase());
    let mut tx = state.db.begin().await?;
    let user = match db::users::insert(&mut tx, username.as_str(), &hash, admin).await {
        Ok(user) => user,
        Err(error) if db::violated_constraint(&error) == Some("app_user_username_key") => {
            return Err(ApiError::Conflict("That username is taken.".to_owned()));
        }
        Err(error) => return Err(error.into()),
    };
    tx.commit().await?;
    tracing::info!(user_id = %user.user_id, admin = user.is_admin, "registered");
    start_session(
        &state,
        user.user_id,
        &user.username,
        user.is_admin,
        HttpResponse::Created(),
    )
    .await
}

#[utoipa::path(delete, path = "/api/users/me", tag = "users",
    responses((status = 204, description = "Account and all its data deleted; its banks removed at Plaid first"),
              (status = 503, description = "Plaid is not answering; nothing was deleted", body = ApiErrorBody),
              (status = 401, body = ApiErrorBody)))]
/// Deletes the account and everything of it; every browser signed in as it is signed out.
#[tracing::instrument(name = "delete account", skip_all, fields(user_id = %user.user_id))]
async fn delete_me(state: web::Data<AppState>, user: AuthUser) -> Result<HttpResponse, ApiError> {
    // Banks are removed at Plaid first: if Plaid cannot be reached, nothing is deleted yet and
    // the person can try again, rather than leave their banks linked there.
    items::remove_all(&state, user.user_id).await?;
    db::users::delete(&state.db, user.user_id).await?;
    tracing::info!("account deleted");
    Ok(HttpResponse::NoContent()
        .cookie(session::removal_cookie(secure_cookies(&state)))
        .finish())
}
