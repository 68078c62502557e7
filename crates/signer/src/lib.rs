//! Stopover's signer: verifies the session token an Auth0 Action encoded, validates the
//! person's answers against the form, and mints the continue token for Auth0's `/continue`.
//!
//! - [`config`]: the TOML configuration, checked once at start-up; [`action_plan`]: what the
//!   post-login Action needs from it.
//! - [`verify`]: where the session token is verified; [`hs256`]: each tenant's prepared key.
//! - [`mint`]: the continue token and the URL it is posted to.
//! - [`routes`]: the HTTP API of docs/contract.md#api; [`request_body`]: its JSON bodies, read
//!   once and strictly; [`error`]: its one error type.
//! - [`replay`]: single use of each token (memory or Redis).
//! - [`management`]: back-channel delivery of answers through the Auth0 Management API.
//! - [`edge`]: what every request passes through (panics, timeouts, origins, rate limit,
//!   metrics); [`static_site`]: the page, with its security headers;
//!   [`page_policy`]: those headers and the page's `<meta>` policy, built in one place.
//! - [`preview`]: `stopover-signer preview`, the forms served without a login for their authors.
//! - [`logging`]: the process's log lines.
//! - [`server`]: the public and admin listeners, and how they hold off slow clients.
#![forbid(unsafe_code)]

pub mod action_plan;
pub mod config;
pub mod edge;
pub mod error;
pub mod hs256;
pub mod logging;
pub mod management;
pub mod metrics;
pub mod mint;
pub mod page_policy;
pub mod preview;
pub mod rate_limit;
pub mod replay;
pub mod request_body;
pub mod routes;
pub mod server;
pub mod static_site;
pub mod strict_json;
pub mod verify;

use std::future::Future;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use crate::config::{Config, ReplayStoreConfig};
use crate::management::{ManagementApi, ManagementSetupError};
use crate::metrics::Metrics;
use crate::rate_limit::RateLimiter;
use crate::replay::{MemoryStore, RedisStore, ReplayStore, StoreError};
use crate::static_site::{StaticSite, StaticSiteError};

pub use crate::routes::{admin_app, app};
pub use crate::server::Listeners;

/// The time source, Unix seconds; tests substitute a fixed clock.
pub type Clock = Arc<dyn Fn() -> i64 + Send + Sync>;

/// Why the signer could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("replay store: {0}")]
    ReplayStore(#[from] StoreError),
    #[error("static site: {0}")]
    StaticSite(#[from] StaticSiteError),
    #[error("server: {0}")]
    Io(#[from] std::io::Error),
    #[error("{0}")]
    Management(#[from] ManagementSetupError),
}

/// Everything a request handler needs, shared and cheap to clone.
#[derive(Clone)]
pub struct AppState {
    shared: Arc<Shared>,
}

struct Shared {
    config: Config,
    store: Arc<dyn ReplayStore>,
    metrics: Metrics,
    limiter: RateLimiter,
    clock: Clock,
    static_site: Option<StaticSite>,
    management: Option<ManagementApi>,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("store", &self.shared.store)
            .finish_non_exhaustive()
    }
}

impl AppState {
    /// State for `config` with `store`, on the system clock. Reads the static site (and
    /// computes its Content-Security-Policy) when `static_dir` is set.
    pub fn new(config: Config, store: Arc<dyn ReplayStore>) -> Result<Self, StartError> {
        Self::with_clock(config, store, Arc::new(unix_now))
    }

    /// As [`AppState::new`], with another clock.
    pub fn with_clock(
        config: Config,
        store: Arc<dyn ReplayStore>,
        clock: Clock,
    ) -> Result<Self, StartError> {
        let static_site = match &config.static_dir {
            Some(dir) => Some(StaticSite::load(dir, &config)?),
            None => None,
        };
        let limiter = RateLimiter::new(config.limits.rate_limit_per_minute);
        let management = ManagementApi::new(&config, clock.clone())?;
        Ok(Self {
            shared: Arc::new(Shared {
                config,
                store,
                metrics: Metrics::default(),
                limiter,
                clock,
                static_site,
                management,
            }),
        })
    }

    pub fn config(&self) -> &Config {
        &self.shared.config
    }

    pub fn metrics(&self) -> &Metrics {
        &self.shared.metrics
    }

    pub fn store(&self) -> &dyn ReplayStore {
        self.shared.store.as_ref()
    }

    pub fn limiter(&self) -> &RateLimiter {
        &self.shared.limiter
    }

    /// The Management API clients, when a tenant has one.
    pub fn management(&self) -> Option<&ManagementApi> {
        self.shared.management.as_ref()
    }

    /// The replay store, shared, for work that outlives a request (releasing a claim).
    pub fn shared_store(&self) -> Arc<dyn ReplayStore> {
        self.shared.store.clone()
    }

    pub fn static_site(&self) -> Option<&StaticSite> {
        self.shared.static_site.as_ref()
    }

    /// Now, in Unix seconds.
    pub fn now(&self) -> i64 {
        (self.shared.clock)()
    }
}

/// The replay store `config` names: memory, or a connection to Redis.
pub async fn replay_store(config: &Config) -> Result<Arc<dyn ReplayStore>, StoreError> {
    Ok(match &config.replay {
        ReplayStoreConfig::Memory => {
            Arc::new(MemoryStore::new(config.limits.replay_memory_capacity))
        }
        ReplayStoreConfig::Redis(url) => Arc::new(RedisStore::connect(url).await?),
    })
}

/// Runs the signer on `listeners` (the API and page on the public one; health, readiness and
/// metrics on the admin one) until `shutdown` completes, then finishes the requests in flight
/// on both. What the binary and the end-to-end tests call.
pub async fn serve(
    config: Config,
    listeners: Listeners,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), StartError> {
    let store = replay_store(&config).await?;
    let state = AppState::new(config, store)?;
    server::run(state, listeners, shutdown).await;
    Ok(())
}

/// Unix seconds from the system clock (0 if the clock is before 1970, which makes every
/// token look expired: failing closed).
fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| {
            i64::try_from(elapsed.as_secs()).unwrap_or(i64::MAX)
        })
}
