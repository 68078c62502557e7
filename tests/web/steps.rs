//! A form in steps, as a person goes through it: one step at a time, each checked before
//! the next, back and forth without losing answers, focus on each new step's heading, and a
//! step that `show_if` leaves empty skipped; and with a per-login cap, the questions of this
//! login only, as the signer asks them too.

use leptos::prelude::*;
use serde_json::json;
use stopover_page::api::FormRequest;
use stopover_page::i18n::Lang;
use stopover_page::session::{now_seconds, Session};
use stopover_protocol::FormDefinition;
use wasm_bindgen_test::*;

use crate::support::*;

/// Three steps, and a fourth (`details`) only for people who want the weekly newsletter.
fn onboarding() -> FormDefinition {
    serde_json::from_value(json!({
        "id": "onboarding", "version": "1",
        "title": {"en": "Set up your account", "de": "Konto einrichten"},
        "submit_label": {"en": "Finish", "de": "Fertig"},
        "fields": [
            {"id": "company", "kind": "text", "label": {"en": "Company", "de": "Firma"}, "required": true},
            {"id": "phone", "kind": "tel", "label": "Phone"},
            {"id": "newsletter", "kind": "checkbox", "label": "Send me the newsletter"},
            {"id": "frequency", "kind": "radio", "label": "How often",
             "options": [{"value": "weekly", "label": "Weekly"}, {"value": "monthly", "label": "Monthly"}],
             "show_if": {"field": "newsletter", "equals": true}},
            {"id": "topics", "kind": "textarea", "label": "Topics you want",
             "show_if": {"field": "frequency", "equals": "weekly"}},
            {"id": "agree", "kind": "checkbox", "label": "I agree to be contacted", "required": true}
        ],
        "steps": [
            {"id": "you", "title": {"en": "About you", "de": "Über Sie"}, "fields": ["company", "phone"]},
            {"id": "news", "title": "Newsletter", "fields": ["newsletter", "frequency"]},
            {"id": "details", "title": "Your topics", "fields": ["topics"]},
            {"id": "last", "title": "One last thing", "fields": ["agree"]}
        ]
    }))
    .unwrap()
}

fn text(page: &Mounted, selector: &str) -> String {
    page.find(selector).text_content().unwrap_or_default()
}

fn focused_id() -> String {
    document()
        .active_element()
        .map(|element| element.id())
        .unwrap_or_default()
}

async fn press_main_button(page: &Mounted) {
    page.click("button[type='submit']").await;
    // Focus moves on the next animation frame.
    sleep(50).await;
}

#[wasm_bindgen_test]
async fn one_step_at_a_time_each_checked_before_the_next() {
    let page = mount_form(onboarding(), Session::default(), Lang::EN);
    tick().await;
    assert_eq!(text(&page, ".step-position"), "Step 1 of 3");
    assert_eq!(text(&page, "h2.step-title"), "About you");
    assert!(page.query("#field-company").is_some());
    assert!(
        page.query("#field-newsletter").is_none(),
        "later steps wait"
    );
    assert_eq!(text(&page, "button[type='submit']"), "Continue");
    assert!(
        page.query("button.secondary").is_none(),
        "no Back on the first step"
    );

    // The step is checked before the next, with a summary of its own problems.
    press_main_button(&page).await;
    assert_eq!(text(&page, ".step-position"), "Step 1 of 3");
    let summary = all(&page.find(".error-summary"), "a");
    assert_eq!(summary.len(), 1, "{}", page.text());
    assert_eq!(attr(&summary[0], "href"), "#field-company");

    type_into(&page.input("#field-company"), "ACME").await;
    press_main_button(&page).await;
    assert_eq!(text(&page, ".step-position"), "Step 2 of 3");
    assert_eq!(text(&page, "h2.step-title"), "Newsletter");
    assert_eq!(
        focused_id(),
        "step-title",
        "focus is on the new step's heading"
    );
    assert!(page.query(".error-summary").is_none());
    assert!(page.query("#field-company").is_none());

    // Back, and the answers are still there.
    page.click("button.secondary").await;
    sleep(50).await;
    assert_eq!(text(&page, "h2.step-title"), "About you");
    assert_eq!(focused_id(), "step-title");
    assert_eq!(page.input("#field-company").value(), "ACME");
    press_main_button(&page).await;

    // The weekly newsletter brings the `details` step in; its count follows.
    page.click("#field-newsletter").await;
    page.click("#field-frequency-0").await;
    assert_eq!(text(&page, ".step-position"), "Step 2 of 4");
    press_main_button(&page).await;
    assert_eq!(text(&page, "h2.step-title"), "Your topics");
    assert_eq!(text(&page, ".step-position"), "Step 3 of 4");
    press_main_button(&page).await;
    assert_eq!(text(&page, "h2.step-title"), "One last thing");
    assert_eq!(text(&page, ".step-position"), "Step 4 of 4");
    assert_eq!(
        text(&page, "button[type='submit']"),
        "Finish",
        "only the last step submits"
    );

    // Going back to change the newsletter skips `details` again.
    page.click("button.secondary").await;
    page.click("button.secondary").await;
    assert_eq!(text(&page, "h2.step-title"), "Newsletter");
    page.click("#field-frequency-1").await;
    press_main_button(&page).await;
    assert_eq!(text(&page, "h2.step-title"), "One last thing");
    assert_eq!(text(&page, ".step-position"), "Step 3 of 3");
}

