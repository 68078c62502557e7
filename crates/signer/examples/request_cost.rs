//! The cost of `POST /api/continue` through the whole router (edge layers, handler, metrics,
//! the log line on standard output), without sockets, for instruction counts that a busy
//! machine does not blur:
//!
//! ```text
//! cargo build --release -p stopover-signer --example request_cost
//! valgrind --tool=callgrind --toggle-collect='*run_requests*' \
//!     target/release/examples/request_cost 2000 > /dev/null
//! ```
//!
//! Instructions per request are the collected total over the count. With
//! `STOPOVER_REPLAY_STORE=redis://HOST:PORT/0` the requests use that Redis instead of the
//! in-memory store (the client's side only: `redis-server`'s own work is not counted). Each
//! request carries a fresh session token for the demo configuration's `profile` form, minted
//! before the measured part, so every one is verified, validated, consumed and minted (200).
//!
//! `request_cost bodies N FILE` writes N such bodies, one a line, on the system clock, for a
//! profile of the real server under wrk with `crates/bench/lua/continue.lua`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use axum::body::Body;
use axum::http::Request;
use axum::Router;
use chrono::DateTime;
use http_body_util::BodyExt as _;
use jwt_compact::alg::{Hs256, Hs256Key};
use jwt_compact::{AlgorithmExt as _, Claims, Header};
use serde_json::{json, Map, Value};
use stopover_protocol::SessionClaims;
use stopover_signer::config::Config;
use stopover_signer::replay::{MemoryStore, RedisStore, ReplayStore};
use stopover_signer::{app, AppState};
use tower::ServiceExt as _;

/// The allocator the binary ships with (src/main.rs).
#[cfg(feature = "mimalloc")]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const DEMO_CONFIG: &str = include_str!("../../../config/demo.toml");
const SECRET: &str = "benchmark-secret-0123456789abcdef0123456789abcdef";
/// 2027-01-15, a fixed clock.
const NOW: i64 = 1_800_000_000;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("bodies") {
        write_bodies(&args[2], &args[3]);
        return;
    }
    let count: usize = args.get(1).and_then(|arg| arg.parse().ok()).unwrap_or(1000);
    let _log = stopover_signer::logging::init();
    let env = |name: &str| (name == "STOPOVER_DEMO_SECRET").then(|| SECRET.to_owned());
    let mut config = Config::from_toml(DEMO_CONFIG, &env).expect("the demo configuration loads");
    config.limits.rate_limit_per_minute = 1_000_000_000;
    // The API alone, as the bench measures it.
    config.static_dir = None;
    let issuer = config.tenants[0].issuer.clone();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    // With STOPOVER_REPLAY_STORE=redis://... the Redis store (flush it between runs: the
    // bodies are the same each time).
    let store: Arc<dyn ReplayStore> = match std::env::var("STOPOVER_REPLAY_STORE") {
        Ok(url) => Arc::new(
            runtime
                .block_on(RedisStore::connect(&url))
                .expect("Redis answers"),
        ),
        Err(_) => Arc::new(MemoryStore::new(count + 1)),
    };
    let state = AppState::with_clock(config, store, Arc::new(|| NOW)).expect("state");
    let router = app(state);
    let key = Hs256Key::new(SECRET.as_bytes());
    let bodies: Vec<String> = (0..count).map(|n| body(&issuer, &key, n, NOW)).collect();
    let ok = run_requests(&runtime, &router, bodies);
    eprintln!("{ok} of {count} requests answered 200");
    assert_eq!(
        ok, count,
        "every request must succeed, or the figure times a refusal"
    );
}

/// The measured part: every request through the router, one after another.
#[inline(never)]
fn run_requests(runtime: &tokio::runtime::Runtime, router: &Router, bodies: Vec<String>) -> usize {
    runtime.block_on(async {
        let mut ok = 0;
        for body in bodies {
            let request = Request::post("/api/continue")
                .header("content-type", "application/json")
                .header("content-length", body.len())
                .body(Body::from(body))
                .expect("request");
            let response = router.clone().oneshot(request).await.expect("infallible");
            let success = response.status().is_success();
            let _ = response.into_body().collect().await;
            ok += usize::from(success);
        }
        ok
    })
}

/// `count` bodies for the demo tenant, issued now, one a line in `path`.
fn write_bodies(count: &str, path: &str) {
    use std::io::Write as _;
    let count: usize = count.parse().expect("a count");
    let env = |name: &str| (name == "STOPOVER_DEMO_SECRET").then(|| SECRET.to_owned());
    let config = Config::from_toml(DEMO_CONFIG, &env).expect("the demo configuration loads");
    let key = Hs256Key::new(SECRET.as_bytes());
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("after 1970")
        .as_secs() as i64;
    let mut out = std::io::BufWriter::new(std::fs::File::create(path).expect("the file"));
    for n in 0..count {
        writeln!(out, "{}", body(&config.tenants[0].issuer, &key, n, now)).expect("written");
    }
}

/// A continue body with a fresh state and a session token for subject `n`, issued at `now`.
fn body(issuer: &str, key: &Hs256Key, n: usize, now: i64) -> String {
    let prefill =
        json!({ "company": "Example Ltd", "country": "GB", "account_ref": "acct-0001234" });
    let Value::Object(prefill) = prefill else {
        unreachable!("an object literal")
    };
    let mut claims = Claims::new(SessionClaims {
        sub: format!("auth0|bench{n:010}"),
        iss: issuer.into(),
        ip: Some("127.0.0.1".into()),
        form: Some("profile".into()),
        prefill: Some(prefill),
        locale: Some("en".into()),
        continue_host: None,
        continue_uri: None,
        previous_consents: None,
    });
    claims.issued_at = DateTime::from_timestamp(now, 0);
    claims.expiration = DateTime::from_timestamp(now + 900, 0);
    let token = Hs256
        .token(&Header::empty().with_token_type("JWT"), &claims, key)
        .unwrap();
    let answers: Map<String, Value> = serde_json::from_value(json!({
        "company": "Example Ltd",
        "phone": "+44 7700 900123",
        "country": "GB",
        "birth_date": "1990-04-01",
        "newsletter": true,
        "topics": "Security engineering and Rust"
    }))
    .unwrap();
    json!({
        "state": format!("hKFo2SBhc3RhdGUtZm9yLWJlbmNobWFya3{n:08}"),
        "session_token": token,
        "answers": answers,
    })
    .to_string()
}
