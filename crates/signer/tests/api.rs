//! The HTTP API of docs/contract.md#api, through `app(state).oneshot(..)`: every status code.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::*;
use serde_json::{json, Value};
use stopover_signer::replay::{BoxFuture, Consumption, ReplayKey, ReplayStore, StoreError};
use stopover_signer::{admin_app, app};

#[tokio::test]
async fn valid_request_mints_a_continue_token_auth0_accepts() {
    let state = state();
    let reply = post_continue(&state, continue_body(&token(), &good_answers())).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    assert_eq!(
        reply.headers["content-type"],
        "application/json; charset=utf-8"
    );
    assert_eq!(reply.headers["cache-control"], "no-store");
    assert_eq!(
        reply.body["continue_url"],
        format!("https://{ISSUER}/continue?state={STATE}")
    );
    assert_eq!(reply.body["fields"]["state"], STATE);
    let fields = reply.body["fields"].as_object().unwrap();
    assert_eq!(fields.len(), 2);
    let minted = reply.body["fields"]["session_token"].as_str().unwrap();

    // Header exactly as Auth0's validateToken expects, and a signature with the tenant secret.
    let (signed, signature) = minted.rsplit_once('.').unwrap();
    assert_eq!(signed.split('.').next().unwrap(), b64(HEADER));
    assert_eq!(
        signature,
        b64(hmac_sha256(SECRET.as_bytes(), signed.as_bytes()))
    );

    let claims = decode_part(minted, 1);
    assert_eq!(claims["iss"], ISSUER);
    assert_eq!(claims["sub"], "auth0|user-1");
    assert_eq!(claims["state"], STATE);
    assert_eq!(claims["iat"], NOW);
    assert_eq!(claims["exp"], NOW + 120, "default ttl");
    assert_eq!(claims["form"], json!({ "id": "profile", "version": "3" }));
    assert_eq!(
        claims["answers"],
        json!({ "company": "Example Ltd", "newsletter": true, "account": "acct-42" })
    );
    assert!(claims["jti"].as_str().is_some_and(|jti| jti.len() >= 16));
}

#[tokio::test]
async fn two_mints_have_different_jti() {
    let state = state();
    let first = post_continue(&state, continue_body(&token(), &good_answers())).await;
    let mut other = claims();
    other["sub"] = json!("auth0|user-2");
    let second = post_continue(&state, continue_body(&token_with(&other), &good_answers())).await;
    let jti = |reply: &Reply| {
        decode_part(reply.body["fields"]["session_token"].as_str().unwrap(), 1)["jti"].clone()
    };
    assert_ne!(jti(&first), jti(&second));
}

#[tokio::test]
async fn configured_continue_host_is_used_and_unknown_one_ignored() {
    let state = state();
    let mut claims = claims();
    claims["continue_host"] = json!("login.example.com");
    let reply = post_continue(&state, continue_body(&token_with(&claims), &good_answers())).await;
    assert_eq!(
        reply.body["continue_url"],
        format!("https://login.example.com/continue?state={STATE}")
    );

    claims["continue_host"] = json!("evil.example.net");
    claims["sub"] = json!("auth0|user-3");
    let reply = post_continue(&state, continue_body(&token_with(&claims), &good_answers())).await;
    assert_eq!(
        reply.body["continue_url"],
        format!("https://{ISSUER}/continue?state={STATE}")
    );
}

#[tokio::test]
async fn tenant_settings_shape_the_response_and_the_token() {
    let state = state();
    let claims = json!({ "sub": "auth0|u", "iss": OTHER_ISSUER, "iat": NOW, "exp": NOW + 900 });
    let token = sign_raw(HEADER, &claims.to_string(), OTHER_SECRET.as_bytes());
    let reply = post_continue(&state, continue_body(&token, &json!({ "terms": true }))).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    let minted = reply.body["fields"]["continue_token"]
        .as_str()
        .expect("configured token parameter");
    let claims = decode_part(minted, 1);
    assert_eq!(claims["exp"], NOW + 300);
    assert_eq!(
        claims["form"]["id"], "terms",
        "the tenant's first form is the default"
    );
    assert_eq!(
        claims["answers"]["terms"],
        json!({ "accepted": true, "version": "2026-11", "accepted_at": NOW,
                "document": "https://example.com/terms" })
    );
}

