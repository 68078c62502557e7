//! The simulated Management API over HTTP: the client-credentials grant, bearer and scope
//! checks, Auth0's metadata merge, and the switchable faults tests rely on.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use serde_json::{json, Value};
use stopover_simulator::{app, Clock, ManagementApiConfig, Secret, SimulatorConfig};
use tower::ServiceExt;

const ISSUER: &str = "127.0.0.1:8780";
const AUDIENCE: &str = "https://127.0.0.1:8780/api/v2/";
const CLIENT_ID: &str = "stopover-signer";
const CLIENT_SECRET: &str = "management client secret";
const START: i64 = 1_900_000_000;
const BRUNO: &str = "/api/v2/users/auth0%7Cbruno";

struct Api {
    app: Router,
    now: Arc<AtomicI64>,
}

struct Reply {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    body: Value,
}

impl Api {
    fn new(scopes: &[&str]) -> Self {
        let now = Arc::new(AtomicI64::new(START));
        let clock_now = now.clone();
        let mut config = SimulatorConfig::new(
            ISSUER,
            "http://127.0.0.1:8781/",
            Secret::new("a session token secret of 32 bytes or more"),
        );
        config.clock = Clock::from_fn(move || clock_now.load(Ordering::SeqCst));
        let mut management = ManagementApiConfig::new(CLIENT_ID, Secret::new(CLIENT_SECRET));
        management.scopes = scopes.iter().map(|s| (*s).to_owned()).collect();
        management.token_ttl_secs = 3600;
        config.management = Some(management);
        Self {
            app: app(config),
            now,
        }
    }

    async fn send(&self, method: Method, path: &str, token: Option<&str>, body: Value) -> Reply {
        let mut request = Request::builder()
            .method(method)
            .uri(path)
            .header(header::CONTENT_TYPE, "application/json");
        if let Some(token) = token {
            request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
        }
        let body = if body.is_null() {
            Body::empty()
        } else {
            Body::from(body.to_string())
        };
        let response = self
            .app
            .clone()
            .oneshot(request.body(body).unwrap())
            .await
            .unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Reply {
            status,
            headers,
            body,
        }
    }

