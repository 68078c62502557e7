//! Calls to the signer (docs/contract.md#api), and every status it can answer mapped to a typed
//! error.

use gloo_net::http::{Request, Response};
use serde::de::DeserializeOwned;
use stopover_protocol::api::{CONTINUE_PATH, FORMS_PATH, SESSION_PATH};
use stopover_protocol::launch::percent_encode_unreserved;
use stopover_protocol::{
    ApiErrorBody, ApiErrorCode, ContinueRequest, ContinueResponse, FieldErrors, FormDefinition,
    SessionCheck,
};

use crate::config::PageConfig;

/// Seconds to wait after a 429 that carries no usable `Retry-After`.
pub const DEFAULT_RETRY_AFTER_SECS: u64 = 10;

/// What can go wrong talking to the signer, one variant per thing the page does differently.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ApiError {
    /// No answer at all: offline, DNS, CORS refusal, connection reset.
    #[error("the signer could not be reached")]
    Network,
    /// 400: the request was malformed (the page or the link is broken).
    #[error("the signer refused the request as malformed")]
    BadRequest,
    /// 401: the session token was refused (most often: it expired).
    #[error("the session token was refused")]
    InvalidToken,
    /// 403: this page's origin is not in the signer's allow-list.
    #[error("this page's origin is not allowed by the signer")]
    OriginNotAllowed,
    /// 404 `unknown_form`.
    #[error("the form does not exist")]
    UnknownForm,
    /// 404 without `unknown_form`: the signer URL points somewhere else.
    #[error("the signer endpoint was not found")]
    NotFound,
    /// 409: this login step was already completed.
    #[error("this login step was already completed")]
    AlreadyUsed,
    /// 413.
    #[error("the answers are too large")]
    PayloadTooLarge,
    /// 415.
    #[error("the signer refused the content type")]
    UnsupportedMediaType,
    /// 422, with the per-field codes.
    #[error("some answers were refused")]
    InvalidAnswers(FieldErrors),
    /// 429, with how long to wait.
    #[error("too many requests; retry after {retry_after_secs} s")]
    RateLimited { retry_after_secs: u64 },
    /// 503: the signer cannot reach its replay store.
    #[error("the signer is temporarily unavailable")]
    Unavailable,
    /// Any other 5xx.
    #[error("the signer failed with status {0}")]
    Server(u16),
    /// A status or body the API does not define.
    #[error("unexpected answer from the signer (status {0})")]
    Unexpected(u16),
}

impl ApiError {
    /// True when trying the same request again later may succeed.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            ApiError::Network
                | ApiError::Unavailable
                | ApiError::Server(_)
                | ApiError::RateLimited { .. }
        )
    }
}

/// Which form definition to load: the one the token names, or, when it names none, the one
/// the signer picks for the token's issuer (one rule, on the signer).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FormRequest {
    /// `GET /api/forms/{id}`.
    Id(String),
    /// `GET /api/forms?issuer={iss}`.
    ForIssuer(String),
}

impl FormRequest {
    /// The request for a token's (untrusted) `form` and `iss` claims; `None` when it has
    /// neither, which no signer would accept.
    pub fn for_claims(form: Option<&str>, issuer: Option<&str>) -> Option<Self> {
        match (form, issuer) {
            (Some(form), _) => Some(Self::Id(form.to_owned())),
            (None, Some(issuer)) => Some(Self::ForIssuer(issuer.to_owned())),
            (None, None) => None,
        }
    }

    /// The path and query on the signer.
    pub fn path(&self) -> String {
        match self {
            Self::Id(id) => format!("{FORMS_PATH}/{}", percent_encode_unreserved(id)),
            Self::ForIssuer(issuer) => {
                format!("{FORMS_PATH}?issuer={}", percent_encode_unreserved(issuer))
            }
        }
    }
}

/// `GET /api/forms/{id}` or `GET /api/forms?issuer={iss}`.
pub async fn fetch_form(
    config: &PageConfig,
    request: &FormRequest,
) -> Result<FormDefinition, ApiError> {
    let url = config.signer_endpoint(&request.path());
    // Asked while the module downloaded, by index.html's start-up script (src/preload.rs).
    if let Some(preloaded) = crate::preload::take_form_response(&url).await {
        let response = preloaded.map_err(|()| ApiError::Network)?;
        return read_form(Response::from(response)).await;
    }
    let response = Request::get(&url)
        .header("Accept", "application/json")
        .send()
        .await
        .map_err(|_| ApiError::Network)?;
    read_form(response).await
}

