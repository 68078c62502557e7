//! The submit path against the real signer: the continue token posted to Auth0, a step done
//! twice, a refused token, the signer's field codes, an unknown form.

use serde_json::json;
use stopover_page::api::FormRequest;
use stopover_page::i18n::Lang;
use stopover_page::session::{now_seconds, Session};
use stopover_protocol::FormDefinition;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{HtmlInputElement, HtmlSelectElement};

use crate::support::*;

#[wasm_bindgen_test]
async fn a_completed_form_posts_the_signers_continue_token_to_auth0() {
    let signer = signer();
    let token = mint(signer.secret, json!({"form": "terms", "locale": "en"}), 300);
    let state = format!("state-ok-{}", now_seconds());
    let page = mount_app(Ok(launch_with(&state, &token)), signer.config());
    page.wait_for("#field-terms").await;
    assert_eq!(
        page.find("h1").text_content().unwrap(),
        "Our terms have changed"
    );

    page.click("#field-terms").await;
    page.click("#field-privacy").await;
    page.click("button[type='submit']").await;

    let handoff = page.wait_for("form.handoff").await;
    assert_eq!(attr(&handoff, "method"), "post");
    assert_eq!(
        attr(&handoff, "action"),
        format!("http://{}/continue?state={state}", signer.issuer)
    );
    let inputs: Vec<(String, String)> = all(&handoff, "input[type='hidden']")
        .into_iter()
        .map(|input| {
            let input: HtmlInputElement = input.unchecked_into();
            (input.name(), input.value())
        })
        .collect();
    let names: Vec<&str> = inputs.iter().map(|(name, _)| name.as_str()).collect();
    assert_eq!(names, ["session_token", "state"]);
    assert_eq!(inputs[1].1, state);
    assert_eq!(
        inputs[0].1.split('.').count(),
        3,
        "the continue token is a JWT"
    );
    assert_ne!(
        inputs[0].1, token,
        "it is the signer's new token, not the session token"
    );
    assert!(page
        .find("form.handoff button")
        .text_content()
        .unwrap()
        .contains("Continue"));
}

#[wasm_bindgen_test]
async fn a_login_step_already_done_is_said_when_the_page_opens_again() {
    let signer = signer();
    let token = mint(signer.secret, json!({"form": "terms"}), 300);
    let state = format!("state-twice-{}", now_seconds());
    let page = mount_app(Ok(launch_with(&state, &token)), signer.config());
    page.wait_for("#field-terms").await;
    page.click("#field-terms").await;
    page.click("#field-privacy").await;
    page.click("button[type='submit']").await;
    page.wait_for("form.handoff").await;
    drop(page);

    // The same link again (history, a second tab): said at once, before any form is filled.
    let page = mount_app(Ok(launch_with(&state, &token)), signer.config());
    let title = page.wait_for(".state h1").await;
    assert_eq!(
        title.text_content().unwrap(),
        "You have already completed this step"
    );
    assert!(page.query("button[type='submit']").is_none());
}

#[wasm_bindgen_test]
async fn a_forged_token_is_said_to_be_unverifiable_when_the_page_opens() {
    let signer = signer();
    let token = mint(
        "not-the-tenant-secret-but-long-enough-1234",
        json!({"form": "profile"}),
        300,
    );
    let page = mount_app(Ok(launch_with("state-forged", &token)), signer.config());
    let title = page.wait_for(".state h1").await;
    assert_eq!(
        title.text_content().unwrap(),
        "This sign-in link could not be verified"
    );
    assert!(
        !page.text().contains("expired"),
        "a token with minutes left is not called expired: {}",
        page.text()
    );
    assert!(page.query("button[type='submit']").is_none());
}

#[wasm_bindgen_test]
async fn a_token_refused_at_submit_says_the_link_could_not_be_verified_and_keeps_the_answers() {
    // The check at open could not run (the form page alone is mounted, as when the signer
    // could not be asked): the submit is where the refusal shows.
    let signer = signer();
    let config = signer.config();
    let form = stopover_page::api::fetch_form(&config, &FormRequest::Id("profile".to_owned()))
        .await
        .unwrap();
    let token = mint(
        "not-the-tenant-secret-but-long-enough-1234",
        json!({"form": "profile"}),
        300,
    );
    let launch = launch_with("state-forged", &token);
    let session = Session {
        expires_at: Some(now_seconds() + 300),
        ..Session::default()
    };
    let page = mount_form_page(form, launch, session, config, Lang::EN);
    page.wait_for("#field-company").await;
    type_into(&page.input("#field-company"), "ACME Ltd").await;
    type_into(&page.input("#field-phone"), "+44 7700 900123").await;
    let country: HtmlSelectElement = page.find("#field-country").unchecked_into();
    country.set_value("GB");
    dispatch(&country, "change").await;
    page.click("button[type='submit']").await;

    let notice = page.wait_for(".notice").await;
    let said = notice.text_content().unwrap();
    assert!(
        said.contains("This sign-in link could not be verified"),
        "{said}"
    );
    assert!(!said.contains("expired"), "{said}");
    assert_eq!(
        page.input("#field-company").value(),
        "ACME Ltd",
        "answers stay"
    );
    assert!(
        page.query("button[type='submit']").is_none(),
        "no second submit of a refused token"
    );
}

#[wasm_bindgen_test]
async fn the_signers_field_codes_are_shown_on_the_fields() {
    let signer = signer();
    let config = signer.config();
    let mut form: FormDefinition =
        stopover_page::api::fetch_form(&config, &FormRequest::Id("terms".to_owned()))
            .await
            .unwrap();
    // A question the signer does not know: it answers 422 `unknown_field` for it.
    form.fields.push(
        serde_json::from_value(json!({"id": "nickname", "kind": "text", "label": "Nickname"}))
            .unwrap(),
    );
    let token = mint(signer.secret, json!({"form": "terms"}), 300);
    let launch = launch_with(&format!("state-422-{}", now_seconds()), &token);
    let session = Session::read_untrusted(&launch.session_token).unwrap();
    let page = mount_form_page(form, launch, session, config, Lang::EN);
    tick().await;
    page.click("#field-terms").await;
    page.click("#field-privacy").await;
    type_into(&page.input("#field-nickname"), "Ada").await;
    page.click("button[type='submit']").await;

    let error = page.wait_for("#field-nickname-error").await;
    assert!(error
        .text_content()
        .unwrap()
        .contains("This question is not part of the form."));
    assert!(page
        .find(".error-summary")
        .text_content()
        .unwrap()
        .contains("This question is not part of the form."));
}

#[wasm_bindgen_test]
async fn an_unknown_form_named_by_the_token_says_so() {
    let signer = signer();
    let token = mint(signer.secret, json!({"form": "no-such-form"}), 300);
    let page = mount_app(Ok(launch_with("state-unknown", &token)), signer.config());
    let heading = page.wait_for(".state h1").await;
    assert_eq!(heading.text_content().unwrap(), "This form cannot be found");
}
