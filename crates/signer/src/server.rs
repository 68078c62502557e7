//! The two listeners and what they do with each connection.
//!
//! The public listener serves the API and the page; the admin listener (loopback by default)
//! serves `/healthz`, `/readyz` and `/metrics`. Connections are driven by hyper's HTTP/1
//! server directly (not `axum::serve`), so that slow and abusive clients are held off:
//!
//! - at most `[server] max_connections` connections are open on the public listener; more
//!   wait in the kernel's accept queue until one closes;
//! - a request's headers must be complete within `header_read_timeout_ms` of their first
//!   byte, and a connection waiting for a request (new, or kept alive after an answer) is
//!   closed after `keep_alive_timeout_ms` without one;
//! - a connection on which nothing moves in either direction while a request is answered (a
//!   reader that stopped reading) is closed after `keep_alive_timeout_ms` plus
//!   `limits.request_timeout_ms`;
//! - a slow request body is the edge's business ([`crate::edge`] answers 408).
//!
//! Closing a connection never cuts an answer short except in that last case: a connection is
//! closed for slowness only while no request is being answered on it.

use std::convert::Infallible;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes, HttpBody};
use axum::extract::ConnectInfo;
use axum::http::Request;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{watch, OwnedSemaphorePermit, Semaphore};
use tower::ServiceExt as _;

use crate::config::ServerSettings;
use crate::AppState;

/// Most connections open at once on the admin listener (probes and a metrics scraper).
pub const ADMIN_MAX_CONNECTIONS: usize = 32;

/// The sockets the signer serves on, bound by the caller (the binary binds the configured
/// addresses; tests bind port 0).
#[derive(Debug)]
pub struct Listeners {
    /// The API and the page.
    pub public: TcpListener,
    /// `/healthz`, `/readyz`, `/metrics`.
    pub admin: TcpListener,
}

/// Serves `public` and `admin` until `shutdown` completes, then lets every request in flight
/// finish and closes the connections waiting for one.
pub(crate) async fn run(
    state: AppState,
    listeners: Listeners,
    shutdown: impl Future<Output = ()> + Send + 'static,
) {
    let timeouts = Timeouts::new(
        &state.config().server,
        state.config().limits.request_timeout_ms,
    );
    let (stop_sender, stop) = watch::channel(false);
    tokio::spawn(async move {
        shutdown.await;
        let _ = stop_sender.send(true);
    });
    // Each connection holds a receiver; `closed()` completes when the last one is dropped.
    let (open_sender, open) = watch::channel(());
    let public = accept_loop(
        listeners.public,
        Endpoint {
            name: "public",
            router: crate::routes::app(state.clone()),
            state: state.clone(),
            timeouts,
        },
        Arc::new(Semaphore::new(state.config().server.max_connections)),
        stop.clone(),
        open.clone(),
    );
    let admin = accept_loop(
        listeners.admin,
        Endpoint {
            name: "admin",
            router: crate::routes::admin_app(state.clone()),
            state,
            timeouts,
        },
        Arc::new(Semaphore::new(ADMIN_MAX_CONNECTIONS)),
        stop,
        open,
    );
    tokio::join!(public, admin);
    open_sender.closed().await;
}

/// One listener's service and limits, shared by its connections.
#[derive(Clone)]
struct Endpoint {
    /// `public` or `admin`, in the metrics.
    name: &'static str,
    router: Router,
    state: AppState,
    timeouts: Timeouts,
}

/// The connection time limits, from `[server]`.
#[derive(Debug, Clone, Copy)]
struct Timeouts {
    header_read: Duration,
    keep_alive: Duration,
    stall: Duration,
    /// How often a connection checks its limits.
    check_every: Duration,
}

impl Timeouts {
    fn new(settings: &ServerSettings, request_timeout_ms: u64) -> Self {
        let header_read = Duration::from_millis(settings.header_read_timeout_ms);
        let keep_alive = Duration::from_millis(settings.keep_alive_timeout_ms);
        let check_every = (header_read.min(keep_alive) / 4)
            .clamp(Duration::from_millis(25), Duration::from_secs(1));
        Self {
            header_read,
            keep_alive,
            stall: keep_alive + Duration::from_millis(request_timeout_ms),
            check_every,
        }
    }
}

