//! Loading a third-party script (Plaid's Link) into the page: one `<script src>` in `<head>`,
//! awaited through its `load` event. No inline script and no `eval`, so the page's CSP holds.

use js_sys::Promise;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{AddEventListenerOptions, HtmlScriptElement};

/// Marks the element this module added, so that a second load finds it.
const MARKER: &str = "data-tally-script";

/// Appends `<script src=url>` to `<head>` and waits until it has run. A script from an earlier
/// attempt that did not define what was needed (`ready()` is false) is replaced, so a failed
/// load (offline, blocked) can be retried.
pub async fn load(url: &str, ready: impl Fn() -> bool) -> Result<(), JsValue> {
    if ready() {
        return Ok(());
    }
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or_else(|| JsValue::from_str("no document"))?;
    let head = document
        .head()
        .ok_or_else(|| JsValue::from_str("no <head>"))?;
    let selector = format!("script[{MARKER}]");
    if let Some(stale) = document.query_selector(&selector)? {
        stale.remove();
    }
    let script: HtmlScriptElement = document.create_element("script")?.dyn_into()?;
    script.set_attribute(MARKER, "")?;
    script.set_async(true);

    // The promise's own resolve/reject are the listeners: no Rust closure to keep alive.
    let mut listen = Ok(());
    let loaded = Promise::new(&mut |resolve, reject| {
        let once = AddEventListenerOptions::new();
        once.set_once(true);
        listen = script
            .add_event_listener_with_callback_and_add_event_listener_options(
                "load", &resolve, &once,
            )
            .and_then(|()| {
                script.add_event_listener_with_callback_and_add_event_listener_options(
                    "error", &reject, &once,
                )
            });
    });
    listen?;
    script.set_src(url);
    head.append_child(&script)?;
    JsFuture::from(loaded).await?;
    if ready() {
        Ok(())
    } else {
        Err(JsValue::from_str(
            "the script loaded but did not define what it should",
        ))
    }
}
