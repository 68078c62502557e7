//! What requests pass through before and after the handlers, all in one middleware
//! ([`around`]): panic catching, the `Origin` allow-list, CORS (a preflight is answered here),
//! the per-client rate limit on the two posts (behind trusted proxies through
//! `X-Forwarded-For`), the request and body timeouts, metrics and the access log.

use std::any::Any;
use std::future::Future as _;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::panic::AssertUnwindSafe;
use std::pin::{pin, Pin};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes, HttpBody};
use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::Router;
use stopover_protocol::api::{CONTINUE_PATH, SESSION_PATH};

use crate::error::{internal_error_response, ApiError, RejectionReason};
use crate::rate_limit::Decision;
use crate::AppState;

/// Every route behind [`edge`].
///
/// axum clones a route's whole stack of services for each request, so the work is folded
/// into one layer (one boxed future and one clone): what used to be eight (panic catching,
/// metrics and log, `nosniff`, the request timeout, the body timeout, the `Origin` guard,
/// CORS and the rate limit) is [`edge`].
pub fn around(router: Router<AppState>, state: AppState) -> Router {
    router
        .layer(middleware::from_fn_with_state(state.clone(), edge))
        .with_state(state)
}

/// What every request passes through, in this order: panic catching around the rest; on API
/// routes the `Origin` guard, CORS (a preflight answered at once) and on the two posts the
/// rate limit; the request timeout and the body timeout; then on the way out CORS headers on
/// what the route answered, `nosniff` on every response, `no-store` on API answers, metrics
/// and the access line.
async fn edge(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let route = route_label(
        request
            .extensions()
            .get::<MatchedPath>()
            .map(MatchedPath::as_str),
    );
    let method = method_label(request.method());
    let is_api = route.starts_with("/api");
    let mut answer = pin!(async {
        if is_api {
            api(&state, route, request, next).await
        } else {
            within_timeouts(&state, request, next)
                .await
                .unwrap_or_else(IntoResponse::into_response)
        }
    });
    // A panic anywhere below is a 500 JSON body, still counted and logged; its payload is
    // not logged (it could quote input).
    let mut response = std::future::poll_fn(|cx| {
        match std::panic::catch_unwind(AssertUnwindSafe(|| answer.as_mut().poll(cx))) {
            Ok(poll) => poll,
            Err(payload) => Poll::Ready(panic_response(payload)),
        }
    })
    .await;
    response.headers_mut().insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    if is_api {
        // Here, where the route is known: a response alone does not say which route answered
        // it, and the timeouts' answers must carry it too.
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    observe(&state, route, method, started, &mut response);
    response
}

/// An API request: 403 for an `Origin` not allowed; a CORS preflight (`OPTIONS`) answered
/// here; 429 on `POST /api/continue` and `POST /api/session` beyond the client's rate; else
/// the route within the timeouts, its answer with the CORS headers.
async fn api(state: &AppState, route: &'static str, request: Request, next: Next) -> Response {
    let origin = request.headers().get(header::ORIGIN).cloned();
    if origin
        .as_ref()
        .is_some_and(|origin| !origin_allowed(state, origin))
    {
        return ApiError::OriginNotAllowed.into_response();
    }
    if request.method() == Method::OPTIONS {
        return cors::preflight(origin);
    }
    let limited = request.method() == Method::POST && matches!(route, CONTINUE_PATH | SESSION_PATH);
    let mut response = if let Some(Decision::Deny { retry_after_secs }) =
        limited.then(|| rate_limit(state, &request))
    {
        ApiError::RateLimited { retry_after_secs }.into_response()
    } else {
        match within_timeouts(state, request, next).await {
            Ok(response) => response,
            // The timeouts' own answers, as before CORS was folded in here, carry none.
            Err(error) => return error.into_response(),
        }
    };
    cors::answer_headers(response.headers_mut(), origin);
    response
}

/// CORS for the allowed origins ([`origin_allowed`] has passed): exact match, no
/// credentials, JSON posts only; the headers `tower_http`'s `CorsLayer` wrote for
/// `allow_origin` (a predicate), `allow_methods([GET, POST])`, `allow_headers([CONTENT_TYPE])`,
/// `expose_headers([RETRY_AFTER])` and `max_age(600 s)`, byte for byte (a test holds them).
mod cors {
    use axum::body::Body;
    use axum::http::{header, HeaderMap, HeaderValue};
    use axum::response::Response;

    /// Caches must keep answers to different origins and preflights apart.
    const VARY: HeaderValue = HeaderValue::from_static(
        "origin, access-control-request-method, access-control-request-headers",
    );

    /// The answer to a preflight: 200, no body.
    pub(super) fn preflight(origin: Option<HeaderValue>) -> Response {
        let mut response = Response::new(Body::empty());
        let headers = response.headers_mut();
        headers.insert(header::VARY, VARY);
        headers.insert(
            header::ACCESS_CONTROL_ALLOW_METHODS,
            HeaderValue::from_static("GET,POST"),
        );
        headers.insert(
            header::ACCESS_CONTROL_ALLOW_HEADERS,
            HeaderValue::from_static("content-type"),
        );
        headers.insert(
            header::ACCESS_CONTROL_MAX_AGE,
            HeaderValue::from_static("600"),
        );
        if let Some(origin) = origin {
            headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
        }
        response
    }

    /// Added to a route's answer: `Vary` (after any the route set), the origin allowed to
    /// read it and, for a page on another origin waiting after a 429, `Retry-After`.
    pub(super) fn answer_headers(headers: &mut HeaderMap, origin: Option<HeaderValue>) {
        headers.append(header::VARY, VARY);
        headers.insert(
            header::ACCESS_CONTROL_EXPOSE_HEADERS,
            HeaderValue::from_static("retry-after"),
        );
        if let Some(origin) = origin {
            headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
        }
    }
}

/// Whether an `Origin` is exactly one of the allowed origins (403 otherwise; a request
/// without `Origin`, not from a browser page, passes).
fn origin_allowed(state: &AppState, origin: &HeaderValue) -> bool {
    state
        .config()
        .allowed_origins
        .iter()
        .any(|allowed| allowed.as_bytes() == origin.as_bytes())
}

/// The per-client token bucket (429 with `Retry-After`), keyed by [`client_ip`].
fn rate_limit(state: &AppState, request: &Request) -> Decision {
    // Without connection info (in-process tests) every request shares one bucket.
    let socket = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |info| info.0.ip());
    let client = client_ip(
        request.headers(),
        socket,
        state.config().server.trusted_proxy_hops,
    );
    state.limiter().check(client, Instant::now())
}