async fn accept_loop(
    listener: TcpListener,
    endpoint: Endpoint,
    permits: Arc<Semaphore>,
    mut stop: watch::Receiver<bool>,
    open: watch::Receiver<()>,
) {
    loop {
        // A free slot first: beyond the limit, connections wait in the accept queue.
        let permit = tokio::select! {
            permit = permits.clone().acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_) => break,
            },
            () = stopped(&mut stop) => break,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    if !is_connection_error(&error) {
                        // Out of file descriptors and the like: wait instead of spinning.
                        tracing::warn!(%error, "cannot accept a connection");
                        tokio::time::sleep(Duration::from_millis(100)).await;
                    }
                    continue;
                }
            },
            () = stopped(&mut stop) => break,
        };
        // Answers are small and written at once; no reason to wait for more to send.
        let _ = stream.set_nodelay(true);
        tokio::spawn(serve_connection(
            stream,
            peer,
            endpoint.clone(),
            permit,
            stop.clone(),
            open.clone(),
        ));
    }
}

/// Completes once shutdown was asked for (at once if it already was); the guard `wait_for`
/// returns is dropped here, not held across the caller's awaits.
async fn stopped(stop: &mut watch::Receiver<bool>) {
    let _ = stop.wait_for(|stop| *stop).await;
}

/// Errors of one connection that was reset before it was accepted: nothing to report.
fn is_connection_error(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::ConnectionRefused
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
    )
}

async fn serve_connection(
    stream: TcpStream,
    peer: SocketAddr,
    endpoint: Endpoint,
    _permit: OwnedSemaphorePermit,
    mut stop: watch::Receiver<bool>,
    _open: watch::Receiver<()>,
) {
    let Endpoint {
        name,
        router,
        state,
        timeouts,
    } = endpoint;
    let metrics = state.metrics();
    metrics.connection_opened(name);
    let watch = Arc::new(ConnectionWatch::new(Instant::now()));
    let io = TokioIo::new(WatchedIo {
        inner: stream,
        watch: watch.clone(),
    });
    let service_watch = watch.clone();
    let service = hyper::service::service_fn(move |mut request: Request<Incoming>| {
        service_watch.request_started();
        let guard = AnswerGuard(service_watch.clone());
        request.extensions_mut().insert(ConnectInfo(peer));
        let router = router.clone();
        async move {
            let response = match router.oneshot(request.map(Body::new)).await {
                Ok(response) => response,
                Err(never) => match never {},
            };
            Ok::<_, Infallible>(response.map(|body| AnswerBody {
                inner: body,
                _guard: guard,
            }))
        }
    });
    // hyper's own header timeout also runs while a kept-alive connection waits, which would
    // make the keep-alive timeout no longer than it; the watch below keeps the two apart.
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder.header_read_timeout(None).keep_alive(true);
    let connection = builder.serve_connection(io, service);
    tokio::pin!(connection);
    let mut checks = tokio::time::interval(timeouts.check_every);
    checks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut stopping = false;
    loop {
        tokio::select! {
            result = connection.as_mut() => {
                if let Err(error) = result {
                    // Parse errors and resets; the error names no header value.
                    tracing::debug!(%error, "connection ended with an error");
                }
                break;
            }
            _ = checks.tick() => {
                if let Some(reason) = watch.overdue(Instant::now(), &timeouts) {
                    tracing::debug!(reason, "closing a connection");
                    metrics.record_connection_cut(reason);
                    break;
                }
            }
            () = stopped(&mut stop), if !stopping => {
                stopping = true;
                connection.as_mut().graceful_shutdown();
            }
        }
        // Shutting down: a connection with no request in flight has nothing left to finish.
        if stopping && !watch.answering() {
            break;
        }
    }
    metrics.connection_closed(name);
}

/// What a connection is doing, updated by its I/O and its requests.
#[derive(Debug)]
struct ConnectionWatch {
    state: Mutex<WatchState>,
}

#[derive(Debug, Clone, Copy)]
struct WatchState {
    /// Requests being answered (from the handler's call until the answer's body is done).
    in_flight: usize,
    /// When the connection started waiting for its next request.
    waiting_since: Instant,
    /// When the first byte of that request arrived.
    first_byte: Option<Instant>,
    /// The last byte read or written.
    last_io: Instant,
}

impl ConnectionWatch {
    fn new(now: Instant) -> Self {
        Self {
            state: Mutex::new(WatchState {
                in_flight: 0,
                waiting_since: now,
                first_byte: None,
                last_io: now,
            }),
        }
    }

