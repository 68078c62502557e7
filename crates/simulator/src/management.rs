//! The parts of the Auth0 Management API the signer's back channel uses:
//!
//! - `POST /oauth/token`: the client-credentials grant (client id and secret, audience
//!   `https://{issuer}/api/v2/`), answering an opaque bearer token with `expires_in` and the
//!   client's scopes;
//! - `GET /api/v2/users/{id}` (scope `read:users`) and `PATCH /api/v2/users/{id}` (scope
//!   `update:users`) with Auth0's metadata merge: top-level keys merge, a nested object is
//!   replaced whole, `null` deletes a key, an empty object clears the metadata;
//! - for tests, `/_sim/management/...`: switchable faults (429 with rate-limit headers, 5xx,
//!   slow answers), call counts, and revoking every token.
//!
//! Errors have Auth0's shapes: `{"error", "error_description"}` at the token endpoint,
//! `{"statusCode", "error", "message", "errorCode"}` on the API.

use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE, RETRY_AFTER};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Map, Value};

use crate::app_state::AppState;
use crate::config::{READ_USERS, UPDATE_USERS};
use crate::management_state::{Fault, FaultKind, FaultTarget, IssuedToken};
use crate::tenant::random_id;

/// `POST /oauth/token` (JSON or form body).
pub async fn token(State(app): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let Some(config) = app.config().management.clone() else {
        return token_error(StatusCode::NOT_FOUND, "not_found", "Not found");
    };
    if let Some(response) = fault(&app, FaultTarget::Token).await {
        return response;
    }
    let params = read_params(&headers, &body);
    let param = |name: &str| params.get(name).and_then(Value::as_str).unwrap_or_default();
    if param("grant_type") != "client_credentials" {
        return token_error(
            StatusCode::FORBIDDEN,
            "unauthorized_client",
            "Grant type not allowed for the client.",
        );
    }
    if param("client_id") != config.client_id
        || param("client_secret").as_bytes() != config.client_secret.as_bytes()
    {
        return token_error(StatusCode::UNAUTHORIZED, "access_denied", "Unauthorized");
    }
    let audience = format!("https://{}/api/v2/", app.config().issuer);
    if param("audience") != audience {
        return token_error(
            StatusCode::FORBIDDEN,
            "access_denied",
            &format!("Service not enabled within domain: {}", param("audience")),
        );
    }
    let now = app.config().clock.now();
    let access_token = random_id();
    let mut state = app.management();
    state.tokens.retain(|_, token| token.expires_at > now);
    state.tokens.insert(
        access_token.clone(),
        IssuedToken {
            expires_at: now.saturating_add(config.token_ttl_secs),
            scopes: config.scopes.clone(),
        },
    );
    state.stats.tokens_issued += 1;
    Json(json!({
        "access_token": access_token,
        "token_type": "Bearer",
        "expires_in": config.token_ttl_secs,
        "scope": config.scopes.join(" "),
    }))
    .into_response()
}

/// `GET /api/v2/users/{id}`.
pub async fn get_user(
    State(app): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    if let Err(response) = authorize(&app, &headers, READ_USERS).await {
        return response;
    }
    let tenant = app.tenant();
    let Some(user) = tenant.users().find(|user| user.user_id == id) else {
        return api_error(
            StatusCode::NOT_FOUND,
            "The user does not exist.",
            "inexistent_user",
        );
    };
    let user = user.clone();
    drop(tenant);
    app.management().stats.user_reads += 1;
    Json(user).into_response()
}

