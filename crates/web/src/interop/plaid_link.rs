//! Plaid Link: its script (Plaid's CDN, or the simulator's stand-in with the same API), one
//! handler per linking attempt, and its callbacks turned into Rust values.
//!
//! `LinkSession::create(..)?.run().await` opens Link and resolves once the person finishes
//! (`onSuccess`) or leaves (`onExit`); `onEvent` reaches a Rust callback as it happens. The
//! session owns the JS callbacks and calls `destroy()` before dropping them, so Link never calls
//! a closure that is gone.

use super::script;
use js_sys::{Array, Function, Object, Promise, Reflect, JSON};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use std::fmt;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

#[wasm_bindgen]
extern "C" {
    /// What `Plaid.create` returns: `{ open, exit, destroy }`.
    type Handler;

    #[wasm_bindgen(catch, js_namespace = Plaid, js_name = create)]
    fn plaid_create(config: &Object) -> Result<Handler, JsValue>;

    #[wasm_bindgen(catch, method)]
    fn open(this: &Handler) -> Result<(), JsValue>;

    #[wasm_bindgen(catch, method)]
    fn destroy(this: &Handler) -> Result<(), JsValue>;
}

/// Why Link could not be shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkError {
    /// The Link script at this URL did not load (offline, blocked, or the server is down).
    ScriptUnavailable(String),
    /// The script is there but refused to create or open Link.
    Failed(String),
}

impl fmt::Display for LinkError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::ScriptUnavailable(url) => write!(
                f,
                "The window for connecting banks could not be loaded from {url}. Check your connection and try again."
            ),
            Self::Failed(detail) => {
                write!(f, "The window for connecting banks did not open. ({detail})")
            }
        }
    }
}

/// A bank as Link's metadata names it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct LinkInstitution {
    pub institution_id: Option<String>,
    pub name: Option<String>,
}

/// A Plaid error as Link reports it. `display_message` is meant for people; the rest for support.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct LinkFailure {
    pub error_type: Option<String>,
    pub error_code: Option<String>,
    pub error_message: Option<String>,
    pub display_message: Option<String>,
}

/// `onSuccess(public_token, metadata)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkSuccess {
    pub public_token: String,
    pub institution: Option<LinkInstitution>,
    pub link_session_id: Option<String>,
}

/// `onExit(error, metadata)`: the person left Link, after an error or not.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct LinkExit {
    #[serde(skip)]
    pub error: Option<LinkFailure>,
    pub institution: Option<LinkInstitution>,
    /// Where the person was, e.g. `requires_credentials`.
    pub status: Option<String>,
    pub link_session_id: Option<String>,
    pub request_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkOutcome {
    Success(LinkSuccess),
    Exit(LinkExit),
}

/// `onEvent(eventName, metadata)`, e.g. `OPEN`, `SELECT_INSTITUTION`, `ERROR`, `HANDOFF`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct LinkEvent {
    #[serde(skip)]
    pub name: String,
    pub link_session_id: Option<String>,
    pub request_id: Option<String>,
    pub institution_id: Option<String>,
    pub institution_name: Option<String>,
    pub error_type: Option<String>,
    pub error_code: Option<String>,
    pub error_message: Option<String>,
    pub exit_status: Option<String>,
}

/// Loads the Link script from `url` unless `window.Plaid` is already there.
pub async fn load(url: &str) -> Result<(), LinkError> {
    script::load(url, plaid_is_defined).await.map_err(|error| {
        leptos::logging::warn!("cannot load {url}: {}", describe(&error));
        LinkError::ScriptUnavailable(url.to_owned())
    })
}

fn plaid_is_defined() -> bool {
    web_sys::window()
        .and_then(|window| Reflect::get(&window, &JsValue::from_str("Plaid")).ok())
        .filter(|plaid| plaid.is_object())
        .and_then(|plaid| Reflect::get(&plaid, &JsValue::from_str("create")).ok())
        .is_some_and(|create| create.is_function())
}

type Callback = Closure<dyn FnMut(JsValue, JsValue)>;

/// One Link handler and the callbacks it was given. Dropping it destroys the handler.
pub struct LinkSession {
    handler: Handler,
    /// Resolves with `[kind, first argument, second argument]` of `onSuccess` or `onExit`.
    finished: Promise,
    _callbacks: [Callback; 3],
}

