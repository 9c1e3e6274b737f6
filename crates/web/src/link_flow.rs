//! Linking a bank, start to finish: a link token from the server, Plaid Link, then the server
//! again (`POST /api/items`, or `login-repaired` in update mode). Every Link callback is
//! recorded with `POST /api/link/events`. The link token waits in `sessionStorage` while Link
//! is open, so that a bank's OAuth page can send the person back to `/oauth-link` to finish.

use crate::api::{self, ClientError};
use crate::interop::plaid_link::{
    self, LinkError, LinkEvent, LinkExit, LinkFailure, LinkOutcome, LinkSession, LinkSuccess,
};
use futures_util::future::LocalBoxFuture;
use leptos::task::spawn_local;
use leptos::wasm_split::{wasm_split, SplitLoaderError};
use serde::{Deserialize, Serialize};
use std::fmt;
use tally_shared::api::items::{
    CreateItemRequest, Item, LinkEventKind, LinkEventRequest, LinkTokenRequest,
};
use tally_shared::ids::ItemId;

/// What Link is opened for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkMode {
    /// Link a bank not linked yet.
    New,
    /// Update mode: log in again to a linked bank.
    Update(ItemId),
}

impl LinkMode {
    fn item_id(self) -> Option<ItemId> {
        match self {
            Self::New => None,
            Self::Update(item_id) => Some(item_id),
        }
    }
}

/// How a link ended, when nothing went wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkFinished {
    /// A new bank, now syncing.
    Linked(Item),
    /// Update mode worked: the bank is good again.
    Repaired(Item),
    /// The person closed Link.
    Left,
}

/// Why a link did not finish, in words a person can act on.
#[derive(Debug, Clone)]
pub enum LinkFlowError {
    /// The server refused or could not be reached (a duplicate bank says so here).
    Server(ClientError),
    /// Link itself could not be shown.
    Link(LinkError),
    /// The bank or Plaid stopped the link; the text is for the person.
    Bank(String),
}

impl fmt::Display for LinkFlowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Server(error) => error.fmt(f),
            Self::Link(error) => error.fmt(f),
            Self::Bank(words) => f.write_str(words),
        }
    }
}

impl std::error::Error for LinkFlowError {}

impl From<ClientError> for LinkFlowError {
    fn from(error: ClientError) -> Self {
        Self::Server(error)
    }
}

impl From<SplitLoaderError> for LinkFlowError {
    fn from(error: SplitLoaderError) -> Self {
        Self::Server(error.into())
    }
}

impl From<LinkError> for LinkFlowError {
    fn from(error: LinkError) -> Self {
        Self::Link(error)
    }
}

/// Opens Link for `mode` and sees it through.
pub async fn link_bank(mode: LinkMode) -> Result<LinkFinished, LinkFlowError> {
    let request = LinkTokenRequest {
        item_id: mode.item_id(),
    };
    let token = api::link::create_link_token(request).await?;
    let pending = PendingLink {
        link_token: token.link_token,
        item_id: mode.item_id(),
    };
    pending.save();
    let result = run_link(pending, None).await;
    PendingLink::clear();
    result
}

/// Back from a bank's OAuth page at `redirect_uri` (`/oauth-link?oauth_state_id=…`): Link again
/// with the same token, and finish as [`link_bank`] would.
pub async fn resume_link(
    pending: PendingLink,
    redirect_uri: &str,
) -> Result<LinkFinished, LinkFlowError> {
    let result = run_link(pending, Some(redirect_uri.to_owned())).await;
    PendingLink::clear();
    result
}

/// Plaid Link's code is its own download (see `crate::lazy`), fetched the first time a person
/// links or repairs a bank.
#[wasm_split(
    link_flow,
    wasm_split_path = ::leptos::wasm_split,
    fallible,
    return_wrapper(let flow = _; { flow.await } -> Result<LinkFinished, LinkFlowError>)
)]
fn run_link(
    pending: PendingLink,
    redirect_uri: Option<String>,
) -> LocalBoxFuture<'static, Result<LinkFinished, LinkFlowError>> {
    Box::pin(link_through(pending, redirect_uri))
}

