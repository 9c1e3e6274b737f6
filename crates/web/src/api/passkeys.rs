//! `/api/account/passkeys/*` and `/api/session/passkey/*`: a person's passkeys, and signing in
//! with one.

use super::{delete, get, post, send_json, ClientError};
use gloo_net::http::Request;
use tally_shared::api::passkeys::{
    FinishPasskeyCeremony, Passkey, PasskeyCeremony, PasskeyList, StartPasskeyRegistration,
};
use tally_shared::api::session::{CurrentUser, SessionResponse};
use tally_shared::ids::PasskeyId;

pub async fn list() -> Result<PasskeyList, ClientError> {
    get("/api/account/passkeys").await
}

pub async fn start_registration(name: String) -> Result<PasskeyCeremony, ClientError> {
    send_json(
        Request::post("/api/account/passkeys/register/start"),
        &StartPasskeyRegistration { name },
    )
    .await
}

pub async fn finish_registration(finish: &FinishPasskeyCeremony) -> Result<Passkey, ClientError> {
    send_json(
        Request::post("/api/account/passkeys/register/finish"),
        finish,
    )
    .await
}

pub async fn remove(id: PasskeyId) -> Result<(), ClientError> {
    delete(&format!("/api/account/passkeys/{id}")).await
}

pub async fn start_sign_in() -> Result<PasskeyCeremony, ClientError> {
    post("/api/session/passkey/start").await
}

pub async fn finish_sign_in(finish: &FinishPasskeyCeremony) -> Result<CurrentUser, ClientError> {
    let session: SessionResponse =
        send_json(Request::post("/api/session/passkey/finish"), finish).await?;
    Ok(session.user)
}