/// The client's address: the socket's, or with `trusted_hops` proxies in front, the address
/// the outermost trusted proxy saw, which is the `trusted_hops`-th entry from the right of
/// `X-Forwarded-For` (each proxy appends the address it received the request from). A header
/// that is missing, too short, or whose trusted entries are not IP addresses falls back to the
/// socket's address. Entries further left are the client's own claims and are never read.
pub fn client_ip(headers: &HeaderMap, socket: IpAddr, trusted_hops: u8) -> IpAddr {
    if trusted_hops == 0 {
        return socket;
    }
    // Several header lines form one list, in order.
    let mut entries = headers
        .get_all("x-forwarded-for")
        .iter()
        .rev()
        .flat_map(|value| match value.to_str() {
            Ok(text) => text.rsplit(',').map(parse_forwarded).collect::<Vec<_>>(),
            Err(_) => vec![None],
        });
    let mut found = None;
    for _ in 0..trusted_hops {
        match entries.next() {
            Some(Some(address)) => found = Some(address),
            // Too short, or one of our own proxies wrote something that is not an address.
            _ => return socket,
        }
    }
    found.unwrap_or(socket)
}

/// One `X-Forwarded-For` entry: an IP address, possibly with a port (`[v6]:port`, `v4:port`).
fn parse_forwarded(entry: &str) -> Option<IpAddr> {
    let entry = entry.trim();
    entry
        .parse::<IpAddr>()
        .ok()
        .or_else(|| entry.parse::<SocketAddr>().ok().map(|address| address.ip()))
}

