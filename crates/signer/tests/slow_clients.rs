//! The edge against slow and abusive clients, over real sockets: a signer bound on
//! 127.0.0.1:0 and raw `TcpStream`s playing the clients. Time bounds are generous: each test
//! checks that a limit acts within several times its configured value, never at an instant.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use common::*;
use stopover_signer::config::Config;
use stopover_signer::Listeners;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// A signer serving `config` on loopback, stopped when `stop` is called or on drop.
struct Signer {
    public: SocketAddr,
    admin: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<()>,
}

impl Signer {
    async fn start(config: Config) -> Self {
        let public = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let admin = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = public.local_addr().unwrap();
        let admin_address = admin.local_addr().unwrap();
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            stopover_signer::serve(config, Listeners { public, admin }, async {
                let _ = stopped.await;
            })
            .await
            .unwrap();
        });
        Self {
            public: address,
            admin: admin_address,
            stop: Some(stop),
            task,
        }
    }

    /// Asks for a graceful shutdown and waits (at most `within`) until `serve` returns.
    async fn stop_within(mut self, within: Duration) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        tokio::time::timeout(within, &mut self.task)
            .await
            .expect("serve returns after shutdown")
            .unwrap();
    }
}

impl Drop for Signer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Reads whatever arrives until the server closes the connection (end of stream or reset).
async fn read_until_closed(stream: &mut TcpStream) -> String {
    let mut received = Vec::new();
    let mut buffer = [0u8; 1024];
    loop {
        match stream.read(&mut buffer).await {
            Ok(0) | Err(_) => break,
            Ok(read) => received.extend_from_slice(&buffer[..read]),
        }
    }
    String::from_utf8_lossy(&received).into_owned()
}

/// Reads one response to a request whose answer has a `Content-Length` (every JSON answer).
async fn read_response(stream: &mut TcpStream) -> String {
    let mut received = Vec::new();
    let mut buffer = [0u8; 1024];
    loop {
        let read = stream.read(&mut buffer).await.unwrap();
        assert!(read > 0, "closed before a full answer: {received:?}");
        received.extend_from_slice(&buffer[..read]);
        let text = String::from_utf8_lossy(&received).into_owned();
        if let Some(end) = text.find("\r\n\r\n") {
            let length = text[..end]
                .lines()
                .find_map(|line| {
                    let (name, value) = line.split_once(':')?;
                    name.eq_ignore_ascii_case("content-length")
                        .then(|| value.trim().parse::<usize>().unwrap())
                })
                .unwrap_or(0);
            if received.len() >= end + 4 + length {
                return text;
            }
        }
    }
}

const HEALTH: &str = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";

