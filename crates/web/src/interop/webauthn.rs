//! Passkeys: the browser's `navigator.credentials.create/get`, through a small JS module
//! (`webauthn.js`) that turns WebAuthn's base64url JSON into the buffers the browser wants and
//! back. The rest of the app passes JSON through and sees [`PasskeyError`] when the browser or
//! the person says no.

use std::fmt;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/src/interop/webauthn.js")]
extern "C" {
    #[wasm_bindgen(js_name = passkeysSupported)]
    fn passkeys_supported() -> bool;

    #[wasm_bindgen(catch, js_name = createPasskey)]
    async fn create_passkey(options: &str) -> Result<JsValue, JsValue>;

    #[wasm_bindgen(catch, js_name = getPasskey)]
    async fn get_passkey(options: &str) -> Result<JsValue, JsValue>;
}

/// Why the browser gave no passkey answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PasskeyError {
    /// The person cancelled, or let the request time out (the browser does not say which).
    Cancelled,
    /// Registering: this authenticator already holds one of the person's passkeys.
    AlreadyRegistered,
    /// Something else went wrong; the browser's words.
    Failed(String),
}

impl fmt::Display for PasskeyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Cancelled => f.write_str("The passkey request was cancelled or timed out."),
            Self::AlreadyRegistered => {
                f.write_str("This device or security key already holds one of your passkeys.")
            }
            Self::Failed(detail) => write!(f, "The browser could not use a passkey ({detail})."),
        }
    }
}

/// Whether this browser can use passkeys at all.
pub fn supported() -> bool {
    passkeys_supported()
}

/// Asks the browser to make a passkey with the server's creation options (JSON); the new
/// credential, as JSON, for the server to check.
pub async fn create(options: &str) -> Result<serde_json::Value, PasskeyError> {
    answer(create_passkey(options).await)
}

/// Asks the browser for a passkey assertion with the server's request options (JSON).
pub async fn get(options: &str) -> Result<serde_json::Value, PasskeyError> {
    answer(get_passkey(options).await)
}

fn answer(result: Result<JsValue, JsValue>) -> Result<serde_json::Value, PasskeyError> {
    let json = result.map_err(refusal)?.as_string().unwrap_or_default();
    serde_json::from_str(&json).map_err(|error| PasskeyError::Failed(error.to_string()))
}

/// A `DOMException` (or anything else thrown) as a [`PasskeyError`].
fn refusal(thrown: JsValue) -> PasskeyError {
    let field = |name: &str| {
        js_sys::Reflect::get(&thrown, &JsValue::from_str(name))
            .ok()
            .and_then(|value| value.as_string())
    };
    match field("name").as_deref() {
        Some("NotAllowedError" | "AbortError") => PasskeyError::Cancelled,
        Some("InvalidStateError") => PasskeyError::AlreadyRegistered,
        _ => PasskeyError::Failed(
            field("message")
                .or_else(|| thrown.as_string())
                .unwrap_or_else(|| "no reason given".to_owned()),
        ),
    }
}
