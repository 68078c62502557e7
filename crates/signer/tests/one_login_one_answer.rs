//! One session token gives at most one continue token, whatever state comes with it; a token
//! lives no longer than a login; an answer is read once, never as the last of two; secrets
//! are the tenant's own.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::Arc;

use axum::http::StatusCode;
use common::*;
use serde_json::json;
use stopover_signer::config::Config;
use stopover_signer::replay::MemoryStore;

fn body_with_state(token: &str, state: &str) -> String {
    json!({ "state": state, "session_token": token, "answers": good_answers() }).to_string()
}

#[tokio::test]
async fn a_used_token_is_refused_with_any_other_state() {
    let state = state();
    let token = token();
    let first = post_continue(&state, body_with_state(&token, "state-of-login-1")).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.text);
    for other in ["state-of-login-1", "made-up-state", "another-one"] {
        let again = post_continue(&state, body_with_state(&token, other)).await;
        assert_eq!(again.status, StatusCode::CONFLICT, "{other}");
        assert_eq!(again.body["error"], "already_used");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn eight_parallel_states_for_one_token_mint_once() {
    let state = state();
    let token = token();
    let tasks: Vec<_> = (0..8)
        .map(|n| {
            let (state, body) = (state.clone(), body_with_state(&token, &format!("s{n}")));
            tokio::spawn(async move { post_continue(&state, body).await.status })
        })
        .collect();
    let mut minted = 0;
    for task in tasks {
        match task.await.unwrap() {
            StatusCode::OK => minted += 1,
            status => assert_eq!(status, StatusCode::CONFLICT),
        }
    }
    assert_eq!(minted, 1);
}

#[tokio::test]
async fn one_person_cannot_fill_the_store_with_one_token() {
    // A store with room for two: one token posted with many states takes one place, so the
    // next person's login still finds room.
    let state = state_with(config(), Arc::new(MemoryStore::new(2)));
    let token = token();
    for n in 0..50 {
        post_continue(&state, body_with_state(&token, &format!("s{n}"))).await;
    }
    let mut other = claims();
    other["sub"] = json!("auth0|someone-else");
    let reply = post_continue(&state, continue_body(&token_with(&other), &good_answers())).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
}

#[tokio::test]
async fn a_token_that_outlives_a_login_is_refused_and_an_hour_is_accepted() {
    let mut claims = claims();
    claims["iat"] = json!(NOW - 10);
    claims["exp"] = json!(NOW - 10 + 3600);
    let reply = post_continue(
        &state(),
        continue_body(&token_with(&claims), &good_answers()),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);

    claims["exp"] = json!(NOW - 10 + 3601);
    let reply = post_continue(
        &state(),
        continue_body(&token_with(&claims), &good_answers()),
    )
    .await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(reply.body["error"], "invalid_token");
}

#[tokio::test]
async fn a_tenant_can_shorten_the_longest_session_token() {
    let toml = config_toml("memory").replacen(
        "forms = [\"profile\", \"terms\"]",
        "forms = [\"profile\", \"terms\"]\nmax_session_lifetime_secs = 600",
        1,
    );
    let state = state_with(
        Config::from_toml(&toml, &env).unwrap(),
        Arc::new(MemoryStore::new(10)),
    );
    // `claims()` lives 900 s, Auth0's default.
    let reply = post_continue(&state, continue_body(&token(), &good_answers())).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
}

#[test]
fn a_longest_lifetime_beyond_an_hour_is_refused_at_start_up() {
    for value in [59, 3601] {
        let toml = config_toml("memory").replacen(
            "forms = [\"profile\", \"terms\"]",
            &format!("forms = [\"profile\", \"terms\"]\nmax_session_lifetime_secs = {value}"),
            1,
        );
        let error = Config::from_toml(&toml, &env).unwrap_err().to_string();
        assert!(
            error.contains(&format!(
                "tenant `{ISSUER}`: max_session_lifetime_secs {value} is outside 60..=3600"
            )),
            "{error}"
        );
    }
}

#[tokio::test]
async fn an_answer_given_twice_is_refused() {
    let token = token();
    let inner = format!(
        r#"{{"state":"{STATE}","session_token":"{token}","answers":{{"company":"Good Ltd","company":"Evil Ltd"}}}}"#
    );
    let outer = format!(
        r#"{{"state":"{STATE}","state":"other","session_token":"{token}","answers":{{"company":"Good Ltd"}}}}"#
    );
    for body in [inner, outer] {
        let reply = post_continue(&state(), body).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST);
        assert_eq!(reply.body["error"], "bad_request");
        assert_eq!(reply.body["message"], "The body repeats a key.");
    }
}

#[test]
fn two_tenants_sharing_a_secret_are_refused() {
    let shared = |name: &str| match name {
        "TENANT_SECRET" | "OTHER_SECRET" => Some(SECRET.to_owned()),
        _ => None,
    };
    let error = Config::from_toml(&config_toml("memory"), &shared)
        .unwrap_err()
        .to_string();
    assert!(
        error.contains(&format!(
            "tenants `{ISSUER}` and `{OTHER_ISSUER}` share a secret"
        )),
        "{error}"
    );
}

#[test]
fn a_port_out_of_range_is_not_a_host() {
    for issuer in [
        "tenant.example.com:99999",
        "tenant.example.com:0",
        "tenant.example.com:",
    ] {
        let toml = config_toml("memory").replace(
            &format!("issuer = \"{ISSUER}\""),
            &format!("issuer = \"{issuer}\""),
        );
        let error = Config::from_toml(&toml, &env).unwrap_err().to_string();
        assert!(
            error.contains(&format!("tenant `{issuer}`: issuer must be")),
            "{error}"
        );
    }
}
