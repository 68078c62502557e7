//! The signer's error answers (docs/contract.md#errors): every error code with its HTTP status
//! and default message, decided here once. The signer answers with them, the page decodes them.

use serde::{Deserialize, Serialize};

use crate::field_errors::FieldErrors;

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
    pub fields: Option<FieldErrors>,
}

impl ApiErrorBody {
    /// The body of `code` with its default message.
    pub fn new(code: ApiErrorCode) -> Self {
        Self {
            error: code,
            message: code.message().to_owned(),
            fields: None,
        }
    }

    /// The 422 body for these field errors.
    pub fn invalid_answers(fields: FieldErrors) -> Self {
        Self {
            fields: Some(fields),
            ..Self::new(ApiErrorCode::InvalidAnswers)
        }
    }
}

/// The error codes of docs/contract.md#errors. Each one's wire name ([`Self::as_str`]), HTTP
/// status ([`Self::status`]) and default English message ([`Self::message`]) are written here
/// and nowhere else; the page shows its own localised text per code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApiErrorCode {
    /// The request is malformed: its JSON, `state`, `answers`, or a missing query parameter.
    BadRequest,
    /// Any problem with the session token; one opaque code.
    InvalidToken,
    /// An `Origin` not in the signer's allow-list.
    OriginNotAllowed,
    /// No form with this id, or no tenant for this issuer.
    UnknownForm,
    /// Any other path.
    NotFound,
    /// A known path asked with a method it does not take.
    MethodNotAllowed,
    /// The request body arrived too slowly.
    RequestTimeout,
    /// The session token was already used.
    AlreadyUsed,
    /// The body is over the limit.
    PayloadTooLarge,
    /// The body is not JSON.
    UnsupportedMediaType,
    /// Answers refused; the body carries per-field codes.
    InvalidAnswers,
    /// Too many requests from this client; `Retry-After` says how long to wait.
    RateLimited,
    /// A bug on the signer's side.
    Internal,
    /// The signer's back end cannot answer; nothing was minted.
    Unavailable,
}

impl ApiErrorCode {
    /// Every code, in the order of the table in docs/contract.md#errors.
    pub const ALL: [Self; 14] = [
        Self::BadRequest,
        Self::InvalidToken,
        Self::OriginNotAllowed,
        Self::UnknownForm,
        Self::NotFound,
        Self::MethodNotAllowed,
        Self::RequestTimeout,
        Self::AlreadyUsed,
        Self::PayloadTooLarge,
        Self::UnsupportedMediaType,
        Self::InvalidAnswers,
        Self::RateLimited,
        Self::Internal,
        Self::Unavailable,
    ];

    /// The code as it appears on the wire (`"invalid_token"`), for logs and metrics.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::BadRequest => "bad_request",
            Self::InvalidToken => "invalid_token",
            Self::OriginNotAllowed => "origin_not_allowed",
            Self::UnknownForm => "unknown_form",
            Self::NotFound => "not_found",
            Self::MethodNotAllowed => "method_not_allowed",
            Self::RequestTimeout => "request_timeout",
            Self::AlreadyUsed => "already_used",
            Self::PayloadTooLarge => "payload_too_large",
            Self::UnsupportedMediaType => "unsupported_media_type",
            Self::InvalidAnswers => "invalid_answers",
            Self::RateLimited => "rate_limited",
            Self::Internal => "internal",
            Self::Unavailable => "unavailable",
        }
    }

    /// The HTTP status code that carries this error.
    pub fn status(self) -> u16 {
        match self {
            Self::BadRequest => 400,
            Self::InvalidToken => 401,
            Self::OriginNotAllowed => 403,
            Self::UnknownForm | Self::NotFound => 404,
            Self::MethodNotAllowed => 405,
            Self::RequestTimeout => 408,
            Self::AlreadyUsed => 409,
            Self::PayloadTooLarge => 413,
            Self::UnsupportedMediaType => 415,
            Self::InvalidAnswers => 422,
            Self::RateLimited => 429,
            Self::Internal => 500,
            Self::Unavailable => 503,
        }
    }

    /// The sentence for people the signer sends with this code (`bad_request` usually says
    /// more precisely what is malformed).
    pub fn message(self) -> &'static str {
        match self {
            Self::BadRequest => "The request is malformed.",
            Self::InvalidToken => {
                "This sign-in link is not valid or has expired. Please start signing in again."
            }
            Self::OriginNotAllowed => "This site may not call the signer.",
            Self::UnknownForm => "There is no form with this id.",
            Self::NotFound => "Not found.",
            Self::MethodNotAllowed => "This address does not take this method.",
            Self::RequestTimeout => "The request was sent too slowly. Please try again.",
            Self::AlreadyUsed => {
                "This sign-in step was already completed. Please start signing in again."
            }
            Self::PayloadTooLarge => "The request is too large.",
            Self::UnsupportedMediaType => {
                "The request must be JSON (Content-Type: application/json)."
            }
            Self::InvalidAnswers => "Some answers need attention.",
            Self::RateLimited => "Too many attempts. Please wait a moment and try again.",
            Self::Internal => "Something went wrong on our side. Please try again.",
            Self::Unavailable => "The service is briefly unavailable. Please try again.",
        }
    }

    /// What an answer of `status` means, given the code its body names (`said`, if any): that
    /// code when it goes with `status`, else the status's own code; `not_found` for a 404
    /// whose body does not say `unknown_form`. `None` for a status no code has.
    pub fn for_status(status: u16, said: Option<Self>) -> Option<Self> {
        if let Some(code) = said.filter(|code| code.status() == status) {
            return Some(code);
        }
        match status {
            404 => Some(Self::NotFound),
            _ => Self::ALL.into_iter().find(|code| code.status() == status),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_is_spelt_on_the_wire_as_as_str_says() {
        for code in ApiErrorCode::ALL {
            let wire = serde_json::to_string(&code).unwrap();
            assert_eq!(wire, format!("\"{}\"", code.as_str()));
        }
    }

    #[test]
    fn a_status_means_its_code_and_a_body_can_only_choose_among_the_statuss_codes() {
        assert_eq!(
            ApiErrorCode::for_status(401, None),
            Some(ApiErrorCode::InvalidToken)
        );
        assert_eq!(
            ApiErrorCode::for_status(404, Some(ApiErrorCode::UnknownForm)),
            Some(ApiErrorCode::UnknownForm)
        );
        assert_eq!(
            ApiErrorCode::for_status(404, None),
            Some(ApiErrorCode::NotFound)
        );
        assert_eq!(
            ApiErrorCode::for_status(401, Some(ApiErrorCode::BadRequest)),
            Some(ApiErrorCode::InvalidToken)
        );
        assert_eq!(ApiErrorCode::for_status(502, None), None);
        for code in ApiErrorCode::ALL {
            let expected = if code == ApiErrorCode::UnknownForm {
                ApiErrorCode::NotFound
            } else {
                code
            };
            assert_eq!(
                ApiErrorCode::for_status(code.status(), None),
                Some(expected)
            );
        }
    }
}
