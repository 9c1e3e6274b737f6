//! Two-factor codes: `/api/account/totp` (enrol, confirm, turn off, new recovery codes) and
//! `/api/session/two-factor` (the second step of signing in).

use super::session::start_session;
use crate::auth::two_factor::{self, Accepted, MAX_FAILED_CODES};
use crate::auth::{password, recovery_codes, session, totp, AuthUser};
use crate::client_address;
use crate::db;
use crate::error::ApiError;
use crate::state::AppState;
use actix_web::{web, HttpRequest, HttpResponse};
use tally_shared::api::session::SessionResponse;
use tally_shared::api::two_factor::{
    ConfirmTotpRequest, PasswordAndCodeRequest, RecoveryCodes, TotpEnrolment, TwoFactorRequest,
    TwoFactorStatus,
};
use tally_shared::{ApiError as ApiErrorBody, FieldError};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/account/totp")
            .get(status)
            .post(start)
            .delete(disable),
    )
    .service(web::resource("/account/totp/confirm").post(confirm))
    .service(web::resource("/account/totp/recovery-codes").post(new_recovery_codes))
    .service(web::resource("/session/two-factor").post(complete_sign_in));
}

#[utoipa::path(get, path = "/api/account/totp", tag = "account",
    responses((status = 200, body = TwoFactorStatus), (status = 401, body = ApiErrorBody)))]
#[tracing::instrument(name = "two-factor status", skip_all, fields(user_id = %user.user_id))]
async fn status(
    state: web::Data<AppState>,
    user: AuthUser,
) -> Result<web::Json<TwoFactorStatus>, ApiError> {
    let enabled_at = db::two_factor::credential(&state.db, user.user_id)
        .await?
        .and_then(|credential| credential.enabled_at);
    let recovery_codes_left = match enabled_at {
        Some(_) => db::two_factor::recovery_codes_left(&state.db, user.user_id).await?,
        None => 0,
    };
    Ok(web::Json(TwoFactorStatus {
        totp_enabled: enabled_at.is_some(),
        enabled_at,
        recovery_codes_left,
    }))
}

#[utoipa::path(post, path = "/api/account/totp", tag = "account",
    responses((status = 200, description = "A new secret for an authenticator app (any earlier unconfirmed one is replaced); not in force until confirmed", body = TotpEnrolment),
              (status = 409, description = "Two-factor codes are already on", body = ApiErrorBody),
              (status = 401, body = ApiErrorBody)))]
/// Starts enrolling an authenticator app: the secret, its `otpauth://` address and that
/// address as a QR code.
#[tracing::instrument(name = "start two-factor enrolment", skip_all, fields(user_id = %user.user_id))]
async fn start(
    state: web::Data<AppState>,
    user: AuthUser,
) -> Result<web::Json<TotpEnrolment>, ApiError> {
    let secret = totp::TotpSecret::generate();
    let sealed = secret.seal(&state.cipher, user.user_id);
    if !db::two_factor::start_enrolment(&state.db, user.user_id, &sealed).await? {
        return Err(already_on());
    }
    // The app shows "Tally" and this account as "name@host", so two servers stay apart.
    let host = state.settings.server.public_url.host_str().unwrap_or("");
    let authenticator = secret.authenticator(&format!("{}@{host}", user.username))?;
    tracing::info!("two-factor enrolment started");
    Ok(web::Json(TotpEnrolment {
        secret: secret.base32().to_owned(),
        otpauth_uri: authenticator.uri()?,
        qr_svg: authenticator.qr_svg()?,
    }))
}

fn already_on() -> ApiError {
    ApiError::Conflict(
        "Two-factor codes are already on. Turn them off first to move to another app.".to_owned(),
    )
}

#[utoipa::path(post, path = "/api/account/totp/confirm", tag = "account", request_body = ConfirmTotpRequest,
    responses((status = 200, description = "Codes are on; the ten recovery codes, shown only now", body = RecoveryCodes),
              (status = 409, description = "No enrolment is waiting, or codes are already on", body = ApiErrorBody),
              (status = 422, description = "The code is not the app's current one (field `code`)", body = ApiErrorBody),
              (status = 401, body = ApiErrorBody)))]
