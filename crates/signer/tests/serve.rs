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
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(stopover_signer::serve(config(), listener, async {
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

    stop.send(()).unwrap();
    let result = tokio::time::timeout(Duration::from_secs(5), server)
        .await
        .expect("graceful shutdown");
    assert!(result.unwrap().is_ok());
}
