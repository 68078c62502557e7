//! The log says why a request failed, never the token, the state or an answer.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};

use common::*;
use serde_json::json;

#[derive(Clone, Default)]
struct Buffer(Arc<Mutex<Vec<u8>>>);

impl Write for Buffer {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test(flavor = "current_thread")]
async fn logs_name_the_reason_but_never_tokens_states_or_answers() {
    let buffer = Buffer::default();
    let writer = buffer.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let state = state();
    let answers = json!({ "company": "Secretive Answer Ltd" });
    let minted = post_continue(&state, continue_body(&token(), &answers)).await;
    let mut expired = claims();
    expired["exp"] = json!(NOW - 5);
    let expired_token = token_with(&expired);
    post_continue(&state, continue_body(&expired_token, &answers)).await;

    let log = String::from_utf8(buffer.0.lock().unwrap().clone()).unwrap();
    assert!(log.contains("outcome=\"expired\""), "{log}");
    assert!(log.contains("outcome=\"minted\""), "{log}");
    assert!(log.contains(&format!("issuer=\"{ISSUER}\"")), "{log}");
    assert!(log.contains("form=\"profile\""), "{log}");
    assert_eq!(log.lines().count(), 2, "one line per request: {log}");
    let minted_token = minted.body["fields"]["session_token"].as_str().unwrap();
    for secret in [
        token().as_str(),
        expired_token.as_str(),
        minted_token,
        STATE,
        "Secretive Answer",
        SECRET,
        "auth0|user-1",
    ] {
        assert!(!log.contains(secret), "the log contains {secret}: {log}");
    }
}

#[tokio::test(flavor = "current_thread")]
async fn an_invented_method_is_logged_as_other() {
    let buffer = Buffer::default();
    let writer = buffer.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    for method in ["INJECTED-METHOD", "PATCH"] {
        let request = axum::http::Request::builder()
            .method(method)
            .uri("/api/continue")
            .body(axum::body::Body::empty())
            .unwrap();
        send(stopover_signer::app(state()), request).await;
    }

    let log = String::from_utf8(buffer.0.lock().unwrap().clone()).unwrap();
    assert!(!log.contains("INJECTED"), "{log}");
    assert!(
        log.contains("method=\"other\"") || log.contains("method=other"),
        "{log}"
    );
    assert!(log.contains("PATCH"), "{log}");
}
