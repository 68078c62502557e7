//! `serve` over a real socket: the binary's and the end-to-end tests' entry point.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use common::*;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};

async fn http(address: std::net::SocketAddr, request: String) -> String {
    let mut stream = TcpStream::connect(address).await.unwrap();
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).await.unwrap();
    response
}

#[tokio::test]
async fn serve_answers_over_tcp_and_stops_on_shutdown() {
    let public = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let admin = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = public.local_addr().unwrap();
    let admin_address = admin.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let listeners = stopover_signer::Listeners { public, admin };
    let server = tokio::spawn(stopover_signer::serve(config(), listeners, async {
        let _ = stopped.await;
    }));

    let response = http(
        address,
        "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".to_owned(),
    )
    .await;
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");

    // The rate limit keys on the client address from the connection (1000/min here): a
    // request passes it and reaches the token check.
    let body = continue_body("not-a-token", &good_answers());
    let request = format!(
        "POST /api/continue HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    assert!(http(address, request).await.starts_with("HTTP/1.1 401"));

    // The rejection counts are on the admin listener only.
    let get = |path: &str| format!("GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    for path in ["/metrics", "/readyz"] {
        let response = http(address, get(path)).await;
        assert!(
            response.starts_with("HTTP/1.1 404"),
            "public {path}: {response}"
        );
        assert!(!response.contains("stopover_"), "{response}");
    }
    let metrics = http(admin_address, get("/metrics")).await;
    assert!(metrics.starts_with("HTTP/1.1 200"), "{metrics}");
    assert!(
        metrics.contains("stopover_requests_total{route=\"/api/continue\",status=\"401\"} 1"),
        "{metrics}"
    );
    assert!(http(admin_address, get("/readyz"))
        .await
        .starts_with("HTTP/1.1 200"));
    assert!(http(admin_address, get("/healthz"))
        .await
        .starts_with("HTTP/1.1 200"));
    assert!(http(admin_address, get("/api/forms/profile"))
        .await
        .starts_with("HTTP/1.1 404"));

    stop.send(()).unwrap();
    let result = tokio::time::timeout(Duration::from_secs(5), server)
        .await
        .expect("graceful shutdown");
    assert!(result.unwrap().is_ok());
}
