//! Redirect Actions written for hand-made apps work with Stopover by configuration alone: each
//! test reproduces one pattern of a public post-login Action (the session token exactly as
//! `api.redirect.encodeToken` mints it: the standard claims, then the payload, which wins on
//! a repeated name) and the configuration that serves it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::*;
use serde_json::{json, Value};
use stopover_signer::app;
use stopover_signer::config::Config;
use stopover_signer::replay::MemoryStore;

/// The test configuration with `edit` applied to its TOML text.
fn state_from(edit: impl Fn(String) -> String) -> stopover_signer::AppState {
    let config = Config::from_toml(&edit(config_toml("memory")), &env).unwrap();
    state_with(config, Arc::new(MemoryStore::new(1000)))
}

fn minted_claims(reply: &Reply) -> Value {
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    decode_part(reply.body["fields"]["session_token"].as_str().unwrap(), 1)
}

#[tokio::test]
async fn an_issuer_overridden_as_a_url_is_the_same_tenant() {
    // `payload: { iss: `https://${event.request.hostname}/` }`, the commonest override.
    for spelling in [
        format!("https://{ISSUER}/"),
        format!("https://{ISSUER}"),
        ISSUER.to_owned(),
    ] {
        let state = state();
        let mut claims = claims();
        claims["iss"] = json!(spelling);
        let reply =
            post_continue(&state, continue_body(&token_with(&claims), &good_answers())).await;
        // `/continue` is always built from the bare host.
        assert_eq!(
            reply.body["continue_url"],
            format!("https://{ISSUER}/continue?state={STATE}"),
            "{spelling}"
        );
        // The continue token names the issuer as the Action spelt it.
        assert_eq!(minted_claims(&reply)["iss"], json!(spelling));
    }
}

#[tokio::test]
async fn an_issuer_configured_as_a_url_accepts_the_bare_host() {
    let state = state_from(|toml| {
        toml.replace(
            &format!("issuer = \"{ISSUER}\""),
            &format!("issuer = \"https://{ISSUER}/\""),
        )
    });
    let reply = post_continue(&state, continue_body(&token(), &good_answers())).await;
    assert_eq!(
        reply.body["continue_url"],
        format!("https://{ISSUER}/continue?state={STATE}")
    );
    assert_eq!(minted_claims(&reply)["iss"], ISSUER);
}

#[tokio::test]
async fn an_issuer_url_with_a_path_or_another_scheme_is_another_tenant() {
    for spelling in [
        format!("https://{ISSUER}/tenant"),
        format!("http://{ISSUER}/"),
        format!("https://{ISSUER}//"),
        format!("{ISSUER}/"),
    ] {
        let mut claims = claims();
        claims["iss"] = json!(spelling);
        let reply = post_continue(
            &state(),
            continue_body(&token_with(&claims), &good_answers()),
        )
        .await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{spelling}");
    }
}

#[tokio::test]
async fn answers_go_under_the_claim_the_tenant_names() {
    // Rules-era Actions read `event.…payload.other`.
    let state = state_from(|toml| {
        toml.replacen(
            "forms = [\"profile\", \"terms\"]",
            "forms = [\"profile\", \"terms\"]\nanswers_claim = \"other\"",
            1,
        )
    });
    let claims =
        minted_claims(&post_continue(&state, continue_body(&token(), &good_answers())).await);
    assert_eq!(claims["other"]["company"], "Example Ltd");
    assert!(claims.get("answers").is_none());
}

