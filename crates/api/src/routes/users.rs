//! `/api/users`: registering, and deleting one's own account.

use super::session::{client_address, secure_cookies, start_session};
use crate::auth::{password, session, AuthUser};
use crate::db;
use crate::domain::{Password, Username};
use crate::error::ApiError;
use crate::state::AppState;
use actix_web::{web, HttpRequest, HttpResponse};
use secrecy::SecretString;
use tally_shared::api::session::RegisterRequest;
use tally_shared::FieldError;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/users").post(register))
        .service(web::resource("/users/me").delete(delete_me));
}

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

/// Deletes the account and everything of it; every browser signed in as it is signed out.
#[tracing::instrument(name = "delete account", skip_all, fields(user_id = %user.user_id))]
async fn delete_me(state: web::Data<AppState>, user: AuthUser) -> Result<HttpResponse, ApiError> {
    db::users::delete(&state.db, user.user_id).await?;
    tracing::info!("account deleted");
    Ok(HttpResponse::NoContent()
        .cookie(session::removal_cookie(secure_cookies(&state)))
        .finish())
}