fn continue_request(forwarded_for: Option<&str>) -> String {
    let body = continue_body("not-a-token", &good_answers());
    let forwarded = forwarded_for
        .map(|value| format!("X-Forwarded-For: {value}\r\n"))
        .unwrap_or_default();
    format!(
        "POST /api/continue HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n{forwarded}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
}

async fn status_of(address: SocketAddr, request: &str) -> u16 {
    let mut stream = TcpStream::connect(address).await.unwrap();
    stream.write_all(request.as_bytes()).await.unwrap();
    let response = read_until_closed(&mut stream).await;
    response
        .split(' ')
        .nth(1)
        .and_then(|status| status.parse().ok())
        .unwrap_or_else(|| panic!("not an HTTP answer: {response:?}"))
}

#[tokio::test]
async fn a_client_trickling_its_headers_is_cut_off() {
    let mut config = config();
    config.server.header_read_timeout_ms = 1_000;
    let signer = Signer::start(config).await;
    let mut stream = TcpStream::connect(signer.public).await.unwrap();
    let (mut reader, mut writer) = stream.split();
    let started = Instant::now();
    // One header byte a second, for far longer than the timeout if nobody stops it.
    let trickle = async {
        for byte in "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaa".bytes() {
            if writer.write_all(&[byte]).await.is_err() {
                break;
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    };
    let closed = async {
        let mut received = Vec::new();
        let _ = reader.read_to_end(&mut received).await;
        received
    };
    let received = tokio::select! {
        received = tokio::time::timeout(Duration::from_secs(15), closed) => {
            received.expect("the connection is closed within 15 s")
        }
        () = trickle => panic!("the whole trickle was accepted"),
    };
    let elapsed = started.elapsed();
    assert!(
        elapsed < Duration::from_secs(8),
        "cut off after {elapsed:?}"
    );
    assert!(
        elapsed >= Duration::from_millis(900),
        "cut off before the timeout: {elapsed:?}"
    );
    assert!(
        !String::from_utf8_lossy(&received).contains("200 OK"),
        "never answered"
    );
    // Operators see it on the admin listener.
    let mut admin = TcpStream::connect(signer.admin).await.unwrap();
    admin
        .write_all(b"GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let metrics = read_until_closed(&mut admin).await;
    assert!(
        metrics.contains("stopover_connections_cut_total{reason=\"slow_headers\"} 1"),
        "{metrics}"
    );
}

#[tokio::test]
async fn an_idle_kept_alive_connection_is_closed_after_the_keep_alive_timeout() {
    let mut config = config();
    config.server.header_read_timeout_ms = 1_000;
    config.server.keep_alive_timeout_ms = 3_000;
    let signer = Signer::start(config).await;
    let mut stream = TcpStream::connect(signer.public).await.unwrap();
    stream.write_all(HEALTH.as_bytes()).await.unwrap();
    assert!(read_response(&mut stream).await.starts_with("HTTP/1.1 200"));

    // Idle for longer than the header timeout but within the keep-alive one: still served.
    tokio::time::sleep(Duration::from_millis(1_800)).await;
    stream.write_all(HEALTH.as_bytes()).await.unwrap();
    assert!(read_response(&mut stream).await.starts_with("HTTP/1.1 200"));

    let idle_since = Instant::now();
    let rest = tokio::time::timeout(Duration::from_secs(15), read_until_closed(&mut stream))
        .await
        .expect("the idle connection is closed within 15 s");
    let idle = idle_since.elapsed();
    assert!(rest.is_empty(), "{rest}");
    assert!(
        idle >= Duration::from_millis(2_500),
        "closed after {idle:?}"
    );
    assert!(idle < Duration::from_secs(10), "closed after {idle:?}");
}

#[tokio::test]
async fn a_slow_body_gets_408_and_a_slow_back_end_still_503() {
    let mut config = config();
    config.server.body_read_timeout_ms = 1_000;
    config.limits.request_timeout_ms = 5_000;
    let signer = Signer::start(config).await;
    let mut stream = TcpStream::connect(signer.public).await.unwrap();
    let started = Instant::now();
    stream
        .write_all(
            b"POST /api/continue HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 200\r\n\r\n{\"state\":",
        )
        .await
        .unwrap();
    // ... and the other 191 bytes never come.
    let response = tokio::time::timeout(Duration::from_secs(10), read_until_closed(&mut stream))
        .await
        .expect("answered and closed within 10 s");
    let elapsed = started.elapsed();
    assert!(response.starts_with("HTTP/1.1 408"), "{response}");
    assert!(
        response.contains(r#"{"error":"request_timeout","message":"#),
        "{response}"
    );
    assert!(
        response
            .to_ascii_lowercase()
            .contains("content-type: application/json; charset=utf-8"),
        "{response}"
    );
    assert!(
        elapsed < Duration::from_millis(4_500),
        "after {elapsed:?}: before the 503"
    );
}

#[tokio::test]
async fn connections_beyond_the_limit_wait_until_one_closes() {
    let mut config = config();
    config.server.max_connections = 2;
    let signer = Signer::start(config).await;
    let mut held = Vec::new();
    for _ in 0..2 {
        let mut stream = TcpStream::connect(signer.public).await.unwrap();
        stream.write_all(HEALTH.as_bytes()).await.unwrap();
        assert!(read_response(&mut stream).await.starts_with("HTTP/1.1 200"));
        held.push(stream);
    }
    let mut third = TcpStream::connect(signer.public).await.unwrap();
    third.write_all(HEALTH.as_bytes()).await.unwrap();
    let mut buffer = [0u8; 64];
    assert!(
        tokio::time::timeout(Duration::from_millis(1_500), third.read(&mut buffer))
            .await
            .is_err(),
        "a third connection is not served while two are open"
    );
    drop(held.pop());
    let response = tokio::time::timeout(Duration::from_secs(10), read_response(&mut third))
        .await
        .expect("served once a connection closed");
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
}

#[tokio::test]
async fn behind_one_trusted_proxy_the_rate_limit_counts_per_forwarded_client() {
    let mut config = config();
    config.limits.rate_limit_per_minute = 2;
    config.server.trusted_proxy_hops = 1;
    let signer = Signer::start(config).await;
    // The proxy appends the address it saw; what the client wrote before it is ignored.
    for spoof in ["1.1.1.1", "2.2.2.2"] {
        let request = continue_request(Some(&format!("{spoof}, 198.51.100.7")));
        assert_eq!(status_of(signer.public, &request).await, 401);
    }
    let third = continue_request(Some("3.3.3.3, 198.51.100.7"));
    assert_eq!(
        status_of(signer.public, &third).await,
        429,
        "198.51.100.7 is out of tokens"
    );
    let other = continue_request(Some("198.51.100.8"));
    assert_eq!(
        status_of(signer.public, &other).await,
        401,
        "another forwarded client has its own bucket"
    );
    // IPv6 clients are counted per /64.
    for host in ["2001:db8:1:2::1", "2001:db8:1:2::ff"] {
        assert_eq!(
            status_of(signer.public, &continue_request(Some(host))).await,
            401
        );
    }
    assert_eq!(
        status_of(
            signer.public,
            &continue_request(Some("2001:db8:1:2:aaaa::1"))
        )
        .await,
        429,
        "the same /64"
    );
    // A header that is not an address falls back to the socket's address (its own bucket).
    assert_eq!(
        status_of(signer.public, &continue_request(Some("garbage"))).await,
        401
    );
}

#[tokio::test]
async fn without_trusted_proxies_x_forwarded_for_is_ignored() {
    let mut config = config();
    config.limits.rate_limit_per_minute = 2;
    let signer = Signer::start(config).await;
    let statuses = [
        status_of(signer.public, &continue_request(Some("198.51.100.1"))).await,
        status_of(signer.public, &continue_request(Some("198.51.100.2"))).await,
        status_of(signer.public, &continue_request(Some("198.51.100.3"))).await,
    ];
    assert_eq!(statuses, [401, 401, 429], "one socket address, one bucket");
}

#[tokio::test]
async fn shutdown_does_not_wait_for_idle_connections() {
    let signer = Signer::start(config()).await;
    let mut idle = TcpStream::connect(signer.public).await.unwrap();
    idle.write_all(HEALTH.as_bytes()).await.unwrap();
    assert!(read_response(&mut idle).await.starts_with("HTTP/1.1 200"));
    let _silent = TcpStream::connect(signer.public).await.unwrap();
    // Both would stay open for the default 75 s keep-alive timeout.
    signer.stop_within(Duration::from_secs(5)).await;
}
