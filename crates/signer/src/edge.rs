//! What requests pass through before and after the handlers: panic catching, the request
//! timeout, metrics and the access log, the `Origin` allow-list, CORS and the rate limit.

use std::any::Any;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::http::{header, HeaderValue, Method};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::Router;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::cors::{AllowOrigin, CorsLayer};

use crate::config::Config;
use crate::error::{internal_error_response, ApiError, RejectionReason};
use crate::rate_limit::Decision;
use crate::AppState;

/// The outer layers, innermost first: timeout, then metrics and log, then panic catching.
pub fn around(router: Router<AppState>, state: AppState) -> Router {
    router
        .layer(middleware::from_fn_with_state(
            state.clone(),
            request_timeout,
        ))
        .layer(middleware::from_fn_with_state(state.clone(), observe))
        .layer(CatchPanicLayer::custom(panic_response))
        .with_state(state)
}

/// CORS for the allowed origins: exact match, no credentials, JSON posts only.
pub fn cors(config: &Config) -> CorsLayer {
    let origins: Vec<HeaderValue> = config
        .allowed_origins
        .iter()
        .filter_map(|origin| HeaderValue::from_str(origin).ok())
        .collect();
    CorsLayer::new()
        .allow_origin(AllowOrigin::list(origins))
        .allow_methods([Method::GET, Method::POST])
        .allow_headers([header::CONTENT_TYPE])
        // A page on another origin must read how long to wait after a 429.
        .expose_headers([header::RETRY_AFTER])
        .max_age(Duration::from_secs(600))
}

/// Refuses (403) a request whose `Origin` is not exactly one of the allowed origins. A
/// request without `Origin` (not from a browser page) passes.
pub async fn origin_guard(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if let Some(origin) = request.headers().get(header::ORIGIN) {
        let allowed = state
            .config()
            .allowed_origins
            .iter()
            .any(|allowed| allowed.as_bytes() == origin.as_bytes());
        if !allowed {
            return ApiError::OriginNotAllowed.into_response();
        }
    }
    next.run(request).await
}

/// The per-client-IP token bucket (429 with `Retry-After`).
pub async fn rate_limit(State(state): State<AppState>, request: Request, next: Next) -> Response {
    // Without connection info (in-process tests) every request shares one bucket.
    let client = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |info| info.0.ip());
    match state.limiter().check(client, Instant::now()) {
        Decision::Allow => next.run(request).await,
        Decision::Deny { retry_after_secs } => {
            ApiError::RateLimited { retry_after_secs }.into_response()
        }
    }
}

/// Answers 503 when the handler takes longer than the configured request timeout.
async fn request_timeout(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let limit = Duration::from_millis(state.config().limits.request_timeout_ms);
    match tokio::time::timeout(limit, next.run(request)).await {
        Ok(response) => response,
        Err(_) => {
            tracing::warn!("request timed out");
            ApiError::Unavailable.into_response()
        }
    }
}

/// Counts the request, logs one line without query string, body or token, and sets
/// `nosniff` everywhere and `no-store` on API answers.
async fn observe(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let route = route_label(
        request
            .extensions()
            .get::<MatchedPath>()
            .map(MatchedPath::as_str),
    );
    let method = request.method().clone();
    let mut response = next.run(request).await;
    let elapsed = started.elapsed();
    let status = response.status().as_u16();
    state.metrics().record_request(route, status, elapsed);
    if let Some(RejectionReason(reason)) = response.extensions().get::<RejectionReason>() {
        state.metrics().record_rejection(reason);
    }
    let headers = response.headers_mut();
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    if route.starts_with("/api") {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    tracing::info!(%method, route, status, latency_ms = elapsed.as_millis() as u64, "request");
    response
}

/// A fixed label per route, so metrics memory stays bounded whatever paths clients send.
fn route_label(matched: Option<&str>) -> &'static str {
    match matched {
        Some("/api/forms/{id}") => "/api/forms/{id}",
        Some("/api/continue") => "/api/continue",
        Some("/api/{*rest}") => "/api/other",
        Some("/healthz") => "/healthz",
        Some("/readyz") => "/readyz",
        Some("/metrics") => "/metrics",
        _ => "page",
    }
}

/// A panic becomes the 500 JSON body; the payload is not logged (it could quote input).
fn panic_response(_payload: Box<dyn Any + Send + 'static>) -> Response {
    tracing::error!("a request handler panicked");
    let mut response = internal_error_response();
    response.extensions_mut().insert(RejectionReason("panic"));
    response
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use std::collections::BTreeMap;
    use std::sync::Arc;

    use axum::body::Body;
    use axum::routing::get;
    use http_body_util::BodyExt as _;
    use tower::ServiceExt as _;

    use super::*;
    use crate::config::{Limits, ReplayStoreConfig};
    use crate::replay::MemoryStore;

    fn state(timeout_ms: u64) -> AppState {
        let config = Config {
            listen: ([127, 0, 0, 1], 0).into(),
            allowed_origins: vec!["https://page.example".to_owned()],
            static_dir: None,
            form_action_extra_origins: Vec::new(),
            limits: Limits {
                request_timeout_ms: timeout_ms,
                ..Limits::default()
            },
            replay: ReplayStoreConfig::Memory,
            tenants: Vec::new(),
            forms: BTreeMap::new(),
            deliveries: BTreeMap::new(),
            answers_claims: BTreeMap::new(),
        };
        AppState::new(config, Arc::new(MemoryStore::new(10))).unwrap()
    }

    async fn body_text(response: Response) -> String {
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        String::from_utf8(bytes.to_vec()).unwrap()
    }

    #[tokio::test]
    async fn panic_in_a_handler_becomes_a_500_json_body() {
        #[allow(clippy::panic)]
        async fn boom() -> &'static str {
            panic!("handler bug")
        }
        let router = around(Router::new().route("/boom", get(boom)), state(1000));
        let response = router
            .oneshot(Request::get("/boom").body(Body::empty()).unwrap())
            .await
            .unwrap();
        assert_eq!(response.status(), 500);
        assert_eq!(
            response.headers()[header::CONTENT_TYPE],
            "application/json; charset=utf-8"
        );
        assert!(body_text(response).await.contains(r#""error":"internal""#));
    }

    #[tokio::test]
    async fn slow_handler_is_cut_off_with_503() {
        async fn slow() -> &'static str {
            tokio::time::sleep(Duration::from_secs(5)).await;
            "late"
        }
        let router = around(Router::new().route("/slow", get(slow)), state(100));
        let response = router
            .oneshot(Request::get("/slow").body(Body::empty()).unwrap())
            .await
            .unwrap();
        assert_eq!(response.status(), 503);
        assert!(body_text(response)
            .await
            .contains(r#""error":"unavailable""#));
    }
}
