//! The only code that talks HTTP: one async fn per endpoint, typed by `tally-shared`.

pub mod account;
pub mod accounts;
pub mod admin;
pub mod assets;
pub mod budgets;
pub mod categories;
pub mod config;
pub mod health;
pub mod insights;
pub mod institutions;
pub mod items;
pub mod link;
pub mod passkeys;
pub mod recurring;
pub mod rules;
pub mod session;
pub mod transactions;
pub mod two_factor;

use gloo_net::http::{Request, RequestBuilder, Response};
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::fmt;
use tally_shared::ApiError;

/// Why a call to the server did not produce what we asked for.
#[derive(Debug, Clone)]
pub enum ClientError {
    /// The server could not be reached.
    Network(String),
    /// The server answered with its error body.
    Api(ApiError),
    /// The server answered something we could not read.
    Decode(String),
}

impl fmt::Display for ClientError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Network(detail) => {
                write!(
                    f,
                    "Tally's server cannot be reached. Is it running? ({detail})"
                )
            }
            Self::Api(error) => f.write_str(&error.message),
            Self::Decode(detail) => {
                write!(
                    f,
                    "The server sent an answer this page cannot read ({detail})."
                )
            }
        }
    }
}

impl std::error::Error for ClientError {}

impl ClientError {
    /// The server's per-field complaints, for forms to show beside each field.
    pub fn field_message(&self, field: &str) -> Option<String> {
        match self {
            Self::Api(error) => error
                .fields
                .iter()
                .find(|f| f.field == field)
                .map(|f| f.message.clone()),
            _ => None,
        }
    }
}

impl ClientError {
    /// The server's complaints about `field` and its parts (`splits` covers `splits[1].amount`),
    /// or about every field when `field` is empty.
    pub fn messages_about(&self, field: &str) -> Vec<String> {
        match self {
            Self::Api(error) => error
                .fields
                .iter()
                .filter(|f| {
                    field.is_empty()
                        || f.field == field
                        || f.field.starts_with(&format!("{field}["))
                        || f.field.starts_with(&format!("{field}."))
                })
                .map(|f| f.message.clone())
                .collect(),
            _ => Vec::new(),
        }
    }
}

impl From<gloo_net::Error> for ClientError {
    fn from(error: gloo_net::Error) -> Self {
        match error {
            gloo_net::Error::SerdeError(e) => Self::Decode(e.to_string()),
            other => Self::Network(other.to_string()),
        }
    }
}

// The helpers below keep the await (and the state machine it compiles to) in functions that are
// not generic: only the parsing is per type. Generic async helpers copied the whole request
// future into every endpoint's `T`, which cost about 5% of the wasm.

/// The body of a successful response, or the error body as `ClientError::Api`.
async fn read_text(response: Response) -> Result<String, ClientError> {
    if response.ok() {
        return Ok(response.text().await?);
    }
    let status = response.status();
    let body = response.text().await.unwrap_or_default();
    match serde_json::from_str::<ApiError>(&body) {
        Ok(error) => Err(ClientError::Api(error)),
        Err(_) => Err(ClientError::Decode(format!(
            "HTTP {status} without an error body"
        ))),
    }
}

/// A successful answer's body as `T`.
fn decode<T: DeserializeOwned>(body: &str) -> Result<T, ClientError> {
    serde_json::from_str(body).map_err(|error| ClientError::Decode(error.to_string()))
}

/// Reads a successful response as `T`, or the error body as `ClientError::Api`.
async fn read_json<T: DeserializeOwned>(response: Response) -> Result<T, ClientError> {
    decode(&read_text(response).await?)
}

/// Reads an answer without a body (204), or the error body as `ClientError::Api`.
async fn read_empty(response: Response) -> Result<(), ClientError> {
    send_ignoring_answer(Ok(response)).await
}

/// `request` sent, and the body of its successful answer.
async fn send_text(request: Result<Request, gloo_net::Error>) -> Result<String, ClientError> {
    read_text(request?.send().await?).await
}

/// A success without looking at its body, or the error body as `ClientError::Api`.
async fn send_ignoring_answer(
    response: Result<Response, gloo_net::Error>,
) -> Result<(), ClientError> {
    let response = response?;
    if response.ok() {
        Ok(())
    } else {
        read_text(response).await.map(drop)
    }
}

/// Sends `body` as JSON and reads the answer as `T`.
async fn send_json<B: Serialize, T: DeserializeOwned>(
    request: RequestBuilder,
    body: &B,
) -> Result<T, ClientError> {
    decode(&send_text(request.json(body)).await?)
}

/// `GET url`, read as `T`.
async fn get<T: DeserializeOwned>(url: &str) -> Result<T, ClientError> {
    decode(&send_text(Request::get(url).build()).await?)
}

/// Sends `body` as JSON and reads a success without looking at its body (the caller reloads
/// what it shows), or the error body as `ClientError::Api`.
async fn send_json_ignoring_answer<B: Serialize>(
    request: RequestBuilder,
    body: &B,
) -> Result<(), ClientError> {
    send_request_ignoring_answer(request.json(body)).await
}

/// `request` sent; a success without looking at its body, or the error body.
async fn send_request_ignoring_answer(
    request: Result<Request, gloo_net::Error>,
) -> Result<(), ClientError> {
    let response = match request {
        Ok(request) => request.send().await,
        Err(error) => Err(error),
    };
    send_ignoring_answer(response).await
}

/// `POST url` without a body, read as `T`.
async fn post<T: DeserializeOwned>(url: &str) -> Result<T, ClientError> {
    decode(&send_text(Request::post(url).build()).await?)
}

/// `DELETE url`, answered without a body.
async fn delete(url: &str) -> Result<(), ClientError> {
    send_request_ignoring_answer(Request::delete(url).build()).await
}
