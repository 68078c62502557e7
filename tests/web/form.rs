//! The form itself: every field kind, validation as the person types and leaves fields, the
//! error summary, `show_if`, prefill and defaults.

use leptos::prelude::*;
use serde_json::{json, Map};
use stopover_page::i18n::Lang;
use stopover_page::session::Session;
use stopover_protocol::PreviousConsent;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{HtmlSelectElement, HtmlTextAreaElement};

use crate::forms::*;
use crate::support::*;

#[wasm_bindgen_test]
async fn every_field_kind_renders_with_a_tied_label() {
    let page = mount_form(every_kind_form(), Session::default(), Lang::EN);
    tick().await;

    for (id, label) in [
        ("company", "Company"),
        ("email", "Email"),
        ("phone", "Phone"),
        ("website", "Website"),
        ("seats", "Seats"),
        ("country", "Country"),
        ("about", "About you"),
        ("newsletter", "Newsletter"),
        ("terms", "I accept the terms"),
    ] {
        let control = page.find(&format!("#field-{id}"));
        let tied = page.find(&format!("label[for='field-{id}']"));
        assert!(
            tied.text_content().unwrap().contains(label),
            "label of {id}: {:?}",
            tied.text_content()
        );
        assert!(control.tag_name() != "FIELDSET", "{id} is a single control");
    }
    // A date is a group of three boxes, named by its legend (see below for the boxes).
    let birth = page.find("fieldset#field-birth legend");
    assert!(birth.text_content().unwrap().contains("Date of birth"));
    for (id, legend, options) in [
        ("plan", "Plan", ["Free", "Paid"]),
        ("topics", "Topics", ["News", "Events"]),
    ] {
        let group = page.find(&format!("fieldset#field-{id}"));
        assert!(group
            .query_selector("legend")
            .unwrap()
            .unwrap()
            .text_content()
            .unwrap()
            .contains(legend));
        for (index, option) in options.iter().enumerate() {
            let tied = page.find(&format!("label[for='field-{id}-{index}']"));
            assert_eq!(tied.text_content().unwrap(), *option);
            page.find(&format!("input#field-{id}-{index}"));
        }
    }
    assert_eq!(attr(&page.find("#field-email"), "type"), "email");
    assert_eq!(attr(&page.find("#field-email"), "autocomplete"), "email");
    assert_eq!(attr(&page.find("#field-phone"), "type"), "tel");
    assert_eq!(attr(&page.find("#field-phone"), "autocomplete"), "tel");
    assert_eq!(attr(&page.find("#field-website"), "type"), "url");
    assert_eq!(
        attr(&page.find("#field-company"), "autocomplete"),
        "organization"
    );
    assert_eq!(attr(&page.find("#field-company"), "maxlength"), "40");
    assert_eq!(attr(&page.find("#field-seats"), "inputmode"), "numeric");
    // A date is three numeric boxes in English's order, inside a fieldset named by the label.
    let boxes: Vec<String> = all(&page.find("#field-birth"), "input")
        .into_iter()
        .map(|input| {
            assert_eq!(attr(&input, "inputmode"), "numeric");
            input.id()
        })
        .collect();
    assert_eq!(
        boxes,
        ["field-birth-month", "field-birth-day", "field-birth-year"]
    );
    assert_eq!(page.find("#field-birth").tag_name(), "FIELDSET");
    assert_eq!(
        page.find("label[for='field-birth-year']")
            .text_content()
            .unwrap(),
        "Year"
    );
    assert_eq!(page.find("#field-country").tag_name(), "SELECT");
    assert_eq!(page.find("#field-about").tag_name(), "TEXTAREA");
    assert!(page
        .find("label[for='field-company']")
        .text_content()
        .unwrap()
        .contains("(required)"));
    assert!(!page
        .find("label[for='field-email']")
        .text_content()
        .unwrap()
        .contains("(required)"));
    assert!(
        page.text().contains("Read this before you start."),
        "static text is shown"
    );
    assert!(
        page.query("#field-account").is_none(),
        "hidden fields render nothing"
    );
    let terms_link = page.find(".consent a");
    assert_eq!(attr(&terms_link, "href"), "https://example.com/terms");
    assert!(terms_link
        .text_content()
        .unwrap()
        .contains("Terms of service"));
}

#[wasm_bindgen_test]
async fn the_form_marks_when_it_is_ready_for_the_benchmarks() {
    let performance = window().performance().unwrap();
    performance.clear_marks_with_mark_name(stopover_protocol::page_marks::FORM_READY_MARK);
    let _page = mount_form(every_kind_form(), Session::default(), Lang::EN);
    tick().await;
    assert_eq!(
        performance
            .get_entries_by_name(stopover_protocol::page_marks::FORM_READY_MARK)
            .length(),
        1
    );
}

