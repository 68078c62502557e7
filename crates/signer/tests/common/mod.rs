//! Helpers shared by the signer's integration tests: a configuration, hand-built tokens and
//! requests driven through `app(state).oneshot(..)`.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode};
use axum::Router;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use http_body_util::BodyExt as _;
use serde_json::{json, Value};
use sha2::Sha256;
use stopover_signer::config::Config;
use stopover_signer::replay::{MemoryStore, ReplayStore};
use stopover_signer::{app, AppState};
use tower::ServiceExt as _;

pub const SECRET: &str = "test-secret-for-the-tenant-0123456789abcdef";
pub const OTHER_SECRET: &str = "another-tenant-secret-0123456789abcdefghij";
pub const ISSUER: &str = "tenant.example.com";
pub const OTHER_ISSUER: &str = "other.example.com";
pub const ORIGIN: &str = "https://stopover.example.com";
/// The fixed clock of every test: 2027-01-15.
pub const NOW: i64 = 1_800_000_000;
pub const STATE: &str = "hKFo2SBhc3RhdGUtZm9yLXRlc3Rz";

pub fn config_toml(store: &str) -> String {
    format!(
        r#"
listen = "127.0.0.1:0"
allowed_origins = ["{ORIGIN}"]

[limits]
rate_limit_per_minute = 1000

[replay]
store = "{store}"

[[tenants]]
issuer = "{ISSUER}"
secret_env = "TENANT_SECRET"
continue_hosts = ["login.example.com"]
forms = ["profile", "terms"]

[[tenants]]
issuer = "{OTHER_ISSUER}"
secret_env = "OTHER_SECRET"
token_parameter = "continue_token"
ttl_seconds = 300
forms = ["terms"]

[[forms]]
id = "profile"
version = "3"
title = {{ en = "Profile", fr = "Profil" }}
submit_label = "Continue"

[[forms.fields]]
id = "company"
kind = "text"
label = "Company"
required = true
max_length = 50

[[forms.fields]]
id = "newsletter"
kind = "checkbox"
label = "Newsletter"

[[forms.fields]]
id = "account"
kind = "hidden"
prefill = "account"

[[forms]]
id = "terms"
version = "2026-11"
title = "Terms"
submit_label = "Accept"

[[forms.fields]]
id = "terms"
kind = "consent"
label = "I accept"
required = true
document = {{ url = "https://example.com/terms", version = "2026-11", title = "Terms" }}
"#
    )
}

pub fn env(name: &str) -> Option<String> {
    match name {
        "TENANT_SECRET" => Some(SECRET.to_owned()),
        "OTHER_SECRET" => Some(OTHER_SECRET.to_owned()),
        _ => None,
    }
}

pub fn config() -> Config {
    Config::from_toml(&config_toml("memory"), &env).unwrap()
}

pub fn state_with(config: Config, store: Arc<dyn ReplayStore>) -> AppState {
    AppState::with_clock(config, store, Arc::new(|| NOW)).unwrap()
}

pub fn state() -> AppState {
    state_with(config(), Arc::new(MemoryStore::new(1000)))
}

pub fn b64(bytes: impl AsRef<[u8]>) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

pub fn hmac_sha256(key: &[u8], data: &[u8]) -> Vec<u8> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).unwrap();
    mac.update(data);
    mac.finalize().into_bytes().to_vec()
}

/// `header.claims.signature` with the raw JSON texts given, signed with `key`.
pub fn sign_raw(header: &str, claims: &str, key: &[u8]) -> String {
    let signed = format!("{}.{}", b64(header), b64(claims));
    let signature = hmac_sha256(key, signed.as_bytes());
    format!("{signed}.{}", b64(signature))
}

pub const HEADER: &str = r#"{"alg":"HS256","typ":"JWT"}"#;

/// What Auth0's `encodeToken` puts in a session token for the test tenant.
pub fn claims() -> Value {
    json!({
        "sub": "auth0|user-1",
        "iss": ISSUER,
        "iat": NOW - 10,
        "exp": NOW + 890,
        "ip": "192.0.2.1",
        "form": "profile",
        "prefill": { "account": "acct-42" },
    })
}

pub fn token_with(claims: &Value) -> String {
    sign_raw(HEADER, &claims.to_string(), SECRET.as_bytes())
}

pub fn token() -> String {
    token_with(&claims())
}

pub fn good_answers() -> Value {
    json!({ "company": "  Example Ltd ", "newsletter": true })
}

pub fn continue_body(token: &str, answers: &Value) -> String {
    json!({ "state": STATE, "session_token": token, "answers": answers }).to_string()
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
    pub text: String,
}

pub async fn send(app: Router, request: Request<Body>) -> Reply {
    let response = app.oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    Reply {
        status,
        headers,
        body,
        text,
    }
}

pub fn post_json(body: impl Into<String>) -> Request<Body> {
    Request::post("/api/continue")
        .header("content-type", "application/json")
        .header("origin", ORIGIN)
        .body(Body::from(body.into()))
        .unwrap()
}

pub async fn post_continue(state: &AppState, body: impl Into<String>) -> Reply {
    send(app(state.clone()), post_json(body)).await
}

/// `POST /api/session` with `body`.
pub async fn post_session(state: &AppState, body: impl Into<String>) -> Reply {
    let request = Request::post("/api/session")
        .header("content-type", "application/json")
        .header("origin", ORIGIN)
        .body(Body::from(body.into()))
        .unwrap();
    send(app(state.clone()), request).await
}

pub fn session_body(token: &str) -> String {
    json!({ "state": STATE, "session_token": token }).to_string()
}

/// Decodes the claims of a minted token (the tests check its signature separately).
pub fn decode_part(token: &str, index: usize) -> Value {
    let part = token.split('.').nth(index).unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).unwrap()).unwrap()
}