    /// The state is a few plain values, valid after any panic: a poisoned lock is used anyway.
    fn lock(&self) -> std::sync::MutexGuard<'_, WatchState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn read(&self, now: Instant) {
        let mut state = self.lock();
        state.last_io = now;
        if state.in_flight == 0 && state.first_byte.is_none() {
            state.first_byte = Some(now);
        }
    }

    fn wrote(&self, now: Instant) {
        self.lock().last_io = now;
    }

    fn request_started(&self) {
        let mut state = self.lock();
        state.in_flight += 1;
        state.first_byte = None;
    }

    fn request_finished(&self, now: Instant) {
        let mut state = self.lock();
        state.in_flight = state.in_flight.saturating_sub(1);
        if state.in_flight == 0 {
            state.waiting_since = now;
            state.first_byte = None;
        }
    }

    fn answering(&self) -> bool {
        self.lock().in_flight > 0
    }

    /// Why the connection must be closed at `now`, if it must: `stalled` (nothing moved while
    /// answering), `slow_headers` or `idle`.
    fn overdue(&self, now: Instant, timeouts: &Timeouts) -> Option<&'static str> {
        let state = *self.lock();
        if state.in_flight > 0 {
            return (now.saturating_duration_since(state.last_io) > timeouts.stall)
                .then_some("stalled");
        }
        match state.first_byte {
            Some(first_byte) => (now.saturating_duration_since(first_byte) > timeouts.header_read)
                .then_some("slow_headers"),
            None => (now.saturating_duration_since(state.waiting_since) > timeouts.keep_alive)
                .then_some("idle"),
        }
    }
}

/// Marks the request answered when hyper is done with the response body.
#[derive(Debug)]
struct AnswerGuard(Arc<ConnectionWatch>);

impl Drop for AnswerGuard {
    fn drop(&mut self) {
        self.0.request_finished(Instant::now());
    }
}

/// A response body carrying its [`AnswerGuard`].
struct AnswerBody {
    inner: Body,
    _guard: AnswerGuard,
}

impl HttpBody for AnswerBody {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, axum::Error>>> {
        Pin::new(&mut self.get_mut().inner).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.inner.size_hint()
    }
}

/// The socket, telling the [`ConnectionWatch`] when bytes move.
struct WatchedIo {
    inner: TcpStream,
    watch: Arc<ConnectionWatch>,
}

impl AsyncRead for WatchedIo {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        let result = Pin::new(&mut this.inner).poll_read(cx, buf);
        if matches!(result, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            this.watch.read(Instant::now());
        }
        result
    }
}

impl AsyncWrite for WatchedIo {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let result = Pin::new(&mut this.inner).poll_write(cx, buf);
        if matches!(result, Poll::Ready(Ok(written)) if written > 0) {
            this.watch.wrote(Instant::now());
        }
        result
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let result = Pin::new(&mut this.inner).poll_write_vectored(cx, bufs);
        if matches!(result, Poll::Ready(Ok(written)) if written > 0) {
            this.watch.wrote(Instant::now());
        }
        result
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn timeouts() -> Timeouts {
        Timeouts::new(
            &ServerSettings {
                header_read_timeout_ms: 1_000,
                keep_alive_timeout_ms: 5_000,
                ..ServerSettings::default()
            },
            2_000,
        )
    }

    #[test]
    fn an_idle_connection_is_closed_after_the_keep_alive_timeout() {
        let start = Instant::now();
        let watch = ConnectionWatch::new(start);
        assert_eq!(
            watch.overdue(start + Duration::from_secs(4), &timeouts()),
            None
        );
        assert_eq!(
            watch.overdue(start + Duration::from_secs(6), &timeouts()),
            Some("idle")
        );
    }

    #[test]
    fn headers_must_arrive_within_the_header_timeout_of_their_first_byte() {
        let start = Instant::now();
        let watch = ConnectionWatch::new(start);
        watch.read(start + Duration::from_secs(3));
        assert_eq!(
            watch.overdue(start + Duration::from_secs(3), &timeouts()),
            None
        );
        // A byte a second keeps the connection busy but not its headers on time.
        watch.read(start + Duration::from_secs(4));
        assert_eq!(
            watch.overdue(start + Duration::from_millis(4_100), &timeouts()),
            Some("slow_headers")
        );
    }

    #[test]
    fn a_request_being_answered_is_not_cut_while_bytes_move() {
        let start = Instant::now();
        let watch = ConnectionWatch::new(start);
        watch.read(start);
        watch.request_started();
        watch.wrote(start + Duration::from_secs(6));
        assert_eq!(
            watch.overdue(start + Duration::from_secs(12), &timeouts()),
            None
        );
        assert_eq!(
            watch.overdue(start + Duration::from_secs(14), &timeouts()),
            Some("stalled")
        );
        watch.request_finished(start + Duration::from_secs(14));
        assert!(!watch.answering());
        assert_eq!(
            watch.overdue(start + Duration::from_secs(15), &timeouts()),
            None
        );
    }
}
