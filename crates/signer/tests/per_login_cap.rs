//! A form that asks at most one question per login (`max_fields_per_login`): the signer
//! applies the page's selection to the verified token's prefill, refuses an answer to a
//! question the login did not ask, and names the questions asked in the continue token.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::Arc;

use axum::http::StatusCode;
use common::*;
use serde_json::{json, Value};
use stopover_signer::config::Config;
use stopover_signer::replay::MemoryStore;

/// The test tenant's `profile` form, one question per login, each named by a prefill key.
fn capped_state() -> stopover_signer::AppState {
    let toml = config_toml("memory")
        .replacen(
            "submit_label = \"Continue\"\n",
            "submit_label = \"Continue\"\nmax_fields_per_login = 1\n",
            1,
        )
        .replacen(
            "max_length = 50\n",
            "max_length = 50\nprefill = \"company\"\n",
            1,
        )
        .replacen(
            "label = \"Newsletter\"\n",
            "label = \"Newsletter\"\nprefill = \"newsletter\"\n",
            1,
        );
    let config = Config::from_toml(&toml, &env).unwrap();
    assert_eq!(config.forms["profile"].max_fields_per_login, Some(1));
    state_with(config, Arc::new(MemoryStore::new(1000)))
}

fn token_knowing(prefill: Value) -> String {
    let mut claims = claims();
    claims["prefill"] = prefill;
    token_with(&claims)
}

#[tokio::test]
async fn a_login_answers_only_what_it_was_asked_and_the_token_says_what_that_was() {
    let state = capped_state();
    // The company is known: this login asks the newsletter alone.
    let token = token_knowing(json!({"account": "acct-42", "company": "ACME"}));
    let sneaked = json!({"newsletter": true, "company": "Evil Corp"});
    let reply = post_continue(&state, continue_body(&token, &sneaked)).await;
    assert_eq!(
        reply.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        reply.text
    );
    assert_eq!(reply.body["fields"], json!({"company": ["unknown_field"]}));

    let reply = post_continue(&state, continue_body(&token, &json!({"newsletter": true}))).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    let claims = decode_part(reply.body["fields"]["session_token"].as_str().unwrap(), 1);
    assert_eq!(
        claims["form"],
        json!({"id": "profile", "version": "3", "asked": ["newsletter"]})
    );
    assert_eq!(
        claims["answers"],
        json!({"newsletter": true, "account": "acct-42"}),
        "the hidden field is still filled"
    );
}

#[tokio::test]
async fn the_first_question_not_known_is_required_as_usual() {
    let state = capped_state();
    let token = token_knowing(json!({"account": "acct-42"}));
    let reply = post_continue(&state, continue_body(&token, &json!({}))).await;
    assert_eq!(
        reply.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        reply.text
    );
    assert_eq!(reply.body["fields"], json!({"company": ["required"]}));
    let reply = post_continue(&state, continue_body(&token, &json!({"newsletter": false}))).await;
    assert_eq!(
        reply.body["fields"],
        json!({"company": ["required"], "newsletter": ["unknown_field"]}),
        "the newsletter is the next login's question"
    );
}

#[tokio::test]
async fn a_form_without_a_cap_names_no_questions_in_the_token() {
    let reply = post_continue(&state(), continue_body(&token(), &good_answers())).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    let claims = decode_part(reply.body["fields"]["session_token"].as_str().unwrap(), 1);
    assert_eq!(claims["form"], json!({"id": "profile", "version": "3"}));
}
