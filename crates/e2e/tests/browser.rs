//! Stopover end to end: the simulated tenant, the signer and the built page, real, on loopback,
//! driven through headless Chromium. Each test starts its own stack and browser.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use fantoccini::{Client, Locator};
use serde_json::json;
use stopover_e2e::browser::with_browser;
use stopover_e2e::page::{
    arrived_link, assert_accessible, body_text, document_language, exists,
    fill_and_submit_by_keyboard, fill_by_clicking, focused, screenshots, sign_in_as, submit,
    valid_inputs, wait_for, wait_for_form, wait_for_signed_in, wait_for_text, Input, SUBMIT,
};
use stopover_e2e::stack::{BackChannel, Delivery, Stack, StackOptions};

const AMARA: &str = "Amara Okafor";
const BRUNO: &str = "Bruno Keller";
const CHLOE: &str = "Chloé Dubois";
const LAYLA: &str = "Layla Haddad";
const KENJI: &str = "Kenji Sato";

/// Runs `test` against a fresh stack in a fresh browser, then stops the stack.
async fn scenario<F, Fut>(options: StackOptions, test: F)
where
    F: FnOnce(Client, Stack) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = Stack> + Send + 'static,
{
    let stack = Stack::start(options).await;
    let (sender, receiver) = tokio::sync::oneshot::channel();
    with_browser(move |client| async move {
        let stack = test(client, stack).await;
        let _ = sender.send(stack);
    })
    .await;
    if let Ok(stack) = receiver.await {
        stack.stop().await;
    }
}

