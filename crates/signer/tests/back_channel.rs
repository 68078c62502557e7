//! Back-channel delivery against the real tenant simulator over loopback HTTP: the answers
//! land in the user's metadata before anything is minted, the token carries only where they
//! went, each Management API fault is retried or refused as it should be, and one session
//! token never stores twice.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::http::StatusCode;
use common::*;
use serde_json::{json, Value};
use stopover_signer::config::Config;
use stopover_signer::replay::MemoryStore;
use stopover_signer::AppState;
use stopover_simulator::{Clock, ManagementApiConfig, Secret, SimulatorConfig};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const CLIENT_ID: &str = "stopover-signer";
const CLIENT_SECRET: &str = "management-client-secret-for-tests";
const BRUNO: &str = "auth0|bruno";

/// The simulator on a loopback port, on the tests' fixed clock.
struct Tenant {
    addr: SocketAddr,
    _stop: tokio::sync::oneshot::Sender<()>,
}

impl Tenant {
    async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let mut config = SimulatorConfig::new(
            &addr.to_string(),
            "http://127.0.0.1:1/",
            Secret::new(SECRET),
        );
        config.clock = Clock::from_fn(|| NOW);
        config.management = Some(ManagementApiConfig::new(
            CLIENT_ID,
            Secret::new(CLIENT_SECRET),
        ));
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(stopover_simulator::serve(config, listener, async {
            let _ = stopped.await;
        }));
        Self { addr, _stop: stop }
    }

    async fn request(&self, method: &str, path: &str, body: &str) -> (u16, Value) {
        let mut stream = TcpStream::connect(self.addr).await.unwrap();
        let request = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            self.addr,
            body.len()
        );
        stream.write_all(request.as_bytes()).await.unwrap();
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).await.unwrap();
        let raw = String::from_utf8_lossy(&raw).into_owned();
        let status = raw.split_whitespace().nth(1).unwrap().parse().unwrap();
        let body = raw.split_once("\r\n\r\n").map_or("", |(_, body)| body);
        (status, serde_json::from_str(body).unwrap_or(Value::Null))
    }

    async fn fault(&self, fault: Value) {
        let (status, body) = self
            .request("POST", "/_sim/management/faults", &fault.to_string())
            .await;
        assert_eq!(status, 200, "{body}");
    }

    async fn stats(&self) -> Value {
        self.request("GET", "/_sim/management/stats", "").await.1
    }

    async fn user(&self, short_id: &str) -> Value {
        self.request("GET", &format!("/_sim/users/{short_id}"), "")
            .await
            .1
    }
}

/// The common test configuration with the tenant's Management API at `tenant` and its two
/// forms delivered through it: profile answers to `user_metadata`, consents to
/// `app_metadata.consents.{field}`.
fn back_channel_config(tenant: SocketAddr) -> Config {
    let toml = config_toml("memory")
        .replace(
            "[limits]\n",
            "[limits]\nrequest_timeout_ms = 5000\n",
        )
        .replace(
            "continue_hosts = [\"login.example.com\"]\nforms = [\"profile\", \"terms\"]\n",
            &format!(
                "continue_hosts = [\"login.example.com\"]\nforms = [\"profile\", \"terms\"]\n\n\
                 [tenants.management]\ndomain = \"{tenant}\"\nscheme = \"http\"\n\
                 client_id = \"{CLIENT_ID}\"\nclient_secret_env = \"MGMT_SECRET\"\n\
                 attempt_timeout_ms = 400\nretry_budget_ms = 2500\n"
            ),
        )
        .replace(
            "id = \"profile\"\nversion = \"3\"\n",
            "id = \"profile\"\nversion = \"3\"\ndelivery = \"user_metadata\"\n",
        )
        .replace(
            "id = \"terms\"\nversion = \"2026-11\"\n",
            "id = \"terms\"\nversion = \"2026-11\"\ndelivery = \"app_metadata\"\nmetadata_key = \"consents.{field}\"\n",
        )
        // The second tenant uses the terms form too, so it needs a client as well.
        .replace(
            "ttl_seconds = 300\nforms = [\"terms\"]\n",
            &format!(
                "ttl_seconds = 300\nforms = [\"terms\"]\n\n\
                 [tenants.management]\ndomain = \"{tenant}\"\nscheme = \"http\"\n\
                 client_id = \"{CLIENT_ID}\"\nclient_secret_env = \"MGMT_SECRET\"\n\
                 retry_budget_ms = 2500\n"
            ),
        );
    let env = |name: &str| match name {
        "MGMT_SECRET" => Some(CLIENT_SECRET.to_owned()),
        other => env(other),
    };
    match Config::from_toml(&toml, &env) {
        Ok(config) => config,
        Err(problem) => panic!("{problem}\n{toml}"),
    }
}

fn signer(tenant: &Tenant) -> AppState {
    AppState::with_clock(
        back_channel_config(tenant.addr),
        Arc::new(MemoryStore::new(1000)),
        Arc::new(|| NOW),
    )
    .unwrap()
}