/// Turns two-factor codes on with a code from the app just set up.
#[tracing::instrument(name = "confirm two-factor enrolment", skip_all, fields(user_id = %user.user_id))]
async fn confirm(
    state: web::Data<AppState>,
    user: AuthUser,
    body: web::Json<ConfirmTotpRequest>,
) -> Result<web::Json<RecoveryCodes>, ApiError> {
    let credential = match db::two_factor::credential(&state.db, user.user_id).await? {
        Some(credential) if credential.enabled_at.is_some() => return Err(already_on()),
        Some(credential) => credential,
        None => {
            return Err(ApiError::Conflict(
                "Start setting up two-factor codes first.".to_owned(),
            ))
        }
    };
    let secret = totp::TotpSecret::open(&state.cipher, user.user_id, &credential.secret)?;
    let Some(step) = secret
        .authenticator("")?
        .check(&body.code, totp::unix_now())
    else {
        return Err(wrong_code_field(
            "That is not the code your app shows now. Check the app's clock, and type the newest code.",
        ));
    };
    let codes = recovery_codes::generate();
    let hashes: Vec<Vec<u8>> = codes.iter().map(|(_, hash)| hash.clone()).collect();
    let mut tx = state.db.begin().await?;
    if !db::two_factor::enable(&mut *tx, user.user_id, step).await? {
        return Err(already_on());
    }
    db::two_factor::replace_recovery_codes(&mut tx, user.user_id, &hashes).await?;
    tx.commit().await?;
    tracing::info!("two-factor codes turned on");
    Ok(web::Json(RecoveryCodes {
        codes: codes.into_iter().map(|(code, _)| code).collect(),
    }))
}

fn wrong_code_field(message: &str) -> ApiError {
    ApiError::Validation(vec![FieldError {
        field: "code".into(),
        message: message.to_owned(),
    }])
}

#[utoipa::path(delete, path = "/api/account/totp", tag = "account", request_body = PasswordAndCodeRequest,
    responses((status = 204, description = "Codes are off, the recovery codes gone; sign-in asks only for the password"),
              (status = 403, description = "Wrong password, or a wrong or used code; nothing changed", body = ApiErrorBody),
              (status = 409, description = "Two-factor codes are not on", body = ApiErrorBody),
              (status = 422, description = "No password (field `password`) or no code (field `code`)", body = ApiErrorBody),
              (status = 429, description = "Too many attempts, counted with log-in attempts", body = ApiErrorBody),
              (status = 401, body = ApiErrorBody)))]
/// Turns two-factor codes off, given the password and a current code (or a recovery code).
#[tracing::instrument(name = "turn two-factor off", skip_all, fields(user_id = %user.user_id))]
async fn disable(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: AuthUser,
    body: web::Json<PasswordAndCodeRequest>,
) -> Result<HttpResponse, ApiError> {
    let mut checked = Checked::of(
        &state,
        &req,
        &user,
        body.into_inner(),
        "two-factor codes stay on",
    )
    .await?;
    db::two_factor::remove_all(&mut checked.tx, user.user_id).await?;
    checked.commit(&state, &user).await?;
    tracing::info!("two-factor codes turned off");
    Ok(HttpResponse::NoContent().finish())
}

#[utoipa::path(post, path = "/api/account/totp/recovery-codes", tag = "account", request_body = PasswordAndCodeRequest,
    responses((status = 200, description = "Ten new recovery codes, shown only now; the earlier ones no longer sign in", body = RecoveryCodes),
              (status = 403, description = "Wrong password, or a wrong or used code; the earlier codes stay", body = ApiErrorBody),
              (status = 409, description = "Two-factor codes are not on", body = ApiErrorBody),
              (status = 422, description = "No password (field `password`) or no code (field `code`)", body = ApiErrorBody),
              (status = 429, description = "Too many attempts, counted with log-in attempts", body = ApiErrorBody),
              (status = 401, body = ApiErrorBody)))]
/// Replaces the recovery codes with ten new ones (when they run low, or may have been seen),
/// given the password and a current code (or one of the recovery codes).
#[tracing::instrument(name = "new recovery codes", skip_all, fields(user_id = %user.user_id))]
async fn new_recovery_codes(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: AuthUser,
    body: web::Json<PasswordAndCodeRequest>,
) -> Result<web::Json<RecoveryCodes>, ApiError> {
    let mut checked = Checked::of(
        &state,
        &req,
        &user,
        body.into_inner(),
        "your recovery codes stay as they were",
    )
    .await?;
    let codes = recovery_codes::generate();
    let hashes: Vec<Vec<u8>> = codes.iter().map(|(_, hash)| hash.clone()).collect();
    db::two_factor::replace_recovery_codes(&mut checked.tx, user.user_id, &hashes).await?;
    checked.commit(&state, &user).await?;
    tracing::info!("recovery codes replaced");
    Ok(web::Json(RecoveryCodes {
        codes: codes.into_iter().map(|(code, _)| code).collect(),
    }))
}