#[tokio::test]
async fn a_consent_records_the_language_the_session_tokens_locale_shows_its_document_in() {
    let state = state();
    let claims = json!({ "sub": "auth0|u", "iss": OTHER_ISSUER, "iat": NOW, "exp": NOW + 900,
                         "locale": "fr-CA" });
    let token = sign_raw(HEADER, &claims.to_string(), OTHER_SECRET.as_bytes());
    let reply = post_continue(&state, continue_body(&token, &json!({ "terms": true }))).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    let minted = decode_part(reply.body["fields"]["continue_token"].as_str().unwrap(), 1);
    // The test configuration's terms title is a plain string: English.
    assert_eq!(minted["answers"]["terms"]["language"], "en");
    assert_eq!(minted["answers"]["terms"]["version"], "2026-11");
}

#[tokio::test]
async fn form_definition_is_served_with_every_language() {
    let reply = send(
        app(state()),
        Request::get("/api/forms/profile")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.body["id"], "profile");
    assert_eq!(
        reply.body["title"],
        json!({ "en": "Profile", "fr": "Profil" })
    );
    assert_eq!(reply.body["fields"][0]["kind"], "text");
}

#[tokio::test]
async fn unknown_form_is_404_unknown_form() {
    let reply = send(
        app(state()),
        Request::get("/api/forms/nope").body(Body::empty()).unwrap(),
    )
    .await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    assert_eq!(reply.body["error"], "unknown_form");
}

#[tokio::test]
async fn unknown_path_is_404_not_found() {
    let reply = send(
        app(state()),
        Request::get("/api/nothing").body(Body::empty()).unwrap(),
    )
    .await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    assert_eq!(reply.body["error"], "not_found");
    let reply = send(
        app(state()),
        Request::get("/elsewhere").body(Body::empty()).unwrap(),
    )
    .await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
}

async fn expect_bad_request(body: String) {
    let reply = post_continue(&state(), body).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}", reply.text);
    assert_eq!(reply.body["error"], "bad_request");
    assert!(reply.body["message"]
        .as_str()
        .is_some_and(|m| !m.is_empty()));
    assert!(reply.body.get("fields").is_none());
}

#[tokio::test]
async fn malformed_json_is_400() {
    expect_bad_request("{\"state\": ".to_owned()).await;
    expect_bad_request("[]".to_owned()).await;
    expect_bad_request(json!({ "session_token": token(), "answers": {} }).to_string()).await;
}

#[tokio::test]
async fn bad_state_is_400() {
    for state in ["", "has space", "ümlaut", "a/b", &"x".repeat(2049)] {
        expect_bad_request(
            json!({ "state": state, "session_token": token(), "answers": {} }).to_string(),
        )
        .await;
    }
}

#[tokio::test]
async fn answers_not_an_object_is_400() {
    for answers in [json!([]), json!("x"), json!(null), json!(1)] {
        expect_bad_request(
            json!({ "state": STATE, "session_token": token(), "answers": answers }).to_string(),
        )
        .await;
    }
}

#[tokio::test]
async fn invalid_token_is_one_opaque_401() {
    let mut expired = claims();
    expired["exp"] = json!(NOW - 1);
    let reply = post_continue(
        &state(),
        continue_body(&token_with(&expired), &good_answers()),
    )
    .await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    let bad_signature = post_continue(
        &state(),
        continue_body(&format!("{}A", token()), &good_answers()),
    )
    .await;
    assert_eq!(bad_signature.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        reply.body, bad_signature.body,
        "no detail tells the failures apart"
    );
    assert_eq!(reply.body["error"], "invalid_token");
}

#[tokio::test]
async fn disallowed_origin_is_403() {
    let request = Request::post("/api/continue")
        .header("content-type", "application/json")
        .header("origin", "https://evil.example.net")
        .body(Body::from(continue_body(&token(), &good_answers())))
        .unwrap();
    let reply = send(app(state()), request).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert_eq!(reply.body["error"], "origin_not_allowed");
}

