//! The hand-off to Auth0's `/continue`, as the person lives it: one post, progress shown and
//! focused, and the "Continue" button only when the automatic post did not happen.
//!
//! The page must stay in the test runner, so `HTMLFormElement.prototype.submit` is replaced
//! for the test: on a slow network it starts navigating (`beforeunload`) and the answer is
//! slow to come; blocked, it does nothing at all.

use leptos::prelude::*;
use stopover_page::continue_form::{ContinueForm, FALLBACK_AFTER_MS};
use stopover_page::i18n::Lang;
use stopover_page::HandoffMode;
use stopover_protocol::ContinueResponse;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;
use web_sys::HtmlElement;

use crate::support::*;

/// `HTMLFormElement.prototype.submit` replaced by `body` until dropped; counts its calls.
struct StubbedSubmit {
    original: JsValue,
}

impl StubbedSubmit {
    fn new(body: &str) -> Self {
        let prototype = js_sys::Reflect::get(
            &js_sys::Reflect::get(&window(), &"HTMLFormElement".into()).unwrap(),
            &"prototype".into(),
        )
        .unwrap();
        let original = js_sys::Reflect::get(&prototype, &"submit".into()).unwrap();
        let stub = js_sys::Function::new_no_args(&format!(
            "window.__handoffPosts = (window.__handoffPosts || 0) + 1; {body}"
        ));
        js_sys::Reflect::set(&prototype, &"submit".into(), &stub).unwrap();
        js_sys::Reflect::set(&window(), &"__handoffPosts".into(), &0.into()).unwrap();
        Self { original }
    }

    fn posts(&self) -> f64 {
        js_sys::Reflect::get(&window(), &"__handoffPosts".into())
            .unwrap()
            .as_f64()
            .unwrap_or(0.0)
    }
}

impl Drop for StubbedSubmit {
    fn drop(&mut self) {
        let prototype = js_sys::Reflect::get(
            &js_sys::Reflect::get(&window(), &"HTMLFormElement".into()).unwrap(),
            &"prototype".into(),
        )
        .unwrap();
        js_sys::Reflect::set(&prototype, &"submit".into(), &self.original).unwrap();
    }
}

fn response() -> ContinueResponse {
    ContinueResponse {
        continue_url: "https://tenant.example/continue?state=s-1".to_owned(),
        fields: [
            ("state".to_owned(), "s-1".to_owned()),
            ("session_token".to_owned(), "a.b.c".to_owned()),
        ]
        .into(),
    }
}

fn mount_handoff(mode: HandoffMode) -> Mounted {
    mount(move || {
        provide_context(Lang::EN);
        provide_context(mode);
        view! { <ContinueForm response=response() /> }
    })
}

fn button_is_visible(page: &Mounted) -> bool {
    page.query("form.handoff button")
        .map(|button| button.unchecked_into::<HtmlElement>())
        .is_some_and(|button| button.offset_parent().is_some())
}

/// A `submit` event as pressing the button or Enter sends it (untrusted, so it never
/// navigates); true when the page let it go.
fn press_submit(page: &Mounted) -> bool {
    let init = web_sys::EventInit::new();
    init.set_bubbles(true);
    init.set_cancelable(true);
    let event = web_sys::Event::new_with_event_init_dict("submit", &init).unwrap();
    page.find("form.handoff").dispatch_event(&event).unwrap()
}

#[wasm_bindgen_test]
async fn on_a_slow_network_the_handoff_posts_once_and_offers_no_second_post() {
    // Navigation starts at once; the answer is slow to come, so the page stays a while.
    let stub = StubbedSubmit::new("window.dispatchEvent(new Event('beforeunload'));");
    let page = mount_handoff(HandoffMode::Automatic);
    tick().await;
    assert_eq!(stub.posts(), 1.0, "the form posts itself once");
    assert!(
        page.find("[role='status']")
            .text_content()
            .unwrap()
            .contains("Taking you back"),
        "progress is said"
    );
    page.find("progress");
    assert_eq!(
        document().active_element().unwrap().id(),
        "handoff-title",
        "focus moves to the hand-off"
    );
    assert!(
        !button_is_visible(&page),
        "no Continue button while posting"
    );

    sleep(FALLBACK_AFTER_MS as i32 + 500).await;
    assert!(
        !button_is_visible(&page),
        "a slow answer never brings the Continue button"
    );
    assert!(
        !press_submit(&page),
        "Enter on the hand-off cannot post the same state a second time"
    );
    assert_eq!(stub.posts(), 1.0);
}

#[wasm_bindgen_test]
async fn a_blocked_handoff_offers_continue_and_moves_focus_to_it() {
    let stub = StubbedSubmit::new("");
    let page = mount_handoff(HandoffMode::Automatic);
    tick().await;
    assert_eq!(stub.posts(), 1.0);
    assert!(
        !button_is_visible(&page),
        "not at once: the post may be starting"
    );

    sleep(FALLBACK_AFTER_MS as i32 + 500).await;
    assert!(
        button_is_visible(&page),
        "nothing happened: Continue is offered"
    );
    let active = document().active_element().unwrap();
    assert_eq!(active.tag_name(), "BUTTON", "focus moves to Continue");
    assert!(active.text_content().unwrap().contains("Continue"));
    assert!(page.text().contains("If nothing happens, select Continue."));

    // The person presses it: one post; a second press posts nothing. (A synthetic `submit`
    // event never navigates, so the runner stays on its page.)
    assert!(press_submit(&page), "the first press posts");
    assert!(!press_submit(&page), "a second press posts nothing");
}