async fn link_through(
    pending: PendingLink,
    redirect_uri: Option<String>,
) -> Result<LinkFinished, LinkFlowError> {
    let config = api::config::get_config().await?;
    plaid_link::load(&config.link_script_url).await?;
    let session = LinkSession::create(&pending.link_token, redirect_uri.as_deref(), |event| {
        record(event_record(event));
    })?;
    match session.run().await? {
        LinkOutcome::Success(success) => {
            record(success_record(&success));
            finish(pending.item_id, success).await
        }
        LinkOutcome::Exit(exit) => {
            record(exit_record(&exit));
            match &exit.error {
                Some(failure) => Err(LinkFlowError::Bank(exit_words(&exit, failure))),
                None => Ok(LinkFinished::Left),
            }
        }
    }
}

/// Tells the server what Link connected.
async fn finish(
    item_id: Option<ItemId>,
    success: LinkSuccess,
) -> Result<LinkFinished, LinkFlowError> {
    if let Some(item_id) = item_id {
        return Ok(LinkFinished::Repaired(
            api::items::login_repaired(item_id).await?,
        ));
    }
    let institution = success.institution.unwrap_or_default();
    let Some(institution_id) = institution.institution_id else {
        return Err(LinkFlowError::Bank(
            "Link did not say which bank was connected. Please try again.".to_owned(),
        ));
    };
    let request = CreateItemRequest {
        public_token: success.public_token,
        institution_id,
        institution_name: institution.name,
    };
    Ok(LinkFinished::Linked(
        api::items::create_item(request).await?,
    ))
}

/// "Linking First Platypus Bank did not finish: the username or password was not correct."
fn exit_words(exit: &LinkExit, failure: &LinkFailure) -> String {
    let bank = exit
        .institution
        .as_ref()
        .and_then(|institution| institution.name.clone())
        .unwrap_or_else(|| "the bank".to_owned());
    format!("Linking {bank} did not finish. {}", failure_words(failure))
}

/// Plaid's own words for people when it gave some, else ours for the code, else its message.
fn failure_words(failure: &LinkFailure) -> String {
    if let Some(words) = failure
        .display_message
        .as_deref()
        .filter(|m| !m.trim().is_empty())
    {
        return words.to_owned();
    }
    let ours = match failure.error_code.as_deref().unwrap_or_default() {
        "INVALID_CREDENTIALS" => "The username or password was not correct.",
        "INVALID_MFA" => "The security code or answer was not correct.",
        "ITEM_LOCKED" => {
            "The bank locked this login after too many tries. Unlock it on the bank's website, then try again."
        }
        "USER_SETUP_REQUIRED" => {
            "The bank needs you to finish setting up your online banking on its website first."
        }
        "MFA_NOT_SUPPORTED" => "This bank asks for a kind of verification that cannot be used here.",
        "NO_ACCOUNTS" => "No accounts that can be shared were found at this bank.",
        "INSTITUTION_DOWN" | "INSTITUTION_NOT_RESPONDING" | "INSTITUTION_NOT_AVAILABLE" => {
            "The bank is not answering right now. Try again later."
        }
        "INVALID_LINK_TOKEN" => "The linking session ran out. Please start again.",
        "RATE_LIMIT_EXCEEDED" => "Too many tries in a short time. Wait a minute and try again.",
        "INSTITUTION_NOT_SUPPORTED" | "INSTITUTION_NO_LONGER_SUPPORTED" | "ITEM_NOT_SUPPORTED" => {
            "This bank cannot be linked."
        }
        "INTERNAL_SERVER_ERROR" | "PLANNED_MAINTENANCE" => {
            "Plaid, which connects to banks, had a problem. Try again later."
        }
        _ if failure.error_type.as_deref() == Some("OAUTH_ERROR") => {
            "The bank did not give permission to share your accounts."
        }
        _ => "",
    };
    if !ours.is_empty() {
        return ours.to_owned();
    }
    match failure
        .error_message
        .as_deref()
        .filter(|m| !m.trim().is_empty())
    {
        Some(message) => format!("The bank said: {message}"),
        None => "Please try again.".to_owned(),
    }
}

