//! The HTTP API of SPEC section 2.

use std::collections::BTreeMap;

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware;
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post};
use axum::Router;
use http_body_util::{BodyExt as _, LengthLimitError, Limited};
use serde_json::{Map, Value};
use stopover_protocol::api::{CONTINUE_PATH, FORMS_PATH};
use stopover_protocol::limits::{StateError, MAX_BODY_BYTES};
use stopover_protocol::{validate_answers, ContinueRequest, ContinueResponse};

use crate::edge;
use crate::error::{json_response, ApiError};
use crate::mint::{continue_url, mint_continue_token, MintRequest};
use crate::replay::{Consumption, ReplayKey};
use crate::verify::verify_session_token;
use crate::AppState;

/// The whole service: API routes, health and metrics, the page when configured, and the
/// layers every request passes through.
pub fn app(state: AppState) -> Router {
    let api = Router::new()
        .route(&format!("{FORMS_PATH}/{{id}}"), get(form_definition))
        .route(
            CONTINUE_PATH,
            post(continue_login).route_layer(middleware::from_fn_with_state(
                state.clone(),
                edge::rate_limit,
            )),
        )
        .route("/api/{*rest}", any(api_not_found))
        .layer(edge::cors(state.config()))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            edge::origin_guard,
        ));
    let router = Router::new()
        .merge(api)
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics));
    let router = match state.static_site() {
        Some(site) => router.fallback_service(site.service()),
        None => router.fallback(not_found),
    };
    edge::around(router, state)
}

/// `GET /api/forms/{id}`: the form definition, every language included.
async fn form_definition(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let form = state.config().forms.get(&id).ok_or(ApiError::UnknownForm)?;
    Ok(json_response(StatusCode::OK, form))
}

/// `POST /api/continue`: verify, validate, check single use, mint.
async fn continue_login(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let now = state.now();
    require_json(&headers)?;
    let bytes = read_body(&headers, body).await?;
    let request: ContinueRequest = serde_json::from_slice(&bytes).map_err(|_| {
        ApiError::BadRequest(
            "The body must be a JSON object with `state`, `session_token` and `answers`.",
        )
    })?;
    let login_state = stopover_protocol::State::parse(&request.state).map_err(|error| {
        ApiError::BadRequest(match error {
            StateError::Empty => "`state` is missing or empty.",
            StateError::TooLong => "`state` is too long.",
            StateError::InvalidCharacters => "`state` has characters that are not allowed.",
        })
    })?;
    let Value::Object(submitted) = &request.answers else {
        return Err(ApiError::BadRequest("`answers` must be a JSON object."));
    };

    let config = state.config();
    let session = verify_session_token(&request.session_token, &config.tenants, now).map_err(
        |rejection| {
            tracing::info!(reason = %rejection, "session token refused");
            ApiError::InvalidToken(rejection)
        },
    )?;
    let tenant = session.tenant;
    let claims = &session.claims.custom;
    // `verify` checked that a `form` claim names one of the tenant's forms, and the
    // configuration check that every tenant has at least one known form.
    let form = claims
        .form
        .as_ref()
        .or(tenant.forms.first())
        .and_then(|id| config.forms.get(id))
        .ok_or(ApiError::Internal)?;

    let no_prefill = Map::new();
    let prefill = claims.prefill.as_ref().unwrap_or(&no_prefill);
    let answers =
        validate_answers(form, submitted, prefill, now).map_err(ApiError::InvalidAnswers)?;
    let token = mint_continue_token(MintRequest {
        tenant,
        subject: &claims.sub,
        state: &login_state,
        form,
        answers,
        now,
    })
    .map_err(|error| {
        tracing::error!(%error, "cannot mint a continue token");
        ApiError::Internal
    })?;

    // Consumed only now that a token exists: a refused answer leaves the token usable.
    let key = ReplayKey::new(
        &tenant.issuer,
        &claims.sub,
        login_state.as_str(),
        &request.session_token,
    );
    match state.store().consume(key, session.expires_at, now).await {
        Ok(Consumption::First) => {}
        Ok(Consumption::AlreadyUsed) => return Err(ApiError::AlreadyUsed),
        Err(error) => {
            tracing::warn!(%error, "replay store unavailable; nothing minted");
            return Err(ApiError::Unavailable);
        }
    }
    state.metrics().record_minted();
    tracing::info!(issuer = %tenant.issuer, form = %form.id.0, "continue token minted");

    let fields = BTreeMap::from([
        ("state".to_owned(), login_state.as_str().to_owned()),
        (tenant.token_parameter.clone(), token),
    ]);
    let continue_url = continue_url(tenant, claims.continue_host.as_deref(), &login_state);
    Ok(json_response(
        StatusCode::OK,
        &ContinueResponse {
            continue_url,
            fields,
        },
    ))
}

/// `GET /healthz`: the process is up.
async fn healthz() -> Response {
    json_response(StatusCode::OK, &serde_json::json!({ "status": "ok" }))
}

/// `GET /readyz`: the replay store answers.
async fn readyz(State(state): State<AppState>) -> Result<Response, ApiError> {
    state.store().ping().await.map_err(|error| {
        tracing::warn!(%error, "not ready: replay store unavailable");
        ApiError::Unavailable
    })?;
    Ok(json_response(
        StatusCode::OK,
        &serde_json::json!({ "status": "ready" }),
    ))
}

/// `GET /metrics`: Prometheus text.
async fn metrics(State(state): State<AppState>) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
        )],
        state.metrics().render(),
    )
        .into_response()
}

async fn api_not_found() -> ApiError {
    ApiError::NotFound
}

async fn not_found() -> ApiError {
    ApiError::NotFound
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

/// The body, at most [`MAX_BODY_BYTES`].
async fn read_body(headers: &HeaderMap, body: Body) -> Result<axum::body::Bytes, ApiError> {
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<u64>().ok());
    if declared.is_some_and(|length| length > MAX_BODY_BYTES as u64) {
        return Err(ApiError::PayloadTooLarge);
    }
    match Limited::new(body, MAX_BODY_BYTES).collect().await {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(error) if error.is::<LengthLimitError>() => Err(ApiError::PayloadTooLarge),
        Err(_) => Err(ApiError::BadRequest("The body could not be read.")),
    }
}