/// `PATCH /api/v2/users/{id}`: merges `user_metadata` and `app_metadata`.
pub async fn patch_user(
    State(app): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Err(response) = authorize(&app, &headers, UPDATE_USERS).await {
        return response;
    }
    let Ok(Value::Object(body)) = serde_json::from_slice::<Value>(&body) else {
        return api_error(
            StatusCode::BAD_REQUEST,
            "Payload validation error: 'Invalid JSON'.",
            "invalid_body",
        );
    };
    if let Some(key) = body
        .keys()
        .find(|key| !matches!(key.as_str(), "user_metadata" | "app_metadata"))
    {
        return api_error(
            StatusCode::BAD_REQUEST,
            &format!("Payload validation error: 'Additional properties not allowed: {key}' (the simulator updates metadata only)."),
            "invalid_body",
        );
    }
    for (name, value) in &body {
        if !value.is_object() {
            return api_error(
                StatusCode::BAD_REQUEST,
                &format!("Payload validation error: 'Expected type object but found type {}' on property {name}.", json_type(value)),
                "invalid_body",
            );
        }
    }
    let mut tenant = app.tenant();
    let short_id = tenant
        .users()
        .find(|user| user.user_id == id)
        .map(|user| user.short_id().to_owned());
    let Some(user) = short_id.and_then(|short_id| tenant.user_mut(&short_id)) else {
        return api_error(
            StatusCode::NOT_FOUND,
            "The user does not exist.",
            "inexistent_user",
        );
    };
    if let Some(Value::Object(changes)) = body.get("user_metadata") {
        merge_metadata(&mut user.user_metadata, changes);
    }
    if let Some(Value::Object(changes)) = body.get("app_metadata") {
        merge_metadata(&mut user.app_metadata, changes);
    }
    let user = user.clone();
    drop(tenant);
    app.management().stats.user_updates += 1;
    Json(user).into_response()
}

/// Auth0's merge: each top-level key of `changes` replaces the stored one (a nested object
/// whole), `null` deletes it, and an empty `changes` clears the metadata.
pub fn merge_metadata(metadata: &mut Map<String, Value>, changes: &Map<String, Value>) {
    if changes.is_empty() {
        metadata.clear();
        return;
    }
    for (key, value) in changes {
        if value.is_null() {
            metadata.remove(key);
        } else {
            metadata.insert(key.clone(), value.clone());
        }
    }
}

/// `POST /_sim/management/faults`: queues a fault (or a JSON array of faults).
pub async fn add_faults(State(app): State<AppState>, body: Bytes) -> Response {
    let faults: Vec<Fault> = match serde_json::from_slice::<Value>(&body) {
        Ok(Value::Array(items)) => match serde_json::from_value(Value::Array(items)) {
            Ok(faults) => faults,
            Err(error) => return bad_fault(&error.to_string()),
        },
        Ok(item) => match serde_json::from_value(item) {
            Ok(fault) => vec![fault],
            Err(error) => return bad_fault(&error.to_string()),
        },
        Err(error) => return bad_fault(&error.to_string()),
    };
    let mut state = app.management();
    state.faults.extend(faults);
    Json(json!({ "queued": state.faults.len() })).into_response()
}

/// `DELETE /_sim/management/faults`: clears the queue.
pub async fn clear_faults(State(app): State<AppState>) -> Response {
    app.management().faults.clear();
    StatusCode::NO_CONTENT.into_response()
}

/// `GET /_sim/management/stats`.
pub async fn stats(State(app): State<AppState>) -> Response {
    Json(app.management().stats).into_response()
}

/// `POST /_sim/management/revoke`: every issued token stops working (as after a key
/// rotation), so the next API call answers 401.
pub async fn revoke(State(app): State<AppState>) -> Response {
    app.management().tokens.clear();
    StatusCode::NO_CONTENT.into_response()
}

