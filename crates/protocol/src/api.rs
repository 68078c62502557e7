//! The signer's HTTP API (docs/contract.md#api): its paths, request and response bodies. The
//! error bodies are in `api_error.rs`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Path of the form definitions: `GET {FORMS_PATH}/{id}`.
pub const FORMS_PATH: &str = "/api/forms";
/// Path of the continue endpoint: `POST {CONTINUE_PATH}`.
pub const CONTINUE_PATH: &str = "/api/continue";
/// Path of the login check: `POST {SESSION_PATH}`.
pub const SESSION_PATH: &str = "/api/session";
/// Path of a preview's state (`stopover-signer preview` only): `GET {PREVIEW_STATE_PATH}`.
pub const PREVIEW_STATE_PATH: &str = "/preview/state";

/// `GET /preview/state` of `stopover-signer preview`: the configuration as last read, which
/// the page's preview mode polls (docs/contract.md#preview).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfigurationPreview {
    /// Goes up each time the server reads the configuration again.
    pub version: u64,
    /// What `check-config` says is wrong with it (a secret out of reach aside); empty when
    /// nothing is.
    pub problems: Vec<String>,
    pub forms: Vec<PreviewForm>,
}

/// One form of a [`ConfigurationPreview`], as the preview's index and toolbar link to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreviewForm {
    pub id: String,
    /// Its title in its first language.
    pub title: String,
    /// The languages its tenants declare; the form's own, when no tenant lists it.
    pub languages: Vec<String>,
    /// Its steps' ids, in order; empty for a form of one page.
    pub steps: Vec<String>,
}

/// `POST /api/session` body: could this login still be completed? Asked by the page when it
/// opens, so that a link that can never be accepted is said before the form, not after it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionCheck {
    /// Auth0's `state` from the page's query.
    pub state: String,
    /// The session token from the page's query.
    pub session_token: String,
}

/// `POST /api/continue` body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContinueRequest {
    /// Auth0's `state` from the page's query (see [`crate::LoginState`]).
    pub state: String,
    /// The session token from the page's query.
    pub session_token: String,
    /// Field id -> the submitted value; anything but a JSON object is a 400.
    pub answers: Map<String, Value>,
}

/// `POST /api/continue` success: where to post the person, and the form fields to post.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContinueResponse {
    /// `https://HOST/continue?state=URLENCODED`.
    pub continue_url: String,
    /// `state` and the token under the tenant's token parameter name.
    pub fields: BTreeMap<String, String>,
}
