//! `/api/session`: log in, log out, and who is logged in.

use crate::auth::{device, password, session, sign_out, two_factor, AuthUser};
use crate::client_address;
use crate::db;
use crate::db::sessions::NewSession;
use crate::domain::{Password, Username};
use crate::error::ApiError;
use crate::state::AppState;
use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::Utc;
use secrecy::SecretString;
use tally_shared::api::session::{CurrentUser, LoginRequest, LoginResponse, SessionResponse};
use tally_shared::ids::UserId;
use tally_shared::{ApiError as ApiErrorBody, FieldError};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/session")
            .get(current)
            .post(log_in)
            .delete(log_out),
    );
}

#[utoipa::path(post, path = "/api/session", tag = "session", request_body = LoginRequest,
    responses((status = 200, description = "Logged in, with the session cookie; or, for a person with two-factor codes on, `{two_factor_required: true, challenge}` without a cookie: finish at `POST /api/session/two-factor`", body = LoginResponse),
              (status = 401, description = "Wrong username or password", body = ApiErrorBody),
              (status = 422, description = "A username or password longer than any account can have (32, 1,024 characters)", body = ApiErrorBody),
              (status = 429, description = "Too many attempts", body = ApiErrorBody)))]
#[tracing::instrument(name = "log in", skip_all)]
async fn log_in(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Json<LoginRequest>,
) -> Result<HttpResponse, ApiError> {
    let LoginRequest { username, password } = body.into_inner();
    refuse_overlong(&username, &password)?;
    let address = client_address::of(&req);
    state.auth_limits.log_in(address, &username)?;
    // Unknown users and wrong passwords get the same answer, after the same work.
    let user = db::users::by_username(&state.db, username.trim()).await?;
    let stored = user.as_ref().map(|u| u.password_hash.clone());
    let matches = password::verify(SecretString::from(password), stored).await?;
    let Some(user) = user.filter(|_| matches) else {
        tracing::info!("log-in refused");
        return Err(ApiError::WrongCredentials);
    };
    state.auth_limits.logged_in(address, &username);
    if two_factor::is_required(&state.db, user.user_id).await? {
        let mut conn = state.db.acquire().await?;
        let challenge = two_factor::challenge(&mut conn, user.user_id).await?;
        tracing::info!(user_id = %user.user_id, "password right; asking for a code");
        return Ok(HttpResponse::Ok().json(LoginResponse::TwoFactorRequired(challenge)));
    }
    tracing::info!(user_id = %user.user_id, "logged in");
    start_session(
        &state,
        &req,
        user.user_id,
        &user.username,
        user.is_admin,
        HttpResponse::Ok(),
    )
    .await
}

/// A name or password longer than any account can have is refused before it is hashed.
fn refuse_overlong(username: &str, password: &str) -> Result<(), ApiError> {
    let fields: Vec<FieldError> = [
        ("username", Username::within_limit(username)),
        ("password", Password::within_limit(password)),
    ]
    .into_iter()
    .filter_map(|(field, checked)| {
        checked.err().map(|message| FieldError {
            field: field.to_owned(),
            message,
        })
    })
    .collect();
    if fields.is_empty() {
        Ok(())
    } else {
        Err(ApiError::Validation(fields))
    }
}

/// Signs the user in on this browser: a new session row (with the browser and its address, for
/// the person's session list) and its cookie.
pub async fn start_session(
    state: &AppState,
    req: &HttpRequest,
    user_id: UserId,
    username: &str,
    is_admin: bool,
    mut response: actix_web::HttpResponseBuilder,
) -> Result<HttpResponse, ApiError> {
    let (token, hash) = session::new_token();
    let user_agent = req
        .headers()
        .get(header::USER_AGENT)
        .and_then(|value| value.to_str().ok())
        .map(device::shortened);
    let address = client_address::of(req).map(|address| address.to_string());
    let new = NewSession {
        user_id,
        token_hash: &hash,
        expires_at: session::expiry(Utc::now(), state.settings.auth.session_lifetime),
        user_agent,
        address: address.as_deref(),
    };
    db::sessions::insert(&state.db, &new).await?;
    Ok(response
        .cookie(session::cookie(token, secure_cookies(state)))
        .json(SessionResponse {
            user: CurrentUser {
                id: user_id,
                username: username.to_owned(),
                is_admin,
            },
        }))
}

#[utoipa::path(get, path = "/api/session", tag = "session",
    responses((status = 200, body = SessionResponse), (status = 401, body = ApiErrorBody)))]
#[tracing::instrument(name = "current session", skip_all)]
async fn current(user: AuthUser) -> web::Json<SessionResponse> {
    web::Json(SessionResponse {
        user: CurrentUser {
            id: user.user_id,
            username: user.username,
            is_admin: user.is_admin,
        },
    })
}

#[utoipa::path(delete, path = "/api/session", tag = "session",
    responses((status = 204, description = "Logged out; clears the cookie"), (status = 401, body = ApiErrorBody)))]
#[tracing::instrument(name = "log out", skip_all, fields(user_id = %user.user_id))]
async fn log_out(state: web::Data<AppState>, user: AuthUser) -> Result<HttpResponse, ApiError> {
    let mut tx = state.db.begin().await?;
    sign_out::one(&mut tx, user.user_id, user.session_id).await?;
    tx.commit().await?;
    Ok(HttpResponse::NoContent()
        .cookie(session::removal_cookie(secure_cookies(&state)))
        .finish())
}

/// Cookies are `Secure` when people reach Tally over https.
pub fn secure_cookies(state: &AppState) -> bool {
    state.settings.server.public_url.scheme() == "https"
}
