//! The Action's decisions come from the signer's TOML, end to end: the simulated tenant runs
//! the real example Action with the plan `stopover-signer action-plan` writes from the stack's
//! configuration. A new terms version in that configuration, and nothing else, sends Amara
//! (who accepted the current terms) through the terms form again; once she accepts the new
//! version through the real signer and `/continue`, the next login has no stopover.
//! No browser: the page's part is the signer's API, which these requests call as it would.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde_json::{json, Value};
use stopover_e2e::stack::{http_get, http_request_with_headers, Stack, StackOptions};

const NEW_TERMS: &str = "2027-02";

/// `config/demo.toml` with the terms and privacy documents, and the terms form, at
/// [`NEW_TERMS`]: what an operator changes when the terms change.
fn new_terms_version(demo: &str) -> String {
    assert!(
        demo.contains("version = \"2026-11\""),
        "the demo serves 2026-11"
    );
    demo.replace(
        "version = \"2026-11\"",
        &format!("version = \"{NEW_TERMS}\""),
    )
}

/// The `name` parameter of a URL's query (base64url values: nothing percent-encoded).
fn query_param(url: &str, name: &str) -> String {
    let query = url.split_once('?').map_or("", |(_, query)| query);
    query
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.to_owned())
        .unwrap_or_else(|| panic!("{url} has no {name}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_the_demo_configuration_amara_signs_in_without_a_stopover() {
    let stack = Stack::start(StackOptions::default()).await;
    let (location, _) = stack.login_link("amara").await;
    assert!(location.starts_with("/callback?"), "{location}");
    let login = stack.logins("amara").await.pop().unwrap();
    assert_eq!(login["form_asked"], Value::Null, "{login}");
    stack.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_terms_version_in_the_configuration_asks_amara_again_until_she_accepts_it() {
    let stack = Stack::start(StackOptions {
        edit_config: Some(new_terms_version),
        ..StackOptions::default()
    })
    .await;
    let plan: Value = serde_json::from_str(&stack.action_plan()).unwrap();
    assert_eq!(plan["forms"][0]["version"], NEW_TERMS, "{plan}");

    // The Action, reading the plan, sends her to the page for the terms.
    let (link, cookie) = stack.login_link("amara").await;
    assert!(
        link.starts_with(&format!("{}/", stack.signer_origin())),
        "{link}"
    );
    let login = stack.logins("amara").await.pop().unwrap();
    assert_eq!(login["form_asked"], "terms", "{login}");

    // The session token tells the page what she accepted before, for "You accepted version
    // 2026-11 on ...".
    let session_token = query_param(&link, "session_token");
    let payload = session_token.split('.').nth(1).unwrap();
    let claims: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap();
    for document in ["terms", "privacy"] {
        assert_eq!(
            claims["previous_consents"][document]["version"], "2026-11",
            "{claims}"
        );
    }

    // She accepts both documents; the signer mints the continue token.
    let state = query_param(&link, "state");
    let body = json!({
        "state": state,
        "session_token": query_param(&link, "session_token"),
        "answers": {"terms": true, "privacy": true},
    });
    let origin = stack.signer_origin();
    let minted = http_request_with_headers(
        stack.signer_addr,
        "POST",
        "/api/continue",
        &[("Origin", &origin), ("Content-Type", "application/json")],
        Some(&body.to_string()),
    )
    .await;
    assert_eq!(minted.status, 200, "{}", minted.body);
    let minted: Value = serde_json::from_str(&minted.body).unwrap();
    let token = minted["fields"]["session_token"].as_str().unwrap();

    // Auth0's /continue: the Action's onContinuePostLogin checks the answers against the plan
    // and stores the new acceptance.
    let form_body = format!("state={state}&session_token={token}");
    let resumed = http_request_with_headers(
        stack.simulator_addr,
        "POST",
        &format!("/continue?state={state}"),
        &[
            ("Cookie", &cookie),
            ("Content-Type", "application/x-www-form-urlencoded"),
        ],
        Some(&form_body),
    )
    .await;
    assert!(
        (300..400).contains(&resumed.status),
        "{} {}",
        resumed.status,
        resumed.body
    );
    let amara = stack.stored_user("amara").await;
    for document in ["terms", "privacy"] {
        let record = &amara["app_metadata"]["consents"][document];
        assert_eq!(record["version"], NEW_TERMS, "{amara}");
        assert_eq!(
            record["document"],
            format!("https://example.com/legal/{document}/2026-11"),
            "{amara}"
        );
        // Amara signs in in English: the session token's locale picks the title she read.
        assert_eq!(record["language"], "en", "{amara}");
    }

    // The next login needs nothing.
    let (location, _) = stack.login_link("amara").await;
    assert!(location.starts_with("/callback?"), "{location}");
    let reply = http_get(stack.simulator_addr, &location, None).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    stack.stop().await;
}