/// Runs the rest of the request within the configured request timeout (503 after it, as the
/// signer's own back end was too slow) and, when a body is still to come, within
/// `[server] body_read_timeout_ms` for the body: 408 (and the connection closed) when the
/// client sends it too slowly, since a slow client is not the signer's outage. Those two
/// answers are the `Err`.
async fn within_timeouts(
    state: &AppState,
    request: Request,
    next: Next,
) -> Result<Response, ApiError> {
    let request_limit = Duration::from_millis(state.config().limits.request_timeout_ms);
    let (request, expired) = if request.body().is_end_stream() {
        (request, None)
    } else {
        let body_limit = Duration::from_millis(state.config().server.body_read_timeout_ms);
        let expired = Arc::new(AtomicBool::new(false));
        let flag = expired.clone();
        let deadline = tokio::time::Instant::now() + body_limit;
        let request = request.map(|body| {
            Body::new(TimedBody {
                inner: body,
                deadline,
                sleep: None,
                expired: flag,
            })
        });
        (request, Some(expired))
    };
    let response = match tokio::time::timeout(request_limit, next.run(request)).await {
        Ok(response) => response,
        Err(_) => {
            tracing::warn!("request timed out");
            return Err(ApiError::Unavailable);
        }
    };
    if expired.is_some_and(|expired| expired.load(Ordering::Relaxed)) {
        tracing::info!("request body sent too slowly");
        // 408, not 503 `unavailable`, which is about the signer's own back end.
        return Err(ApiError::RequestTimeout);
    }
    Ok(response)
}

/// A request body that fails once its deadline has passed, and says so in `expired`. The
/// timer is made only when the body is not all there at once (most bodies arrive with their
/// headers, and need none).
struct TimedBody {
    inner: Body,
    deadline: tokio::time::Instant,
    sleep: Option<Pin<Box<tokio::time::Sleep>>>,
    expired: Arc<AtomicBool>,
}

/// Why [`TimedBody`] failed (the handler sees a body error; [`within_timeouts`] answers 408).
#[derive(Debug, thiserror::Error)]
#[error("the request body was not received in time")]
struct BodyTimedOut;

impl HttpBody for TimedBody {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, axum::Error>>> {
        let this = self.get_mut();
        // What has arrived is always delivered; the deadline matters only while waiting.
        if let Poll::Ready(frame) = Pin::new(&mut this.inner).poll_frame(cx) {
            return Poll::Ready(frame);
        }
        let deadline = this.deadline;
        let sleep = this
            .sleep
            .get_or_insert_with(|| Box::pin(tokio::time::sleep_until(deadline)));
        if sleep.as_mut().poll(cx).is_ready() {
            this.expired.store(true, Ordering::Relaxed);
            return Poll::Ready(Some(Err(axum::Error::new(BodyTimedOut))));
        }
        Poll::Pending
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.inner.size_hint()
    }
}

/// What a handler adds to its response for the access line: the tenant and form a continue
/// token was minted for (names from the configuration, never from the request).
#[derive(Debug, Clone)]
pub struct Minted {
    pub issuer: String,
    pub form: String,
}

/// Counts the request and logs its one access line, without query string, body or token.
///
/// The access line is the request's only `info` line: its `outcome` is `minted` (with the
/// `issuer` and `form`), the reason a request was refused (`expired`, `bad_signature`,
/// `already_used`, ...; see [`RejectionReason`]), or `ok`.
fn observe(
    state: &AppState,
    route: &'static str,
    method: &'static str,
    started: Instant,
    response: &mut Response,
) {
    let elapsed = started.elapsed();
    let status = response.status().as_u16();
    state.metrics().record_request(route, status, elapsed);
    let rejection = response
        .extensions()
        .get::<RejectionReason>()
        .map(|RejectionReason(reason)| *reason);
    if let Some(reason) = rejection {
        state.metrics().record_rejection(reason);
    }
    let minted = response.extensions_mut().remove::<Minted>();
    let outcome = match (&minted, rejection) {
        (Some(_), _) => "minted",
        (None, Some(reason)) => reason,
        (None, None) => "ok",
    };
    tracing::info!(
        target: crate::logging::ACCESS_TARGET,
        method,
        route,
        status,
        latency_ms = elapsed.as_millis() as u64,
        outcome,
        issuer = minted.as_ref().map(|minted| minted.issuer.as_str()),
        form = minted.as_ref().map(|minted| minted.form.as_str()),
        "request"
    );
}

/// The method as logged: a fixed set, anything else `other`, so a client cannot write what it
/// likes into the log through an invented method.
fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::OPTIONS => "OPTIONS",
        Method::HEAD => "HEAD",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::PATCH => "PATCH",
        _ => "other",
    }
}