/// Bruno's session token and state for one login; `login` tells logins apart, as Auth0's
/// state and the Action's random `nonce` do (two logins in one second otherwise share a
/// token, which the signer accepts once).
fn bruno_token(form: &str, login: &str) -> (String, String) {
    let mut claims = claims();
    claims["sub"] = json!(BRUNO);
    claims["form"] = json!(form);
    claims["nonce"] = json!(format!("nonce-{login}"));
    (token_with(&claims), format!("{STATE}{login}"))
}

fn body(token: &str, state: &str, answers: &Value) -> String {
    json!({ "state": state, "session_token": token, "answers": answers }).to_string()
}

fn profile_answers() -> Value {
    json!({ "company": "Keller Logistik AG", "newsletter": true })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answers_are_stored_before_minting_and_the_token_says_where_not_what() {
    let tenant = Tenant::start().await;
    let state = signer(&tenant);
    let (token, login) = bruno_token("profile", "");
    let reply = post_continue(&state, body(&token, &login, &profile_answers())).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);

    let minted = reply.body["fields"]["session_token"].as_str().unwrap();
    let claims = decode_part(minted, 1);
    assert_eq!(claims["state"], login);
    assert_eq!(claims["sub"], BRUNO);
    assert_eq!(claims["answers"], json!({}));
    assert_eq!(
        claims["stored"],
        json!({"user_metadata": ["account", "company", "newsletter"]})
    );
    assert!(
        !minted.contains("Keller") && !claims.to_string().contains("Keller"),
        "stored values never travel in the token"
    );

    let user = tenant.user("bruno").await;
    assert_eq!(user["user_metadata"]["company"], "Keller Logistik AG");
    assert_eq!(user["user_metadata"]["newsletter"], true);
    assert_eq!(user["user_metadata"]["account"], "acct-42");
    assert_eq!(user["user_metadata"]["country"], "DE", "other keys stay");
    let stats = tenant.stats().await;
    assert_eq!(stats["tokens_issued"], 1);
    assert_eq!(stats["user_updates"], 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_nested_key_keeps_the_siblings_already_stored() {
    let tenant = Tenant::start().await;
    let state = signer(&tenant);
    // Something stored earlier beside the new consent, and a key outside it.
    let (first, login) = bruno_token("terms", "a");
    let reply = post_continue(&state, body(&first, &login, &json!({"terms": true}))).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    let claims = decode_part(reply.body["fields"]["session_token"].as_str().unwrap(), 1);
    assert_eq!(claims["stored"], json!({"app_metadata": ["consents"]}));
    let user = tenant.user("bruno").await;
    assert_eq!(
        user["app_metadata"]["consents"]["terms"],
        json!({"accepted": true, "version": "2026-11", "accepted_at": NOW,
               "document": "https://example.com/terms"})
    );
    assert_eq!(user["app_metadata"]["account_ref"], "ACC-1002");
    // The signer read the user first (nested key), then patched.
    assert_eq!(tenant.stats().await["user_reads"], 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rate_limit_is_waited_out_as_the_reset_header_asks_then_stored() {
    let tenant = Tenant::start().await;
    let state = signer(&tenant);
    tenant
        .fault(json!({"kind": "rate_limit", "reset_in_secs": 1}))
        .await;
    let (token, login) = bruno_token("profile", "");
    let started = Instant::now();
    let reply = post_continue(&state, body(&token, &login, &profile_answers())).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    assert!(
        started.elapsed() >= Duration::from_millis(950),
        "waited until the reset: {:?}",
        started.elapsed()
    );
    assert_eq!(tenant.stats().await["user_updates"], 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retry_after_header_is_honoured_too() {
    let tenant = Tenant::start().await;
    let state = signer(&tenant);
    tenant
        .fault(json!({"kind": "rate_limit", "reset_in_secs": 1, "retry_after_only": true}))
        .await;
    let (token, login) = bruno_token("profile", "");
    let started = Instant::now();
    let reply = post_continue(&state, body(&token, &login, &profile_answers())).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    assert!(started.elapsed() >= Duration::from_millis(950));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rate_limit_longer_than_the_budget_is_503_at_once_and_nothing_minted() {
    let tenant = Tenant::start().await;
    let state = signer(&tenant);
    tenant
        .fault(json!({"kind": "rate_limit", "reset_in_secs": 30}))
        .await;
    let (token, login) = bruno_token("profile", "");
    let started = Instant::now();
    let reply = post_continue(&state, body(&token, &login, &profile_answers())).await;
    assert_eq!(reply.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(reply.body["error"], "unavailable");
    assert!(!reply.text.contains("eyJ"), "no token in the body");
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "no pointless wait"
    );
    assert_eq!(tenant.stats().await["user_updates"], 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_errors_are_retried_with_backoff_then_stored_once() {
    let tenant = Tenant::start().await;
    let state = signer(&tenant);
    tenant
        .fault(json!({"kind": "server_error", "status": 502, "count": 2}))
        .await;
    let (token, login) = bruno_token("profile", "");
    let reply = post_continue(&state, body(&token, &login, &profile_answers())).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    let stats = tenant.stats().await;
    assert_eq!(stats["faults_served"], 2);
    assert_eq!(stats["user_updates"], 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_endpoint_failure_is_retried_too() {
    let tenant = Tenant::start().await;
    let state = signer(&tenant);
    tenant
        .fault(json!({"target": "token", "kind": "server_error", "status": 500}))
        .await;
    let (token, login) = bruno_token("profile", "");
    let reply = post_continue(&state, body(&token, &login, &profile_answers())).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    assert_eq!(tenant.stats().await["tokens_issued"], 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn persistent_failure_is_503_and_the_same_link_works_once_the_tenant_recovers() {
    let tenant = Tenant::start().await;
    let state = signer(&tenant);
    tenant
        .fault(json!({"kind": "server_error", "status": 503, "count": 100}))
        .await;
    let (token, login) = bruno_token("profile", "");
    let request = body(&token, &login, &profile_answers());
    let reply = post_continue(&state, request.clone()).await;
    assert_eq!(reply.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(tenant.stats().await["user_updates"], 0);

    tenant
        .request("DELETE", "/_sim/management/faults", "")
        .await;
    let retried = post_continue(&state, request.clone()).await;
    assert_eq!(
        retried.status,
        StatusCode::OK,
        "the failed store released the token: {}",
        retried.text
    );
    let again = post_continue(&state, request).await;
    assert_eq!(again.status, StatusCode::CONFLICT, "then it is used");
    assert_eq!(tenant.stats().await["user_updates"], 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_answer_is_cut_off_and_retried() {
    let tenant = Tenant::start().await;
    let state = signer(&tenant);
    tenant
        .fault(json!({"kind": "slow", "delay_ms": 1500}))
        .await;
    let (token, login) = bruno_token("profile", "");
    let started = Instant::now();
    let reply = post_continue(&state, body(&token, &login, &profile_answers())).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    assert!(
        started.elapsed() < Duration::from_millis(1400),
        "the slow call was abandoned after the 400 ms attempt timeout: {:?}",
        started.elapsed()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_submissions_of_one_token_at_once_store_once() {
    let tenant = Tenant::start().await;
    let state = signer(&tenant);
    // Slow the first PATCH so both requests are in flight together.
    tenant.fault(json!({"kind": "slow", "delay_ms": 200})).await;
    let (token, login) = bruno_token("profile", "");
    let request = body(&token, &login, &profile_answers());
    let (a, b) = tokio::join!(
        post_continue(&state, request.clone()),
        post_continue(&state, request)
    );
    let mut statuses = [a.status, b.status];
    statuses.sort();
    assert_eq!(statuses, [StatusCode::OK, StatusCode::CONFLICT]);
    assert_eq!(tenant.stats().await["user_updates"], 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_logins_share_one_access_token() {
    let tenant = Tenant::start().await;
    let state = signer(&tenant);
    let mut tasks = Vec::new();
    for n in 0..6 {
        let state = state.clone();
        tasks.push(tokio::spawn(async move {
            let (token, login) = bruno_token("profile", &format!("n{n}"));
            post_continue(&state, body(&token, &login, &profile_answers()))
                .await
                .status
        }));
    }
    for task in tasks {
        assert_eq!(task.await.unwrap(), StatusCode::OK);
    }
    let stats = tenant.stats().await;
    assert_eq!(stats["tokens_issued"], 1, "single flight");
    assert_eq!(stats["user_updates"], 6);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revoked_access_token_is_replaced_once_and_the_store_succeeds() {
    let tenant = Tenant::start().await;
    let state = signer(&tenant);
    let (token, login) = bruno_token("profile", "a");
    let reply = post_continue(&state, body(&token, &login, &profile_answers())).await;
    assert_eq!(reply.status, StatusCode::OK);
    tenant.request("POST", "/_sim/management/revoke", "").await;
    let (token, login) = bruno_token("profile", "b");
    let reply = post_continue(&state, body(&token, &login, &profile_answers())).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    assert_eq!(tenant.stats().await["tokens_issued"], 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_answers_store_nothing_and_leave_the_token_usable() {
    let tenant = Tenant::start().await;
    let state = signer(&tenant);
    let (token, login) = bruno_token("profile", "");
    let reply = post_continue(&state, body(&token, &login, &json!({"company": ""}))).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(tenant.stats().await["user_updates"], 0);
    let reply = post_continue(&state, body(&token, &login, &profile_answers())).await;
    assert_eq!(reply.status, StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_tenant_is_503() {
    // A port nobody listens on.
    let closed = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = closed.local_addr().unwrap();
    drop(closed);
    let state = AppState::with_clock(
        back_channel_config(addr),
        Arc::new(MemoryStore::new(10)),
        Arc::new(|| NOW),
    )
    .unwrap();
    let (token, login) = bruno_token("profile", "");
    let reply = post_continue(&state, body(&token, &login, &profile_answers())).await;
    assert_eq!(reply.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(reply.body["error"], "unavailable");
}