/// A change to codes that are on, allowed by the password and a code: the code is taken (a
/// recovery code used up, an app's code not accepted again) in `tx`, which the change joins.
struct Checked {
    tx: sqlx::Transaction<'static, sqlx::Postgres>,
    address: Option<std::net::IpAddr>,
}

impl Checked {
    /// Checks the password and the code, slowed as log-in guesses are. `otherwise` ends each
    /// refusal: what stays as it was.
    async fn of(
        state: &AppState,
        req: &HttpRequest,
        user: &AuthUser,
        body: PasswordAndCodeRequest,
        otherwise: &str,
    ) -> Result<Self, ApiError> {
        let PasswordAndCodeRequest {
            password: given,
            code,
        } = body;
        let fields: Vec<FieldError> = [
            ("password", given.is_empty(), "Enter your password."),
            (
                "code",
                code.trim().is_empty(),
                "Enter a code from your app.",
            ),
        ]
        .into_iter()
        .filter(|(_, missing, _)| *missing)
        .map(|(field, _, message)| FieldError {
            field: field.into(),
            message: message.to_owned(),
        })
        .collect();
        if !fields.is_empty() {
            return Err(ApiError::Validation(fields));
        }
        if !two_factor::is_required(&state.db, user.user_id).await? {
            return Err(ApiError::Conflict(
                "Two-factor codes are not on.".to_owned(),
            ));
        }
        // Guesses at a borrowed browser are slowed as log-in guesses are.
        let address = client_address::of(req);
        state.auth_limits.log_in(address, &user.username)?;
        if !password::is_password_of(&state.db, user.user_id, given).await? {
            tracing::info!("refused: wrong password");
            return Err(ApiError::Refused(format!(
                "That is not your password; {otherwise}."
            )));
        }
        let mut tx = state.db.begin().await?;
        if two_factor::accept_code(&mut tx, &state.cipher, user.user_id, &code)
            .await?
            .is_none()
        {
            tracing::info!("refused: wrong code");
            return Err(ApiError::Refused(format!(
                "That code is not right (or was used already); {otherwise}."
            )));
        }
        Ok(Self { tx, address })
    }

    /// Commits the change; the attempts counted against the person start again.
    async fn commit(self, state: &AppState, user: &AuthUser) -> Result<(), ApiError> {
        self.tx.commit().await?;
        state.auth_limits.logged_in(self.address, &user.username);
        Ok(())
    }
}

#[utoipa::path(post, path = "/api/session/two-factor", tag = "session", request_body = TwoFactorRequest,
    responses((status = 200, description = "Signed in; sets the session cookie", body = SessionResponse),
              (status = 401, description = "A wrong or used code (after five, the challenge ends), or a challenge that has expired or was used", body = ApiErrorBody),
              (status = 429, description = "Too many attempts, counted with log-in attempts", body = ApiErrorBody)))]
/// Finishes a sign-in that `POST /api/session` answered with a challenge: a code from the
/// authenticator app, or one of the recovery codes (each works once).
#[tracing::instrument(name = "log in: second factor", skip_all)]
async fn complete_sign_in(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Json<TwoFactorRequest>,
) -> Result<HttpResponse, ApiError> {
    let TwoFactorRequest { challenge, code } = body.into_inner();
    let challenge_hash = session::token_hash(&challenge);
    let mut tx = state.db.begin().await?;
    let Some(pending) = db::two_factor::lock_challenge(&mut tx, &challenge_hash).await? else {
        return Err(ApiError::SignInRefused(
            "This sign-in has expired or is finished. Log in again.".to_owned(),
        ));
    };
    let address = client_address::of(&req);
    state.auth_limits.log_in(address, &pending.username)?;
    let Some(accepted) =
        two_factor::accept_code(&mut tx, &state.cipher, pending.user_id, &code).await?
    else {
        db::two_factor::fail_challenge(&mut tx, &challenge_hash, MAX_FAILED_CODES).await?;
        tx.commit().await?;
        tracing::info!(user_id = %pending.user_id, "log-in refused: wrong code");
        return Err(ApiError::SignInRefused(
            "That code is not right, or was used already. Type the newest code from your app, \
             or a recovery code."
                .to_owned(),
        ));
    };
    db::two_factor::delete_challenge(&mut *tx, &challenge_hash).await?;
    tx.commit().await?;
    state.auth_limits.logged_in(address, &pending.username);
    tracing::info!(user_id = %pending.user_id, recovery_code = accepted == Accepted::RecoveryCode, "logged in with a second factor");
    start_session(
        &state,
        &req,
        pending.user_id,
        &pending.username,
        pending.is_admin,
        HttpResponse::Ok(),
    )
    .await
}
