//! The floor: the least a server can do for `POST /api/continue`. It parses the same JSON
//! body and answers a JSON body of the same size as the signer's, with no crypto and no checks,
//! on the same axum and tokio. The signer's throughput is reported as a share of this one's.
//!
//! With [`BusyWork`] it also spends a fixed amount of CPU on each request before answering:
//! the bench runs it with the in-process cost of the signer's checks (criterion's verify +
//! validate + mint) to read what share of the floor a server that did nothing but those
//! checks could reach on the machine, the ceiling of the signer's throughput budget there;
//! with a [`RedisStore`] too, it also records each request's token in Redis, as the signer's
//! replay store does, for the ceiling of the Redis budget.

use std::collections::BTreeMap;
use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use stopover_protocol::api::CONTINUE_PATH;
use stopover_protocol::{ContinueRequest, ContinueResponse};
use stopover_signer::replay::{RedisStore, ReplayKey, ReplayStore as _};

use crate::runner::unix_now;
use crate::tokens::SESSION_TOKEN_TTL_SECS;

/// What the floor answers with, fixed at start.
#[derive(Debug, Clone)]
pub struct Floor {
    /// `scheme://host` of the `/continue` URL, as the signer would build it.
    pub continue_base: String,
    /// The name the continue token goes under (the tenant's token parameter).
    pub token_parameter: String,
    /// A stand-in for the continue token, as long as the signer's.
    pub token: String,
    /// CPU spent on each request before it is read (none by default).
    pub busy: BusyWork,
    /// Where each request's token is recorded as used, as the signer's Redis replay store
    /// records it (nowhere by default). A token seen before is answered as any other: the
    /// floor reuses its bodies.
    pub store: Option<RedisStore>,
}

/// The tenant of the floor's replay keys.
const STORE_TENANT: &str = "stopover-floor";

impl Floor {
    pub fn new(continue_base: &str, token_parameter: &str, token_bytes: usize) -> Self {
        Self {
            continue_base: continue_base.trim_end_matches('/').to_owned(),
            token_parameter: token_parameter.to_owned(),
            token: "x".repeat(token_bytes),
            busy: BusyWork::default(),
            store: None,
        }
    }

    /// The same floor, spending `busy` on each request.
    #[must_use]
    pub fn with_busy_work(self, busy: BusyWork) -> Self {
        Self { busy, ..self }
    }

    /// The same floor, recording each request's token in `store`.
    #[must_use]
    pub fn with_replay_store(self, store: RedisStore) -> Self {
        Self {
            store: Some(store),
            ..self
        }
    }
}

/// A fixed amount of CPU work a request: a loop of arithmetic the compiler cannot remove,
/// touching no memory, so it costs CPU time and nothing else (no allocation, no cache
/// misses: a lower bound for real work of the same duration).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BusyWork {
    rounds: u64,
}

/// Rounds of [`BusyWork`] timed at once when calibrating: long enough to time well (about
/// 0.1 ms), short enough to fit between the machine's other work.
const CALIBRATION_ROUNDS: u64 = 100_000;
/// Timings made when calibrating; the fastest counts (the others were interrupted).
const CALIBRATION_TRIALS: u32 = 25;

impl BusyWork {
    /// Work that takes `cost` on this machine: `cost` divided by the time of one round, read
    /// as the fastest of several timings (rounded up, so at least `cost`). No work, and no
    /// calibration, for a zero `cost`.
    pub fn lasting(cost: Duration) -> Self {
        if cost.is_zero() {
            return Self::default();
        }
        let fastest = (0..CALIBRATION_TRIALS)
            .map(|_| {
                let started = Instant::now();
                spin(CALIBRATION_ROUNDS);
                started.elapsed()
            })
            .min()
            .unwrap_or_default();
        Self {
            rounds: rounds_for(cost, fastest, CALIBRATION_ROUNDS),
        }
    }

