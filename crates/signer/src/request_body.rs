//! JSON request bodies: an axum extractor ([`StrictJson`]) that checks the content type and the
//! size (with [`axum::extract::DefaultBodyLimit`] on the route) and reads the body once,
//! strictly, straight into its typed request, answering every refusal with the API's own
//! error bodies.

use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, FailedToBufferBody};
use axum::extract::{FromRequest, Request};
use axum::http::{header, HeaderMap};
use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use stopover_protocol::limits::MAX_BODY_BYTES;
use stopover_protocol::{ContinueRequest, SessionCheck};

use crate::error::ApiError;
use crate::strict_json::{Key, Loose, LooseObject, ObjectError, SeenKeys};

/// A request body of type `T`, read from JSON by [`ReadBody`]: 415 unless the content type
/// is `application/json`, 413 over [`MAX_BODY_BYTES`], 400 for what `T` refuses.
#[derive(Debug, Clone)]
pub struct StrictJson<T>(pub T);

/// A request type read from a strict JSON body (a key repeated anywhere is refused).
pub trait ReadBody: Sized {
    fn read(bytes: &[u8]) -> Result<Self, ApiError>;
}

impl<S: Send + Sync, T: ReadBody> FromRequest<S> for StrictJson<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, ApiError> {
        require_json(request.headers())?;
        // A declared length over the limit is refused before a byte of the body is read.
        let declared = request
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.parse::<u64>().ok());
        if declared.is_some_and(|length| length > MAX_BODY_BYTES as u64) {
            return Err(ApiError::PayloadTooLarge);
        }
        let bytes =
            Bytes::from_request(request, state)
                .await
                .map_err(|rejection| match rejection {
                    BytesRejection::FailedToBufferBody(FailedToBufferBody::LengthLimitError(_)) => {
                        ApiError::PayloadTooLarge
                    }
                    _ => ApiError::BadRequest("The body could not be read."),
                })?;
        T::read(&bytes).map(StrictJson)
    }
}

/// What a continue body that is not the expected object is told.
const SHAPE: &str = "The body must be a JSON object with `state`, `session_token` and `answers`.";
/// What a session check body that is not the expected object is told.
const CHECK_SHAPE: &str = "The body must be a JSON object with `state` and `session_token`.";

impl ReadBody for ContinueRequest {
    /// One pass over the body; the refusals are judged in a fixed order: not JSON or not an
    /// object, a repeated key anywhere, `answers` not an object, then anything else missing
    /// or of the wrong type (`state` itself is checked by the handler).
    fn read(bytes: &[u8]) -> Result<Self, ApiError> {
        let body = ReadRequest::read(bytes, SHAPE)?;
        let answers = match body.answers {
            Some(LooseObject::Object(answers)) => answers,
            Some(LooseObject::Null | LooseObject::Other) => {
                return Err(ApiError::BadRequest("`answers` must be a JSON object."))
            }
            None => return Err(ApiError::BadRequest(SHAPE)),
        };
        match (body.state, body.session_token) {
            (Some(Loose::String(state)), Some(Loose::String(session_token))) => Ok(Self {
                state: state.into_owned(),
                session_token: session_token.into_owned(),
                answers,
            }),
            _ => Err(ApiError::BadRequest(SHAPE)),
        }
    }
}

impl ReadBody for SessionCheck {
    /// As [`ContinueRequest`], without answers (an `answers` key is walked and dropped like
    /// any other).
    fn read(bytes: &[u8]) -> Result<Self, ApiError> {
        let body = ReadRequest::read(bytes, CHECK_SHAPE)?;
        match (body.state, body.session_token) {
            (Some(Loose::String(state)), Some(Loose::String(session_token))) => Ok(Self {
                state: state.into_owned(),
                session_token: session_token.into_owned(),
            }),
            _ => Err(ApiError::BadRequest(CHECK_SHAPE)),
        }
    }
}

/// `application/json`, with or without parameters such as `charset`.
fn require_json(headers: &HeaderMap) -> Result<(), ApiError> {
    let media_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split(';').next())
        .map(str::trim);
    match media_type {
        Some(media_type) if media_type.eq_ignore_ascii_case("application/json") => Ok(()),
        _ => Err(ApiError::UnsupportedMediaType),
    }
}

