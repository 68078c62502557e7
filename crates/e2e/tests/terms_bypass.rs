//! The terms bypass, end to end, and why it fails: a person keeps the session token of an
//! abandoned login that asked for the harmless profile form, starts a new login that needs the
//! terms accepted, and sends the old token's answers with the new login's `state`. The signer
//! cannot tell (both tokens are genuine and unused), but the Action's `onContinuePostLogin`
//! recomputes which form this login needs and refuses answers to any other, so the simulated
//! tenant shows Auth0's access_denied page and the terms stay unaccepted.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use fantoccini::Client;
use serde_json::{json, Value};
use stopover_e2e::browser::with_browser;
use stopover_e2e::page::{
    arrived_link, body_text, fill_by_clicking, sign_in_as, submit, valid_inputs, wait_for_form,
    wait_for_signed_in, wait_for_text,
};
use stopover_e2e::stack::{Stack, StackOptions};

const BRUNO: &str = "Bruno Keller";

/// The stopover link the browser was sent to, as it arrived (before the page took `state` and
/// the token out of the address bar): its `session_token` and `state`.
async fn arrived_with(client: &Client) -> (String, String) {
    let link = arrived_link(client).await;
    // Both values are base64url (and dots): nothing in them is percent-encoded.
    let query = link.split_once('?').map_or("", |(_, query)| query);
    let param = |name: &str| {
        query
            .split('&')
            .filter_map(|pair| pair.split_once('='))
            .find(|(key, _)| *key == name)
            .map(|(_, value)| value.to_owned())
            .unwrap_or_else(|| panic!("the stopover link has no {name}: {link}"))
    };
    (param("session_token"), param("state"))
}

/// The last login of `short_id` the simulator recorded.
async fn last_login(stack: &Stack, short_id: &str) -> Value {
    stack.logins(short_id).await.pop().expect("a login")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_profile_token_from_an_abandoned_login_cannot_complete_a_login_that_needs_the_terms() {
    let stack = Stack::start(StackOptions {
        management_api: true,
        ..StackOptions::default()
    })
    .await;
    let (sender, receiver) = tokio::sync::oneshot::channel();
    with_browser(move |client| async move {
        let start = stack.simulator_url("/");
        let profile = stack.forms["profile"].clone();
        let terms = stack.forms["terms"].clone();

        // Login #1: Bruno has accepted the terms but misses his phone and company, so the
        // Action asks for the profile form. He keeps the link and abandons the login.
        sign_in_as(&client, &start, BRUNO).await;
        wait_for_text(&client, profile.title.get("en")).await;
        wait_for_form(&client).await;
        let (profile_token, first_state) = arrived_with(&client).await;
        let first = last_login(&stack, "bruno").await;
        assert_eq!(first["form_asked"], "profile", "{first}");
        assert_eq!(first["status"], "at_stopover", "{first}");

        // New terms are in force for Bruno (his acceptance is withdrawn through the
        // Management API, as an administrator would).
        stack
            .patch_user("bruno", &json!({"app_metadata": {"consents": {}}}))
            .await;

        // Login #2: now the Action asks for the terms.
        sign_in_as(&client, &start, BRUNO).await;
        wait_for_text(&client, terms.title.get("en")).await;
        wait_for_form(&client).await;
        let (_, terms_state) = arrived_with(&client).await;
        assert_ne!(terms_state, first_state);
        let second = last_login(&stack, "bruno").await;
        assert_eq!(second["form_asked"], "terms", "{second}");

        // The bypass: login #1's session token with login #2's state. The page shows the
        // profile form, the signer mints a genuine continue token for it...
        let forged = format!(
            "{}/?session_token={profile_token}&state={terms_state}",
            stack.signer_origin()
        );
        client.goto(&forged).await.unwrap();
        wait_for_text(&client, profile.title.get("en")).await;
        wait_for_form(&client).await;
        fill_by_clicking(&client, &valid_inputs(&profile, "en")).await;
        submit(&client).await;

        // ...and the tenant's /continue refuses it: the Action denies access.
        wait_for_text(&client, "access_denied").await;
        let page = body_text(&client).await;
        assert!(
            page.contains("Your answers were for another step of signing in"),
            "{page}"
        );
        assert_eq!(
            client.current_url().await.unwrap().port(),
            Some(stack.simulator_addr.port()),
            "the refusal is the tenant's"
        );
        let refused = last_login(&stack, "bruno").await;
        assert_eq!(refused["id"], second["id"], "{refused}");
        assert_eq!(refused["status"], "denied", "{refused}");
        assert_eq!(
            refused["validate_token_error"],
            Value::Null,
            "the continue token itself was valid: the form check refused it"
        );

        // The terms are still not accepted, and nothing of the answers was stored.
        let bruno = stack.stored_user("bruno").await;
        assert_eq!(bruno["app_metadata"]["consents"], json!({}), "{bruno}");
        assert_eq!(bruno["user_metadata"].get("company"), None, "{bruno}");

        // The honest way still works: a new login asks for the terms and accepting them
        // signs in.
        sign_in_as(&client, &start, BRUNO).await;
        wait_for_text(&client, terms.title.get("en")).await;
        wait_for_form(&client).await;
        fill_by_clicking(&client, &valid_inputs(&terms, "en")).await;
        submit(&client).await;
        wait_for_signed_in(&client).await;
        let bruno = stack.stored_user("bruno").await;
        assert_eq!(
            bruno["app_metadata"]["consents"]["terms"]["version"],
            json!(terms.version),
            "{bruno}"
        );
        let _ = sender.send(stack);
    })
    .await;
    if let Ok(stack) = receiver.await {
        stack.stop().await;
    }
}
