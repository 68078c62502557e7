//! The page meets the signer's real rate limit (HTTP 429 with `Retry-After`), waits as told, and
//! sends the same answers again without the person retyping them.
//!
//! The limit is per client IP, and every page test reaches the signer from 127.0.0.1, so
//! emptying the bucket would make any submit that follows fail. That is why this test lives in
//! its own binary, named to sort after `web` (tests/web/): cargo runs test binaries one after
//! another in name order, so it runs last, and nothing shares the signer after it. With
//! `rate_limit_per_minute = 60` (config/demo.toml) the bucket refills one request a second.
#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use gloo_net::http::Request;
use serde_json::json;
use stopover_page::session::now_seconds;
use support::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// More than any configured burst the demo allows (`rate_limit_per_minute = 60`).
const MOST_REQUESTS_TO_EMPTY_THE_BUCKET: usize = 200;

#[wasm_bindgen_test]
async fn a_rate_limited_submit_waits_for_retry_after_then_succeeds_without_retyping() {
    let signer = signer();
    let token = mint(signer.secret, json!({"form": "terms", "locale": "en"}), 300);
    let state = format!("state-429-{}", now_seconds());
    let page = mount_app(Ok(launch_with(&state, &token)), signer.config());
    page.wait_for("#field-terms").await;
    page.click("#field-terms").await;
    page.click("#field-privacy").await;

    let retry_after = empty_the_bucket(signer.url).await;
    assert!(retry_after >= 1, "the signer says how long to wait");
    page.click("button[type='submit']").await;

    let notice = page.wait_for(".notice").await;
    assert!(
        notice.text_content().unwrap().contains("Too many attempts"),
        "{}",
        page.text()
    );
    assert!(page.text().contains("Please wait"), "{}", page.text());
    let retry: web_sys::HtmlButtonElement = page.find(".notice button").unchecked_into();
    assert!(retry.disabled(), "no retry before Retry-After has passed");
    retry.click();
    tick().await;
    assert!(
        page.query("form.handoff").is_none(),
        "a disabled button sends nothing"
    );

    for _ in 0..((retry_after + 3) * 20) {
        if !retry.disabled() {
            break;
        }
        sleep(50).await;
    }
    assert!(
        !retry.disabled(),
        "the retry is offered once the wait is over"
    );
    assert!(page.text().contains("You can try again now."));
    assert!(
        page.input("#field-terms").checked() && page.input("#field-privacy").checked(),
        "the answers are still there"
    );
    retry.click();

    let handoff = page.wait_for("form.handoff").await;
    assert_eq!(
        attr(&handoff, "action"),
        format!("http://{}/continue?state={state}", signer.issuer)
    );
}

/// Sends requests to `POST /api/continue` until the signer answers 429; returns its
/// `Retry-After` in seconds.
async fn empty_the_bucket(signer_url: &str) -> u64 {
    let url = format!("{signer_url}/api/continue");
    for _ in 0..MOST_REQUESTS_TO_EMPTY_THE_BUCKET {
        let response = Request::post(&url)
            .header("Content-Type", "application/json")
            .body("{}")
            .unwrap()
            .send()
            .await
            .unwrap();
        if response.status() == 429 {
            let header = response.headers().get("retry-after");
            return header
                .expect("a 429 carries Retry-After, readable through CORS")
                .parse()
                .unwrap();
        }
    }
    panic!("{MOST_REQUESTS_TO_EMPTY_THE_BUCKET} requests never met the rate limit");
}