/// Sends a Link callback to the server for the record; losing one is not worth bothering anyone.
fn record(event: LinkEventRequest) {
    spawn_local(async move {
        if let Err(error) = api::link::record_link_event(&event).await {
            leptos::logging::warn!("a Link event was not recorded: {error}");
        }
    });
}

fn blank(kind: LinkEventKind) -> LinkEventRequest {
    LinkEventRequest {
        kind,
        event_name: None,
        link_session_id: None,
        request_id: None,
        status: None,
        error_type: None,
        error_code: None,
        error_message: None,
        institution_id: None,
        institution_name: None,
    }
}

/// The server keeps at most this many characters of each field.
const MAX_FIELD_CHARS: usize = 1_000;

fn clip(text: Option<String>) -> Option<String> {
    text.map(|text| text.chars().take(MAX_FIELD_CHARS).collect())
}

fn event_record(event: LinkEvent) -> LinkEventRequest {
    LinkEventRequest {
        event_name: clip(Some(event.name)),
        link_session_id: clip(event.link_session_id),
        request_id: clip(event.request_id),
        status: clip(event.exit_status),
        error_type: clip(event.error_type),
        error_code: clip(event.error_code),
        error_message: clip(event.error_message),
        institution_id: clip(event.institution_id),
        institution_name: clip(event.institution_name),
        ..blank(LinkEventKind::Event)
    }
}

fn success_record(success: &LinkSuccess) -> LinkEventRequest {
    let institution = success.institution.clone().unwrap_or_default();
    LinkEventRequest {
        link_session_id: clip(success.link_session_id.clone()),
        institution_id: clip(institution.institution_id),
        institution_name: clip(institution.name),
        ..blank(LinkEventKind::Success)
    }
}

fn exit_record(exit: &LinkExit) -> LinkEventRequest {
    let institution = exit.institution.clone().unwrap_or_default();
    let error = exit.error.clone().unwrap_or_default();
    LinkEventRequest {
        link_session_id: clip(exit.link_session_id.clone()),
        request_id: clip(exit.request_id.clone()),
        status: clip(exit.status.clone()),
        error_type: clip(error.error_type),
        error_code: clip(error.error_code),
        error_message: clip(error.error_message),
        institution_id: clip(institution.institution_id),
        institution_name: clip(institution.name),
        ..blank(LinkEventKind::Exit)
    }
}

/// A link waiting for the person to come back from their bank's OAuth page. It lives in
/// `sessionStorage`: this tab only, gone when the tab closes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingLink {
    link_token: String,
    item_id: Option<ItemId>,
}

const PENDING_KEY: &str = "tally.pending-link";

impl PendingLink {
    /// The link this tab left for a bank's OAuth page, if any.
    pub fn load() -> Option<Self> {
        let text = session_storage()?.get_item(PENDING_KEY).ok().flatten()?;
        serde_json::from_str(&text).ok()
    }

    fn save(&self) {
        let saved = serde_json::to_string(self).ok().and_then(|text| {
            session_storage().and_then(|storage| storage.set_item(PENDING_KEY, &text).ok())
        });
        if saved.is_none() {
            leptos::logging::warn!(
                "cannot keep the link token: coming back from OAuth will not work"
            );
        }
    }

    fn clear() {
        if let Some(storage) = session_storage() {
            let _ = storage.remove_item(PENDING_KEY);
        }
    }
}

fn session_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok().flatten()
}
