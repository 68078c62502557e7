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
