//! The one error type of the HTTP API: which error code each failure answers is decided here;
//! each code's status and message come from the protocol's table ([`ApiErrorCode`]).

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
    /// A known path asked with a method it does not take (axum adds `Allow`).
    MethodNotAllowed,
    /// The body arrived too slowly; the connection is closed, as the rest of the body may
    /// still be on its way.
    RequestTimeout,
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
            Self::MethodNotAllowed => ApiErrorCode::MethodNotAllowed,
            Self::RequestTimeout => ApiErrorCode::RequestTimeout,
            Self::AlreadyUsed => ApiErrorCode::AlreadyUsed,
            Self::PayloadTooLarge => ApiErrorCode::PayloadTooLarge,
            Self::UnsupportedMediaType => ApiErrorCode::UnsupportedMediaType,
            Self::InvalidAnswers(_) => ApiErrorCode::InvalidAnswers,
            Self::RateLimited { .. } => ApiErrorCode::RateLimited,
            Self::Unavailable => ApiErrorCode::Unavailable,
            Self::Internal => ApiErrorCode::Internal,
        }
    }

    /// The code's message, or what exactly is malformed.
    fn message(&self) -> &'static str {
        match self {
            Self::BadRequest(message) => message,
            other => other.code().message(),
        }
    }

    /// For the metrics: the code, or for a refused token the reason it was refused.
    fn reason(&self) -> &'static str {
        match self {
            Self::InvalidToken(rejection) => rejection.as_str(),
            other => other.code().as_str(),
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
        let extra_header = match &self {
            Self::RateLimited { retry_after_secs } => {
                Some((header::RETRY_AFTER, HeaderValue::from(*retry_after_secs)))
            }
            Self::RequestTimeout => Some((header::CONNECTION, HeaderValue::from_static("close"))),
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
        if let Some((name, value)) = extra_header {
            response.headers_mut().insert(name, value);
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

/// The 500 body, built without serialisation so it cannot fail (the `internal` row of
/// [`ApiErrorCode`], spelt out; a test holds the two together).
pub fn internal_error_response() -> Response {
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static(JSON_CONTENT_TYPE),
        )],
        INTERNAL_ERROR_BODY,
    )
        .into_response()
}

const INTERNAL_ERROR_BODY: &str =
    r#"{"error":"internal","message":"Something went wrong on our side. Please try again."}"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_spelt_out_500_body_is_the_tables() {
        let body = serde_json::to_string(&ApiErrorBody::new(ApiErrorCode::Internal));
        assert_eq!(body.ok().as_deref(), Some(INTERNAL_ERROR_BODY));
    }
}
