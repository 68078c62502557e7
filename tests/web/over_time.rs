//! The form over time, as a person lives through it: typing digit by digit after a failed
//! submit, moving between a date's boxes, and where focus and messages are meanwhile.

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

/// The prefixes of `year`, one a digit typed: "1990" gives "1", "19", "199", "1990".
fn digits(year: &str) -> Vec<&str> {
    (1..=year.len()).map(|end| &year[..end]).collect()
}

/// The day, month and year boxes of the date field `id`.
fn date_boxes(page: &Mounted, id: &str) -> [HtmlInputElement; 3] {
    ["day", "month", "year"].map(|part| page.input(&format!("#field-{id}-{part}")))
}

/// Types the day and month into the date `id`, moving between its boxes, then focuses the
/// year: as the person does before the year's digits.
async fn type_day_and_month(page: &Mounted, id: &str, day: &str, month: &str) {
    let [day_box, month_box, year_box] = date_boxes(page, id);
    type_keys(&day_box, day).await;
    move_focus(&day_box, Some(&month_box)).await;
    type_keys(&month_box, month).await;
    move_focus(&month_box, Some(&year_box)).await;
}

/// Types one more digit of the year: the box holds `so_far`, and `input` fires.
async fn type_year_so_far(year_box: &HtmlInputElement, so_far: &str) {
    year_box.set_value(so_far);
    dispatch(year_box, "input").await;
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
    let page = mount_form(birth_form(), Session::default(), Lang::EN);
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
    type_day_and_month(&page, "birth", "10", "12").await;
    let [_, _, year] = date_boxes(&page, "birth");
    for so_far in digits("1990") {
        type_year_so_far(&year, so_far).await;
        assert_eq!(
            active_id(),
            "field-birth-year",
            "focus stays in the year while {so_far} is typed"
        );
        assert!(!summary_is_focused(&page));
        assert_eq!(
            page.find(".error-summary").text_content().unwrap(),
            summary_then,
            "the summary stays as the submit left it while {so_far} is typed"
        );
        if so_far != "1990" {
            assert_eq!(
                page.query("#field-birth-error")
                    .and_then(|error| error.text_content()),
                Some(birth_error_then.clone()),
                "a half-typed year ({so_far}) gets no new message"
            );
        }
    }
    assert!(
        page.query("#field-birth-error").is_none(),
        "the message goes once the date is right"
    );
    assert_eq!(year.value(), "1990", "no digit was lost");

    // Every problem fixed, then a new one made: the summary still waits for the submit.
    type_day_and_month(&page, "start", "1", "1").await;
    let [_, _, start_year] = date_boxes(&page, "start");
    type_keys(&start_year, "1").await;
    move_focus(&start_year, None).await;
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
async fn a_date_is_judged_when_the_person_leaves_its_boxes_not_between_them() {
    let page = mount_form(birth_form(), Session::default(), Lang::EN);
    tick().await;
    let [day, month, year] = date_boxes(&page, "birth");
    type_keys(&day, "17").await;
    move_focus(&day, Some(&month)).await;
    assert!(
        page.query("#field-birth-error").is_none(),
        "moving from the day to the month judges nothing"
    );
    type_keys(&month, "5").await;
    move_focus(&month, Some(&year)).await;
    for so_far in digits("2015") {
        type_year_so_far(&year, so_far).await;
        assert!(
            page.query("#field-birth-error").is_none(),
            "no message while {so_far} is typed"
        );
        assert_eq!(active_id(), "field-birth-year");
    }
    year.unchecked_ref::<HtmlElement>().blur().unwrap();
    move_focus(&year, None).await;
    let error = page.find("#field-birth-error").text_content().unwrap();
    assert!(error.contains("2012"), "out of range once left: {error}");
    for part in [&day, &month, &year] {
        assert_eq!(attr(part, "aria-invalid"), "true");
    }
}

#[wasm_bindgen_test]
async fn a_date_that_is_not_whole_is_refused_and_the_summary_leads_to_its_first_box() {
    let page = mount_form(birth_form(), Session::default(), Lang::FR);
    tick().await;
    let [day, month, year] = date_boxes(&page, "birth");
    let order: Vec<String> = all(&page.find("#field-birth"), "input")
        .into_iter()
        .map(|input| input.id())
        .collect();
    assert_eq!(
        order,
        ["field-birth-day", "field-birth-month", "field-birth-year"],
        "French writes the day first"
    );
    type_keys(&day, "31").await;
    type_keys(&month, "2").await;
    type_keys(&year, "1990").await;
    page.click("button[type='submit']").await;
    assert_eq!(
        page.find("#field-birth-error").text_content().unwrap(),
        "Erreur : Saisissez une date valide.",
        "31 February is no date"
    );
    let link = page.find(".error-summary a[href='#field-birth-day']");
    link.unchecked_ref::<HtmlElement>().click();
    tick().await;
    assert_eq!(active_id(), "field-birth-day");
    type_into(&day, "").await;
    type_into(&month, "").await;
    type_into(&year, "").await;
    move_focus(&year, None).await;
    page.click("button[type='submit']").await;
    assert!(
        page.find("#field-birth-error")
            .text_content()
            .unwrap()
            .contains("Saisissez une date."),
        "three empty boxes are no answer"
    );
}

#[wasm_bindgen_test]
async fn the_title_names_the_state_and_says_error_while_errors_show() {
    let page = mount_form(birth_form(), Session::default(), Lang::EN);
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
    type_day_and_month(&page, "birth", "10", "12").await;
    let [_, _, year] = date_boxes(&page, "birth");
    for so_far in digits("1990") {
        type_year_so_far(&year, so_far).await;
    }
    move_focus(&year, None).await;
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