/// A form definition, read by [`FormDefinition::from_json`] rather than serde's derive (42 kB
/// less wasm); what is wrong with one is said in the console.
async fn read_form(response: Response) -> Result<FormDefinition, ApiError> {
    let status = response.status();
    FormDefinition::from_json(read(response).await?).map_err(|problem| {
        leptos::logging::warn!("the signer's form definition cannot be read: {problem}");
        ApiError::Unexpected(status)
    })
}

/// `POST /api/continue`.
pub async fn post_continue(
    config: &PageConfig,
    request: &ContinueRequest,
) -> Result<ContinueResponse, ApiError> {
    read(post(config, CONTINUE_PATH, request).await?).await
}

/// `POST /api/session`: `Ok` when the signer could still accept this login (204), else why
/// not, as `/api/continue` would say it.
pub async fn check_session(config: &PageConfig, check: &SessionCheck) -> Result<(), ApiError> {
    let response = post(config, SESSION_PATH, check).await?;
    if response.ok() {
        return Ok(());
    }
    Err(refusal(response).await)
}

/// `POST` of `body` as JSON to `path` on the signer; `Network` when no answer came.
async fn post(
    config: &PageConfig,
    path: &str,
    body: &impl serde::Serialize,
) -> Result<Response, ApiError> {
    Request::post(&config.signer_endpoint(path))
        .header("Accept", "application/json")
        .json(body)
        .map_err(|_| ApiError::Unexpected(0))?
        .send()
        .await
        .map_err(|_| ApiError::Network)
}

/// The error for a non-success `status`, from its JSON body when there is one and its
/// `Retry-After` header. The status decides (the protocol's table, [`ApiErrorCode::for_status`]);
/// a body only tells the two 404s apart.
pub fn error_for_status(
    status: u16,
    body: Option<ApiErrorBody>,
    retry_after: Option<&str>,
) -> ApiError {
    let said = body.as_ref().map(|b| b.error);
    match ApiErrorCode::for_status(status, said) {
        Some(ApiErrorCode::BadRequest) => ApiError::BadRequest,
        Some(ApiErrorCode::InvalidToken) => ApiError::InvalidToken,
        Some(ApiErrorCode::OriginNotAllowed) => ApiError::OriginNotAllowed,
        Some(ApiErrorCode::UnknownForm) => ApiError::UnknownForm,
        Some(ApiErrorCode::NotFound) => ApiError::NotFound,
        Some(ApiErrorCode::AlreadyUsed) => ApiError::AlreadyUsed,
        Some(ApiErrorCode::PayloadTooLarge) => ApiError::PayloadTooLarge,
        Some(ApiErrorCode::UnsupportedMediaType) => ApiError::UnsupportedMediaType,
        Some(ApiErrorCode::InvalidAnswers) => {
            ApiError::InvalidAnswers(body.and_then(|b| b.fields).unwrap_or_default())
        }
        Some(ApiErrorCode::RateLimited) => ApiError::RateLimited {
            retry_after_secs: retry_after
                .and_then(parse_retry_after)
                .unwrap_or(DEFAULT_RETRY_AFTER_SECS),
        },
        Some(ApiErrorCode::Unavailable) => ApiError::Unavailable,
        Some(ApiErrorCode::Internal) => ApiError::Server(status),
        // The page takes each path with its method and sends its small body at once: these
        // answers mean something other than the signer is in the way.
        Some(ApiErrorCode::MethodNotAllowed | ApiErrorCode::RequestTimeout) => {
            ApiError::Unexpected(status)
        }
        None if (500..=599).contains(&status) => ApiError::Server(status),
        None => ApiError::Unexpected(status),
    }
}

/// `Retry-After` in delta-seconds form (what the signer sends), capped at ten minutes.
pub fn parse_retry_after(value: &str) -> Option<u64> {
    value
        .trim()
        .parse::<u64>()
        .ok()
        .map(|secs| secs.clamp(1, 600))
}

async fn read<T: DeserializeOwned>(response: Response) -> Result<T, ApiError> {
    let status = response.status();
    if response.ok() {
        return json(&response).await.ok_or(ApiError::Unexpected(status));
    }
    Err(refusal(response).await)
}