    async fn token(&self) -> String {
        let reply = self
            .send(
                Method::POST,
                "/oauth/token",
                None,
                json!({
                    "grant_type": "client_credentials",
                    "client_id": CLIENT_ID,
                    "client_secret": CLIENT_SECRET,
                    "audience": AUDIENCE,
                }),
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        reply.body["access_token"].as_str().unwrap().to_owned()
    }

    async fn stats(&self) -> Value {
        self.send(Method::GET, "/_sim/management/stats", None, Value::Null)
            .await
            .body
    }
}

fn both_scopes() -> Api {
    Api::new(&["read:users", "update:users"])
}

#[tokio::test]
async fn the_client_credentials_grant_answers_a_bearer_token_with_expiry_and_scopes() {
    let api = both_scopes();
    let reply = api
        .send(
            Method::POST,
            "/oauth/token",
            None,
            json!({"grant_type": "client_credentials", "client_id": CLIENT_ID,
                   "client_secret": CLIENT_SECRET, "audience": AUDIENCE}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.body["token_type"], "Bearer");
    assert_eq!(reply.body["expires_in"], 3600);
    assert_eq!(reply.body["scope"], "read:users update:users");
    assert_eq!(api.stats().await["tokens_issued"], 1);
}

#[tokio::test]
async fn a_wrong_secret_or_audience_gets_no_token() {
    let api = both_scopes();
    let wrong_secret = api
        .send(
            Method::POST,
            "/oauth/token",
            None,
            json!({"grant_type": "client_credentials", "client_id": CLIENT_ID,
                   "client_secret": "guess", "audience": AUDIENCE}),
        )
        .await;
    assert_eq!(wrong_secret.status, StatusCode::UNAUTHORIZED);
    assert_eq!(wrong_secret.body["error"], "access_denied");
    let wrong_audience = api
        .send(
            Method::POST,
            "/oauth/token",
            None,
            json!({"grant_type": "client_credentials", "client_id": CLIENT_ID,
                   "client_secret": CLIENT_SECRET, "audience": "https://elsewhere/api/v2/"}),
        )
        .await;
    assert_eq!(wrong_audience.status, StatusCode::FORBIDDEN);
    assert!(wrong_audience.body["error_description"]
        .as_str()
        .unwrap()
        .starts_with("Service not enabled within domain"));
}

#[tokio::test]
async fn patch_merges_top_level_keys_replaces_nested_objects_and_null_deletes() {
    let api = both_scopes();
    let token = api.token().await;
    let reply = api
        .send(
            Method::PATCH,
            BRUNO,
            Some(&token),
            json!({
                "user_metadata": {"phone": "+4930901820", "country": null},
                "app_metadata": {"consents": {"terms": {"version": "2026-11"}}},
            }),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(
        reply.body["user_metadata"],
        json!({"phone": "+4930901820", "job_title": "Dispatcher", "team_size": "small"})
    );
    assert_eq!(
        reply.body["app_metadata"]["account_ref"], "ACC-1002",
        "untouched top-level keys stay"
    );
    let reply = api
        .send(
            Method::PATCH,
            BRUNO,
            Some(&token),
            json!({"app_metadata": {"consents": {"privacy": {"version": "1"}}}}),
        )
        .await;
    assert_eq!(
        reply.body["app_metadata"]["consents"],
        json!({"privacy": {"version": "1"}}),
        "a nested object is replaced whole, as at Auth0"
    );
    let read = api
        .send(Method::GET, BRUNO, Some(&token), Value::Null)
        .await;
    assert_eq!(read.status, StatusCode::OK);
    assert_eq!(read.body["user_metadata"]["phone"], "+4930901820");
    let stored = api
        .send(Method::GET, "/_sim/users/bruno", None, Value::Null)
        .await;
    assert_eq!(stored.body["user_metadata"]["phone"], "+4930901820");
    assert_eq!(api.stats().await["user_updates"], 2);
}

#[tokio::test]
async fn calls_without_a_valid_bearer_are_401() {
    let api = both_scopes();
    let none = api
        .send(Method::PATCH, BRUNO, None, json!({"user_metadata": {}}))
        .await;
    assert_eq!(none.status, StatusCode::UNAUTHORIZED);
    let made_up = api
        .send(Method::GET, BRUNO, Some("made-up"), Value::Null)
        .await;
    assert_eq!(made_up.status, StatusCode::UNAUTHORIZED);
    assert_eq!(made_up.body["message"], "Invalid token");

    let token = api.token().await;
    api.now.fetch_add(3600, Ordering::SeqCst);
    let expired = api
        .send(Method::GET, BRUNO, Some(&token), Value::Null)
        .await;
    assert_eq!(expired.status, StatusCode::UNAUTHORIZED);

    let token = api.token().await;
    api.send(Method::POST, "/_sim/management/revoke", None, Value::Null)
        .await;
    let revoked = api
        .send(Method::GET, BRUNO, Some(&token), Value::Null)
        .await;
    assert_eq!(revoked.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn each_call_needs_its_scope() {
    let api = Api::new(&["update:users"]);
    let token = api.token().await;
    let read = api
        .send(Method::GET, BRUNO, Some(&token), Value::Null)
        .await;
    assert_eq!(read.status, StatusCode::FORBIDDEN);
    assert_eq!(
        read.body["message"],
        "Insufficient scope, expected any of: read:users"
    );
    let api = Api::new(&["read:users"]);
    let token = api.token().await;
    let update = api
        .send(
            Method::PATCH,
            BRUNO,
            Some(&token),
            json!({"user_metadata": {"a": 1}}),
        )
        .await;
    assert_eq!(update.status, StatusCode::FORBIDDEN);
    assert_eq!(update.body["errorCode"], "insufficient_scope");
}

#[tokio::test]
async fn an_unknown_user_or_a_non_object_metadata_is_refused() {
    let api = both_scopes();
    let token = api.token().await;
    let unknown = api
        .send(
            Method::PATCH,
            "/api/v2/users/auth0%7Cnobody",
            Some(&token),
            json!({"user_metadata": {"a": 1}}),
        )
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    let bad = api
        .send(
            Method::PATCH,
            BRUNO,
            Some(&token),
            json!({"user_metadata": "phone"}),
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn a_rate_limit_fault_answers_429_with_reset_headers_then_clears() {
    let api = both_scopes();
    let token = api.token().await;
    let queued = api
        .send(
            Method::POST,
            "/_sim/management/faults",
            None,
            json!({"kind": "rate_limit", "reset_in_secs": 2, "count": 1}),
        )
        .await;
    assert_eq!(queued.status, StatusCode::OK);
    let limited = api
        .send(
            Method::PATCH,
            BRUNO,
            Some(&token),
            json!({"user_metadata": {"a": 1}}),
        )
        .await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(limited.headers["x-ratelimit-remaining"], "0");
    assert_eq!(
        limited.headers["x-ratelimit-reset"],
        (START + 2).to_string().as_str()
    );
    let next = api
        .send(
            Method::PATCH,
            BRUNO,
            Some(&token),
            json!({"user_metadata": {"a": 1}}),
        )
        .await;
    assert_eq!(next.status, StatusCode::OK);
    assert_eq!(
        api.stats().await["user_updates"],
        1,
        "the 429 applied nothing"
    );
}

#[tokio::test]
async fn retry_after_only_server_error_and_token_faults_are_switchable() {
    let api = both_scopes();
    let token = api.token().await;
    api.send(
        Method::POST,
        "/_sim/management/faults",
        None,
        json!([
            {"kind": "rate_limit", "reset_in_secs": 3, "retry_after_only": true},
            {"kind": "server_error", "status": 502, "count": 1},
            {"target": "token", "kind": "server_error"},
        ]),
    )
    .await;
    let first = api
        .send(Method::GET, BRUNO, Some(&token), Value::Null)
        .await;
    assert_eq!(first.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(first.headers[header::RETRY_AFTER], "3");
    assert!(first.headers.get("x-ratelimit-reset").is_none());
    let second = api
        .send(Method::GET, BRUNO, Some(&token), Value::Null)
        .await;
    assert_eq!(second.status, StatusCode::BAD_GATEWAY);
    let token_reply = api
        .send(
            Method::POST,
            "/oauth/token",
            None,
            json!({"grant_type": "client_credentials", "client_id": CLIENT_ID,
                   "client_secret": CLIENT_SECRET, "audience": AUDIENCE}),
        )
        .await;
    assert_eq!(token_reply.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(api.stats().await["faults_served"], 3);
}

#[tokio::test]
async fn a_slow_fault_delays_the_answer_and_clearing_faults_removes_it() {
    let api = both_scopes();
    let token = api.token().await;
    api.send(
        Method::POST,
        "/_sim/management/faults",
        None,
        json!({"kind": "slow", "delay_ms": 300}),
    )
    .await;
    let started = Instant::now();
    let slow = api
        .send(Method::GET, BRUNO, Some(&token), Value::Null)
        .await;
    assert_eq!(slow.status, StatusCode::OK);
    assert!(started.elapsed() >= Duration::from_millis(300));

    api.send(
        Method::POST,
        "/_sim/management/faults",
        None,
        json!({"kind": "server_error", "count": 5}),
    )
    .await;
    let cleared = api
        .send(Method::DELETE, "/_sim/management/faults", None, Value::Null)
        .await;
    assert_eq!(cleared.status, StatusCode::NO_CONTENT);
    let ok = api
        .send(Method::GET, BRUNO, Some(&token), Value::Null)
        .await;
    assert_eq!(ok.status, StatusCode::OK);
}

#[tokio::test]
async fn without_a_management_client_the_api_is_absent() {
    let config = SimulatorConfig::new(
        ISSUER,
        "http://127.0.0.1:8781/",
        Secret::new("a session token secret of 32 bytes or more"),
    );
    let response = app(config)
        .oneshot(
            Request::patch(BRUNO)
                .header(header::AUTHORIZATION, "Bearer x")
                .body(Body::from("{}"))
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}
