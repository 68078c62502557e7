//! The form from the keyboard.
//!
//! Synthetic key events are untrusted: the browser does not move focus on Tab, toggle on
//! Space or submit on Enter for them. So these tests pin what those keys rely on: the
//! focusable order is the DOM order (no positive tabindex), each control takes focus, links
//! move focus, and the native actions (click for Space, requestSubmit for Enter) do the work.

use leptos::prelude::*;
use stopover_page::i18n::Lang;
use stopover_page::session::Session;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::HtmlElement;

use crate::forms::*;
use crate::support::*;

#[wasm_bindgen_test]
async fn tab_reaches_every_control_in_reading_order() {
    let page = mount_form(every_kind_form(), Session::default(), Lang::EN);
    tick().await;
    let focusable = all(
        &page.find("form"),
        "a[href], input:not([type='hidden']), select, textarea, button",
    );
    let order: Vec<String> = focusable
        .iter()
        .map(|element| {
            let element: &HtmlElement = element.unchecked_ref();
            assert!(
                element.tab_index() == 0,
                "{} is out of the natural tab order",
                element.outer_html()
            );
            element.focus().unwrap();
            assert!(
                document()
                    .active_element()
                    .unwrap()
                    .is_same_node(Some(element)),
                "{} cannot take focus",
                element.outer_html()
            );
            match element.id() {
                id if id.is_empty() => element.tag_name().to_lowercase(),
                id => id,
            }
        })
        .collect();
    assert_eq!(
        order,
        [
            "field-company",
            "field-email",
            "field-phone",
            "field-website",
            "field-seats",
            "field-birth-month",
            "field-birth-day",
            "field-birth-year",
            "field-country",
            "field-plan-0",
            "field-plan-1",
            "field-topics-0",
            "field-topics-1",
            "field-about",
            "field-newsletter",
            "a",
            "field-terms",
            "button",
        ]
    );
}

#[wasm_bindgen_test]
async fn every_error_summary_link_moves_focus_to_its_field() {
    let page = mount_form(every_kind_form(), Session::default(), Lang::EN);
    tick().await;
    page.click("button[type='submit']").await;
    let targets: Vec<String> = all(&page.find(".error-summary"), "a")
        .into_iter()
        .map(|link| attr(&link, "href"))
        .collect();
    assert_eq!(targets.len(), 3, "{targets:?}");
    for target in targets {
        page.click(&format!(".error-summary a[href='{target}']"))
            .await;
        assert_eq!(
            format!("#{}", document().active_element().unwrap().id()),
            target
        );
    }
}

#[wasm_bindgen_test]
async fn space_on_a_checkbox_toggles_it() {
    let page = mount_form(every_kind_form(), Session::default(), Lang::EN);
    tick().await;
    let newsletter = page.input("#field-newsletter");
    assert_eq!(
        newsletter.type_(),
        "checkbox",
        "a native box, which Space toggles"
    );
    newsletter.focus().unwrap();
    // Space on a focused native checkbox is a click on it: the same event and handler.
    newsletter.click();
    tick().await;
    assert!(newsletter.checked());
    assert!(
        page.query("#field-newsletter_topics").is_some(),
        "the answer was recorded"
    );
    newsletter.click();
    tick().await;
    assert!(!newsletter.checked());
}

#[wasm_bindgen_test]
async fn enter_in_a_field_submits_the_form() {
    let page = mount_form(every_kind_form(), Session::default(), Lang::EN);
    tick().await;
    let form: web_sys::HtmlFormElement = page.find("form").unchecked_into();
    assert!(
        form.query_selector("button[type='submit']")
            .unwrap()
            .is_some(),
        "implicit submission (Enter) needs a submit button"
    );
    page.input("#field-email").focus().unwrap();
    // What Enter in a text field does: submit through the form's submit button.
    form.request_submit().unwrap();
    tick().await;
    let summary = page.find(".error-summary");
    assert!(document()
        .active_element()
        .unwrap()
        .is_same_node(Some(&summary)));
}
