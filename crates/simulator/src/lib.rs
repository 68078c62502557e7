//! A local stand-in for the parts of an Auth0 tenant a Stopover login touches: a start page
//! with test users, `/authorize` running the example post-login Action (which encodes the
//! session token and redirects to the stopover), and `/continue` with `validateToken`'s checks,
//! failing where Auth0 fails, with Auth0's messages; and the parts of the Management API
//! the signer's back channel uses ([`management`]).
//!
//! The binary `stopover-simulator` and the end-to-end tests both call [`serve`].
#![forbid(unsafe_code)]

pub mod action;
pub mod config;
pub mod management;
pub mod pages;
pub mod routes;
pub mod tenant;
pub mod users;
pub mod validate;

use std::future::Future;
use std::net::SocketAddr;

use axum::Router;
use tokio::net::TcpListener;

pub use config::{Clock, Secret, SimulatorConfig, CURRENT_TERMS_VERSION};
pub use management::{Fault, FaultKind, FaultTarget, ManagementApiConfig, Stats};
pub use users::TestUser;

/// The simulated tenant's routes, for tests that drive it without a socket.
pub fn app(config: SimulatorConfig) -> Router {
    routes::router(routes::AppState::new(config))
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
