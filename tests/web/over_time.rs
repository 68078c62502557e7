//! The form over time, as a person lives through it: typing digit by digit after a failed
//! submit, with the events Chromium really sends (`input`, and `change` for every segment of
//! a date), and where focus and messages are meanwhile.

use leptos::prelude::*;
use serde_json::json;
use stopover_page::i18n::Lang;
use stopover_page::session::Session;
use stopover_protocol::FormDefinition;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{HtmlElement, HtmlInputElement};

use crate::support::*;

/// A required name and a required date of birth with both bounds, as in the review.
fn birth_form() -> FormDefinition {
    serde_json::from_value(json!({
        "id": "birth", "version": "1", "title": "About you", "submit_label": "Continue",
        "fields": [
            {"id": "name", "kind": "text", "label": "Name", "required": true},
            {"id": "birth", "kind": "date", "label": "Date of birth", "required": true,
             "min": "1900-01-01", "max": "2012-12-31"},
            {"id": "start", "kind": "date", "label": "Start date",
             "min": "1900-01-01", "max": "2100-12-31"}
        ]
    }))
    .unwrap()
}

/// Types `text` one key at a time, as the person does: focus stays in the control and each
/// key fires `input`.
async fn type_keys(input: &HtmlInputElement, text: &str) {
    input.focus().unwrap();
    let mut typed = String::new();
    for key in text.chars() {
        typed.push(key);
        input.set_value(&typed);
        dispatch(input, "input").await;
    }
}

/// Types the digits of `year` so far into a date control whose day and month are set, as
/// Chromium reports each key: the value is a whole date with the year so far (`0001`,
/// `0019`, ...), and both `input` and `change` fire. Returns the value.
async fn type_year_so_far(input: &HtmlInputElement, month_day: &str, so_far: &str) -> String {
    let value = format!("{so_far:0>4}-{month_day}");
    input.set_value(&value);
    dispatch(input, "input").await;
    dispatch(input, "change").await;
    value
}

/// The prefixes of `year`, one a digit typed: "1990" gives "1", "19", "199", "1990".
fn digits(year: &str) -> Vec<&str> {
    (1..=year.len()).map(|end| &year[..end]).collect()
}

fn active_id() -> String {
    document()
        .active_element()
        .map(|element| element.id())
        .unwrap_or_default()
}

fn summary_is_focused(page: &Mounted) -> bool {
    page.query(".error-summary").is_some_and(|summary| {
        document()
            .active_element()
            .is_some_and(|active| active.is_same_node(Some(&summary)))
    })
}

#[wasm_bindgen_test]
async fn the_summary_takes_focus_only_on_submit_and_stays_as_it_was_until_the_next() {
    let page = mount_form(birth_form(), Session::default(), Lang::En);
    tick().await;
    page.click("button[type='submit']").await;
    assert!(
        summary_is_focused(&page),
        "a failed submit focuses the summary"
    );
    let summary_then = page.find(".error-summary").text_content().unwrap();
    let birth_error_then = page.find("#field-birth-error").text_content().unwrap();

    // The person fixes the name, then types the date of birth.
    let name = page.input("#field-name");
    type_keys(&name, "Ada").await;
    leave(&name).await;
    let birth = page.input("#field-birth");
    birth.focus().unwrap();
    for so_far in digits("1990") {
        let value = type_year_so_far(&birth, "12-10", so_far).await;
        assert_eq!(
            active_id(),
            "field-birth",
            "focus stays in the date while {value} is typed"
        );
        assert!(!summary_is_focused(&page));
        assert_eq!(
            page.find(".error-summary").text_content().unwrap(),
            summary_then,
            "the summary stays as the submit left it while {value} is typed"
        );
        if value != "1990-12-10" {
            assert_eq!(
                page.query("#field-birth-error")
                    .and_then(|error| error.text_content()),
                Some(birth_error_then.clone()),
                "a half-typed year ({value}) gets no new message"
            );
        }
    }
    assert!(
        page.query("#field-birth-error").is_none(),
        "the message goes once the date is right"
    );
    assert_eq!(birth.value(), "1990-12-10", "no digit was lost");

    // Every problem fixed, then a new one made: the summary still waits for the submit.
    let start = page.input("#field-start");
    start.focus().unwrap();
    type_year_so_far(&start, "01-01", "1").await;
    leave(&start).await;
    assert!(
        page.query("#field-start-error").is_some(),
        "leaving a wrong date says so"
    );
    assert!(!summary_is_focused(&page));
    assert_eq!(
        page.find(".error-summary").text_content().unwrap(),
        summary_then
    );

    page.click("button[type='submit']").await;
    assert!(
        summary_is_focused(&page),
        "the next submit focuses it again"
    );
    let summary_now = page.find(".error-summary").text_content().unwrap();
    assert!(summary_now.contains("Start date"), "{summary_now}");
    assert!(!summary_now.contains("Name"), "{summary_now}");
}

#[wasm_bindgen_test]
async fn a_date_is_judged_when_the_person_leaves_it_not_at_each_segment() {
    let page = mount_form(birth_form(), Session::default(), Lang::En);
    tick().await;
    let birth = page.input("#field-birth");
    birth.focus().unwrap();
    for so_far in digits("2015") {
        let value = type_year_so_far(&birth, "05-17", so_far).await;
        assert!(
            page.query("#field-birth-error").is_none(),
            "no message while {value} is typed"
        );
        assert_eq!(active_id(), "field-birth");
    }
    birth.unchecked_ref::<HtmlElement>().blur().unwrap();
    leave(&birth).await;
    let error = page.find("#field-birth-error").text_content().unwrap();
    assert!(error.contains("2012"), "out of range once left: {error}");
}

#[wasm_bindgen_test]
async fn the_title_names_the_state_and_says_error_while_errors_show() {
    let page = mount_form(birth_form(), Session::default(), Lang::En);
    tick().await;
    assert_eq!(document().title(), "About you");
    page.click("button[type='submit']").await;
    assert_eq!(document().title(), "Error: About you");
    let name = page.input("#field-name");
    type_keys(&name, "Ada").await;
    leave(&name).await;
    assert_eq!(
        document().title(),
        "Error: About you",
        "the date is still wrong"
    );
    let birth = page.input("#field-birth");
    birth.focus().unwrap();
    for so_far in digits("1990") {
        type_year_so_far(&birth, "12-10", so_far).await;
    }
    leave(&birth).await;
    assert_eq!(document().title(), "About you", "no error left");
    drop(page);

    let config = stopover_page::config::PageConfig {
        brand: stopover_page::config::Brand {
            name: "Acme".to_owned(),
            ..Default::default()
        },
        ..Default::default()
    };
    let _page = mount(move || {
        provide_context(config);
        view! { <stopover_page::states::Expired /> }
    });
    tick().await;
    assert_eq!(document().title(), "This sign-in has expired – Acme");
}
