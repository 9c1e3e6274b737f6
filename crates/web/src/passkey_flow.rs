//! A passkey ceremony, start to finish: the server's options, the browser's
//! `navigator.credentials`, then the server again with the answer.

use crate::api::{self, ClientError};
use crate::interop::webauthn::{self, PasskeyError};
use futures_util::future::LocalBoxFuture;
use leptos::wasm_split::{wasm_split, SplitLoaderError};
use std::fmt;
use tally_shared::api::passkeys::{FinishPasskeyCeremony, Passkey, PasskeyCeremony};
use tally_shared::api::session::CurrentUser;

/// Why a ceremony did not end in a passkey or a sign-in.
#[derive(Debug, Clone)]
pub enum PasskeyFlowError {
    /// The server refused or could not be reached.
    Server(ClientError),
    /// The browser or the person said no.
    Browser(PasskeyError),
}

impl PasskeyFlowError {
    /// The server's complaint about `field` of the request, for a form to show beside it.
    pub fn field_message(&self, field: &str) -> Option<String> {
        match self {
            Self::Server(error) => error.field_message(field),
            Self::Browser(_) => None,
        }
    }
}

impl fmt::Display for PasskeyFlowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Server(error) => error.fmt(f),
            Self::Browser(error) => error.fmt(f),
        }
    }
}

impl From<ClientError> for PasskeyFlowError {
    fn from(error: ClientError) -> Self {
        Self::Server(error)
    }
}

impl From<SplitLoaderError> for PasskeyFlowError {
    fn from(error: SplitLoaderError) -> Self {
        Self::Server(error.into())
    }
}

impl From<PasskeyError> for PasskeyFlowError {
    fn from(error: PasskeyError) -> Self {
        Self::Browser(error)
    }
}

/// The ceremony's answer, to send back.
fn finish(ceremony: &PasskeyCeremony, credential: serde_json::Value) -> FinishPasskeyCeremony {
    FinishPasskeyCeremony {
        ceremony: ceremony.ceremony,
        credential,
    }
}

/// Registers a new passkey named `name` for the signed-in person.
pub async fn register(name: String) -> Result<Passkey, PasskeyFlowError> {
    let ceremony = api::passkeys::start_registration(name).await?;
    let credential = webauthn::create(&ceremony.options.to_string()).await?;
    Ok(api::passkeys::finish_registration(&finish(&ceremony, credential)).await?)
}

/// Signs in with whichever of this site's passkeys the person picks. Its code is its own
/// download (see `crate::lazy`), fetched when the person asks for it.
#[wasm_split(
    passkey_sign_in,
    wasm_split_path = ::leptos::wasm_split,
    fallible,
    return_wrapper(let ceremony = _; { ceremony.await } -> Result<CurrentUser, PasskeyFlowError>)
)]
pub fn sign_in() -> LocalBoxFuture<'static, Result<CurrentUser, PasskeyFlowError>> {
    Box::pin(sign_in_now())
}

async fn sign_in_now() -> Result<CurrentUser, PasskeyFlowError> {
    let ceremony = api::passkeys::start_sign_in().await?;
    let credential = webauthn::get(&ceremony.options.to_string()).await?;
    Ok(api::passkeys::finish_sign_in(&finish(&ceremony, credential)).await?)
}
