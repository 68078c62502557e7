//! The listeners and what the public one tolerates from slow and abusive clients.

use std::net::SocketAddr;

use serde::Deserialize;

use super::*;

/// How the listeners treat connections and slow or abusive clients (`[server]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerSettings {
    /// Most connections open at once on the public listener; more wait to be accepted.
    pub max_connections: usize,
    /// Longest a client may take to send a request's headers, from the first byte of the
    /// request (from the connection's opening for its first request).
    pub header_read_timeout_ms: u64,
    /// Longest a kept-alive connection may wait idle for its next request.
    pub keep_alive_timeout_ms: u64,
    /// Longest a client may take to send a request's body once its headers are in; slower
    /// ones get 408. Below `limits.request_timeout_ms`.
    pub body_read_timeout_ms: u64,
    /// Reverse proxies in front of the signer whose `X-Forwarded-For` is trusted: 0 uses the
    /// socket's address; N takes the Nth address from the right of the header.
    pub trusted_proxy_hops: u8,
    /// Allows a non-loopback `admin_listen` (its answers tell why tokens were refused).
    pub allow_public_admin: bool,
}

impl Default for ServerSettings {
    fn default() -> Self {
        Self {
            max_connections: 512,
            header_read_timeout_ms: 10_000,
            keep_alive_timeout_ms: 75_000,
            body_read_timeout_ms: 5_000,
            trusted_proxy_hops: 0,
            allow_public_admin: false,
        }
    }
}

#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawServer {
    pub(super) max_connections: Option<usize>,
    pub(super) header_read_timeout_ms: Option<u64>,
    pub(super) keep_alive_timeout_ms: Option<u64>,
    pub(super) body_read_timeout_ms: Option<u64>,
    pub(super) trusted_proxy_hops: Option<u8>,
    pub(super) allow_public_admin: Option<bool>,
}

/// `[server]` with defaults, each value within its bounds. The body timeout defaults to
/// 5 s, or half the request timeout when that is shorter, so it always fires first.
pub(super) fn check_server(
    raw: RawServer,
    request_timeout_ms: u64,
    problems: &mut Vec<ConfigProblem>,
) -> ServerSettings {
    let defaults = ServerSettings::default();
    let server = ServerSettings {
        max_connections: raw.max_connections.unwrap_or(defaults.max_connections),
        header_read_timeout_ms: raw
            .header_read_timeout_ms
            .unwrap_or(defaults.header_read_timeout_ms),
        keep_alive_timeout_ms: raw
            .keep_alive_timeout_ms
            .unwrap_or(defaults.keep_alive_timeout_ms),
        body_read_timeout_ms: raw.body_read_timeout_ms.unwrap_or(
            defaults
                .body_read_timeout_ms
                .min(request_timeout_ms / 2)
                .max(1),
        ),
        trusted_proxy_hops: raw
            .trusted_proxy_hops
            .unwrap_or(defaults.trusted_proxy_hops),
        allow_public_admin: raw
            .allow_public_admin
            .unwrap_or(defaults.allow_public_admin),
    };
    if !(1..=100_000).contains(&server.max_connections) {
        problems.push(ConfigProblem::Server(
            "max_connections must be within 1..=100000",
        ));
    }
    if !(100..=120_000).contains(&server.header_read_timeout_ms) {
        problems.push(ConfigProblem::Server(
            "header_read_timeout_ms must be within 100..=120000",
        ));
    }
    if !(100..=600_000).contains(&server.keep_alive_timeout_ms) {
        problems.push(ConfigProblem::Server(
            "keep_alive_timeout_ms must be within 100..=600000",
        ));
    }
    if raw.body_read_timeout_ms.is_some_and(|ms| ms < 100) {
        problems.push(ConfigProblem::Server(
            "body_read_timeout_ms must be at least 100",
        ));
    }
    if server.body_read_timeout_ms >= request_timeout_ms {
        problems.push(ConfigProblem::Server(
            "body_read_timeout_ms must be below limits.request_timeout_ms, so a slow client gets 408 and not 503",
        ));
    }
    if server.trusted_proxy_hops > 10 {
        problems.push(ConfigProblem::Server(
            "trusted_proxy_hops must be within 0..=10",
        ));
    }
    server
}

/// The admin address: parsed, loopback unless explicitly allowed, not the public address.
pub(super) fn check_admin_listen(
    text: Option<String>,
    listen: Option<SocketAddr>,
    server: &ServerSettings,
    problems: &mut Vec<ConfigProblem>,
) -> Option<SocketAddr> {
    let text = text.unwrap_or_else(|| DEFAULT_ADMIN_LISTEN.to_owned());
    let Ok(admin) = text.parse::<SocketAddr>() else {
        problems.push(ConfigProblem::AdminListen(text));
        return None;
    };
    if !admin.ip().is_loopback() && !server.allow_public_admin {
        problems.push(ConfigProblem::PublicAdmin(admin));
    }
    if let Some(listen) = listen {
        let same_ip = admin.ip() == listen.ip()
            || admin.ip().is_unspecified()
            || listen.ip().is_unspecified();
        if admin.port() != 0 && admin.port() == listen.port() && same_ip {
            problems.push(ConfigProblem::AdminSameAsListen(admin));
        }
    }
    Some(admin)
}