#[wasm_bindgen_test]
async fn help_text_is_tied_to_its_control() {
    let page = mount_form(every_kind_form(), Session::default(), Lang::EN);
    tick().await;
    let help = page.find("#field-company-help");
    assert_eq!(help.text_content().unwrap(), "Where you work.");
    assert_eq!(
        attr(&page.find("#field-company"), "aria-describedby"),
        "field-company-help"
    );
}

#[wasm_bindgen_test]
async fn leaving_a_badly_filled_field_shows_an_inline_error_until_it_is_fixed() {
    let page = mount_form(every_kind_form(), Session::default(), Lang::EN);
    tick().await;
    let email = page.input("#field-email");
    type_into(&email, "not an address").await;
    assert!(
        page.query("#field-email-error").is_none(),
        "no error while typing"
    );
    leave(&email).await;

    let error = page.find("#field-email-error");
    assert!(error
        .text_content()
        .unwrap()
        .contains("Enter an email address in the correct format"));
    assert_eq!(attr(&email, "aria-invalid"), "true");
    assert!(attr(&email, "aria-describedby").contains("field-email-error"));

    type_into(&email, "ada@example.com").await;
    assert!(
        page.query("#field-email-error").is_none(),
        "the error goes once the answer is fixed"
    );
    assert!(email.get_attribute("aria-invalid").is_none());
}

#[wasm_bindgen_test]
async fn leaving_an_empty_required_field_waits_for_submit() {
    let page = mount_form(every_kind_form(), Session::default(), Lang::EN);
    tick().await;
    leave(&page.input("#field-company")).await;
    assert!(page.query("#field-company-error").is_none());
}

#[wasm_bindgen_test]
async fn submitting_with_problems_shows_a_focused_summary_that_links_to_each_field() {
    let page = mount_form(every_kind_form(), Session::default(), Lang::EN);
    tick().await;
    type_into(&page.input("#field-phone"), "12").await;
    page.click("button[type='submit']").await;

    let summary = page.find(".error-summary");
    assert!(summary
        .text_content()
        .unwrap()
        .contains("There is a problem"));
    let active = document().active_element().unwrap();
    assert!(
        active.is_same_node(Some(&summary)),
        "the summary takes focus"
    );
    let links: Vec<(String, String)> = all(&summary, "a")
        .into_iter()
        .map(|a| (attr(&a, "href"), a.text_content().unwrap()))
        .collect();
    assert_eq!(
        links,
        vec![
            (
                "#field-company".to_owned(),
                "Company: Enter an answer.".to_owned()
            ),
            (
                "#field-phone".to_owned(),
                "Phone: Enter a phone number with its country code, like +44 20 7946 0958."
                    .to_owned()
            ),
            (
                "#field-plan-0".to_owned(),
                "Plan: Choose one of the options.".to_owned()
            ),
            (
                "#field-terms".to_owned(),
                "I accept the terms: You need to accept this to continue.".to_owned()
            ),
        ]
    );
    assert_eq!(
        page.find("#field-company-error").text_content().unwrap(),
        "Error: Enter an answer.",
        "the inline message stays short: its label is right above it"
    );
    assert!(page
        .find("#field-terms-error")
        .text_content()
        .unwrap()
        .contains("You need to accept this"));
    for control in [
        "#field-company",
        "#field-phone",
        "#field-plan-0",
        "#field-terms",
    ] {
        let wrapper = page.find(control).closest(".field").unwrap().unwrap();
        assert!(
            wrapper.class_list().contains("has-error"),
            "the field of {control} is marked as having an error"
        );
    }

    page.click(".error-summary a[href='#field-plan-0']").await;
    let active = document().active_element().unwrap();
    assert_eq!(
        active.id(),
        "field-plan-0",
        "a summary link moves focus to its field"
    );
}

#[wasm_bindgen_test]
async fn show_if_shows_a_field_only_while_its_condition_holds() {
    let page = mount_form(every_kind_form(), Session::default(), Lang::EN);
    tick().await;
    assert!(
        page.query("#field-about").is_some(),
        "about has no condition"
    );
    assert!(page.query("#field-newsletter_topics").is_none());
    page.click("#field-newsletter").await;
    assert!(
        page.query("#field-newsletter_topics").is_some(),
        "shown once the box is ticked"
    );
    page.click("#field-newsletter").await;
    assert!(
        page.query("#field-newsletter_topics").is_none(),
        "hidden again when unticked"
    );
}

