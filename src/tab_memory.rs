//! What this tab keeps of the login in its `sessionStorage`, so that a reload, a phone
//! browser discarding the tab in the background, or the page opened again from the tab's
//! history loses nothing: the login (`state` and the session token) and the draft answers,
//! until the hand-off. After the hand-off only one fact stays: this tab finished its step, so
//! that Back says "You have finished this step" rather than "This link is not complete".
//!
//! `sessionStorage` belongs to this tab and this origin and ends with the tab; the login is
//! the one the tab's own address bar carried. Nothing here is logged. When the browser refuses
//! the storage (a private mode, a full quota) the page works as before, without the memory.

use leptos::prelude::window;
use serde_json::{json, Map, Value};

use crate::launch::{Launch, LaunchError, LoginState, SessionToken};

const LOGIN_STATE: &str = "stopover.state";
const LOGIN_TOKEN: &str = "stopover.session_token";
/// `{"state": ..., "answers": {...}}`: the answers typed so far, and the login they belong to.
const DRAFT: &str = "stopover.draft";
const FINISHED: &str = "stopover.finished";

fn storage() -> Option<web_sys::Storage> {
    window().session_storage().ok().flatten()
}

fn item(storage: &web_sys::Storage, key: &str) -> Option<String> {
    storage.get_item(key).ok().flatten()
}

/// The login the page works on: the link's, which the tab remembers from now on; or, when
/// the page was opened without one (a reload: the address bar no longer has it), the one
/// the tab remembers. Any other problem with the link stands.
pub fn resume(opened: Result<Launch, LaunchError>) -> Result<Launch, LaunchError> {
    match opened {
        Ok(launch) => {
            remember(&launch);
            Ok(launch)
        }
        Err(LaunchError::NoLogin) => remembered_login().ok_or(LaunchError::NoLogin),
        Err(error) => Err(error),
    }
}

/// Remembers `launch` as the tab's login. A different login drops the previous one's draft.
fn remember(launch: &Launch) {
    let Some(storage) = storage() else { return };
    if draft(&launch.state).is_empty() {
        let _ = storage.remove_item(DRAFT);
    }
    // Storage errors (a full quota) only cost the memory; the page goes on.
    let _ = storage.set_item(LOGIN_STATE, launch.state.as_str());
    let _ = storage.set_item(LOGIN_TOKEN, launch.session_token.as_str());
    let _ = storage.remove_item(FINISHED);
}

/// The login this tab remembers, if it is still well formed.
fn remembered_login() -> Option<Launch> {
    let storage = storage()?;
    let state = LoginState::parse(&item(&storage, LOGIN_STATE)?).ok()?;
    let session_token = SessionToken::parse(&item(&storage, LOGIN_TOKEN)?).ok()?;
    Some(Launch {
        state,
        session_token,
    })
}

/// Keeps `answers` as the draft of the login `state`.
pub fn save_draft(state: &LoginState, answers: &Map<String, Value>) {
    let Some(storage) = storage() else { return };
    let draft = json!({ "state": state.as_str(), "answers": answers });
    let _ = storage.set_item(DRAFT, &draft.to_string());
}

/// The draft answers of the login `state`; empty when the tab has none for it.
pub fn draft(state: &LoginState) -> Map<String, Value> {
    let saved = storage()
        .and_then(|storage| item(&storage, DRAFT))
        .and_then(|text| serde_json::from_slice::<Value>(text.as_bytes()).ok());
    match saved {
        Some(Value::Object(mut draft))
            if draft.get("state").and_then(Value::as_str) == Some(state.as_str()) =>
        {
            match draft.remove("answers") {
                Some(Value::Object(answers)) => answers,
                _ => Map::new(),
            }
        }
        _ => Map::new(),
    }
}

/// The login is over for this tab (handed back to Auth0, or found already done): forget the
/// login and the answers, and remember only that the step was finished here.
pub fn finish() {
    let Some(storage) = storage() else { return };
    for key in [LOGIN_STATE, LOGIN_TOKEN, DRAFT] {
        let _ = storage.remove_item(key);
    }
    let _ = storage.set_item(FINISHED, "1");
}

/// True when this tab handed its login back and has not been given a new one since.
pub fn finished() -> bool {
    storage().is_some_and(|storage| item(&storage, FINISHED).is_some())
}

/// Back from Auth0 may restore this page from the browser's back-forward cache, frozen on
/// "Returning you to…": show it afresh instead, which says the step is finished.
pub fn reload_when_restored_after_finishing() {
    // For the page's whole life: the handle is let go, not removed.
    let _ = leptos::prelude::window_event_listener(leptos::ev::pageshow, |event| {
        if event.persisted() && finished() {
            let _ = window().location().reload();
        }
    });
}