/// The body of `POST /api/continue` or `/api/session` as read, before its types are judged.
/// Other keys are walked for repeated keys and dropped, as serde would ignore them.
#[derive(Debug, Default)]
struct ReadRequest<'de> {
    state: Option<Loose<'de>>,
    session_token: Option<Loose<'de>>,
    answers: Option<LooseObject>,
}

impl<'de> ReadRequest<'de> {
    /// `bytes` as a JSON object with no key repeated at any depth; `shape` is what a body
    /// that is no JSON object is told.
    fn read(bytes: &'de [u8], shape: &'static str) -> Result<Self, ApiError> {
        serde_json::from_slice(bytes).map_err(|error| {
            ApiError::BadRequest(match ObjectError::of(&error) {
                ObjectError::Duplicate => "The body repeats a key.",
                ObjectError::Json => shape,
            })
        })
    }
}

impl<'de> Deserialize<'de> for ReadRequest<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(ReadRequestVisitor)
    }
}

struct ReadRequestVisitor;

impl<'de> Visitor<'de> for ReadRequestVisitor {
    type Value = ReadRequest<'de>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<ReadRequest<'de>, A::Error> {
        let mut body = ReadRequest::default();
        let mut seen = SeenKeys::default();
        while let Some(Key(name)) = access.next_key()? {
            seen.insert(name.clone())?;
            match name.as_ref() {
                "state" => body.state = Some(access.next_value()?),
                "session_token" => body.session_token = Some(access.next_value()?),
                "answers" => body.answers = Some(access.next_value()?),
                _ => {
                    access.next_value::<Loose<'de>>()?;
                }
            }
        }
        Ok(body)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn message(body: &str) -> &'static str {
        match ContinueRequest::read(body.as_bytes()) {
            Err(ApiError::BadRequest(message)) => message,
            other => panic!("{body}: {other:?}"),
        }
    }

    #[test]
    fn a_well_formed_body_is_read_once_into_its_type() {
        let request = ContinueRequest::read(
            br#"{"state":"s\u0031","session_token":"t","answers":{"a":[1,{"b":null}]},"extra":{}}"#,
        )
        .unwrap();
        assert_eq!(request.state, "s1");
        assert_eq!(request.session_token, "t");
        assert_eq!(
            serde_json::Value::Object(request.answers),
            serde_json::json!({"a": [1, {"b": null}]})
        );
    }

    #[test]
    fn refusals_keep_their_order_and_messages() {
        assert_eq!(message("[]"), SHAPE);
        assert_eq!(message("{"), SHAPE);
        assert_eq!(
            message(r#"{"answers":5,"answers":{}}"#),
            "The body repeats a key."
        );
        assert_eq!(
            message(r#"{"state":1,"answers":{"x":{"y":1,"y":2}}}"#),
            "The body repeats a key."
        );
        assert_eq!(
            message(r#"{"state":1,"answers":null}"#),
            "`answers` must be a JSON object."
        );
        assert_eq!(message(r#"{"state":"s","session_token":"t"}"#), SHAPE);
        assert_eq!(
            message(r#"{"state":null,"session_token":"t","answers":{}}"#),
            SHAPE
        );
    }

    #[test]
    fn a_session_check_is_read_as_strictly_without_answers() {
        let check =
            SessionCheck::read(br#"{"state":"s","session_token":"t","answers":{}}"#).unwrap();
        assert_eq!(check.state, "s");
        assert_eq!(check.session_token, "t");
        let refused = |body: &str| match SessionCheck::read(body.as_bytes()) {
            Err(ApiError::BadRequest(message)) => message,
            other => panic!("{body}: {other:?}"),
        };
        assert_eq!(refused("[]"), CHECK_SHAPE);
        assert_eq!(refused(r#"{"state":"s"}"#), CHECK_SHAPE);
        assert_eq!(
            refused(r#"{"state":"s","session_token":"t","state":"u"}"#),
            "The body repeats a key."
        );
    }
}