/// A fixed label per route, so metrics memory stays bounded whatever paths clients send.
fn route_label(matched: Option<&str>) -> &'static str {
    match matched {
        Some("/api/forms") => "/api/forms",
        Some("/api/forms/{id}") => "/api/forms/{id}",
        Some("/api/continue") => "/api/continue",
        Some("/api/session") => "/api/session",
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
    use crate::config::{Config, Limits, ReplayStoreConfig, ServerSettings};
    use crate::replay::MemoryStore;

    fn state(timeout_ms: u64) -> AppState {
        let config = Config {
            listen: ([127, 0, 0, 1], 0).into(),
            admin_listen: ([127, 0, 0, 1], 0).into(),
            server: ServerSettings::default(),
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

    /// CORS as `tower_http` did it for the API routes before it was folded into [`edge`]: the
    /// oracle the folded headers are held to.
    fn tower_http_cors(config: &Config) -> tower_http::cors::CorsLayer {
        use tower_http::cors::{AllowOrigin, CorsLayer};
        let origins: Arc<[HeaderValue]> = config
            .allowed_origins
            .iter()
            .filter_map(|origin| HeaderValue::from_str(origin).ok())
            .collect();
        CorsLayer::new()
            .allow_origin(AllowOrigin::predicate(move |origin, _request| {
                origins.iter().any(|allowed| allowed == origin)
            }))
            .allow_methods([Method::GET, Method::POST])
            .allow_headers([header::CONTENT_TYPE])
            .expose_headers([header::RETRY_AFTER])
            .max_age(Duration::from_secs(600))
    }

    /// API routes as the signer names them, each answering with a `Vary` of its own.
    fn api_routes() -> Router<AppState> {
        async fn answer() -> Response {
            ([(header::VARY, "accept-language")], "ok").into_response()
        }
        Router::new()
            .route("/api/continue", axum::routing::post(answer))
            .route("/api/forms/{id}", get(answer))
            .route("/api/{*rest}", axum::routing::any(answer))
    }

    /// The CORS headers of an answer, in a comparable order.
    fn cors_headers(response: &Response) -> Vec<(String, String)> {
        let mut headers: Vec<(String, String)> = response
            .headers()
            .iter()
            .filter(|(name, _)| {
                name.as_str().starts_with("access-control-") || *name == header::VARY
            })
            .map(|(name, value)| (name.to_string(), value.to_str().unwrap().to_owned()))
            .collect();
        headers.sort();
        headers
    }

    #[tokio::test]
    async fn cors_headers_are_those_tower_http_wrote() {
        let state = state(1000);
        let folded = around(api_routes(), state.clone());
        let oracle = api_routes()
            .layer(tower_http_cors(state.config()))
            .with_state(state);
        let mut compared = 0;
        for (method, path) in [
            (Method::OPTIONS, "/api/continue"),
            (Method::OPTIONS, "/api/forms/terms"),
            (Method::OPTIONS, "/api/anything"),
            (Method::POST, "/api/continue"),
            (Method::GET, "/api/forms/terms"),
            (Method::DELETE, "/api/anything"),
        ] {
            for origin in [Some("https://page.example"), None] {
                for preflight_headers in [false, true] {
                    let mut request = Request::builder().method(method.clone()).uri(path);
                    if let Some(origin) = origin {
                        request = request.header(header::ORIGIN, origin);
                    }
                    if preflight_headers {
                        request = request
                            .header(header::ACCESS_CONTROL_REQUEST_METHOD, "POST")
                            .header(header::ACCESS_CONTROL_REQUEST_HEADERS, "content-type");
                    }
                    let request = || request_clone(&request);
                    let ours = folded.clone().oneshot(request()).await.unwrap();
                    let theirs = oracle.clone().oneshot(request()).await.unwrap();
                    let case = format!("{method} {path} origin {origin:?} {preflight_headers}");
                    assert_eq!(ours.status(), theirs.status(), "{case}");
                    assert_eq!(cors_headers(&ours), cors_headers(&theirs), "{case}");
                    assert!(!cors_headers(&ours).is_empty(), "{case}");
                    compared += 1;
                }
            }
        }
        assert_eq!(compared, 24);
    }

    /// A request built from a builder's parts (a builder is consumed by `body`).
    fn request_clone(builder: &axum::http::request::Builder) -> Request {
        let mut request = Request::new(Body::empty());
        *request.method_mut() = builder.method_ref().unwrap().clone();
        *request.uri_mut() = builder.uri_ref().unwrap().clone();
        *request.headers_mut() = builder.headers_ref().unwrap().clone();
        request
    }

    #[tokio::test]
    async fn a_page_on_another_origin_is_refused_before_cors_and_panics_are_logged_answers() {
        #[allow(clippy::panic)]
        async fn boom() -> &'static str {
            panic!("handler bug")
        }
        let state = state(1000);
        let router = around(
            api_routes().route("/api/session", axum::routing::post(boom)),
            state.clone(),
        );
        let refused = router
            .clone()
            .oneshot(
                Request::options("/api/continue")
                    .header(header::ORIGIN, "https://elsewhere.example")
                    .body(Body::empty())
                    .unwrap(),
            )
            .await
            .unwrap();
        assert_eq!(refused.status(), 403);
        assert!(cors_headers(&refused).is_empty());
        // A panic is answered inside the edge: counted, with the API's headers.
        let panicked = router
            .oneshot(Request::post("/api/session").body(Body::empty()).unwrap())
            .await
            .unwrap();
        assert_eq!(panicked.status(), 500);
        assert_eq!(panicked.headers()[header::CACHE_CONTROL], "no-store");
        assert_eq!(
            panicked.headers()[header::X_CONTENT_TYPE_OPTIONS],
            "nosniff"
        );
        assert!(state
            .metrics()
            .render()
            .contains("stopover_rejections_total{reason=\"panic\"} 1"));
    }

    fn forwarded(values: &[&str]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for value in values {
            headers.append("x-forwarded-for", HeaderValue::from_str(value).unwrap());
        }
        headers
    }

    const SOCKET: IpAddr = IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1));

    #[test]
    fn client_ip_takes_the_nth_forwarded_address_from_the_right() {
        let headers = forwarded(&["198.51.100.7, 203.0.113.9", "192.0.2.4"]);
        assert_eq!(client_ip(&headers, SOCKET, 0), SOCKET, "0 hops: the socket");
        assert_eq!(client_ip(&headers, SOCKET, 1).to_string(), "192.0.2.4");
        assert_eq!(client_ip(&headers, SOCKET, 2).to_string(), "203.0.113.9");
        assert_eq!(client_ip(&headers, SOCKET, 3).to_string(), "198.51.100.7");
        let with_ports = forwarded(&["[2001:db8::1]:4711, 192.0.2.4:80"]);
        assert_eq!(client_ip(&with_ports, SOCKET, 2).to_string(), "2001:db8::1");
    }

    #[test]
    fn client_ip_falls_back_to_the_socket_for_short_or_malformed_headers() {
        assert_eq!(client_ip(&HeaderMap::new(), SOCKET, 1), SOCKET, "no header");
        let short = forwarded(&["192.0.2.4"]);
        assert_eq!(client_ip(&short, SOCKET, 2), SOCKET, "too short");
        let garbage = forwarded(&["192.0.2.4, not-an-address"]);
        assert_eq!(client_ip(&garbage, SOCKET, 1), SOCKET, "malformed");
        assert_eq!(
            client_ip(&garbage, SOCKET, 2),
            SOCKET,
            "malformed on the way"
        );
        let empty = forwarded(&[""]);
        assert_eq!(client_ip(&empty, SOCKET, 1), SOCKET, "empty");
        // What the client wrote left of the trusted entries is never read.
        let spoofed = forwarded(&["<script>, 192.0.2.4"]);
        assert_eq!(client_ip(&spoofed, SOCKET, 1).to_string(), "192.0.2.4");
    }

    #[test]
    fn every_route_label_is_one_the_metrics_count() {
        let matched = [
            None,
            Some("/api/forms"),
            Some("/api/forms/{id}"),
            Some("/api/continue"),
            Some("/api/session"),
            Some("/api/{*rest}"),
            Some("/healthz"),
            Some("/readyz"),
            Some("/metrics"),
            Some("/invented"),
        ];
        for path in matched {
            let label = route_label(path);
            assert!(crate::metrics::ROUTES.contains(&label), "{label}");
        }
    }

    #[test]
    fn unusual_methods_are_logged_as_other() {
        assert_eq!(method_label(&Method::POST), "POST");
        assert_eq!(method_label(&Method::PATCH), "PATCH");
        let invented = Method::from_bytes(b"EVIL-INJECT").unwrap();
        assert_eq!(method_label(&invented), "other");
        assert_eq!(method_label(&Method::CONNECT), "other");
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