/// Bearer validation and the scope check; the fault (if any) comes after authentication,
/// as Auth0's rate limiter counts authenticated calls.
async fn authorize(app: &AppState, headers: &HeaderMap, scope: &str) -> Result<(), Response> {
    if app.config().management.is_none() {
        return Err(api_error(StatusCode::NOT_FOUND, "Not found", "not_found"));
    }
    let bearer = headers
        .get(AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "));
    let Some(bearer) = bearer else {
        return Err(api_error(
            StatusCode::UNAUTHORIZED,
            "Missing authentication",
            "missing_authentication",
        ));
    };
    let now = app.config().clock.now();
    let issued = app.management().tokens.get(bearer).cloned();
    let Some(issued) = issued else {
        return Err(api_error(
            StatusCode::UNAUTHORIZED,
            "Invalid token",
            "invalid_token",
        ));
    };
    if issued.expires_at <= now {
        return Err(api_error(
            StatusCode::UNAUTHORIZED,
            "Expired token received for JSON Web Token validation",
            "token_expired",
        ));
    }
    if !issued.scopes.iter().any(|granted| granted == scope) {
        return Err(api_error(
            StatusCode::FORBIDDEN,
            &format!("Insufficient scope, expected any of: {scope}"),
            "insufficient_scope",
        ));
    }
    match fault(app, FaultTarget::Users).await {
        Some(response) => Err(response),
        None => Ok(()),
    }
}

/// Serves the next queued fault for `target`: an error response, or a delay then `None`.
async fn fault(app: &AppState, target: FaultTarget) -> Option<Response> {
    let kind = app.management().take_fault(target)?;
    match kind {
        FaultKind::RateLimit {
            reset_in_secs,
            retry_after_only,
        } => {
            let mut response = api_error(
                StatusCode::TOO_MANY_REQUESTS,
                "Global limit has been reached",
                "too_many_requests",
            );
            let headers = response.headers_mut();
            if retry_after_only {
                headers.insert(RETRY_AFTER, HeaderValue::from(reset_in_secs.max(0)));
            } else {
                let reset = app.config().clock.now().saturating_add(reset_in_secs);
                headers.insert("x-ratelimit-limit", HeaderValue::from(10));
                headers.insert("x-ratelimit-remaining", HeaderValue::from(0));
                headers.insert("x-ratelimit-reset", HeaderValue::from(reset));
            }
            Some(response)
        }
        FaultKind::ServerError { status } => {
            let status = StatusCode::from_u16(status)
                .ok()
                .filter(StatusCode::is_server_error)
                .unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
            Some(api_error(
                status,
                "Service temporarily unavailable",
                "server_error",
            ))
        }
        FaultKind::Slow { delay_ms } => {
            tokio::time::sleep(Duration::from_millis(delay_ms)).await;
            None
        }
    }
}

/// A JSON body's or a form body's parameters.
fn read_params(headers: &HeaderMap, body: &[u8]) -> Map<String, Value> {
    let is_form = headers
        .get(CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("application/x-www-form-urlencoded"));
    if is_form {
        form_urlencoded::parse(body)
            .map(|(key, value)| (key.into_owned(), Value::String(value.into_owned())))
            .collect()
    } else {
        match serde_json::from_slice(body) {
            Ok(Value::Object(map)) => map,
            _ => Map::new(),
        }
    }
}

fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn token_error(status: StatusCode, error: &str, description: &str) -> Response {
    (
        status,
        Json(json!({ "error": error, "error_description": description })),
    )
        .into_response()
}

fn api_error(status: StatusCode, message: &str, code: &str) -> Response {
    (
        status,
        Json(json!({
            "statusCode": status.as_u16(),
            "error": status.canonical_reason().unwrap_or("Error"),
            "message": message,
            "errorCode": code,
        })),
    )
        .into_response()
}

fn bad_fault(problem: &str) -> Response {
    (
        StatusCode::BAD_REQUEST,
        Json(json!({ "error": "invalid_fault", "message": problem })),
    )
        .into_response()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn object(value: Value) -> Map<String, Value> {
        match value {
            Value::Object(map) => map,
            _ => panic!("not an object"),
        }
    }

    #[test]
    fn top_level_keys_merge_and_nested_objects_are_replaced_whole() {
        let mut metadata = object(json!({"a": 1, "consents": {"terms": 1, "privacy": 2}}));
        merge_metadata(
            &mut metadata,
            &object(json!({"b": 2, "consents": {"terms": 3}})),
        );
        assert_eq!(
            Value::Object(metadata),
            json!({"a": 1, "b": 2, "consents": {"terms": 3}})
        );
    }

    #[test]
    fn null_deletes_a_key_and_an_empty_object_clears_everything() {
        let mut metadata = object(json!({"a": 1, "b": 2}));
        merge_metadata(&mut metadata, &object(json!({"a": null})));
        assert_eq!(Value::Object(metadata.clone()), json!({"b": 2}));
        merge_metadata(&mut metadata, &Map::new());
        assert!(metadata.is_empty());
    }

    #[test]
    fn a_fault_reads_from_json() {
        let fault: Fault =
            serde_json::from_value(json!({"kind": "rate_limit", "reset_in_secs": 2, "count": 3}))
                .unwrap();
        assert_eq!(fault.target, FaultTarget::Users);
        assert_eq!(
            fault.kind,
            FaultKind::RateLimit {
                reset_in_secs: 2,
                retry_after_only: false
            }
        );
        assert_eq!(fault.count, 3);
    }
}
