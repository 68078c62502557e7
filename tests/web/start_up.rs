//! Start-up: the launch values read from the address bar and removed from it.

use leptos::prelude::*;
use serde_json::json;
use stopover_page::config::PageConfig;
use stopover_page::launch::LaunchQuery;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;

use crate::support::*;

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
