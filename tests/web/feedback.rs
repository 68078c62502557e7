//! Feedback where the person is: a phone user taps the button at the bottom of the form on a
//! slow network that then fails. The button keeps focus while sending; the failure is said
//! beside it and takes focus.

use leptos::prelude::*;
use serde_json::json;
use stopover_page::config::PageConfig;
use stopover_page::i18n::Lang;
use stopover_page::session::Session;
use stopover_protocol::FormDefinition;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;
use web_sys::HtmlElement;

use crate::support::*;

/// `window.fetch` answering after `ms` with a network failure, until dropped.
struct SlowFailingNetwork {
    original: JsValue,
}

impl SlowFailingNetwork {
    fn new(ms: u32) -> Self {
        let original = js_sys::Reflect::get(&window(), &"fetch".into()).unwrap();
        let slow = js_sys::Function::new_no_args(&format!(
            "return new Promise((_, fail) => setTimeout(() => fail(new TypeError('offline')), {ms}));"
        ));
        js_sys::Reflect::set(&window(), &"fetch".into(), &slow).unwrap();
        Self { original }
    }
}

impl Drop for SlowFailingNetwork {
    fn drop(&mut self) {
        js_sys::Reflect::set(&window(), &"fetch".into(), &self.original).unwrap();
    }
}

fn one_question() -> FormDefinition {
    serde_json::from_value(json!({
        "id": "one", "version": "1", "title": "One question", "submit_label": "Save",
        "fields": [{"id": "nickname", "kind": "text", "label": "Nickname"}]
    }))
    .unwrap()
}

#[wasm_bindgen_test]
async fn a_failed_submit_is_said_beside_the_button_which_stays_focusable_while_sending() {
    let network = SlowFailingNetwork::new(800);
    let launch = launch_with("fb-1", "header.claims.signature");
    let page = mount_form_page(
        one_question(),
        launch,
        Session::default(),
        PageConfig::default(),
        Lang::EN,
    );
    tick().await;
    let button: HtmlElement = page.find("button[type='submit']").unchecked_into();
    button.focus().unwrap();
    button.click();
    tick().await;

    let sending: HtmlElement = page.find("button[type='submit']").unchecked_into();
    assert_eq!(sending.text_content().unwrap(), "Sending…");
    assert_eq!(attr(&sending, "aria-disabled"), "true");
    assert!(
        !sending.has_attribute("disabled"),
        "disabled would drop focus"
    );
    assert!(
        document()
            .active_element()
            .unwrap()
            .is_same_node(Some(&sending)),
        "focus stays on the button while sending"
    );
    sending.click();
    tick().await;

    sleep(1200).await;
    let notice = page.find(".form-actions .notice");
    assert!(notice
        .text_content()
        .unwrap()
        .contains("We could not reach the server"));
    assert!(
        document()
            .active_element()
            .unwrap()
            .is_same_node(Some(&notice)),
        "the notice takes focus"
    );
    let button = page.find("button[type='submit']");
    assert!(
        button.parent_element().unwrap().is_same_node(
            notice
                .parent_element()
                .as_ref()
                .map(|parent| parent.as_ref())
        ),
        "the notice sits beside the button"
    );
    assert_eq!(button.text_content().unwrap(), "Save");
    assert!(!button.has_attribute("aria-disabled"));
    drop(network);
}