/// The response's body read as JSON. Read from bytes, as jwt-compact reads a token's claims,
/// so the page holds one instance of serde_json's parser, not one per input type.
async fn json<T: DeserializeOwned>(response: &Response) -> Option<T> {
    let text = response.text().await.ok()?;
    serde_json::from_slice(text.as_bytes()).ok()
}

/// What a non-success answer says, from its status, JSON body and `Retry-After`.
async fn refusal(response: Response) -> ApiError {
    let status = response.status();
    let retry_after = response.headers().get("retry-after");
    let body = json::<ApiErrorBody>(&response).await;
    error_for_status(status, body, retry_after.as_deref())
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use stopover_protocol::FieldErrorCode;

    use super::*;

    fn body(error: ApiErrorCode) -> Option<ApiErrorBody> {
        Some(ApiErrorBody {
            error,
            message: "m".into(),
            fields: None,
        })
    }

    #[test]
    fn every_documented_status_has_its_own_error() {
        assert_eq!(
            error_for_status(400, body(ApiErrorCode::BadRequest), None),
            ApiError::BadRequest
        );
        assert_eq!(error_for_status(401, None, None), ApiError::InvalidToken);
        assert_eq!(
            error_for_status(403, None, None),
            ApiError::OriginNotAllowed
        );
        assert_eq!(error_for_status(409, None, None), ApiError::AlreadyUsed);
        assert_eq!(error_for_status(413, None, None), ApiError::PayloadTooLarge);
        assert_eq!(
            error_for_status(415, None, None),
            ApiError::UnsupportedMediaType
        );
        assert_eq!(error_for_status(503, None, None), ApiError::Unavailable);
        assert_eq!(error_for_status(502, None, None), ApiError::Server(502));
        assert_eq!(error_for_status(302, None, None), ApiError::Unexpected(302));
    }

    #[test]
    fn a_404_is_an_unknown_form_only_when_the_body_says_so() {
        assert_eq!(
            error_for_status(404, body(ApiErrorCode::UnknownForm), None),
            ApiError::UnknownForm
        );
        assert_eq!(error_for_status(404, None, None), ApiError::NotFound);
    }

    #[test]
    fn a_422_carries_its_field_codes() {
        let fields = BTreeMap::from([("phone".to_owned(), vec![FieldErrorCode::InvalidFormat])]);
        let body = ApiErrorBody::invalid_answers(fields.clone());
        assert_eq!(
            error_for_status(422, Some(body), None),
            ApiError::InvalidAnswers(fields)
        );
    }

    #[test]
    fn a_429_honours_retry_after_or_waits_a_default() {
        assert_eq!(
            error_for_status(429, None, Some("42")),
            ApiError::RateLimited {
                retry_after_secs: 42
            }
        );
        assert_eq!(
            error_for_status(429, None, Some("Wed, 21 Oct 2015 07:28:00 GMT")),
            ApiError::RateLimited {
                retry_after_secs: DEFAULT_RETRY_AFTER_SECS
            }
        );
        assert_eq!(parse_retry_after("0"), Some(1));
        assert_eq!(parse_retry_after("99999"), Some(600));
    }

    #[test]
    fn only_transient_failures_are_retryable() {
        assert!(ApiError::Network.is_retryable());
        assert!(ApiError::Server(500).is_retryable());
        assert!(!ApiError::AlreadyUsed.is_retryable());
        assert!(!ApiError::InvalidToken.is_retryable());
    }

    #[test]
    fn the_form_named_by_the_token_is_loaded_by_id() {
        let request = FormRequest::for_claims(Some("terms"), Some("t.example")).unwrap();
        assert_eq!(request.path(), "/api/forms/terms");
    }

    #[test]
    fn without_a_form_the_signer_is_asked_for_the_issuers_form() {
        let request = FormRequest::for_claims(None, Some("https://t.eu.auth0.com/")).unwrap();
        assert_eq!(
            request.path(),
            "/api/forms?issuer=https%3A%2F%2Ft.eu.auth0.com%2F"
        );
        assert_eq!(FormRequest::for_claims(None, None), None);
    }

    #[test]
    fn form_ids_are_encoded_as_one_path_segment() {
        assert_eq!(percent_encode_unreserved("profile"), "profile");
        assert_eq!(percent_encode_unreserved("../a b?"), "..%2Fa%20b%3F");
    }
}
