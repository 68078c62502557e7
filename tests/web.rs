//! The page in a real browser (`wasm-pack test --headless --chrome`), used as a person would:
//! components are mounted into a fresh element, driven through DOM events, and judged by what
//! is on the screen. The submit path runs against the real signer that `cargo xtask test`
//! starts (its URL, secret and issuer arrive as compile-time environment variables).
#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use leptos::prelude::*;
use serde_json::{json, Map};
use stopover_page::api::{ApiError, FormRequest};
use stopover_page::config::PageConfig;
use stopover_page::i18n::Lang;
use stopover_page::launch::{parse_query, LaunchError, LaunchQuery};
use stopover_page::session::{now_seconds, Session};
use stopover_page::states::RetryNotice;
use stopover_protocol::FormDefinition;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;
use web_sys::{HtmlElement, HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement};

wasm_bindgen_test_configure!(run_in_browser);

mod support;

use support::*;

// ------------------------------------------------------------------------------------------
// Each field kind, validation, show_if, prefill

#[wasm_bindgen_test]
async fn every_field_kind_renders_with_a_tied_label() {
    let page = mount_form(every_kind_form(), Session::default(), Lang::En);
    tick().await;

    for (id, label) in [
        ("company", "Company"),
        ("email", "Email"),
        ("phone", "Phone"),
        ("website", "Website"),
        ("seats", "Seats"),
        ("birth", "Date of birth"),
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
    assert_eq!(attr(&page.find("#field-birth"), "type"), "date");
    assert_eq!(attr(&page.find("#field-birth"), "max"), "2012-12-31");
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
    performance.clear_marks_with_mark_name(stopover_page::form_page::FORM_READY_MARK);
    let _page = mount_form(every_kind_form(), Session::default(), Lang::En);
    tick().await;
    assert_eq!(
        performance
            .get_entries_by_name(stopover_page::form_page::FORM_READY_MARK)
            .length(),
        1
    );
}

#[wasm_bindgen_test]
async fn help_text_is_tied_to_its_control() {
    let page = mount_form(every_kind_form(), Session::default(), Lang::En);
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
    let page = mount_form(every_kind_form(), Session::default(), Lang::En);
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
    let page = mount_form(every_kind_form(), Session::default(), Lang::En);
    tick().await;
    leave(&page.input("#field-company")).await;
    assert!(page.query("#field-company-error").is_none());
}

#[wasm_bindgen_test]
async fn submitting_with_problems_shows_a_focused_summary_that_links_to_each_field() {
    let page = mount_form(every_kind_form(), Session::default(), Lang::En);
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
                "Company: This is required.".to_owned()
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
        "Error: This is required.",
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
    let page = mount_form(every_kind_form(), Session::default(), Lang::En);
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
async fn prefill_and_defaults_fill_the_controls() {
    let session = Session {
        prefill: Map::from_iter([
            ("company".to_owned(), json!("ACME Ltd")),
            ("country".to_owned(), json!("FR")),
        ]),
        ..Session::default()
    };
    let page = mount_form(every_kind_form(), session, Lang::En);
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
    let page = mount_form(every_kind_form(), Session::default(), Lang::En);
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
async fn form_texts_and_page_texts_follow_the_language() {
    let page = mount_form(every_kind_form(), Session::default(), Lang::De);
    tick().await;
    assert_eq!(page.find("h1").text_content().unwrap(), "Ihr Konto");
    assert!(page
        .find("label[for='field-company']")
        .text_content()
        .unwrap()
        .contains("Firma"));
    assert!(page
        .find("label[for='field-company']")
        .text_content()
        .unwrap()
        .contains("(erforderlich)"));
    page.click("button[type='submit']").await;
    assert!(page
        .find(".error-summary")
        .text_content()
        .unwrap()
        .contains("Es gibt ein Problem"));
    assert_eq!(
        page.find(".error-summary a[href='#field-company']")
            .text_content()
            .unwrap(),
        "Firma: Dieses Feld ist erforderlich.",
        "the summary names the field by its German label"
    );
}

#[wasm_bindgen_test]
async fn limits_in_messages_are_written_as_each_language_writes_numbers_and_dates() {
    for (lang, too_long, out_of_range, too_late) in [
        (
            Lang::En,
            "Enter at most 1,000 characters.",
            "Enter a number from 0.5 to 1,500.",
            "Enter a date from January 1, 1900 to December 31, 2012.",
        ),
        (
            Lang::Fr,
            "Saisissez au plus 1 000 caractères.",
            "Saisissez un nombre entre 0,5 et 1 500.",
            "Saisissez une date entre le 1 janvier 1900 et le 31 décembre 2012.",
        ),
        (
            Lang::De,
            "Geben Sie höchstens 1.000 Zeichen ein.",
            "Geben Sie eine Zahl von 0,5 bis 1.500 ein.",
            "Geben Sie ein Datum zwischen dem 1. Januar 1900 und dem 31. Dezember 2012 ein.",
        ),
    ] {
        let page = mount_form(bounds_form(), Session::default(), lang);
        tick().await;
        let note = page.input("#field-note");
        type_into(&note, &"x".repeat(1001)).await;
        leave(&note).await;
        let amount = page.input("#field-amount");
        type_into(&amount, "2000").await;
        leave(&amount).await;
        let day = page.input("#field-day");
        type_into(&day, "2020-02-29").await;
        leave(&day).await;

        for (id, expected) in [
            ("note", too_long),
            ("amount", out_of_range),
            ("day", too_late),
        ] {
            let shown = spaces(
                &page
                    .find(&format!("#field-{id}-error"))
                    .text_content()
                    .unwrap(),
            );
            assert!(shown.ends_with(expected), "{lang:?} {id}: {shown:?}");
        }
    }
}

#[wasm_bindgen_test]
async fn the_countdown_and_the_wait_use_the_languages_digits() {
    let session = Session {
        expires_at: Some(now_seconds() + 100),
        ..Session::default()
    };
    let page = mount_form(every_kind_form(), session, Lang::Fr);
    tick().await;
    let countdown = page.find(".countdown").text_content().unwrap();
    assert!(countdown.starts_with("Temps restant : 1:"), "{countdown}");
    drop(page);

    let retry_at = now_seconds() + 600;
    let page = mount(move || {
        provide_context(Lang::De);
        view! {
            <RetryNotice error=ApiError::RateLimited { retry_after_secs: 600 } retry_at
                on_retry=Callback::new(|()| ()) />
        }
    });
    tick().await;
    assert!(
        page.text().contains("Bitte warten Sie 600 Sekunden"),
        "{}",
        page.text()
    );
}

// ------------------------------------------------------------------------------------------
// Keyboard
//
// Synthetic key events are untrusted: the browser does not move focus on Tab, toggle on
// Space or submit on Enter for them. So these tests pin what those keys rely on: the
// focusable order is the DOM order (no positive tabindex), each control takes focus, links
// move focus, and the native actions (click for Space, requestSubmit for Enter) do the work.

#[wasm_bindgen_test]
async fn tab_reaches_every_control_in_reading_order() {
    let page = mount_form(every_kind_form(), Session::default(), Lang::En);
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
            "field-birth",
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
    let page = mount_form(every_kind_form(), Session::default(), Lang::En);
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
    let page = mount_form(every_kind_form(), Session::default(), Lang::En);
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
    let page = mount_form(every_kind_form(), Session::default(), Lang::En);
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

// ------------------------------------------------------------------------------------------
// Start-up

#[wasm_bindgen_test]
fn launch_values_are_taken_from_the_address_bar_and_removed_from_it() {
    let window = window();
    let history = window.history().unwrap();
    let before = window.location().href().unwrap();
    history
        .replace_state_with_url(
            &JsValue::NULL,
            "",
            Some("?keep=1&state=st-9&session_token=a.b.c"),
        )
        .unwrap();

    let launch = LaunchQuery::capture()
        .take(PageConfig::default().token_parameter())
        .unwrap();

    assert_eq!(launch.state.as_str(), "st-9");
    assert_eq!(launch.session_token.as_str(), "a.b.c");
    assert_eq!(window.location().search().unwrap(), "?keep=1");
    history
        .replace_state_with_url(&JsValue::NULL, "", Some(&before))
        .unwrap();
}

#[wasm_bindgen_test]
async fn the_token_parameter_named_in_stopover_json_is_read_and_cleared() {
    let signer = signer();
    let token = mint(signer.secret, json!({"form": "terms"}), 300);
    let window = window();
    let history = window.history().unwrap();
    let before = window.location().href().unwrap();
    history
        .replace_state_with_url(
            &JsValue::NULL,
            "",
            Some(&format!(
                "?keep=1&state=st-param&stopover_token={token}&session_token=not-this-one"
            )),
        )
        .unwrap();
    let query = LaunchQuery::capture();
    // stopover.json names the parameter; the address bar keeps the values until it is read.
    let config = PageConfig {
        token_parameter: "stopover_token".to_owned(),
        ..signer.config()
    };
    let launch = query.take(config.token_parameter());
    let search = window.location().search().unwrap();
    history
        .replace_state_with_url(&JsValue::NULL, "", Some(&before))
        .unwrap();

    assert_eq!(search, "?keep=1&session_token=not-this-one");
    let page = mount_app(launch, config);
    page.wait_for("#field-terms").await;
    assert_eq!(
        page.find("h1").text_content().unwrap(),
        "Our terms have changed"
    );
}

// ------------------------------------------------------------------------------------------
// States a person can meet

#[wasm_bindgen_test]
async fn a_link_without_state_says_the_link_is_not_complete() {
    let page = mount_app(Err(LaunchError::MissingState), PageConfig::default());
    tick().await;
    assert_eq!(
        page.find("h1").text_content().unwrap(),
        "This link is not complete"
    );
    assert!(page.query("form").is_none());
}

#[wasm_bindgen_test]
async fn an_unreadable_token_says_the_link_could_not_be_verified() {
    let launch = parse_query("?state=abc&session_token=garbage", "session_token").unwrap();
    let page = mount_app(Ok(launch), PageConfig::default());
    tick().await;
    assert_eq!(
        page.find("h1").text_content().unwrap(),
        "This sign-in link could not be verified"
    );
    assert!(page.text().contains("Start again"));
    assert!(page.query("form").is_none());
}

#[wasm_bindgen_test]
async fn a_token_naming_neither_form_nor_issuer_could_not_be_verified_in_its_language() {
    for (locale, heading) in [
        ("fr", "Ce lien de connexion n’a pas pu être vérifié"),
        ("de", "Dieser Anmeldelink konnte nicht überprüft werden"),
    ] {
        let token = mint(
            "a-secret-that-is-only-used-for-decoding!!",
            json!({"iss": null, "locale": locale}),
            300,
        );
        let page = mount_app(Ok(launch_with("st-nv", &token)), PageConfig::default());
        tick().await;
        assert_eq!(page.find("h1").text_content().unwrap(), heading, "{locale}");
    }
}

#[wasm_bindgen_test]
async fn an_expired_token_shows_the_expired_page_instead_of_the_form() {
    let token = mint(
        "a-secret-that-is-only-used-for-decoding!!",
        json!({"form": "profile"}),
        -5,
    );
    let page = mount_app(Ok(launch_with("st-1", &token)), PageConfig::default());
    tick().await;
    assert_eq!(
        page.find("h1").text_content().unwrap(),
        "This sign-in has expired"
    );
    assert!(page.text().contains("Start again"));
    assert!(page.query("form").is_none());
}

#[wasm_bindgen_test]
async fn each_language_is_picked_from_the_locale_claim() {
    for (locale, heading) in [
        ("fr-FR", "Cette connexion a expiré"),
        ("de", "Diese Anmeldung ist abgelaufen"),
        ("en-GB", "This sign-in has expired"),
    ] {
        let token = mint(
            "a-secret-that-is-only-used-for-decoding!!",
            json!({"locale": locale}),
            -5,
        );
        let page = mount_app(Ok(launch_with("st-2", &token)), PageConfig::default());
        tick().await;
        assert_eq!(
            page.find("h1").text_content().unwrap(),
            heading,
            "locale {locale}"
        );
        let html = document().document_element().unwrap();
        assert_eq!(attr(&html, "lang"), &locale[..2]);
        assert_eq!(attr(&html, "dir"), "ltr");
    }
}

#[wasm_bindgen_test]
async fn a_token_without_a_form_gets_the_form_the_signer_picks_for_its_issuer() {
    let signer = signer();
    // No `form` claim: the page asks GET /api/forms?issuer=..., and the demo tenant's
    // first form is `profile`.
    let token = mint(signer.secret, json!({}), 300);
    let page = mount_app(Ok(launch_with("st-3", &token)), signer.config());
    page.wait_for("#field-company").await;
    assert_eq!(
        page.find("h1").text_content().unwrap(),
        "A few details before you continue"
    );
}

#[wasm_bindgen_test]
async fn a_token_without_a_form_from_an_unknown_issuer_says_the_form_cannot_be_found() {
    let signer = signer();
    let token = mint(signer.secret, json!({"iss": "unknown.example.com"}), 300);
    let page = mount_app(Ok(launch_with("st-3b", &token)), signer.config());
    let heading = page.wait_for(".state h1").await;
    assert_eq!(heading.text_content().unwrap(), "This form cannot be found");
}

#[wasm_bindgen_test]
async fn an_unreachable_signer_offers_to_try_again() {
    let token = mint(
        "a-secret-that-is-only-used-for-decoding!!",
        json!({"form": "profile"}),
        300,
    );
    let config = PageConfig {
        signer_url: "http://127.0.0.1:9".to_owned(),
        ..PageConfig::default()
    };
    let page = mount_app(Ok(launch_with("st-4", &token)), config);
    let notice = page.wait_for(".notice").await;
    assert!(notice
        .text_content()
        .unwrap()
        .contains("We could not reach the server"));
    assert!(page
        .find(".notice button")
        .text_content()
        .unwrap()
        .contains("Try again"));
}

#[wasm_bindgen_test]
async fn a_server_failure_can_be_retried_at_once() {
    let retried = RwSignal::new(0);
    let page = mount(move || {
        view! { <RetryNotice error=ApiError::Server(502) retry_at=0 on_retry=Callback::new(move |()| retried.update(|n| *n += 1)) /> }
    });
    tick().await;
    assert!(page.text().contains("Something went wrong on our side"));
    assert!(page.text().contains("Your answers are kept."));
    page.click("button").await;
    assert_eq!(retried.get_untracked(), 1);
}

#[wasm_bindgen_test]
async fn rate_limiting_asks_to_wait_then_allows_a_retry() {
    let retried = RwSignal::new(0);
    let retry_at = now_seconds() + 2;
    let page = mount(move || {
        view! {
            <RetryNotice error=ApiError::RateLimited { retry_after_secs: 2 } retry_at
                on_retry=Callback::new(move |()| retried.update(|n| *n += 1)) />
        }
    });
    tick().await;
    assert!(page.text().contains("Too many attempts"));
    assert!(page.text().contains("Please wait"), "{}", page.text());
    let button: web_sys::HtmlButtonElement = page.find("button").unchecked_into();
    assert!(button.disabled(), "no retry before Retry-After has passed");
    sleep(3200).await;
    assert!(
        page.text().contains("You can try again now."),
        "{}",
        page.text()
    );
    assert!(!button.disabled());
    button.click();
    tick().await;
    assert_eq!(retried.get_untracked(), 1);
}

#[wasm_bindgen_test]
async fn a_sign_in_that_expires_while_filling_keeps_the_answers_visible() {
    let session = Session {
        expires_at: Some(now_seconds() + 2),
        ..Session::default()
    };
    let page = mount_form(every_kind_form(), session, Lang::En);
    tick().await;
    assert!(page
        .find(".countdown")
        .text_content()
        .unwrap()
        .starts_with("Time left to finish: 0:0"));
    type_into(&page.input("#field-company"), "Typed before expiry").await;
    sleep(3200).await;
    assert!(page.text().contains("This sign-in has expired"));
    assert!(page.text().contains("Your answers are still shown below"));
    assert_eq!(page.input("#field-company").value(), "Typed before expiry");
    assert!(
        page.query("button[type='submit']").is_none(),
        "no submit of an expired sign-in"
    );
}

#[wasm_bindgen_test]
async fn no_countdown_while_plenty_of_time_remains() {
    let session = Session {
        expires_at: Some(now_seconds() + 600),
        ..Session::default()
    };
    let page = mount_form(every_kind_form(), session, Lang::En);
    tick().await;
    assert!(page.query(".countdown").is_none());
}

// ------------------------------------------------------------------------------------------
// The submit path against the real signer

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
async fn submitting_the_same_login_step_twice_says_it_is_already_done() {
    let signer = signer();
    let token = mint(signer.secret, json!({"form": "terms"}), 300);
    let state = format!("state-twice-{}", now_seconds());
    for _ in 0..2 {
        let page = mount_app(Ok(launch_with(&state, &token)), signer.config());
        page.wait_for("#field-terms").await;
        page.click("#field-terms").await;
        page.click("#field-privacy").await;
        page.click("button[type='submit']").await;
        let outcome = page.wait_for("form.handoff, .state h1").await;
        if outcome.tag_name() == "H1" {
            assert_eq!(
                outcome.text_content().unwrap(),
                "You have already completed this step"
            );
            return;
        }
    }
    panic!("the second submit was not refused as already used");
}

#[wasm_bindgen_test]
async fn a_refused_token_that_has_not_expired_says_the_link_could_not_be_verified() {
    let signer = signer();
    let token = mint(
        "not-the-tenant-secret-but-long-enough-1234",
        json!({"form": "profile"}),
        300,
    );
    let page = mount_app(Ok(launch_with("state-forged", &token)), signer.config());
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
    assert!(said.contains("Start again"), "{said}");
    assert!(
        !page.text().contains("expired"),
        "a token with minutes left is not called expired: {}",
        page.text()
    );
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
    let page = mount_form_page(form, launch, session, config, Lang::En);
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

// ------------------------------------------------------------------------------------------
// Forms of these tests

/// Collapses the no-break spaces French puts in numbers, so expectations read plainly.
fn spaces(text: &str) -> String {
    text.replace(['\u{a0}', '\u{202f}'], " ")
}

/// A form whose limits show up in its messages, in three languages.
fn bounds_form() -> FormDefinition {
    serde_json::from_value(json!({
        "id": "bounds", "version": "1", "title": "Limits", "submit_label": "Go",
        "fields": [
            {"id": "note", "kind": "textarea", "label": {"en": "Note", "fr": "Note", "de": "Notiz"},
             "max_length": 1000},
            {"id": "amount", "kind": "number", "label": {"en": "Amount", "fr": "Montant", "de": "Betrag"},
             "min": 0.5, "max": 1500.0},
            {"id": "day", "kind": "date", "label": {"en": "Day", "fr": "Jour", "de": "Tag"},
             "min": "1900-01-01", "max": "2012-12-31"}
        ]
    }))
    .unwrap()
}

/// A form with one field of every kind, in English and German.
fn every_kind_form() -> FormDefinition {
    serde_json::from_value(json!({
        "id": "every-kind",
        "version": "1",
        "title": {"en": "Your account", "de": "Ihr Konto"},
        "submit_label": {"en": "Save", "de": "Speichern"},
        "fields": [
            {"id": "intro", "kind": "static", "text": "Read this before you start."},
            {"id": "company", "kind": "text", "label": {"en": "Company", "de": "Firma"}, "required": true,
             "max_length": 40, "autocomplete": "organization", "prefill": "company",
             "help": "Where you work."},
            {"id": "email", "kind": "email", "label": "Email"},
            {"id": "phone", "kind": "tel", "label": "Phone"},
            {"id": "website", "kind": "url", "label": "Website"},
            {"id": "seats", "kind": "number", "label": "Seats", "min": 1.0, "max": 50.0, "step": 1.0, "default": 5},
            {"id": "birth", "kind": "date", "label": "Date of birth", "max": "2012-12-31"},
            {"id": "country", "kind": "select", "label": "Country", "prefill": "country", "options": [
                {"value": "DE", "label": "Germany"}, {"value": "FR", "label": "France"}]},
            {"id": "plan", "kind": "radio", "label": "Plan", "required": true, "options": [
                {"value": "free", "label": "Free"}, {"value": "paid", "label": "Paid"}]},
            {"id": "topics", "kind": "checkboxes", "label": "Topics", "options": [
                {"value": "news", "label": "News"}, {"value": "events", "label": "Events"}]},
            {"id": "about", "kind": "textarea", "label": "About you", "max_length": 200},
            {"id": "newsletter", "kind": "checkbox", "label": "Newsletter"},
            {"id": "newsletter_topics", "kind": "text", "label": "Newsletter topics",
             "show_if": {"field": "newsletter", "equals": true}},
            {"id": "terms", "kind": "consent", "label": "I accept the terms",
             "document": {"url": "https://example.com/terms", "version": "3", "title": "Terms of service"}},
            {"id": "account", "kind": "hidden", "prefill": "account"}
        ]
    }))
    .unwrap()
}