#[wasm_bindgen_test]
async fn each_step_speaks_the_page_language_and_lists_its_own_problems() {
    let page = mount_form(onboarding(), Session::default(), Lang::DE);
    tick().await;
    assert_eq!(text(&page, ".step-position"), "Schritt 1 von 3");
    assert_eq!(text(&page, "h2.step-title"), "Über Sie");
    assert_eq!(text(&page, "button[type='submit']"), "Weiter");
    type_into(&page.input("#field-company"), "ACME").await;
    press_main_button(&page).await;
    press_main_button(&page).await;
    assert_eq!(text(&page, "h2.step-title"), "One last thing");
    assert_eq!(text(&page, "button[type='submit']"), "Fertig");
    assert_eq!(text(&page, "button.secondary"), "Zurück");

    press_main_button(&page).await;
    let summary = all(&page.find(".error-summary"), "a");
    assert_eq!(summary.len(), 1, "{}", page.text());
    assert_eq!(attr(&summary[0], "href"), "#field-agree");
    assert_eq!(
        focused_id(),
        "",
        "the summary (no id) has focus, not the heading"
    );
    assert!(document()
        .active_element()
        .unwrap()
        .class_list()
        .contains("error-summary"));
}

#[wasm_bindgen_test]
async fn the_demos_onboarding_asks_two_questions_a_login_in_their_steps() {
    let signer = signer();
    // A first login: the job title and the product news (priority 1), each in its step; the
    // frequency comes with the news.
    let token = mint(
        signer.secret,
        json!({"form": "onboarding", "locale": "en"}),
        300,
    );
    let state = format!("state-steps-{}", now_seconds());
    let page = mount_app(Ok(launch_with(&state, &token)), signer.config());
    page.wait_for("#field-job_title").await;
    assert_eq!(text(&page, ".step-position"), "Step 1 of 2");
    assert_eq!(text(&page, "h2.step-title"), "Your work");
    assert!(
        page.query("#field-team_size-0").is_none(),
        "the next login's question"
    );
    type_into(&page.input("#field-job_title"), "Engineer").await;
    press_main_button(&page).await;
    assert_eq!(text(&page, ".step-position"), "Step 2 of 2");
    page.click("#field-product_news").await;
    page.click("#field-news_frequency-0").await;
    assert_eq!(text(&page, "button[type='submit']"), "Finish");
    press_main_button(&page).await;
    page.wait_for("form.handoff").await;
    drop(page);

    // The next login, the profile holding those answers: the other two questions.
    let known = json!({"job_title": "Engineer", "product_news": true});
    let token = mint(
        signer.secret,
        json!({"form": "onboarding", "locale": "en", "prefill": known}),
        300,
    );
    let state = format!("state-steps-next-{}", now_seconds());
    let page = mount_app(Ok(launch_with(&state, &token)), signer.config());
    page.wait_for("#field-team_size-0").await;
    assert!(page.query("#field-job_title").is_none());
    assert_eq!(text(&page, ".step-position"), "Step 1 of 2");
    page.click("#field-team_size-2").await;
    press_main_button(&page).await;
    assert_eq!(text(&page, "h2.step-title"), "One last question");
    press_main_button(&page).await;
    // The signer asked the same two questions of the verified token, and minted.
    page.wait_for("form.handoff").await;
}

#[wasm_bindgen_test]
async fn a_refusal_of_an_earlier_steps_answer_takes_the_person_back_to_that_step() {
    let signer = signer();
    let config = signer.config();
    let mut form: FormDefinition =
        stopover_page::api::fetch_form(&config, &FormRequest::Id("onboarding".to_owned()))
            .await
            .unwrap();
    // This page's copy lost the job title's limit (as an older definition could have): the
    // signer still applies it, and answers 422 for a field of the first step.
    let job_title = form
        .fields
        .iter_mut()
        .find(|field| field.id == "job_title")
        .unwrap();
    job_title.kind = serde_json::from_value(json!({"kind": "text"})).unwrap();
    let token = mint(signer.secret, json!({"form": "onboarding"}), 300);
    let launch = launch_with(&format!("state-steps-422-{}", now_seconds()), &token);
    let session = Session::read_untrusted(&launch.session_token).unwrap();
    let page = mount_form_page(form, launch, session, config, Lang::EN);
    tick().await;
    type_into(&page.input("#field-job_title"), &"x".repeat(101)).await;
    press_main_button(&page).await;
    assert_eq!(text(&page, "h2.step-title"), "Staying in touch");
    press_main_button(&page).await;

    page.wait_for("#field-job_title-error").await;
    assert_eq!(text(&page, "h2.step-title"), "Your work");
    assert_eq!(text(&page, ".step-position"), "Step 1 of 2");
    let summary = all(&page.find(".error-summary"), "a");
    assert_eq!(summary.len(), 1, "{}", page.text());
    assert_eq!(attr(&summary[0], "href"), "#field-job_title");
}