#[tokio::test]
async fn origin_match_is_exact() {
    for origin in [
        format!("{ORIGIN}/"),
        ORIGIN.to_uppercase(),
        format!("{ORIGIN}.evil.net"),
        "null".to_owned(),
    ] {
        let request = Request::get("/api/forms/profile")
            .header("origin", origin)
            .body(Body::empty())
            .unwrap();
        assert_eq!(
            send(app(state()), request).await.status,
            StatusCode::FORBIDDEN
        );
    }
}

#[tokio::test]
async fn cors_preflight_from_allowed_origin_is_answered_without_credentials() {
    let request = Request::options("/api/continue")
        .header("origin", ORIGIN)
        .header("access-control-request-method", "POST")
        .header("access-control-request-headers", "content-type")
        .body(Body::empty())
        .unwrap();
    let reply = send(app(state()), request).await;
    assert!(reply.status.is_success(), "{}", reply.status);
    assert_eq!(reply.headers["access-control-allow-origin"], ORIGIN);
    assert!(reply
        .headers
        .get("access-control-allow-credentials")
        .is_none());

    let reply = post_continue(&state(), continue_body(&token(), &good_answers())).await;
    assert_eq!(reply.headers["access-control-allow-origin"], ORIGIN);
}

#[tokio::test]
async fn replayed_token_is_409_already_used() {
    let state = state();
    let body = continue_body(&token(), &good_answers());
    assert_eq!(
        post_continue(&state, body.clone()).await.status,
        StatusCode::OK
    );
    let reply = post_continue(&state, body).await;
    assert_eq!(reply.status, StatusCode::CONFLICT);
    assert_eq!(reply.body["error"], "already_used");
}

#[tokio::test]
async fn refused_answers_do_not_consume_the_token() {
    let state = state();
    let reply = post_continue(&state, continue_body(&token(), &json!({ "company": "" }))).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(reply.body["error"], "invalid_answers");
    assert_eq!(reply.body["fields"], json!({ "company": ["required"] }));
    let reply = post_continue(&state, continue_body(&token(), &good_answers())).await;
    assert_eq!(
        reply.status,
        StatusCode::OK,
        "the corrected answers can still be sent"
    );
}

#[tokio::test]
async fn answers_are_checked_by_the_signer_not_trusted() {
    let answers = json!({ "company": "x".repeat(51), "account": "someone-else", "admin": true });
    let reply = post_continue(&state(), continue_body(&token(), &answers)).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(reply.body["fields"]["company"], json!(["too_long"]));
    assert_eq!(reply.body["fields"]["account"], json!(["read_only"]));
    assert_eq!(reply.body["fields"]["admin"], json!(["unknown_field"]));
}