fn start_page(stack: &Stack) -> String {
    stack.simulator_url("/")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_complete_profile_signs_in_without_a_stopover() {
    scenario(StackOptions::default(), |client, stack| async move {
        client.goto(&start_page(&stack)).await.unwrap();
        assert_accessible(&client, "the simulator's start page").await;
        sign_in_as(&client, &start_page(&stack), AMARA).await;
        wait_for_signed_in(&client).await;
        assert!(body_text(&client).await.contains("No stopover was needed"));
        assert_eq!(
            client.current_url().await.unwrap().port(),
            Some(stack.simulator_addr.port()),
            "Amara never leaves the tenant"
        );
        assert_accessible(&client, "the simulator's signed-in page").await;
        stack
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_profile_is_completed_by_clicking_and_the_next_sign_in_skips_it() {
    scenario(StackOptions::default(), |client, stack| async move {
        sign_in_as(&client, &start_page(&stack), BRUNO).await;
        let form = &stack.forms["profile"];
        wait_for_text(&client, form.title.get("en")).await;
        wait_for_form(&client).await;
        assert_eq!(
            client.current_url().await.unwrap().query(),
            None,
            "state and session_token leave the address bar at once"
        );
        assert_accessible(&client, "the profile form").await;

        let inputs = valid_inputs(form, "en");
        fill_by_clicking(&client, &inputs).await;
        submit(&client).await;
        wait_for_signed_in(&client).await;
        let page = body_text(&client).await;
        assert!(page.contains("Answers stored by the stopover"), "{page}");
        assert!(page.contains("Keller Logistik AG"), "{page}");

        let user = stack.stored_user("bruno").await;
        assert_eq!(user["user_metadata"]["company"], "Keller Logistik AG");
        assert_eq!(user["user_metadata"]["phone"], "+4930901820");

        sign_in_as(&client, &start_page(&stack), BRUNO).await;
        wait_for_signed_in(&client).await;
        assert!(body_text(&client).await.contains("No stopover was needed"));
        stack
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_french_locale_claim_shows_the_terms_in_french_and_accepting_them_signs_in() {
    scenario(StackOptions::default(), |client, stack| async move {
        sign_in_as(&client, &start_page(&stack), CHLOE).await;
        let form = &stack.forms["terms"];
        wait_for_text(&client, form.title.get("fr")).await;
        wait_for_form(&client).await;
        assert_eq!(document_language(&client).await, "fr");
        // She accepted the 2025-03 terms before: the page says so beside the new version.
        wait_for_text(&client, "Vous avez accepté la version 2025-03 le").await;
        let button = wait_for(&client, SUBMIT).await.text().await.unwrap();
        assert_eq!(button, form.submit_label.get("fr"));
        assert_accessible(&client, "the terms form, in French").await;

        submit(&client).await;
        wait_for_text(&client, "Il y a un problème").await;
        assert_accessible(&client, "the terms form's errors, in French").await;

        fill_by_clicking(&client, &valid_inputs(form, "fr")).await;
        submit(&client).await;
        wait_for_signed_in(&client).await;
        // The Action stored the consent where it reads it: app_metadata.consents.terms.
        let user = stack.stored_user("chloe").await;
        let terms = &user["app_metadata"]["consents"]["terms"];
        assert_eq!(terms["version"], json!(form.version), "{user}");
        assert!(terms["accepted_at"].is_i64(), "{user}");
        stack
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_arabic_locale_shows_the_profile_right_to_left_and_signs_in() {
    scenario(StackOptions::default(), |client, stack| async move {
        sign_in_as(&client, &start_page(&stack), LAYLA).await;
        let form = &stack.forms["profile"];
        wait_for_text(&client, form.title.get("ar")).await;
        wait_for_form(&client).await;
        assert_eq!(document_language(&client).await, "ar");
        // Mirrored: a label's text and the row under the form (the time left, then the
        // button) start at the right edge, where Arabic is read from.
        let layout = client
            .execute(
                "const f = document.querySelector('form.stopover-form').getBoundingClientRect();
                 const r = document.createRange();
                 r.selectNodeContents(document.querySelector('label[for=field-company]'));
                 const l = r.getBoundingClientRect();
                 const c = document.querySelector('.countdown').getBoundingClientRect();
                 const b = document.querySelector('button[type=submit]').getBoundingClientRect();
                 return [document.documentElement.dir, f.left, f.right, l.left, l.right,
                         c.left, c.right, b.left, b.right];",
                vec![],
            )
            .await
            .unwrap();
        assert_eq!(layout[0], "rtl");
        let x: Vec<f64> = (1..=8).map(|i| layout[i].as_f64().unwrap()).collect();
        let (form_left, form_right) = (x[0], x[1]);
        let (label_left, label_right) = (x[2], x[3]);
        let (countdown_left, countdown_right) = (x[4], x[5]);
        let (button_left, button_right) = (x[6], x[7]);
        assert!(
            (form_right - label_right).abs() < 2.0 && label_left > form_left + 20.0,
            "a label starts at the right: form {form_left}..{form_right}, label {label_left}..{label_right}"
        );
        assert!(
            (form_right - countdown_right).abs() < 2.0 && button_right <= countdown_left,
            "the time left, then the button, from the right: form {form_left}..{form_right}, \
             time left {countdown_left}..{countdown_right}, button {button_left}..{button_right}"
        );
        assert_accessible(&client, "the profile form in Arabic").await;
        screenshots(&client, "profile-ar").await;

        errors_then_sign_in(&client, &stack, "layla", "ar", "توجد مشكلة").await;
        stack
    })
    .await;
}

/// On the profile form in `lang`: an empty submit shows the error summary (its heading
/// `there_is_a_problem`), which passes axe and is screenshot; then valid answers sign
/// `user` in, and the tenant stores them.
async fn errors_then_sign_in(
    client: &Client,
    stack: &Stack,
    user: &str,
    lang: &str,
    there_is_a_problem: &str,
) {
    submit(client).await;
    wait_for_text(client, there_is_a_problem).await;
    assert_accessible(client, &format!("the error summary in `{lang}`")).await;
    screenshots(client, &format!("profile-{lang}-errors")).await;

    fill_by_clicking(client, &valid_inputs(&stack.forms["profile"], lang)).await;
    submit(client).await;
    wait_for_signed_in(client).await;
    let stored = stack.stored_user(user).await;
    assert_eq!(stored["user_metadata"]["company"], "Keller Logistik AG");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_language_the_operator_adds_without_a_rebuild_is_spoken_right_to_left() {
    scenario(StackOptions::default(), |client, stack| async move {
        // As the operator's guide says: the file beside the others, its tag in stopover.json.
        let hebrew = std::fs::read_to_string(
            stopover_e2e::workspace_root().join("examples/languages/he.json"),
        )
        .unwrap();
        stack.site().add_language("he", &hebrew);
        // A login whose application asks for Hebrew (`ui_locales`), as Auth0 passes it on.
        client
            .goto(&stack.simulator_url("/authorize?user=bruno&ui_locales=he"))
            .await
            .unwrap();
        wait_for_form(&client).await;
        wait_for_text(&client, "(חובה)").await;
        assert_eq!(document_language(&client).await, "he");
        let dir = client
            .execute("return document.documentElement.dir;", vec![])
            .await
            .unwrap();
        assert_eq!(dir, json!("rtl"));

        errors_then_sign_in(&client, &stack, "bruno", "he", "יש בעיה").await;
        stack
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn onboarding_asks_two_questions_a_login_in_steps_until_nothing_is_missing() {
    scenario(StackOptions::default(), |client, stack| async move {
        // The step shown, once its heading says `title`: "Step n of m" and where focus is.
        let step = |client: Client, title: &'static str| async move {
            wait_for_text(&client, title).await;
            let position = wait_for(&client, ".step-position")
                .await
                .text()
                .await
                .unwrap();
            // Focus moves to the heading on the next frame.
            let mut focus = String::new();
            for _ in 0..20 {
                focus = focused(&client).await.0;
                if focus == "step-title" {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            (position, focus)
        };
        // First login: the job title, then the product news (priority 1), a step each.
        sign_in_as(&client, &start_page(&stack), KENJI).await;
        wait_for_form(&client).await;
        assert_eq!(step(client.clone(), "Your work").await.0, "Step 1 of 2");
        assert!(
            !exists(&client, "#field-team_size-0").await,
            "the next login's"
        );
        assert_accessible(&client, "the first step of the onboarding").await;
        submit(&client).await;
        wait_for_text(&client, "There is a problem").await;
        wait_for(&client, "#field-job_title")
            .await
            .send_keys("Station manager")
            .await
            .unwrap();
        submit(&client).await;
        assert_eq!(
            step(client.clone(), "Staying in touch").await,
            ("Step 2 of 2".to_owned(), "step-title".to_owned()),
            "focus is on the new step's heading"
        );
        wait_for(&client, "#field-product_news")
            .await
            .click()
            .await
            .unwrap();
        wait_for(&client, "#field-news_frequency-1")
            .await
            .click()
            .await
            .unwrap();
        screenshots(&client, "onboarding-step-2").await;
        submit(&client).await;
        wait_for_signed_in(&client).await;
        let user = stack.stored_user("kenji").await;
        assert_eq!(user["user_metadata"]["job_title"], "Station manager");
        assert_eq!(user["user_metadata"]["product_news"], true);
        assert_eq!(user["user_metadata"]["news_frequency"], "monthly");
        assert!(user["user_metadata"].get("team_size").is_none());

        // Second login: the two questions left; the referral is left blank and kept so.
        sign_in_as(&client, &start_page(&stack), KENJI).await;
        wait_for_form(&client).await;
        assert_eq!(step(client.clone(), "Your work").await.0, "Step 1 of 2");
        assert!(
            !exists(&client, "#field-job_title").await,
            "answered last time"
        );
        wait_for(&client, "#field-team_size-0")
            .await
            .click()
            .await
            .unwrap();
        submit(&client).await;
        assert_eq!(
            step(client.clone(), "One last question").await.0,
            "Step 2 of 2"
        );
        submit(&client).await;
        wait_for_signed_in(&client).await;
        let user = stack.stored_user("kenji").await;
        assert_eq!(user["user_metadata"]["team_size"], "small");
        assert_eq!(user["user_metadata"]["heard_from"], "");

        sign_in_as(&client, &start_page(&stack), KENJI).await;
        wait_for_signed_in(&client).await;
        assert!(body_text(&client).await.contains("No stopover was needed"));
        stack
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn validation_errors_are_summarised_then_corrected() {
    scenario(StackOptions::default(), |client, stack| async move {
        sign_in_as(&client, &start_page(&stack), BRUNO).await;
        wait_for_form(&client).await;
        submit(&client).await;

        let summary = wait_for(&client, ".error-summary").await;
        assert!(summary.text().await.unwrap().contains("There is a problem"));
        let (focused_id, _, _) = focused(&client).await;
        let summary_has_focus = client
            .execute(
                "return document.activeElement === document.querySelector('.error-summary');",
                vec![],
            )
            .await
            .unwrap();
        assert_eq!(
            summary_has_focus,
            json!(true),
            "focus is on the summary, not {focused_id}"
        );
        let company = wait_for(&client, "#field-company").await;
        assert_eq!(
            company.attr("aria-invalid").await.unwrap().as_deref(),
            Some("true")
        );
        let described = company
            .attr("aria-describedby")
            .await
            .unwrap()
            .unwrap_or_default();
        assert!(described.contains("field-company-error"), "{described}");
        assert!(exists(&client, "#field-company-error").await);
        assert_accessible(&client, "the profile form with errors").await;

        // The summary links to the field.
        summary
            .find(Locator::Css("a[href='#field-company']"))
            .await
            .expect("a summary link to the company field")
            .click()
            .await
            .unwrap();
        assert_eq!(focused(&client).await.0, "field-company");

        // A wrong phone number is pointed out when leaving the field, then fixed.
        let phone = wait_for(&client, "#field-phone").await;
        phone.send_keys("12").await.unwrap();
        company.click().await.unwrap();
        assert!(exists(&client, "#field-phone-error").await);

        let inputs = valid_inputs(&stack.forms["profile"], "en");
        fill_by_clicking(&client, &inputs).await;
        tokio::time::sleep(Duration::from_millis(200)).await;
        assert!(
            !exists(&client, "#field-company-error").await,
            "the fixed field's error goes"
        );
        assert!(
            !exists(&client, "#field-phone-error").await,
            "the fixed field's error goes"
        );
        submit(&client).await;
        wait_for_signed_in(&client).await;
        assert_eq!(
            stack.stored_user("bruno").await["user_metadata"]["phone"],
            "+4930901820"
        );
        stack
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_form_can_be_completed_with_the_keyboard_only() {
    scenario(StackOptions::default(), |client, stack| async move {
        sign_in_as(&client, &start_page(&stack), BRUNO).await;
        wait_for_form(&client).await;
        let mut inputs = valid_inputs(&stack.forms["profile"], "en");
        // Bruno's country is prefilled; choosing it again by keyboard is still a good test.
        if let Some(Input::Choose { label, .. }) = inputs.get("country").cloned() {
            inputs.insert(
                "country".to_owned(),
                Input::Choose {
                    value: String::new(),
                    label,
                },
            );
        }
        fill_and_submit_by_keyboard(&client, &inputs).await;
        wait_for_signed_in(&client).await;
        let user = stack.stored_user("bruno").await;
        assert_eq!(user["user_metadata"]["company"], "Keller Logistik AG");
        assert_eq!(user["user_metadata"]["phone"], "+4930901820");
        stack
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_session_token_asks_to_start_again() {
    // The tenant's clock is 50 minutes behind: the Action's session token (10 minutes) is
    // expired when it reaches the page.
    let options = StackOptions {
        simulator_clock_behind_secs: 3_000,
        ..StackOptions::default()
    };
    scenario(options, |client, stack| async move {
        sign_in_as(&client, &start_page(&stack), BRUNO).await;
        wait_for_text(&client, "This sign-in has expired").await;
        assert!(
            !exists(&client, SUBMIT).await,
            "an expired sign-in offers no submit button"
        );
        assert_accessible(&client, "the expired sign-in").await;
        screenshots(&client, "expired").await;
        assert_eq!(
            stack.stored_user("bruno").await["user_metadata"].get("company"),
            None
        );
        stack
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tampered_session_token_is_refused_when_the_page_opens() {
    scenario(StackOptions::default(), |client, stack| async move {
        let (link, _) = stack.login_link("bruno").await;
        let tampered = tamper_with_prefill(&link);
        client.goto(&tampered).await.unwrap();
        // Said when the page opens, before anything is filled. The token has minutes left:
        // the person is told it could not be verified, not that it expired, and not which
        // check failed.
        wait_for_text(&client, "This sign-in link could not be verified").await;
        assert!(!exists(&client, SUBMIT).await, "no form to fill in vain");
        assert!(!body_text(&client).await.contains("expired"));
        let url = client.current_url().await.unwrap();
        assert_eq!(
            url.port(),
            Some(stack.signer_addr.port()),
            "nothing was sent to the tenant"
        );
        assert_accessible(&client, "the refused token").await;
        assert_eq!(
            stack.stored_user("bruno").await["user_metadata"].get("company"),
            None
        );
        stack
    })
    .await;
}

/// The link with the token's payload changed (its `prefill.company`), signature kept.
fn tamper_with_prefill(link: &str) -> String {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine as _;
    let (before, rest) = link.split_once("session_token=").unwrap();
    let (token, after) = rest.split_once('&').unwrap();
    let parts: Vec<&str> = token.split('.').collect();
    let mut claims: serde_json::Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap();
    claims["prefill"]["company"] = json!("Forged Ltd");
    let forged = URL_SAFE_NO_PAD.encode(claims.to_string());
    format!(
        "{before}session_token={}.{forged}.{}&{after}",
        parts[0], parts[2]
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn back_after_signing_in_says_the_step_is_finished_and_the_link_again_that_it_was_done() {
    scenario(StackOptions::default(), |client, stack| async move {
        sign_in_as(&client, &start_page(&stack), BRUNO).await;
        wait_for_form(&client).await;
        let link = arrived_link(&client).await;
        assert!(
            link.contains("session_token=") && link.contains("state="),
            "{link}"
        );

        let inputs = valid_inputs(&stack.forms["profile"], "en");
        fill_by_clicking(&client, &inputs).await;
        submit(&client).await;
        wait_for_signed_in(&client).await;

        // Back from the tenant: the tab handed this login back, so the page says the step is
        // finished and offers the way back to the application, not a form or a dead end.
        client.back().await.unwrap();
        tokio::time::sleep(Duration::from_millis(500)).await;
        let url = client.current_url().await.unwrap();
        assert_eq!(
            url.port(),
            Some(stack.signer_addr.port()),
            "back returns to the page"
        );
        wait_for_text(&client, "You have finished this step").await;
        assert!(!exists(&client, SUBMIT).await);
        assert_accessible(&client, "the page reached with the back button").await;
        screenshots(&client, "finished").await;
        // A reload is the same page.
        client.refresh().await.unwrap();
        wait_for_text(&client, "You have finished this step").await;
        client
            .find(Locator::LinkText("Go back to the application"))
            .await
            .expect("a way back to the application")
            .click()
            .await
            .unwrap();
        wait_for_text(&client, "Sign in as").await;
        assert_eq!(
            client.current_url().await.unwrap().port(),
            Some(stack.simulator_addr.port()),
            "the link leads to the application's start"
        );

        // The same link again (from history, a second tab): the step is done, and the page
        // says so as it opens.
        client.goto(&link).await.unwrap();
        wait_for_text(&client, "You have already completed this step").await;
        assert!(!exists(&client, SUBMIT).await);
        assert_accessible(&client, "the step already done").await;
        screenshots(&client, "already-done").await;
        stack
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reload_mid_form_keeps_the_login_and_the_answers() {
    scenario(StackOptions::default(), |client, stack| async move {
        sign_in_as(&client, &start_page(&stack), BRUNO).await;
        wait_for_form(&client).await;
        let company = wait_for(&client, "#field-company").await;
        company.send_keys("Keller Logistik AG").await.unwrap();

        client.refresh().await.unwrap();
        wait_for_form(&client).await;
        let company = wait_for(&client, "#field-company").await;
        assert_eq!(
            company.prop("value").await.unwrap().as_deref(),
            Some("Keller Logistik AG"),
            "the typed answer survives the reload"
        );
        fill_by_clicking(&client, &valid_inputs(&stack.forms["profile"], "en")).await;
        submit(&client).await;
        wait_for_signed_in(&client).await;
        let user = stack.stored_user("bruno").await;
        assert_eq!(user["user_metadata"]["company"], "Keller Logistik AG");
        stack
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn when_the_signer_is_down_the_answers_wait_for_a_retry() {
    scenario(StackOptions::default(), |client, mut stack| async move {
        sign_in_as(&client, &start_page(&stack), BRUNO).await;
        wait_for_form(&client).await;
        fill_by_clicking(&client, &valid_inputs(&stack.forms["profile"], "en")).await;

        stack.stop_signer().await;
        submit(&client).await;
        wait_for_text(&client, "We could not reach the server").await;
        assert_accessible(&client, "the network error").await;
        screenshots(&client, "network-error").await;

        stack.start_signer().await;
        client
            .find(Locator::XPath("//button[normalize-space(.)='Try again']"))
            .await
            .expect("a Try again button")
            .click()
            .await
            .unwrap();
        wait_for_signed_in(&client).await;
        let user = stack.stored_user("bruno").await;
        assert_eq!(user["user_metadata"]["company"], "Keller Logistik AG");
        stack
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn screenshots_at_320_and_1280_px_of_every_state() {
    scenario(StackOptions::default(), |client, stack| async move {
        client.goto(&start_page(&stack)).await.unwrap();
        screenshots(&client, "simulator-start").await;

        sign_in_as(&client, &start_page(&stack), BRUNO).await;
        wait_for_form(&client).await;
        screenshots(&client, "profile-form").await;
        submit(&client).await;
        wait_for(&client, ".error-summary").await;
        screenshots(&client, "profile-errors").await;
        fill_by_clicking(&client, &valid_inputs(&stack.forms["profile"], "en")).await;
        submit(&client).await;
        wait_for_signed_in(&client).await;
        screenshots(&client, "signed-in").await;

        sign_in_as(&client, &start_page(&stack), CHLOE).await;
        wait_for_form(&client).await;
        screenshots(&client, "terms-form-fr").await;
        assert_accessible(&client, "the terms form at 1280 px").await;

        // A link that lost its token (this tab still remembers Chloé's login, which a bare
        // address would resume).
        client
            .goto(&format!("{}/?state=only-a-state", stack.signer_origin()))
            .await
            .unwrap();
        wait_for_text(&client, "This link is not complete").await;
        screenshots(&client, "link-problem").await;
        assert_accessible(&client, "the incomplete link").await;
        stack
    })
    .await;
}

/// What the simulator's start page says about `name` (their entry in its list of users).
async fn user_entry(client: &Client, name: &str) -> String {
    match client
        .find(Locator::XPath(&format!(
            "//li[contains(@class, 'user')][h2[normalize-space()='{name}']]"
        )))
        .await
    {
        Ok(entry) => entry.text().await.unwrap_or_default(),
        Err(_) => String::new(),
    }
}

/// The profile form stored in `user_metadata` and the terms' consents in
/// `app_metadata.consents.{field}`, through the simulator's Management API.
fn back_channel() -> StackOptions {
    StackOptions {
        back_channel: Some(
            BackChannel::new()
                .form("profile", Delivery::UserMetadata, None)
                .form("terms", Delivery::AppMetadata, Some("consents.{field}")),
        ),
        ..StackOptions::default()
    }
}

/// The answers the simulator's signed-in page lists: what the continue token carried.
async fn answers_the_token_carried(client: &Client) -> serde_json::Value {
    let page = body_text(client).await;
    assert!(
        page.contains("Answers stored by the stopover"),
        "the login went through a stopover: {page}"
    );
    client
        .execute(
            "return Array.from(document.querySelectorAll('main dl dt, main dl dd'), e => e.textContent);",
            vec![],
        )
        .await
        .unwrap()
}

/// The keys the continue token's `stored` record named at `short_id`'s last login, as the
/// simulator recorded what `validateToken` returned.
async fn stored_record(stack: &Stack, short_id: &str) -> serde_json::Value {
    let logins = stack.logins(short_id).await;
    let last = logins.last().expect("a login");
    assert_eq!(last["status"], "signed_in", "{last}");
    last["continued"]["stored"].clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_back_channel_form_is_stored_through_the_management_api_and_the_token_carries_no_answers()
{
    scenario(back_channel(), |client, stack| async move {
        // Bruno's profile goes to user_metadata.
        sign_in_as(&client, &start_page(&stack), BRUNO).await;
        let form = &stack.forms["profile"];
        wait_for_text(&client, form.title.get("en")).await;
        wait_for_form(&client).await;
        assert_accessible(&client, "the profile form in back-channel mode").await;
        fill_by_clicking(&client, &valid_inputs(form, "en")).await;
        submit(&client).await;
        wait_for_signed_in(&client).await;

        assert_eq!(
            answers_the_token_carried(&client).await,
            json!([]),
            "the continue token carried no answer"
        );
        let profile = wait_for(&client, "main pre").await.text().await.unwrap();
        assert!(
            profile.contains("Keller Logistik AG") && profile.contains("+4930901820"),
            "the simulator shows the metadata the signer stored: {profile}"
        );
        assert_accessible(&client, "the signed-in page after a back-channel store").await;

        let bruno = stack.stored_user("bruno").await;
        assert_eq!(bruno["user_metadata"]["company"], "Keller Logistik AG");
        assert_eq!(bruno["user_metadata"]["phone"], "+4930901820");
        assert_eq!(bruno["user_metadata"]["account_ref"], "ACC-1002");
        let stored = stored_record(&stack, "bruno").await;
        let keys = stored["user_metadata"].as_array().unwrap();
        for key in ["company", "phone", "country", "account_ref"] {
            assert!(keys.contains(&json!(key)), "{key} not in {stored}");
        }
        assert!(
            !keys.contains(&json!("privacy_notice")),
            "static text is not stored"
        );
        assert_eq!(stored.get("app_metadata"), None, "{stored}");
        let stats = stack.management_stats().await;
        assert_eq!(stats["tokens_issued"], 1, "{stats}");
        assert_eq!(stats["user_updates"], 1, "one PATCH: {stats}");

        // Chloé's consents go to app_metadata.consents, beside what is already there.
        sign_in_as(&client, &start_page(&stack), CHLOE).await;
        let form = &stack.forms["terms"];
        wait_for_text(&client, form.title.get("fr")).await;
        wait_for_form(&client).await;
        fill_by_clicking(&client, &valid_inputs(form, "fr")).await;
        submit(&client).await;
        wait_for_signed_in(&client).await;
        assert_eq!(answers_the_token_carried(&client).await, json!([]));
        let chloe = stack.stored_user("chloe").await;
        for consent in ["terms", "privacy"] {
            let record = &chloe["app_metadata"]["consents"][consent];
            assert_eq!(record["accepted"], true, "{chloe}");
            assert_eq!(record["version"], json!(form.version), "{chloe}");
        }
        assert_eq!(
            chloe["app_metadata"]["account_ref"], "ACC-1003",
            "siblings stay"
        );
        assert_eq!(
            stored_record(&stack, "chloe").await,
            json!({"app_metadata": ["consents"]})
        );
        let stats = stack.management_stats().await;
        assert_eq!(
            stats["tokens_issued"], 1,
            "the access token is reused: {stats}"
        );
        assert_eq!(stats["user_updates"], 2, "{stats}");

        // What was stored counts: Bruno's next sign-in needs no stopover.
        sign_in_as(&client, &start_page(&stack), BRUNO).await;
        wait_for_signed_in(&client).await;
        assert!(body_text(&client).await.contains("No stopover was needed"));
        stack
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn when_the_management_api_keeps_failing_nothing_is_minted_and_try_again_stores_once() {
    scenario(back_channel(), |client, stack| async move {
        sign_in_as(&client, &start_page(&stack), BRUNO).await;
        wait_for_form(&client).await;
        fill_by_clicking(&client, &valid_inputs(&stack.forms["profile"], "en")).await;

        stack
            .add_management_fault(&json!({"kind": "server_error", "status": 503, "count": 1000}))
            .await;
        submit(&client).await;
        wait_for_text(&client, "Something went wrong on our side").await;
        assert_eq!(
            client.current_url().await.unwrap().port(),
            Some(stack.signer_addr.port()),
            "nothing was minted, so nothing went to the tenant"
        );
        assert_accessible(&client, "a failed back-channel store").await;
        screenshots(&client, "back-channel-unavailable").await;
        assert_eq!(
            stack.stored_user("bruno").await["user_metadata"].get("company"),
            None
        );
        let stats = stack.management_stats().await;
        assert_eq!(stats["user_updates"], 0, "{stats}");
        assert!(
            stats["faults_served"].as_u64().unwrap() >= 2,
            "the signer retried the 5xx: {stats}"
        );

        stack.clear_management_faults().await;
        client
            .find(Locator::XPath("//button[normalize-space(.)='Try again']"))
            .await
            .expect("a Try again button")
            .click()
            .await
            .unwrap();
        wait_for_signed_in(&client).await;
        assert_eq!(answers_the_token_carried(&client).await, json!([]));
        let bruno = stack.stored_user("bruno").await;
        assert_eq!(bruno["user_metadata"]["company"], "Keller Logistik AG");
        let stats = stack.management_stats().await;
        assert_eq!(stats["user_updates"], 1, "stored once: {stats}");
        stack
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_start_page_resets_a_user_so_a_shared_demo_can_walk_the_stopover_again() {
    scenario(StackOptions::default(), |client, stack| async move {
        sign_in_as(&client, &start_page(&stack), BRUNO).await;
        let form = &stack.forms["profile"];
        wait_for_form(&client).await;
        fill_by_clicking(&client, &valid_inputs(form, "en")).await;
        submit(&client).await;
        wait_for_signed_in(&client).await;

        client.goto(&start_page(&stack)).await.unwrap();
        let before = user_entry(&client, BRUNO).await;
        assert!(
            before.contains("Next sign-in finishes at once"),
            "Bruno's profile is complete now: {before}"
        );
        assert_accessible(&client, "the simulator's start page with Reset buttons").await;
        client
            .find(Locator::XPath(&format!(
                "//button[normalize-space()='Reset {BRUNO}']"
            )))
            .await
            .expect("a Reset button for Bruno")
            .click()
            .await
            .unwrap();
        let mut after = String::new();
        for _ in 0..50 {
            after = user_entry(&client, BRUNO).await;
            if after.contains("Next sign-in stops over at the profile form") {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert!(
            after.contains("Next sign-in stops over at the profile form"),
            "Bruno stops over again after the reset: {after}"
        );
        assert!(
            stack.stored_user("bruno").await["user_metadata"]
                .get("company")
                .is_none(),
            "what the stopover stored is forgotten"
        );

        sign_in_as(&client, &start_page(&stack), BRUNO).await;
        wait_for_text(&client, form.title.get("en")).await;
        wait_for_form(&client).await;
        stack
    })
    .await;
}
