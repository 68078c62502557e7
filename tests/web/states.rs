//! The states a person can meet besides the form: a broken or unverifiable link, an expired
//! sign-in, an unknown form, failures worth retrying.

use leptos::prelude::*;
use serde_json::json;
use stopover_page::api::ApiError;
use stopover_page::config::PageConfig;
use stopover_page::i18n::Lang;
use stopover_page::launch::{parse_query, LaunchError};
use stopover_page::session::{now_seconds, Session};
use stopover_page::states::{
    AlreadyDone, Expired, LinkProblem, NotVerified, RetryNotice, UnknownForm,
};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

use crate::forms::*;
use crate::support::*;

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
    let page = mount_form(every_kind_form(), session, Lang::EN);
    tick().await;
    assert!(page
        .find(".countdown")
        .text_content()
        .unwrap()
        .starts_with("Time left to finish: 0:0"));
    type_into(&page.input("#field-company"), "Typed before expiry").await;
    sleep(3200).await;
    assert!(page.text().contains("This sign-in has expired"));
    assert!(page.text().contains("Your answers are still shown above"));
    assert_eq!(page.input("#field-company").value(), "Typed before expiry");
    assert!(
        page.query("button[type='submit']").is_none(),
        "no submit of an expired sign-in"
    );
}

#[wasm_bindgen_test]
async fn an_expired_sign_in_offers_start_again_where_the_button_was() {
    let session = Session {
        expires_at: Some(now_seconds() + 1),
        ..Session::default()
    };
    let config = PageConfig {
        return_url: Some("https://app.example/start".to_owned()),
        ..PageConfig::default()
    };
    let launch = launch_with("st-expiring", "header.claims.signature");
    let page = mount_form_page(every_kind_form(), launch, session, config, Lang::EN);
    tick().await;
    sleep(2200).await;
    let start_again = page.find(".form-actions a.start-again");
    assert_eq!(attr(&start_again, "href"), "https://app.example/start");
    assert_eq!(start_again.text_content().unwrap(), "Start again");
    assert!(page
        .find(".form-actions .notice")
        .text_content()
        .unwrap()
        .contains("This sign-in has expired"));
}

#[wasm_bindgen_test]
async fn the_expired_page_offers_start_again_back_to_the_application() {
    let token = mint(
        "a-secret-that-is-only-used-for-decoding!!",
        json!({"form": "profile"}),
        -5,
    );
    let config = PageConfig {
        return_url: Some("https://app.example/".to_owned()),
        ..PageConfig::default()
    };
    let page = mount_app(Ok(launch_with("st-9", &token)), config);
    tick().await;
    let start_again = page.find("a.start-again");
    assert_eq!(attr(&start_again, "href"), "https://app.example/");
    assert_eq!(start_again.text_content().unwrap(), "Start again");
}

#[wasm_bindgen_test]
async fn the_time_left_is_in_view_beside_the_button_even_with_plenty_left() {
    let session = Session {
        expires_at: Some(now_seconds() + 600),
        ..Session::default()
    };
    let page = mount_form(every_kind_form(), session, Lang::EN);
    tick().await;
    let countdown = page.find(".form-actions .countdown");
    assert!(
        countdown
            .text_content()
            .unwrap()
            .starts_with("Time left to finish: 9:5")
            || countdown.text_content().unwrap() == "Time left to finish: 10:00",
        "{:?}",
        countdown.text_content()
    );
    page.find(".form-actions button[type='submit']");
    assert_eq!(
        page.find(".form-actions [role='status']")
            .text_content()
            .unwrap(),
        "",
        "nothing to announce with ten minutes left"
    );
}

#[wasm_bindgen_test]
async fn the_time_left_is_announced_politely_at_two_minutes_and_at_thirty_seconds() {
    let session = Session {
        expires_at: Some(now_seconds() + 122),
        ..Session::default()
    };
    let page = mount_form(every_kind_form(), session, Lang::EN);
    tick().await;
    let status = page.find(".form-actions [role='status']");
    assert_eq!(status.text_content().unwrap(), "");
    sleep(3100).await;
    assert_eq!(
        status.text_content().unwrap(),
        "You have 2 minutes left to finish."
    );
    drop(page);

    let session = Session {
        expires_at: Some(now_seconds() + 32),
        ..Session::default()
    };
    let page = mount_form(every_kind_form(), session, Lang::DE);
    tick().await;
    let status = page.find(".form-actions [role='status']");
    assert_eq!(
        status.text_content().unwrap(),
        "Sie haben noch 2 Minuten Zeit."
    );
    sleep(3100).await;
    assert_eq!(
        status.text_content().unwrap(),
        "Sie haben noch 30 Sekunden Zeit."
    );
    assert!(
        status.get_attribute("aria-live").is_none(),
        "role=status is polite by itself; assertive would interrupt"
    );
}

#[wasm_bindgen_test]
async fn every_whole_page_state_offers_a_way_back_to_the_application() {
    let config = PageConfig {
        return_url: Some("https://app.example/".to_owned()),
        ..PageConfig::default()
    };
    let with_config = |view: fn() -> AnyView| {
        let config = config.clone();
        mount(move || {
            provide_context(config);
            view()
        })
    };
    let pages = [
        mount_app(Err(LaunchError::MissingState), config.clone()),
        with_config(|| view! { <LinkProblem /> }.into_any()),
        with_config(|| view! { <NotVerified /> }.into_any()),
        with_config(|| view! { <Expired /> }.into_any()),
        with_config(|| view! { <AlreadyDone /> }.into_any()),
        with_config(|| view! { <UnknownForm /> }.into_any()),
    ];
    tick().await;
    for page in &pages {
        let heading = page.find("h1").text_content().unwrap();
        let link = page.find("a.start-again");
        assert_eq!(attr(&link, "href"), "https://app.example/", "{heading}");
        assert_eq!(link.text_content().unwrap(), "Start again", "{heading}");
    }
}
