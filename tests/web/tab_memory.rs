//! A reload, a discarded tab, Back after signing in: the login and the draft answers stay in
//! this tab's `sessionStorage` until the hand-off, and after it the page says the step is
//! finished. Each "reload" mounts the page again in the same tab, opened without a login, as
//! the address bar is after the launch values were taken from it.

use leptos::prelude::window;
use serde_json::json;
use stopover_page::config::PageConfig;
use stopover_page::launch::LaunchError;
use stopover_page::session::now_seconds;
use wasm_bindgen_test::*;

use crate::support::*;

fn stored(key: &str) -> Option<String> {
    window()
        .session_storage()
        .unwrap()
        .unwrap()
        .get_item(key)
        .unwrap()
}

fn config_with_return_url() -> PageConfig {
    PageConfig {
        return_url: Some("https://app.example/".to_owned()),
        ..signer().config()
    }
}

async fn type_into(page: &Mounted, selector: &str, text: &str) {
    let input = page.input(selector);
    input.set_value(text);
    dispatch(&input, "input").await;
}

#[wasm_bindgen_test]
async fn a_reload_keeps_the_login_and_the_answers_typed_so_far() {
    let signer = signer();
    let token = mint(
        signer.secret,
        json!({"form": "profile", "locale": "en"}),
        300,
    );
    let state = format!("state-reload-{}", now_seconds());
    let page = mount_app(Ok(launch_with(&state, &token)), signer.config());
    page.wait_for("#field-company").await;
    type_into(&page, "#field-company", "Keller Logistik AG").await;
    page.click("#field-newsletter").await;
    drop(page);

    let page = reopen_app(Err(LaunchError::NoLogin), signer.config());
    page.wait_for("#field-company").await;
    assert_eq!(
        page.input("#field-company").value(),
        "Keller Logistik AG",
        "the typed answer is back after the reload"
    );
    assert!(page.input("#field-newsletter").checked());
    assert_eq!(stored("stopover.state").as_deref(), Some(state.as_str()));
    drop(page);

    // A new login in the same tab starts from its own prefill, not the last one's answers.
    let other = format!("state-other-{}", now_seconds());
    let page = reopen_app(Ok(launch_with(&other, &token)), signer.config());
    page.wait_for("#field-company").await;
    assert_eq!(page.input("#field-company").value(), "");
    assert!(!page.input("#field-newsletter").checked());
    assert!(
        !stored("stopover.draft")
            .unwrap_or_default()
            .contains("Keller"),
        "the last login's answers are gone from the tab"
    );
}

#[wasm_bindgen_test]
async fn after_the_handoff_the_tab_forgets_the_login_and_back_says_the_step_is_finished() {
    let signer = signer();
    let token = mint(signer.secret, json!({"form": "terms", "locale": "en"}), 300);
    let state = format!("state-finished-{}", now_seconds());
    let page = mount_app(Ok(launch_with(&state, &token)), config_with_return_url());
    page.wait_for("#field-terms").await;
    page.click("#field-terms").await;
    page.click("#field-privacy").await;
    assert!(stored("stopover.draft").is_some());
    page.click("button[type='submit']").await;
    page.wait_for("form.handoff").await;
    for key in ["stopover.state", "stopover.session_token", "stopover.draft"] {
        assert_eq!(stored(key), None, "{key} is cleared at the hand-off");
    }
    drop(page);

    let page = reopen_app(Err(LaunchError::NoLogin), config_with_return_url());
    tick().await;
    assert_eq!(
        page.find("h1").text_content().unwrap(),
        "You have finished this step"
    );
    let back = page.find("a.start-again");
    assert_eq!(attr(&back, "href"), "https://app.example/");
    assert_eq!(back.text_content().unwrap(), "Go back to the application");
    assert!(page.query("button[type='submit']").is_none());
    drop(page);

    // The next login in this tab (a new token and state) is a login like any other.
    let next = format!("state-next-{}", now_seconds());
    let token = mint(signer.secret, json!({"form": "terms", "locale": "en"}), 300);
    let page = reopen_app(Ok(launch_with(&next, &token)), config_with_return_url());
    page.wait_for("#field-terms").await;
    assert_eq!(stored("stopover.finished"), None);
}

#[wasm_bindgen_test]
async fn a_page_opened_without_a_login_in_a_new_tab_says_the_link_is_not_complete() {
    let page = mount_app(Err(LaunchError::NoLogin), config_with_return_url());
    tick().await;
    assert_eq!(
        page.find("h1").text_content().unwrap(),
        "This link is not complete"
    );
    assert!(page.query("a.start-again").is_some(), "with a way forward");
}

#[wasm_bindgen_test]
async fn a_damaged_remembered_login_is_not_used() {
    let page = mount_app(Err(LaunchError::NoLogin), PageConfig::default());
    drop(page);
    let storage = window().session_storage().unwrap().unwrap();
    storage.set_item("stopover.state", "a b").unwrap();
    storage.set_item("stopover.session_token", "x.y.z").unwrap();
    let page = reopen_app(Err(LaunchError::NoLogin), PageConfig::default());
    tick().await;
    assert_eq!(
        page.find("h1").text_content().unwrap(),
        "This link is not complete"
    );
}
