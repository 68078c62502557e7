//! Preview mode, as a form's author uses it: the app mounted with a `stopover.json` that says
//! `preview`, against the real `stopover-signer preview` of `config/demo.toml` that
//! `cargo xtask test` starts. No login: the address picks the form, language and step; errors
//! show on demand; a submit shows what would be sent instead of the hand-off.

use leptos::prelude::*;
use stopover_page::config::PageConfig;
use stopover_page::launch::LaunchError;
use stopover_page::preview::PreviewQuery;
use stopover_page::Stopover;
use wasm_bindgen_test::*;

use crate::support::*;

const PREVIEW_URL: Option<&str> = option_env!("STOPOVER_TEST_PREVIEW_URL");

/// The app in preview mode, opened at `search` (`?form=..&lang=..&step=..`).
fn mount_preview(search: &str) -> Mounted {
    let url = PREVIEW_URL.unwrap_or_else(|| {
        panic!(
            "STOPOVER_TEST_PREVIEW_URL is not set: run `cargo xtask test`, which starts \
             `stopover-signer preview --config config/demo.toml` for the page tests"
        )
    });
    let config = PageConfig {
        signer_url: url.to_owned(),
        preview: true,
        ..PageConfig::default()
    };
    let query = PreviewQuery::from_search(search);
    mount(move || {
        view! { <Stopover launch=Err(LaunchError::NoLogin) config preview=Some(query) /> }
    })
}

fn text(page: &Mounted, selector: &str) -> String {
    page.find(selector).text_content().unwrap_or_default()
}

#[wasm_bindgen_test]
async fn a_form_shows_without_a_login_in_the_language_asked_for_with_errors_on_demand() {
    let page = mount_preview("?form=profile&lang=fr");
    page.wait_for("#field-company").await;

    assert!(text(&page, ".preview-bar").contains("Preview"));
    assert_eq!(
        text(&page, "h1.form-title"),
        "Quelques informations avant de continuer"
    );
    // The other languages the tenant declares are a click away, this one marked.
    assert_eq!(
        text(&page, ".preview-bar a[aria-current='page']"),
        "fr",
        "the language shown is marked"
    );
    let german = page.find(".preview-bar a[href='?form=profile&lang=de']");
    assert_eq!(german.text_content().unwrap_or_default(), "de");
    // No countdown: there is no login to run out.
    assert!(page.query(".countdown").is_none());

    // Nothing is said about the empty fields until asked.
    assert!(page.query(".error-summary").is_none());
    page.click(".preview-show-errors").await;
    page.wait_for(".error-summary").await;
    assert_eq!(
        page.input("#field-company")
            .get_attribute("aria-invalid")
            .as_deref(),
        Some("true")
    );
    assert!(page.query(".preview-would-send").is_none());
}

#[wasm_bindgen_test]
async fn a_submit_shows_what_would_be_sent_instead_of_the_hand_off() {
    let page = mount_preview("?form=terms&lang=en");
    page.wait_for("#field-terms").await;

    // The same full check as a real submit first.
    page.click("button[type='submit']").await;
    page.wait_for(".error-summary").await;
    assert!(page.query(".preview-would-send").is_none());

    page.click("#field-terms").await;
    page.click("#field-privacy").await;
    page.click("button[type='submit']").await;
    page.wait_for(".preview-would-send").await;

    let sent: serde_json::Value =
        serde_json::from_str(&text(&page, ".preview-answers")).expect("readable JSON");
    // The answers as the signer's validation makes them: each consent records its
    // document's version and the time of acceptance.
    assert_eq!(sent["terms"]["version"], "2026-11");
    assert_eq!(sent["privacy"]["version"], "2026-11");
    assert!(sent["terms"]["accepted_at"].is_number(), "{sent}");
    assert_eq!(sent.as_object().unwrap().len(), 2, "{sent}");
    // Nothing was posted: no hand-off form, no call to the signer's continue.
    assert!(page.query("form[method='post']").is_none());
    assert!(page.query(".error-summary").is_none());
}

#[wasm_bindgen_test]
async fn the_address_opens_a_step_and_the_index_lists_every_form_language_and_step() {
    let page = mount_preview("?form=onboarding&lang=de&step=3");
    page.wait_for("#step-title").await;
    assert_eq!(text(&page, "#step-title"), "Eine letzte Frage");
    assert!(page
        .find(".step-position")
        .text_content()
        .unwrap()
        .contains('3'));
    // The toolbar marks the step shown, and its other languages open at that step.
    let current_step = ".preview-bar p:nth-of-type(3) a[aria-current='page']";
    assert_eq!(text(&page, current_step), "3");
    page.find(".preview-bar a[href='?form=onboarding&lang=fr&step=3']");
    // Back, as a person would: the toolbar follows.
    page.click(".form-actions button.secondary").await;
    sleep(50).await;
    assert_eq!(text(&page, "#step-title"), "In Kontakt bleiben");
    assert_eq!(text(&page, current_step), "2");
    page.find(".preview-bar a[href='?form=onboarding&lang=fr&step=2']");
    drop(page);

    let page = mount_preview("");
    page.wait_for(".preview-index").await;
    let index = text(&page, ".preview-index");
    for id in ["profile", "terms", "onboarding"] {
        assert!(index.contains(id), "{id} is not listed: {index}");
    }
    page.find(".preview-index a[href='?form=terms&lang=ja']");
    page.find(".preview-index a[href='?form=onboarding&lang=ar&step=3']");
    assert!(page
        .query(".preview-index a[href='?form=terms&lang=ja&step=1']")
        .is_none());
    assert!(page.query("form").is_none());
}
