//! A known path asked with a method it does not take: 405 with a JSON body and `Allow`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use common::{send, state, ORIGIN};
use stopover_signer::app;

async fn ask(method: &str, uri: &str) -> common::Reply {
    let request = Request::builder()
        .method(method)
        .uri(uri)
        .header("origin", ORIGIN)
        .header("content-type", "application/json")
        .body(Body::from("{}"))
        .unwrap();
    send(app(state()), request).await
}

#[tokio::test]
async fn a_wrong_method_is_a_405_with_a_json_error_body_and_allow() {
    for (method, uri, allowed) in [
        ("GET", "/api/continue", "POST"),
        ("PUT", "/api/continue", "POST"),
        ("POST", "/api/forms/profile", "GET"),
        ("DELETE", "/healthz", "GET"),
    ] {
        let reply = ask(method, uri).await;
        assert_eq!(
            reply.status,
            StatusCode::METHOD_NOT_ALLOWED,
            "{method} {uri}"
        );
        assert_eq!(
            reply.headers[header::CONTENT_TYPE],
            "application/json; charset=utf-8",
            "{method} {uri}"
        );
        assert_eq!(reply.body["error"], "method_not_allowed", "{method} {uri}");
        assert!(reply.body["message"].is_string(), "{method} {uri}");
        let allow = reply.headers[header::ALLOW].to_str().unwrap();
        assert!(allow.contains(allowed), "{method} {uri}: Allow {allow}");
    }
}

#[tokio::test]
async fn an_unknown_api_path_stays_a_404_whatever_the_method() {
    let reply = ask("PUT", "/api/nothing-here").await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    assert_eq!(reply.body["error"], "not_found");
}

#[tokio::test]
async fn a_wrong_method_on_the_admin_service_is_a_405_too() {
    let request = Request::builder()
        .method("POST")
        .uri("/metrics")
        .body(Body::empty())
        .unwrap();
    let reply = send(stopover_signer::admin_app(state()), request).await;
    assert_eq!(reply.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(reply.body["error"], "method_not_allowed");
    assert!(reply.headers[header::ALLOW]
        .to_str()
        .unwrap()
        .contains("GET"));
}
