//! Copying text to the clipboard (`navigator.clipboard.writeText`), which only secure pages
//! (https, or localhost) have, and which the browser may refuse.

use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(catch, js_namespace = ["navigator", "clipboard"], js_name = writeText)]
    fn write_text(text: &str) -> Result<js_sys::Promise, JsValue>;
}

/// Puts `text` on the clipboard; `false` if the browser has no clipboard here or refused.
pub async fn copy(text: &str) -> bool {
    match write_text(text) {
        Ok(promise) => JsFuture::from(promise).await.is_ok(),
        Err(_) => false,
    }
}
