//! `/api/account/*`: the signed-in person's password and the browsers signed in as them.

use super::{delete, get, read_empty, ClientError};
use gloo_net::http::Request;
use tally_shared::api::account::{ActiveSessionList, ChangePasswordRequest};
use tally_shared::ids::SessionId;

/// Changes the password; every other browser signed in as this person is signed out.
pub async fn change_password(
    current_password: String,
    new_password: String,
) -> Result<(), ClientError> {
    let body = ChangePasswordRequest {
        current_password,
        new_password,
    };
    read_empty(
        Request::put("/api/account/password")
            .json(&body)?
            .send()
            .await?,
    )
    .await
}

pub async fn sessions() -> Result<ActiveSessionList, ClientError> {
    get("/api/account/sessions").await
}

pub async fn revoke_session(id: SessionId) -> Result<(), ClientError> {
    delete(&format!("/api/account/sessions/{id}")).await
}

/// Signs out every browser signed in as this person but this one.
pub async fn sign_out_others() -> Result<(), ClientError> {
    delete("/api/account/sessions").await
}