#[tokio::test]
async fn body_over_16_kib_is_413() {
    let answers = json!({ "company": "x".repeat(17 * 1024) });
    let reply = post_continue(&state(), continue_body(&token(), &answers)).await;
    assert_eq!(reply.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(reply.body["error"], "payload_too_large");

    // A declared length over the limit is refused before the body is read.
    let request = Request::post("/api/continue")
        .header("content-type", "application/json")
        .header("content-length", "100000")
        .body(Body::from("{}"))
        .unwrap();
    assert_eq!(
        send(app(state()), request).await.status,
        StatusCode::PAYLOAD_TOO_LARGE
    );
}

#[tokio::test]
async fn non_json_content_type_is_415() {
    for content_type in [
        Some("text/plain"),
        Some("application/x-www-form-urlencoded"),
        None,
    ] {
        let mut request = Request::post("/api/continue");
        if let Some(content_type) = content_type {
            request = request.header("content-type", content_type);
        }
        let reply = send(
            app(state()),
            request
                .body(Body::from(continue_body(&token(), &good_answers())))
                .unwrap(),
        )
        .await;
        assert_eq!(reply.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
        assert_eq!(reply.body["error"], "unsupported_media_type");
    }
    let request = Request::post("/api/continue")
        .header("content-type", "application/json; charset=utf-8")
        .body(Body::from(continue_body(&token(), &good_answers())))
        .unwrap();
    assert_eq!(send(app(state()), request).await.status, StatusCode::OK);
}

#[tokio::test]
async fn too_many_requests_from_one_client_is_429_with_retry_after() {
    let toml =
        config_toml("memory").replace("rate_limit_per_minute = 1000", "rate_limit_per_minute = 2");
    let config = stopover_signer::config::Config::from_toml(&toml, &env).unwrap();
    let state = state_with(
        config,
        Arc::new(stopover_signer::replay::MemoryStore::new(10)),
    );
    for _ in 0..2 {
        assert_ne!(
            post_continue(&state, "{}").await.status,
            StatusCode::TOO_MANY_REQUESTS
        );
    }
    let reply = post_continue(&state, "{}").await;
    assert_eq!(reply.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(reply.body["error"], "rate_limited");
    assert_eq!(reply.headers["retry-after"], "30");
    assert_eq!(
        reply.headers["access-control-expose-headers"],
        "retry-after"
    );
    // Reading forms is not limited.
    let reply = send(
        app(state.clone()),
        Request::get("/api/forms/terms")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK);
    // Checking a session shares the client's bucket, and a preflight is never limited.
    let reply = send(
        app(state.clone()),
        Request::post("/api/session")
            .header("content-type", "application/json")
            .body(Body::from("{}"))
            .unwrap(),
    )
    .await;
    assert_eq!(reply.status, StatusCode::TOO_MANY_REQUESTS);
    let reply = send(
        app(state.clone()),
        Request::options("/api/continue")
            .header("origin", ORIGIN)
            .header("access-control-request-method", "POST")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK);
}

/// A store that cannot be reached.
#[derive(Debug)]
struct DownStore;

impl ReplayStore for DownStore {
    fn consume(
        &self,
        _: ReplayKey,
        _: i64,
        _: i64,
    ) -> BoxFuture<'_, Result<Consumption, StoreError>> {
        Box::pin(async { Err(StoreError::Unreachable("connection refused".to_owned())) })
    }
    fn release(&self, _: ReplayKey) -> BoxFuture<'_, Result<(), StoreError>> {
        Box::pin(async { Err(StoreError::Unreachable("connection refused".to_owned())) })
    }
    fn is_used(&self, _: ReplayKey, _: i64) -> BoxFuture<'_, Result<bool, StoreError>> {
        Box::pin(async { Err(StoreError::Unreachable("connection refused".to_owned())) })
    }
    fn ping(&self) -> BoxFuture<'_, Result<(), StoreError>> {
        Box::pin(async { Err(StoreError::Timeout) })
    }
}

#[tokio::test]
async fn the_session_check_says_a_login_can_be_completed_and_consumes_nothing() {
    let state = state();
    for _ in 0..2 {
        let reply = post_session(&state, session_body(&token())).await;
        assert_eq!(reply.status, StatusCode::NO_CONTENT);
        assert_eq!(reply.text, "");
        assert_eq!(
            reply.headers["cache-control"], "no-store",
            "an API answer is never cached"
        );
    }
    let minted = post_continue(&state, continue_body(&token(), &good_answers())).await;
    assert_eq!(minted.status, StatusCode::OK, "the checks used nothing up");

    let reply = post_session(&state, session_body(&token())).await;
    assert_eq!(reply.status, StatusCode::CONFLICT);
    assert_eq!(reply.body["error"], "already_used");
}

#[tokio::test]
async fn the_session_check_refuses_what_continue_would_refuse() {
    let state = state();
    let mut expired = claims();
    expired["exp"] = json!(NOW - 1);
    for token in [token_with(&expired), format!("{}A", token())] {
        let reply = post_session(&state, session_body(&token)).await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
        assert_eq!(reply.body["error"], "invalid_token");
    }
    let bad_state = json!({ "state": "a b", "session_token": token() }).to_string();
    let reply = post_session(&state, bad_state).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        reply.body["message"],
        "`state` has characters that are not allowed."
    );
    let reply = post_session(&state, r#"{"state":"s"}"#).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);

    let down = state_with(config(), Arc::new(DownStore));
    let reply = post_session(&down, session_body(&token())).await;
    assert_eq!(
        reply.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "a store that cannot say is not read as unused"
    );
}