#[tokio::test]
async fn a_form_names_its_own_answers_claim() {
    let state = state_from(|toml| {
        toml.replacen(
            "id = \"profile\"\nversion = \"3\"",
            "id = \"profile\"\nversion = \"3\"\nanswers_claim = \"formData\"",
            1,
        )
    });
    let claims =
        minted_claims(&post_continue(&state, continue_body(&token(), &good_answers())).await);
    assert_eq!(claims["formData"]["newsletter"], true);
    assert!(claims.get("answers").is_none());
    // The form is served to the page without the signer's own keys.
    let reply = send(
        app(state),
        Request::get("/api/forms/profile")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert!(reply.body.get("answers_claim").is_none(), "{}", reply.text);
}

#[tokio::test]
async fn top_level_answers_sit_beside_the_standard_claims() {
    let state = state_from(|toml| {
        toml.replacen(
            "forms = [\"profile\", \"terms\"]",
            "forms = [\"profile\", \"terms\"]\nanswers_claim = \"\"",
            1,
        )
    });
    let claims =
        minted_claims(&post_continue(&state, continue_body(&token(), &good_answers())).await);
    assert_eq!(claims["company"], "Example Ltd");
    assert_eq!(claims["account"], "acct-42");
    assert_eq!(claims["sub"], "auth0|user-1");
    assert_eq!(claims["state"], STATE);
    assert!(claims.get("answers").is_none());
}

#[test]
fn a_field_that_would_replace_a_registered_claim_is_refused_at_start_up() {
    let toml = config_toml("memory")
        .replacen(
            "forms = [\"profile\", \"terms\"]",
            "forms = [\"profile\", \"terms\"]\nanswers_claim = \"\"",
            1,
        )
        .replacen("id = \"company\"", "id = \"sub\"", 1);
    let error = Config::from_toml(&toml, &env).unwrap_err().to_string();
    assert!(
        error.contains(
            "tenant `tenant.example.com`: form `profile` puts answers at the top level, and its field `sub` would replace the token's own `sub` claim"
        ),
        "{error}"
    );
}

#[test]
fn an_answers_claim_that_is_a_registered_claim_is_refused() {
    for name in ["state", "iss", "has space"] {
        let toml = config_toml("memory").replacen(
            "forms = [\"profile\", \"terms\"]",
            &format!("forms = [\"profile\", \"terms\"]\nanswers_claim = \"{name}\""),
            1,
        );
        let error = Config::from_toml(&toml, &env).unwrap_err().to_string();
        assert!(
            error.contains(&format!(
                "tenant `{ISSUER}`: answers_claim `{name}` must be"
            )),
            "{error}"
        );
    }
}

#[tokio::test]
async fn a_continue_uri_claim_is_honoured_like_continue_host() {
    let mut claims = claims();
    claims["continue_uri"] = json!("https://login.example.com/continue");
    let reply = post_continue(
        &state(),
        continue_body(&token_with(&claims), &good_answers()),
    )
    .await;
    assert_eq!(
        reply.body["continue_url"],
        format!("https://login.example.com/continue?state={STATE}")
    );

    // A host the tenant does not list, or a URL of another shape, is ignored.
    for uri in [
        "https://evil.example.net/continue",
        "https://login.example.com/continue/../x",
        "https://login.example.com@evil.example.net/continue",
        "https://login.example.com/elsewhere",
    ] {
        claims["continue_uri"] = json!(uri);
        let reply = post_continue(
            &state(),
            continue_body(&token_with(&claims), &good_answers()),
        )
        .await;
        assert_eq!(
            reply.body["continue_url"],
            format!("https://{ISSUER}/continue?state={STATE}"),
            "{uri}"
        );
    }
}

#[tokio::test]
async fn the_form_of_a_token_without_a_form_claim_is_served_by_issuer() {
    for issuer in [ISSUER.to_owned(), format!("https://{ISSUER}/")] {
        let reply = send(
            app(state()),
            Request::get(format!(
                "/api/forms?issuer={}",
                issuer.replace(':', "%3A").replace('/', "%2F")
            ))
            .body(Body::empty())
            .unwrap(),
        )
        .await;
        assert_eq!(reply.status, StatusCode::OK, "{issuer}: {}", reply.text);
        assert_eq!(reply.body["id"], "profile", "the tenant's first form");
        assert_eq!(reply.headers["cache-control"], "no-store", "an API answer");
    }
    let reply = send(
        app(state()),
        Request::get(format!("/api/forms?issuer={OTHER_ISSUER}"))
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(reply.body["id"], "terms");

    let reply = send(
        app(state()),
        Request::get("/api/forms?issuer=unknown.example.org")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    assert_eq!(reply.body["error"], "unknown_form");

    let reply = send(
        app(state()),
        Request::get("/api/forms").body(Body::empty()).unwrap(),
    )
    .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(reply.body["error"], "bad_request");
}

#[tokio::test]
async fn a_token_without_a_form_claim_is_validated_against_the_form_the_page_is_served() {
    let state = state();
    let mut claims = claims();
    claims.as_object_mut().unwrap().remove("form");
    let served = send(
        app(state.clone()),
        Request::get(format!("/api/forms?issuer={ISSUER}"))
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(served.body["id"], "profile");
    // Answers to the served form are the ones accepted.
    let minted = minted_claims(
        &post_continue(&state, continue_body(&token_with(&claims), &good_answers())).await,
    );
    assert_eq!(minted["form"]["id"], served.body["id"]);
}
