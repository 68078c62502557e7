//! The Redis replay store against a real `redis-server` started by each test on a free
//! loopback port: shared single use across two signer instances, failing closed while Redis
//! is down, and recovering when it is back.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::*;
use serde_json::json;
use stopover_signer::config::Config;
use stopover_signer::replay::RedisStore;
use stopover_signer::{admin_app, AppState, StartError};

const REDIS_SERVER: &str = "/usr/bin/redis-server";

/// A `redis-server` child process on a loopback port, killed when dropped.
struct RedisServer {
    port: u16,
    child: Option<Child>,
}

impl RedisServer {
    fn start() -> Self {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut server = Self { port, child: None };
        server.restart();
        server
    }

    /// Starts (again) on the same port and waits until it answers.
    fn restart(&mut self) {
        assert!(
            std::path::Path::new(REDIS_SERVER).exists(),
            "install redis-server (cargo xtask setup)"
        );
        let child = Command::new(REDIS_SERVER)
            .args([
                "--port",
                &self.port.to_string(),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start redis-server");
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "redis-server did not start on port {}",
                self.port
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/0", self.port)
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.stop();
    }
}

async fn redis_state(redis: &RedisServer) -> AppState {
    let config = Config::from_toml(&config_toml(&redis.url()), &env).unwrap();
    let store = RedisStore::connect(&redis.url()).await.unwrap();
    state_with(config, Arc::new(store))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_token_with_other_states_on_two_instances_mints_once() {
    let redis = RedisServer::start();
    let instances = [redis_state(&redis).await, redis_state(&redis).await];
    let token = token();
    let mut tasks = Vec::new();
    for n in 0..8 {
        let state = instances[n % 2].clone();
        let body = json!({
            "state": format!("made-up-state-{n}"),
            "session_token": token,
            "answers": good_answers(),
        })
        .to_string();
        tasks.push(tokio::spawn(async move {
            post_continue(&state, body).await.status
        }));
    }
    let mut statuses = Vec::new();
    for task in tasks {
        statuses.push(task.await.unwrap());
    }
    statuses.sort();
    let mut expected = vec![StatusCode::CONFLICT; 7];
    expected.insert(0, StatusCode::OK);
    assert_eq!(statuses, expected);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_double_submit_to_two_instances_mints_once() {
    let redis = RedisServer::start();
    let (first, second) = (redis_state(&redis).await, redis_state(&redis).await);
    for round in 0..5 {
        let mut claims = claims();
        claims["sub"] = json!(format!("auth0|round-{round}"));
        let body = continue_body(&token_with(&claims), &good_answers());
        let a = tokio::spawn({
            let (state, body) = (first.clone(), body.clone());
            async move { post_continue(&state, body).await.status }
        });
        let b = tokio::spawn({
            let state = second.clone();
            async move { post_continue(&state, body).await.status }
        });
        let mut statuses = [a.await.unwrap(), b.await.unwrap()];
        statuses.sort();
        assert_eq!(
            statuses,
            [StatusCode::OK, StatusCode::CONFLICT],
            "round {round}"
        );
    }
}

#[tokio::test]
async fn a_token_used_on_one_instance_is_said_used_by_the_others_session_check() {
    let redis = RedisServer::start();
    let (first, second) = (redis_state(&redis).await, redis_state(&redis).await);
    let reply = post_session(&second, session_body(&token())).await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT);
    let minted = post_continue(&first, continue_body(&token(), &good_answers())).await;
    assert_eq!(minted.status, StatusCode::OK, "the check used nothing up");
    let reply = post_session(&second, session_body(&token())).await;
    assert_eq!(reply.status, StatusCode::CONFLICT);
    assert_eq!(reply.body["error"], "already_used");
}

#[tokio::test]
async fn replay_is_refused_and_the_key_expires_with_the_token() {
    let redis = RedisServer::start();
    let state = redis_state(&redis).await;
    let body = continue_body(&token(), &good_answers());
    assert_eq!(
        post_continue(&state, body.clone()).await.status,
        StatusCode::OK
    );
    let reply = post_continue(&state, body).await;
    assert_eq!(reply.status, StatusCode::CONFLICT);
    assert_eq!(reply.body["error"], "already_used");

    // One key, a hash rather than the token, expiring at the token's exp.
    let client = redis::Client::open(redis.url()).unwrap();
    let mut connection = client.get_multiplexed_async_connection().await.unwrap();
    let keys: Vec<String> = redis::cmd("KEYS")
        .arg("*")
        .query_async(&mut connection)
        .await
        .unwrap();
    assert_eq!(keys.len(), 1);
    assert!(keys[0].starts_with("stopover:used:") && keys[0].len() == "stopover:used:".len() + 64);
    assert!(!keys[0].contains(&token()[..20]));
    let expire_at: i64 = redis::cmd("EXPIRETIME")
        .arg(&keys[0])
        .query_async(&mut connection)
        .await
        .unwrap();
    assert_eq!(expire_at, NOW + 890);
}

#[tokio::test]
async fn redis_down_is_503_then_recovers_after_restart() {
    let mut redis = RedisServer::start();
    let state = redis_state(&redis).await;
    let ready = |state: AppState| async move {
        send(
            admin_app(state),
            Request::get("/readyz").body(Body::empty()).unwrap(),
        )
        .await
        .status
    };
    assert_eq!(ready(state.clone()).await, StatusCode::OK);

    redis.stop();
    let reply = post_continue(&state, continue_body(&token(), &good_answers())).await;
    assert_eq!(reply.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(reply.body["error"], "unavailable");
    assert!(!reply.text.contains("eyJ"), "nothing minted");
    assert_eq!(ready(state.clone()).await, StatusCode::SERVICE_UNAVAILABLE);

    redis.restart();
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let reply = post_continue(&state, continue_body(&token(), &good_answers())).await;
        if reply.status == StatusCode::OK {
            break;
        }
        assert_eq!(
            reply.status,
            StatusCode::SERVICE_UNAVAILABLE,
            "{}",
            reply.text
        );
        assert!(
            Instant::now() < deadline,
            "the signer did not reconnect to redis"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(ready(state).await, StatusCode::OK);
}

#[tokio::test]
async fn serve_refuses_to_start_without_its_redis() {
    let redis = RedisServer::start();
    let url = redis.url();
    drop(redis);
    let config = Config::from_toml(&config_toml(&url), &env).unwrap();
    let listeners = stopover_signer::Listeners {
        public: tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap(),
        admin: tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap(),
    };
    let result = stopover_signer::serve(config, listeners, std::future::ready(())).await;
    assert!(
        matches!(result, Err(StartError::ReplayStore(_))),
        "{result:?}"
    );
}
