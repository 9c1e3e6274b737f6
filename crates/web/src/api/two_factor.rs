//! Two-factor codes: `/api/account/totp` and the second step of signing in.

use super::{get, post, read_empty, read_json, send_json, ClientError};
use gloo_net::http::Request;
use tally_shared::api::session::SessionResponse;
use tally_shared::api::two_factor::{
    ConfirmTotpRequest, PasswordAndCodeRequest, RecoveryCodes, TotpEnrolment, TwoFactorRequest,
    TwoFactorStatus,
};

pub async fn status() -> Result<TwoFactorStatus, ClientError> {
    get("/api/account/totp").await
}

/// A new secret for an authenticator app, with the server's QR code of it.
pub async fn start() -> Result<TotpEnrolment, ClientError> {
    post("/api/account/totp").await
}

/// Turns codes on with the app's current code; the ten recovery codes, shown once.
pub async fn confirm(code: String) -> Result<RecoveryCodes, ClientError> {
    let body = ConfirmTotpRequest { code };
    send_json(Request::post("/api/account/totp/confirm"), &body).await
}

pub async fn disable(password: String, code: String) -> Result<(), ClientError> {
    let body = PasswordAndCodeRequest { password, code };
    read_empty(
        Request::delete("/api/account/totp")
            .json(&body)?
            .send()
            .await?,
    )
    .await
}

/// Ten new recovery codes in place of the old ones, shown once.
pub async fn new_recovery_codes(
    password: String,
    code: String,
) -> Result<RecoveryCodes, ClientError> {
    let body = PasswordAndCodeRequest { password, code };
    send_json(Request::post("/api/account/totp/recovery-codes"), &body).await
}

/// Finishes a sign-in the password started, with a code or a recovery code.
pub async fn complete_sign_in(
    challenge: String,
    code: String,
) -> Result<SessionResponse, ClientError> {
    let body = TwoFactorRequest { challenge, code };
    let request = Request::post("/api/session/two-factor").json(&body)?;
    read_json(request.send().await?).await
}
