//! The one error type of the HTTP API: every status code and error code is decided here.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use stopover_protocol::{ApiErrorBody, ApiErrorCode, FieldErrors};

use crate::verify::Rejection;

/// Content type of every JSON body the signer sends.
pub const JSON_CONTENT_TYPE: &str = "application/json; charset=utf-8";

/// Why a request failed. Handlers return `Result<_, ApiError>`.
#[derive(Debug)]
pub enum ApiError {
    /// Malformed JSON, a bad `state`, `answers` not an object; the message says which.
    BadRequest(&'static str),
    /// Every problem with the session token; the reason is logged, never sent.
    InvalidToken(Rejection),
    OriginNotAllowed,
    UnknownForm,
    NotFound,
    AlreadyUsed,
    PayloadTooLarge,
    UnsupportedMediaType,
    InvalidAnswers(FieldErrors),
    RateLimited {
        retry_after_secs: u64,
    },
    /// The replay store cannot answer, or the request took too long: nothing was minted.
    Unavailable,
    Internal,
}

/// Attached to error responses so the metrics layer can count rejections by reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RejectionReason(pub &'static str);

impl ApiError {
    pub fn code(&self) -> ApiErrorCode {
        match self {
            Self::BadRequest(_) => ApiErrorCode::BadRequest,
            Self::InvalidToken(_) => ApiErrorCode::InvalidToken,
            Self::OriginNotAllowed => ApiErrorCode::OriginNotAllowed,
            Self::UnknownForm => ApiErrorCode::UnknownForm,
            Self::NotFound => ApiErrorCode::NotFound,
            Self::AlreadyUsed => ApiErrorCode::AlreadyUsed,
            Self::PayloadTooLarge => ApiErrorCode::PayloadTooLarge,
            Self::UnsupportedMediaType => ApiErrorCode::UnsupportedMediaType,
            Self::InvalidAnswers(_) => ApiErrorCode::InvalidAnswers,
            Self::RateLimited { .. } => ApiErrorCode::RateLimited,
            Self::Unavailable => ApiErrorCode::Unavailable,
            Self::Internal => ApiErrorCode::Internal,
        }
    }

    fn message(&self) -> &'static str {
        match self {
            Self::BadRequest(message) => message,
            Self::InvalidToken(_) => {
                "This sign-in link is not valid or has expired. Please start signing in again."
            }
            Self::OriginNotAllowed => "This site may not call the signer.",
            Self::UnknownForm => "There is no form with this id.",
            Self::NotFound => "Not found.",
            Self::AlreadyUsed => {
                "This sign-in step was already completed. Please start signing in again."
            }
            Self::PayloadTooLarge => "The request is too large.",
            Self::UnsupportedMediaType => {
                "The request must be JSON (Content-Type: application/json)."
            }
            Self::InvalidAnswers(_) => "Some answers need attention.",
            Self::RateLimited { .. } => "Too many attempts. Please wait a moment and try again.",
            Self::Unavailable => "The service is briefly unavailable. Please try again.",
            Self::Internal => "Something went wrong on our side. Please try again.",
        }
    }

    fn reason(&self) -> &'static str {
        match self {
            Self::InvalidToken(rejection) => rejection.as_str(),
            Self::BadRequest(_) => "bad_request",
            Self::OriginNotAllowed => "origin_not_allowed",
            Self::UnknownForm => "unknown_form",
            Self::NotFound => "not_found",
            Self::AlreadyUsed => "already_used",
            Self::PayloadTooLarge => "payload_too_large",
            Self::UnsupportedMediaType => "unsupported_media_type",
            Self::InvalidAnswers(_) => "invalid_answers",
            Self::RateLimited { .. } => "rate_limited",
            Self::Unavailable => "unavailable",
            Self::Internal => "internal",
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let code = self.code();
        let status =
            StatusCode::from_u16(code.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let reason = RejectionReason(self.reason());
        let message = self.message().to_owned();
        let retry_after = match &self {
            Self::RateLimited { retry_after_secs } => Some(*retry_after_secs),
            _ => None,
        };
        let fields = match self {
            Self::InvalidAnswers(fields) => Some(fields),
            _ => None,
        };
        let mut response = json_response(
            status,
            &ApiErrorBody {
                error: code,
                message,
                fields,
            },
        );
        if let Some(seconds) = retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response.extensions_mut().insert(reason);
        response
    }
}

/// `body` as JSON with the signer's content type.
pub fn json_response(status: StatusCode, body: &impl serde::Serialize) -> Response {
    match serde_json::to_vec(body) {
        Ok(bytes) => (
            status,
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static(JSON_CONTENT_TYPE),
            )],
            bytes,
        )
            .into_response(),
        Err(_) => internal_error_response(),
    }
}

/// The 405 body for a known path asked with a method it does not take (axum adds `Allow`).
/// Built by hand: the shared error codes have no 405, and this one concerns only the signer.
pub fn method_not_allowed_response() -> Response {
    let mut response = (
        StatusCode::METHOD_NOT_ALLOWED,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static(JSON_CONTENT_TYPE),
        )],
        r#"{"error":"method_not_allowed","message":"This address does not take this method."}"#,
    )
        .into_response();
    response
        .extensions_mut()
        .insert(RejectionReason("method_not_allowed"));
    response
}

/// The 408 body for a client too slow sending its request body. Built by hand like the 405:
/// the shared error codes have no 408 (the page never sees it from a healthy connection), and
/// it is kept apart from 503 `unavailable`, which is about the signer's own back end. The
/// connection is closed: the rest of the body may still be on its way.
pub fn request_timeout_response() -> Response {
    let mut response = (
        StatusCode::REQUEST_TIMEOUT,
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static(JSON_CONTENT_TYPE),
            ),
            (header::CONNECTION, HeaderValue::from_static("close")),
        ],
        r#"{"error":"request_timeout","message":"The request was sent too slowly. Please try again."}"#,
    )
        .into_response();
    response
        .extensions_mut()
        .insert(RejectionReason("request_timeout"));
    response
}

/// The 500 body, built without serialisation so it cannot fail.
pub fn internal_error_response() -> Response {
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static(JSON_CONTENT_TYPE),
        )],
        r#"{"error":"internal","message":"Something went wrong on our side. Please try again."}"#,
    )
        .into_response()
}
