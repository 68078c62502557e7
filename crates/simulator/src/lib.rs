//! A local stand-in for the parts of an Auth0 tenant a Stopover login touches: a start page
//! with test users, `/authorize` and `/continue` running a real post-login Action file under
//! Node ([`action`], by default `examples/auth0/stopover-action.js`) with the `event` Auth0
//! builds ([`event`]) and the redirect `api` of `examples/auth0/auth0-harness.js`, and around
//! it what Auth0 itself does: login transactions with a single-use `state` bound to the
//! browser, their one-hour lifetime, metadata updates, error pages ([`routes`], [`tenant`]);
//! and the parts of the Management API the signer's back channel uses ([`management`]).
//!
//! The binary `stopover-simulator` and the end-to-end tests both call [`serve`].
#![forbid(unsafe_code)]

pub mod action;
pub mod app_state;
pub mod config;
pub mod event;
pub mod management;
pub mod management_state;
pub mod pages;
pub mod params;
pub mod routes;
pub mod tenant;
pub mod users;

use std::future::Future;
use std::net::SocketAddr;

use axum::Router;
use tokio::net::TcpListener;

pub use config::{ActionRuntime, Clock, ManagementApiConfig, Secret, SimulatorConfig};
pub use management_state::{Fault, FaultKind, FaultTarget, Stats};
pub use users::TestUser;

/// The simulated tenant's routes, for tests that drive it without a socket.
pub fn app(config: SimulatorConfig) -> Router {
    routes::router(app_state::AppState::new(config))
}

/// Serves the simulated tenant on `listener` until `shutdown` completes.
pub async fn serve(
    config: SimulatorConfig,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(
        listener,
        app(config).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}
