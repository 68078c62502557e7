//! The requests `index.html`'s start-up script makes while the module downloads
//! (`window.stopoverPreload`): `stopover.json`'s text, the texts of the person's language when
//! it is not English, and the form definition for the token's `form` (or `iss`) claim. Each is taken at most once; without the script (the browser tests
//! mount the app directly) or when its URL is not the one the page would ask for, the page
//! makes the request itself.

use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// The global the start-up script sets.
const GLOBAL: &str = "stopoverPreload";

/// `stopover.json` as the start-up script fetched it: `Some(Some(text))`, `Some(None)` when it
/// could not be loaded, `None` when there was no such request (fetch it yourself).
pub async fn take_config_text() -> Option<Option<String>> {
    let promise = take("config")?;
    let value = JsFuture::from(promise).await.ok()?;
    Some(value.as_string())
}

/// The response to `GET url` when the start-up script asked exactly that: `Some(Ok(response))`,
/// `Some(Err(()))` when the request failed on the network, `None` when it made no such
/// request (ask yourself).
pub async fn take_form_response(url: &str) -> Option<Result<web_sys::Response, ()>> {
    let promise = take("form")?;
    let preload = JsFuture::from(promise).await.ok()?;
    let preloaded_url = js_sys::Reflect::get(&preload, &JsValue::from_str("url")).ok()?;
    if preloaded_url.as_string().as_deref() != Some(url) {
        return None;
    }
    let response = js_sys::Reflect::get(&preload, &JsValue::from_str("response")).ok()?;
    let response = JsFuture::from(response.dyn_into::<js_sys::Promise>().ok()?).await;
    Some(response.ok().and_then(|r| r.dyn_into().ok()).ok_or(()))
}

/// The text of `path` (`texts/fr.json`) when the start-up script asked for exactly that file:
/// `Some(Some(text))`, `Some(None)` when it could not be loaded, `None` when it made no such
/// request (ask yourself).
pub async fn take_texts(path: &str) -> Option<Option<String>> {
    let promise = take("texts")?;
    let preload = JsFuture::from(promise).await.ok()?;
    let preloaded_path = js_sys::Reflect::get(&preload, &JsValue::from_str("path")).ok()?;
    if preloaded_path.as_string().as_deref() != Some(path) {
        return None;
    }
    let text = js_sys::Reflect::get(&preload, &JsValue::from_str("text")).ok()?;
    let text = JsFuture::from(text.dyn_into::<js_sys::Promise>().ok()?).await;
    Some(text.ok().and_then(|text| text.as_string()))
}

/// Removes `key` from the global and returns its promise, if it held one.
fn take(key: &str) -> Option<js_sys::Promise> {
    let preload =
        js_sys::Reflect::get(&leptos::prelude::window(), &JsValue::from_str(GLOBAL)).ok()?;
    if preload.is_undefined() || preload.is_null() {
        return None;
    }
    let key = JsValue::from_str(key);
    let promise = js_sys::Reflect::get(&preload, &key).ok()?;
    let _ = js_sys::Reflect::delete_property(preload.unchecked_ref::<js_sys::Object>(), &key);
    promise.dyn_into().ok()
}