    /// Spends the work.
    pub fn spend(self) {
        if self.rounds > 0 {
            spin(self.rounds);
        }
    }
}

/// The rounds that take `cost` when `timed_rounds` took `took`, rounded up.
fn rounds_for(cost: Duration, took: Duration, timed_rounds: u64) -> u64 {
    if cost.is_zero() {
        return 0;
    }
    #[allow(clippy::cast_precision_loss)]
    let per_round_ns = (took.as_nanos().max(1) as f64) / timed_rounds.max(1) as f64;
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        clippy::cast_precision_loss
    )]
    let rounds = (cost.as_nanos() as f64 / per_round_ns).ceil() as u64;
    rounds.max(1)
}

/// `rounds` steps of xorshift, each depending on the one before.
fn spin(rounds: u64) {
    let mut state = black_box(0x9E37_79B9_7F4A_7C15_u64);
    for _ in 0..rounds {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state = black_box(state);
    }
    black_box(state);
}

/// The floor's only route.
pub fn app(floor: Floor) -> Router {
    Router::new()
        .route(CONTINUE_PATH, post(continue_floor))
        .with_state(Arc::new(floor))
}

async fn continue_floor(State(floor): State<Arc<Floor>>, body: Bytes) -> Response {
    floor.busy.spend();
    let Ok(request) = serde_json::from_slice::<ContinueRequest>(&body) else {
        return StatusCode::BAD_REQUEST.into_response();
    };
    if let Some(store) = &floor.store {
        // The key lives as long as the bench's session tokens, as the signer keeps it.
        let now = unix_now();
        let key = ReplayKey::new(STORE_TENANT, &request.state, &request.session_token);
        if store
            .consume(key, now.saturating_add(SESSION_TOKEN_TTL_SECS), now)
            .await
            .is_err()
        {
            return StatusCode::SERVICE_UNAVAILABLE.into_response();
        }
    }
    let response = ContinueResponse {
        continue_url: format!("{}/continue?state={}", floor.continue_base, request.state),
        fields: BTreeMap::from([
            ("state".to_owned(), request.state),
            (floor.token_parameter.clone(), floor.token.clone()),
        ]),
    };
    match serde_json::to_vec(&response) {
        Ok(bytes) => (
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json; charset=utf-8"),
            )],
            bytes,
        )
            .into_response(),
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use axum::body::Body;
    use axum::http::Request;
    use http_body_util::BodyExt as _;
    use stopover_signer::config::Config;
    use stopover_signer::replay::MemoryStore;
    use stopover_signer::AppState;
    use tower::ServiceExt as _;

    use super::*;
    use crate::bench_config::{bench_config_toml, SECRET_ENV};
    use crate::tokens::{continue_token_bytes, SessionMinter};

    const SECRET: &str = "0123456789abcdef0123456789abcdef0123456789abcdef";

    fn demo_toml() -> String {
        std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../config/demo.toml"
        ))
        .unwrap()
    }

    async fn post(router: Router, body: &str) -> (StatusCode, Vec<u8>) {
        let request = Request::post(CONTINUE_PATH)
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body.to_owned()))
            .unwrap();
        let response = router.oneshot(request).await.unwrap();
        let status = response.status();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        (status, bytes.to_vec())
    }

    #[tokio::test]
    async fn floor_answers_as_many_bytes_as_the_signer_for_a_load_test_body() {
        let toml = bench_config_toml(&demo_toml(), 8781, None).unwrap();
        let env = |name: &str| (name == SECRET_ENV).then(|| SECRET.to_owned());
        let config = Config::from_toml(&toml, &env).unwrap();
        let now = chrono::Utc::now().timestamp();
        let token_bytes = continue_token_bytes(&config, now).unwrap();
        let tenant = &config.tenants[0];
        let floor = Floor::new(
            &format!("{}://{}", tenant.scheme.as_str(), tenant.issuer),
            &tenant.token_parameter,
            token_bytes,
        );
        let minter = SessionMinter::new(&tenant.issuer, SECRET.as_bytes());
        let body = minter.continue_body(1, now).unwrap();

        let state = AppState::new(config, Arc::new(MemoryStore::new(100))).unwrap();
        let (signer_status, signer_body) = post(stopover_signer::app(state), &body).await;
        let (floor_status, floor_body) = post(app(floor), &body).await;

        assert_eq!(
            signer_status,
            StatusCode::OK,
            "{}",
            String::from_utf8_lossy(&signer_body)
        );
        assert_eq!(floor_status, StatusCode::OK);
        assert_eq!(floor_body.len(), signer_body.len());
        let signer: ContinueResponse = serde_json::from_slice(&signer_body).unwrap();
        let floor: ContinueResponse = serde_json::from_slice(&floor_body).unwrap();
        assert_eq!(floor.continue_url, signer.continue_url);
        assert_eq!(floor.fields["state"], signer.fields["state"]);
    }

    #[test]
    fn busy_work_is_the_cost_over_the_time_of_one_round_rounded_up() {
        let took = Duration::from_nanos(150_000);
        assert_eq!(
            rounds_for(Duration::from_nanos(3_000), took, 100_000),
            2_000
        );
        assert_eq!(
            rounds_for(Duration::from_nanos(3_001), took, 100_000),
            2_001
        );
        assert_eq!(rounds_for(Duration::from_nanos(1), took, 100_000), 1);
        assert_eq!(rounds_for(Duration::ZERO, took, 100_000), 0);
        assert_eq!(BusyWork::lasting(Duration::ZERO), BusyWork::default());
        assert!(BusyWork::lasting(Duration::from_micros(50)).rounds > 0);
    }

    #[tokio::test]
    async fn a_busy_floor_answers_as_the_floor_does() {
        let floor = || Floor::new("http://h", "session_token", 10);
        let body = r#"{"state":"s","session_token":"a.b.c","answers":{}}"#;
        let (status, plain) = post(app(floor()), body).await;
        let busy = floor().with_busy_work(BusyWork::lasting(Duration::from_micros(20)));
        assert_ne!(busy.busy, BusyWork::default());
        let (busy_status, busy_body) = post(app(busy), body).await;
        assert_eq!((status, busy_status), (StatusCode::OK, StatusCode::OK));
        assert_eq!(plain, busy_body);
    }

    #[tokio::test]
    async fn a_floor_with_a_replay_store_records_each_token_in_a_real_redis_and_answers_every_time()
    {
        let port = crate::runner::free_port().unwrap();
        let _redis = crate::runner::Server::start(
            "redis-server",
            &mut crate::runner::redis_command(port),
            port,
        )
        .unwrap();
        let url = format!("redis://127.0.0.1:{port}/0");
        let floor = Floor::new("http://h", "session_token", 10)
            .with_replay_store(RedisStore::connect(&url).await.unwrap());
        let body = r#"{"state":"s1","session_token":"a.b.c","answers":{}}"#;
        let router = app(floor);
        // Used twice: the floor checks nothing, so it answers both.
        assert_eq!(post(router.clone(), body).await.0, StatusCode::OK);
        assert_eq!(post(router, body).await.0, StatusCode::OK);

        let store = RedisStore::connect(&url).await.unwrap();
        let now = chrono::Utc::now().timestamp();
        let recorded = ReplayKey::new(STORE_TENANT, "s1", "a.b.c");
        assert!(store.is_used(recorded, now).await.unwrap());
        let other = ReplayKey::new(STORE_TENANT, "s2", "a.b.c");
        assert!(!store.is_used(other, now).await.unwrap());
    }

    #[tokio::test]
    async fn floor_refuses_a_body_that_is_not_a_continue_request() {
        let (status, _) = post(app(Floor::new("http://h", "session_token", 10)), "{}").await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
    }
}