#[wasm_bindgen_test]
async fn a_renewed_consent_says_which_version_was_accepted_and_when_beside_the_new_document() {
    let session = Session {
        previous_consents: [(
            "terms".to_owned(),
            PreviousConsent {
                version: "2025-03".into(),
                accepted_at: 1_764_547_200,
            },
        )]
        .into(),
        ..Session::default()
    };
    let page = mount_form(every_kind_form(), session, Lang::EN);
    tick().await;
    let said = page
        .find(".consent .previous-acceptance")
        .text_content()
        .unwrap();
    assert!(
        said.starts_with("You accepted version 2025-03 on ") && said.contains("2025"),
        "{said}"
    );
    assert!(
        page.query(".consent .document a").is_some(),
        "the new version's document is linked beside it"
    );
    let checkbox = page.input("#field-terms");
    assert!(!checkbox.checked(), "never pre-ticked");
    drop(page);

    let first_time = mount_form(every_kind_form(), Session::default(), Lang::EN);
    tick().await;
    assert!(first_time.query(".previous-acceptance").is_none());
}

#[wasm_bindgen_test]
async fn prefill_and_defaults_fill_the_controls() {
    let session = Session {
        prefill: Map::from_iter([
            ("company".to_owned(), json!("ACME Ltd")),
            ("country".to_owned(), json!("FR")),
        ]),
        ..Session::default()
    };
    let page = mount_form(every_kind_form(), session, Lang::EN);
    tick().await;
    assert_eq!(page.input("#field-company").value(), "ACME Ltd");
    let country: HtmlSelectElement = page.find("#field-country").unchecked_into();
    assert_eq!(country.value(), "FR");
    assert_eq!(
        page.input("#field-seats").value(),
        "5",
        "the field's default"
    );
    let about: HtmlTextAreaElement = page.find("#field-about").unchecked_into();
    assert_eq!(about.value(), "");
}

#[wasm_bindgen_test]
async fn choosing_options_is_remembered_and_clears_errors() {
    let page = mount_form(every_kind_form(), Session::default(), Lang::EN);
    tick().await;
    page.click("button[type='submit']").await;
    assert!(page.query("#field-plan-error").is_some());
    page.click("#field-plan-1").await;
    assert!(page.query("#field-plan-error").is_none());
    assert!(page.input("#field-plan-1").checked());
    page.click("#field-topics-1").await;
    page.click("#field-topics-0").await;
    assert!(page.input("#field-topics-0").checked() && page.input("#field-topics-1").checked());
    page.click("#field-terms").await;
    assert!(page.query("#field-terms-error").is_none());
    let terms = page
        .find("#field-terms")
        .closest(".field")
        .unwrap()
        .unwrap();
    assert!(!terms.class_list().contains("has-error"));
}

#[wasm_bindgen_test]
async fn optional_questions_say_so_and_a_new_tab_is_announced_to_everyone() {
    let page = mount_form(every_kind_form(), Session::default(), Lang::EN);
    tick().await;
    for id in [
        "email", "phone", "website", "seats", "birth", "country", "about",
    ] {
        let label = page
            .find(&format!(
                "label[for='field-{id}'], fieldset#field-{id} > legend"
            ))
            .text_content()
            .unwrap();
        assert!(label.ends_with("(optional)"), "{id}: {label}");
    }
    let company = page
        .find("label[for='field-company']")
        .text_content()
        .unwrap();
    assert!(!company.contains("(optional)"), "{company}");
    assert!(!page
        .find("label[for='field-newsletter']")
        .text_content()
        .unwrap()
        .contains("(optional)"));
    let new_tab = page.find(".consent a .new-tab");
    assert_eq!(new_tab.text_content().unwrap(), "(opens in a new tab)");
    assert!(
        !new_tab.class_list().contains("visually-hidden"),
        "sighted people are told too"
    );
}

#[wasm_bindgen_test]
async fn a_fields_own_error_messages_are_said_inline_and_repeated_by_the_summary() {
    let form: stopover_protocol::FormDefinition = serde_json::from_value(json!({
        "id": "own", "version": "1", "title": "T", "submit_label": "Save",
        "fields": [
            {"id": "company", "kind": "text", "label": "Company", "required": true,
             "messages": {"required": {"en": "Enter your company name",
                                       "de": "Geben Sie den Namen Ihrer Firma ein"}}},
            {"id": "seats", "kind": "number", "label": "Seats", "required": true}
        ]
    }))
    .unwrap();
    for (lang, own) in [
        (Lang::EN, "Enter your company name"),
        (Lang::DE, "Geben Sie den Namen Ihrer Firma ein"),
    ] {
        let page = mount_form(form.clone(), Session::default(), lang);
        tick().await;
        page.click("button[type='submit']").await;
        let inline = page.find("#field-company-error").text_content().unwrap();
        assert!(inline.ends_with(own), "{inline}");
        let links: Vec<String> = all(&page.find(".error-summary"), "a")
            .into_iter()
            .map(|a| a.text_content().unwrap())
            .collect();
        assert_eq!(links[0], own, "the summary repeats the field's own words");
        assert!(
            links[1].starts_with(if lang == Lang::EN { "Seats: " } else { "Seats" }),
            "a field without its own message keeps the built-in sentence: {}",
            links[1]
        );
    }
}
