use super::{read_empty, read_json, send_json, ClientError};
use gloo_net::http::Request;
use tally_shared::api::session::{
    CurrentUser, DeleteAccountRequest, LoginRequest, LoginResponse, RegisterRequest,
    SessionResponse,
};

/// Who is logged in on this browser, or `None`.
pub async fn current_user() -> Result<Option<CurrentUser>, ClientError> {
    let response = Request::get("/api/session").send().await?;
    if response.status() == 401 {
        return Ok(None);
    }
    read_json::<SessionResponse>(response)
        .await
        .map(|session| Some(session.user))
}

/// Signed in, or (two-factor codes on) the challenge to finish with a code.
pub async fn log_in(username: String, password: String) -> Result<LoginResponse, ClientError> {
    let body = LoginRequest { username, password };
    send_json(Request::post("/api/session"), &body).await
}

pub async fn register(
    username: String,
    password: String,
    invite: Option<String>,
) -> Result<CurrentUser, ClientError> {
    let body = RegisterRequest {
        username,
        password,
        invite,
    };
    let session: SessionResponse = send_json(Request::post("/api/users"), &body).await?;
    // The server has an account now: the first sign-up is no longer open.
    super::config::forget();
    Ok(session.user)
}

/// Deletes the signed-in account; the server asks for the password again.
pub async fn delete_account(password: String) -> Result<(), ClientError> {
    let body = DeleteAccountRequest { password };
    read_empty(Request::delete("/api/users/me").json(&body)?.send().await?).await
}

pub async fn log_out() -> Result<(), ClientError> {
    let response = Request::delete("/api/session").send().await?;
    if response.ok() || response.status() == 401 {
        Ok(())
    } else {
        read_json::<()>(response).await
    }
}