impl LinkSession {
    /// `Plaid.create` with `token`; `received_redirect_uri` when coming back from a bank's OAuth
    /// page. The script must be loaded (see [`load`]).
    pub fn create(
        token: &str,
        received_redirect_uri: Option<&str>,
        on_event: impl Fn(LinkEvent) + 'static,
    ) -> Result<Self, LinkError> {
        let mut resolve = None;
        let finished = Promise::new(&mut |resolve_fn, _reject| resolve = Some(resolve_fn));
        let resolve: Rc<Function> = Rc::new(
            resolve.ok_or_else(|| LinkError::Failed("the promise gave no resolver".to_owned()))?,
        );
        let settle = |kind: &'static str| {
            let resolve = Rc::clone(&resolve);
            Callback::new(move |first: JsValue, second: JsValue| {
                let settled = Array::of3(&JsValue::from_str(kind), &first, &second);
                // A promise settles once; Link calling back twice changes nothing.
                let _ = resolve.call1(&JsValue::NULL, &settled);
            })
        };
        let on_success = settle("success");
        let on_exit = settle("exit");
        let on_event = Callback::new(move |name: JsValue, metadata: JsValue| {
            let mut event: LinkEvent = from_js(&metadata);
            event.name = name.as_string().unwrap_or_default();
            on_event(event);
        });

        let config = Object::new();
        let mut entries: Vec<(&str, JsValue)> = vec![
            ("token", JsValue::from_str(token)),
            ("onSuccess", on_success.as_ref().clone()),
            ("onExit", on_exit.as_ref().clone()),
            ("onEvent", on_event.as_ref().clone()),
        ];
        if let Some(uri) = received_redirect_uri {
            entries.push(("receivedRedirectUri", JsValue::from_str(uri)));
        }
        for (key, value) in entries {
            Reflect::set(&config, &JsValue::from_str(key), &value)
                .map_err(|error| LinkError::Failed(describe(&error)))?;
        }
        let handler = plaid_create(&config).map_err(|error| LinkError::Failed(describe(&error)))?;
        Ok(Self {
            handler,
            finished,
            _callbacks: [on_success, on_exit, on_event],
        })
    }

    /// Opens Link and waits until the person is done with it; Link is destroyed afterwards.
    pub async fn run(self) -> Result<LinkOutcome, LinkError> {
        self.handler
            .open()
            .map_err(|error| LinkError::Failed(describe(&error)))?;
        let settled = JsFuture::from(self.finished.clone())
            .await
            .map(|settled| Array::from(&settled))
            .map_err(|error| LinkError::Failed(describe(&error)))?;
        let (first, second) = (settled.get(1), settled.get(2));
        Ok(
            if settled.get(0).as_string().as_deref() == Some("success") {
                #[derive(Default, Deserialize)]
                #[serde(default)]
                struct SuccessMetadata {
                    institution: Option<LinkInstitution>,
                    link_session_id: Option<String>,
                }
                let metadata: SuccessMetadata = from_js(&second);
                LinkOutcome::Success(LinkSuccess {
                    public_token: first.as_string().unwrap_or_default(),
                    institution: metadata.institution,
                    link_session_id: metadata.link_session_id,
                })
            } else {
                let mut exit: LinkExit = from_js(&second);
                exit.error = (!first.is_null() && !first.is_undefined())
                    .then(|| from_js::<LinkFailure>(&first));
                LinkOutcome::Exit(exit)
            },
        )
    }
}

impl Drop for LinkSession {
    fn drop(&mut self) {
        // Destroyed first, Link calls none of the callbacks dropped right after.
        if let Err(error) = self.handler.destroy() {
            leptos::logging::warn!("Plaid Link would not be destroyed: {}", describe(&error));
        }
    }
}

/// A JS value read through JSON into `T`; whatever does not fit is left at its default.
fn from_js<T: DeserializeOwned + Default>(value: &JsValue) -> T {
    JSON::stringify(value)
        .ok()
        .and_then(|text| text.as_string())
        .and_then(|text| serde_json::from_str(&text).ok())
        .unwrap_or_default()
}

/// A thrown JS value as text: an `Error`'s message, a string, or its JSON.
fn describe(error: &JsValue) -> String {
    if let Some(error) = error.dyn_ref::<js_sys::Error>() {
        return String::from(error.message());
    }
    if let Some(text) = error.as_string() {
        return text;
    }
    JSON::stringify(error)
        .ok()
        .and_then(|text| text.as_string())
        .unwrap_or_else(|| "unknown error".to_owned())
}