#[tokio::test]
async fn unreachable_replay_store_is_503_and_nothing_minted() {
    let state = state_with(config(), Arc::new(DownStore));
    let reply = post_continue(&state, continue_body(&token(), &good_answers())).await;
    assert_eq!(reply.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(reply.body["error"], "unavailable");
    assert!(!reply.text.contains("eyJ"), "no token in the body");
    let reply = send(
        admin_app(state.clone()),
        Request::get("/readyz").body(Body::empty()).unwrap(),
    )
    .await;
    assert_eq!(reply.status, StatusCode::SERVICE_UNAVAILABLE);
    let metrics = send(
        admin_app(state),
        Request::get("/metrics").body(Body::empty()).unwrap(),
    )
    .await;
    assert!(metrics.text.contains("stopover_tokens_minted_total 0"));
}

#[tokio::test]
async fn full_memory_store_refuses_with_503_rather_than_forget() {
    let state = state_with(
        config(),
        Arc::new(stopover_signer::replay::MemoryStore::new(1)),
    );
    assert_eq!(
        post_continue(&state, continue_body(&token(), &good_answers()))
            .await
            .status,
        StatusCode::OK
    );
    let mut other = claims();
    other["sub"] = json!("auth0|user-2");
    let reply = post_continue(&state, continue_body(&token_with(&other), &good_answers())).await;
    assert_eq!(reply.status, StatusCode::SERVICE_UNAVAILABLE);
}

#[tokio::test]
async fn health_on_both_listeners_readiness_on_the_admin_one() {
    for service in [app(state()), admin_app(state())] {
        let reply = send(
            service,
            Request::get("/healthz").body(Body::empty()).unwrap(),
        )
        .await;
        assert_eq!(reply.status, StatusCode::OK);
    }
    let reply = send(
        admin_app(state()),
        Request::get("/readyz").body(Body::empty()).unwrap(),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK);
}

#[tokio::test]
async fn readiness_and_metrics_are_404_on_the_public_service() {
    for (method, uri) in [
        ("GET", "/readyz"),
        ("GET", "/metrics"),
        ("POST", "/metrics"),
        ("HEAD", "/readyz"),
    ] {
        let reply = send(
            app(state()),
            Request::builder()
                .method(method)
                .uri(uri)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{method} {uri}");
        assert!(!reply.text.contains("stopover_"), "{method} {uri}");
    }
    // And the admin service has nothing of the API.
    let reply = send(
        admin_app(state()),
        Request::get("/api/forms/profile")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn metrics_count_routes_mints_and_rejection_reasons() {
    let state = state();
    post_continue(&state, continue_body(&token(), &good_answers())).await;
    let mut expired = claims();
    expired["exp"] = json!(NOW);
    post_continue(
        &state,
        continue_body(&token_with(&expired), &good_answers()),
    )
    .await;
    let reply = send(
        admin_app(state),
        Request::get("/metrics").body(Body::empty()).unwrap(),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/plain; version=0.0.4"));
    assert!(
        reply
            .text
            .contains("stopover_requests_total{route=\"/api/continue\",status=\"200\"} 1"),
        "{}",
        reply.text
    );
    assert!(reply
        .text
        .contains("stopover_requests_total{route=\"/api/continue\",status=\"401\"} 1"));
    assert!(reply.text.contains("stopover_tokens_minted_total 1"));
    assert!(reply
        .text
        .contains("stopover_rejections_total{reason=\"expired\"} 1"));
    assert!(reply
        .text
        .contains("stopover_request_duration_seconds_count 2"));
}

#[tokio::test]
async fn form_claim_outside_the_tenant_forms_is_401() {
    let claims = json!({ "sub": "auth0|u", "iss": OTHER_ISSUER, "iat": NOW, "exp": NOW + 900, "form": "profile" });
    let token = sign_raw(HEADER, &claims.to_string(), OTHER_SECRET.as_bytes());
    let reply = post_continue(&state(), continue_body(&token, &good_answers())).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
}

#[test]
fn error_bodies_follow_the_protocol_type() {
    let body: Value = json!({ "error": "invalid_token", "message": "x" });
    let parsed: stopover_protocol::ApiErrorBody = serde_json::from_value(body).unwrap();
    assert_eq!(parsed.error, stopover_protocol::ApiErrorCode::InvalidToken);
}
