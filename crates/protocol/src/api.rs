//! The signer's HTTP API (docs/contract.md#api): request, response and error bodies.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::answers::{FieldErrorCode, FieldErrors};

/// Path of the form definitions: `GET {FORMS_PATH}/{id}`.
pub const FORMS_PATH: &str = "/api/forms";
/// Path of the continue endpoint: `POST {CONTINUE_PATH}`.
pub const CONTINUE_PATH: &str = "/api/continue";

/// `POST /api/continue` body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContinueRequest {
    /// Auth0's `state` from the page's query (see [`crate::State`]).
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

/// Every error body: a code for programs, a sentence for people, and per-field codes with 422.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiErrorBody {
    /// What went wrong, for programs.
    pub error: ApiErrorCode,
    /// A sentence for people; read as empty when a body omits it (`{"error":"unknown_form"}`).
    #[serde(default)]
    pub message: String,
    /// Per-field codes, only with `invalid_answers` (422); omitted otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fields: Option<BTreeMap<String, Vec<FieldErrorCode>>>,
}

/// The error codes of docs/contract.md#errors, with the HTTP status each goes with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApiErrorCode {
    BadRequest,
    InvalidToken,
    OriginNotAllowed,
    UnknownForm,
    AlreadyUsed,
    PayloadTooLarge,
    UnsupportedMediaType,
    InvalidAnswers,
    RateLimited,
    Unavailable,
    NotFound,
    Internal,
}

impl ApiErrorCode {
    /// The HTTP status code that carries this error.
    pub fn status(self) -> u16 {
        match self {
            Self::BadRequest => 400,
            Self::InvalidToken => 401,
            Self::OriginNotAllowed => 403,
            Self::UnknownForm | Self::NotFound => 404,
            Self::AlreadyUsed => 409,
            Self::PayloadTooLarge => 413,
            Self::UnsupportedMediaType => 415,
            Self::InvalidAnswers => 422,
            Self::RateLimited => 429,
            Self::Internal => 500,
            Self::Unavailable => 503,
        }
    }
}

impl ApiErrorBody {
    /// The 422 body for these field errors.
    pub fn invalid_answers(fields: FieldErrors) -> Self {
        Self {
            error: ApiErrorCode::InvalidAnswers,
            message: "Some answers need attention.".to_owned(),
            fields: Some(fields),
        }
    }
}
