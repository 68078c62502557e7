//! What a person does on the pages, and what the tests check there: waiting for text,
//! filling a form from its definition (by clicking or by keyboard), the axe-core audit and
//! screenshots.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::key::Key;
use fantoccini::{Client, Locator};
use serde_json::{json, Value};
use stopover_protocol::form::TextFormat;
use stopover_protocol::{Field, FieldKind, FormDefinition};

use crate::browser::{DEFAULT_HEIGHT, DEFAULT_WIDTH};
use crate::workspace_root;

/// How long a test waits for something a person would see.
pub const PATIENCE: Duration = Duration::from_secs(20);

/// What the page's submit button is.
pub const SUBMIT: &str = "form.stopover-form button[type=submit]";

/// The text of the page as a person reads it.
pub async fn body_text(client: &Client) -> String {
    client
        .execute(
            "return document.body ? document.body.innerText : '';",
            vec![],
        )
        .await
        .ok()
        .and_then(|text| text.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// Waits until the page shows `text`; fails with what it shows instead.
pub async fn wait_for_text(client: &Client, text: &str) {
    let deadline = Instant::now() + PATIENCE;
    loop {
        let shown = body_text(client).await;
        if shown.contains(text) {
            return;
        }
        if Instant::now() > deadline {
            let url = client
                .current_url()
                .await
                .map(|u| u.to_string())
                .unwrap_or_default();
            panic!("waited for {text:?} on {url}; the page shows:\n{shown}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Waits until an element matches `css`.
pub async fn wait_for(client: &Client, css: &str) -> fantoccini::elements::Element {
    client
        .wait()
        .at_most(PATIENCE)
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|problem| panic!("no element {css}: {problem}"))
}

/// True when an element matches `css` now.
pub async fn exists(client: &Client, css: &str) -> bool {
    !client
        .find_all(Locator::Css(css))
        .await
        .unwrap_or_default()
        .is_empty()
}

/// The `lang` of `<html>`.
pub async fn document_language(client: &Client) -> String {
    client
        .execute("return document.documentElement.lang;", vec![])
        .await
        .ok()
        .and_then(|lang| lang.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// The stopover link as the browser arrived with it, before the page took `state` and the
/// token out of the address bar: what reopening it from history or another tab would load.
pub async fn arrived_link(client: &Client) -> String {
    let link = client
        .execute(
            "return performance.getEntriesByType('navigation')[0].name;",
            vec![],
        )
        .await
        .expect("the navigation entry");
    link.as_str().expect("a URL").to_owned()
}

/// Opens the simulator's start page and clicks "Sign in as NAME".
pub async fn sign_in_as(client: &Client, start_url: &str, name: &str) {
    client.goto(start_url).await.expect("the start page opens");
    client
        .find(Locator::LinkText(&format!("Sign in as {name}")))
        .await
        .expect("a sign-in link per test user")
        .click()
        .await
        .expect("the sign-in link can be clicked");
}

/// Waits for the form of `form` to be usable.
pub async fn wait_for_form(client: &Client) {
    wait_for(client, SUBMIT).await;
}

/// Clicks the form's submit button.
pub async fn submit(client: &Client) {
    wait_for(client, SUBMIT)
        .await
        .click()
        .await
        .expect("the submit button can be clicked");
}

/// Waits for the simulator's "signed in" page after the hand-off to `/continue`.
pub async fn wait_for_signed_in(client: &Client) {
    wait_for_text(client, "You are signed in as").await;
}

/// What a test types or picks for one field.
#[derive(Debug, Clone, PartialEq)]
pub enum Input {
    Type(String),
    Choose { value: String, label: String },
    Tick,
}

/// A valid answer for each field a person must (or usefully may) answer, from the form's
/// definition: the same values whether a test clicks or uses the keyboard.
pub fn valid_inputs(form: &FormDefinition, lang: &str) -> BTreeMap<String, Input> {
    form.fields
        .iter()
        .filter(|field| field.show_if.is_none())
        .filter_map(|field| Some((field.id.clone(), valid_input(field, lang)?)))
        .collect()
}

fn valid_input(field: &Field, lang: &str) -> Option<Input> {
    let typed = |text: &str| Some(Input::Type(text.to_owned()));
    match &field.kind {
        FieldKind::Text { format, .. } => match format {
            Some(TextFormat::Digits) => typed("20261101"),
            Some(TextFormat::Alphanumeric) => typed("AB12CD"),
            _ => typed("Keller Logistik AG"),
        },
        FieldKind::Email { .. } => typed("person@example.com"),
        FieldKind::Tel => typed("+4930901820"),
        FieldKind::Url { .. } => typed("https://example.com/"),
        FieldKind::Textarea { .. } if field.required => typed("A few words."),
        FieldKind::Number { min, .. } if field.required => typed(&min.unwrap_or(1.0).to_string()),
        FieldKind::Select { options } | FieldKind::Radio { options } => {
            options.first().map(|option| Input::Choose {
                value: option.value.clone(),
                label: option.label.get(lang).to_owned(),
            })
        }
        FieldKind::Consent { .. } => Some(Input::Tick),
        FieldKind::Checkbox | FieldKind::Checkboxes { .. } if field.required => Some(Input::Tick),
        _ => None,
    }
}

/// Fills every input of `inputs` by clicking and typing into the controls.
pub async fn fill_by_clicking(client: &Client, inputs: &BTreeMap<String, Input>) {
    for (field, input) in inputs {
        let control = wait_for(client, &format!("#field-{field}, #field-{field}-0")).await;
        match input {
            Input::Type(text) => {
                control.clear().await.expect("the field can be cleared");
                control.send_keys(text).await.expect("the field takes text");
            }
            Input::Choose { value, .. } => {
                let tag = control.tag_name().await.unwrap_or_default();
                if tag.eq_ignore_ascii_case("select") {
                    control
                        .select_by_value(value)
                        .await
                        .expect("the option can be chosen");
                } else {
                    control.click().await.expect("the choice can be clicked");
                }
            }
            Input::Tick => {
                if !control.is_selected().await.unwrap_or(false) {
                    control.click().await.expect("the box can be ticked");
                }
            }
        }
    }
}

/// Presses one key (a character, or a `Key` as its code point) with the keyboard.
pub async fn press(client: &Client, key: char) {
    let actions = KeyActions::new("keyboard".to_owned())
        .then(KeyAction::Down { value: key })
        .then(KeyAction::Up { value: key });
    client
        .perform_actions(actions)
        .await
        .expect("the keyboard works");
}

/// Types `text` with the keyboard into whatever has focus.
pub async fn type_text(client: &Client, text: &str) {
    let mut actions = KeyActions::new("keyboard".to_owned());
    for character in text.chars() {
        actions = actions
            .then(KeyAction::Down { value: character })
            .then(KeyAction::Up { value: character });
    }
    client
        .perform_actions(actions)
        .await
        .expect("the keyboard works");
}

/// The element with focus: its id, tag name and type.
pub async fn focused(client: &Client) -> (String, String, String) {
    let described = client
        .execute(
            "const e = document.activeElement; return e ? [e.id || '', e.tagName, e.type || ''] : ['', '', ''];",
            vec![],
        )
        .await
        .expect("scripts run");
    let part = |index: usize| described[index].as_str().unwrap_or_default().to_owned();
    (part(0), part(1).to_ascii_lowercase(), part(2))
}

/// Completes the form with the keyboard only: Tab from control to control, type, Space to
/// tick, type a choice's label into a select, Enter on the submit button.
pub async fn fill_and_submit_by_keyboard(client: &Client, inputs: &BTreeMap<String, Input>) {
    let mut done = Vec::new();
    for _ in 0..80 {
        press(client, Key::Tab.into()).await;
        let (id, tag, kind) = focused(client).await;
        if tag == "button" && kind == "submit" {
            let missing: Vec<_> = inputs
                .keys()
                .filter(|field| !done.contains(*field))
                .collect();
            assert!(
                missing.is_empty(),
                "Tab reached the submit button before {missing:?}"
            );
            press(client, Key::Enter.into()).await;
            return;
        }
        let Some((field, input)) = inputs
            .iter()
            .find(|(field, _)| id == format!("field-{field}") || id == format!("field-{field}-0"))
        else {
            continue;
        };
        match input {
            Input::Type(text) => type_text(client, text).await,
            Input::Choose { label, .. } => type_text(client, label).await,
            Input::Tick => press(client, Key::Space.into()).await,
        }
        done.push(field.clone());
    }
    panic!("80 presses of Tab never reached the submit button");
}

/// Runs axe-core on the current page and fails, listing them, on any violation.
pub async fn assert_accessible(client: &Client, state: &str) {
    let path = workspace_root().join("tools/node_modules/axe-core/axe.min.js");
    let source = std::fs::read_to_string(&path).unwrap_or_else(|_| {
        panic!(
            "axe-core is missing ({}): run `cargo xtask setup`, which runs `npm install axe-core` \
             into ./tools. The accessibility audit is part of this test and is not skipped.",
            path.display()
        )
    });
    let loaded = client
        .execute(
            &format!("{source}\n;return typeof axe === 'object';"),
            vec![],
        )
        .await
        .expect("axe-core can be injected");
    assert_eq!(loaded, json!(true), "axe-core did not load on {state}");
    let outcome = client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             axe.run(document, { resultTypes: ['violations'] })
               .then(r => done(r.violations.map(v => ({
                   id: v.id, impact: v.impact, help: v.help,
                   nodes: v.nodes.map(n => n.target.join(' ') + ' :: ' + n.failureSummary) }))))
               .catch(e => done({ error: String(e) }));",
            vec![],
        )
        .await
        .expect("axe-core runs");
    let violations = match outcome {
        Value::Array(violations) => violations,
        other => panic!("axe-core failed on {state}: {other}"),
    };
    assert!(
        violations.is_empty(),
        "axe-core found {} accessibility violation(s) on {state}:\n{}",
        violations.len(),
        serde_json::to_string_pretty(&violations).unwrap_or_default()
    );
}

/// Where screenshots go for review (`artifacts/`, git-ignored).
pub fn screenshot_dir() -> PathBuf {
    let dir = workspace_root().join("artifacts/screenshots");
    std::fs::create_dir_all(&dir).expect("artifacts/screenshots can be created");
    dir
}

/// Saves screenshots of the current page at 320 px and 1280 px wide as
/// `artifacts/screenshots/{name}-{width}.png`, and leaves the window at the default size.
pub async fn screenshots(client: &Client, name: &str) {
    for width in [320, 1280] {
        resize_viewport(client, width, DEFAULT_HEIGHT).await;
        let png = client.screenshot().await.expect("a screenshot");
        let path = screenshot_dir().join(format!("{name}-{width}.png"));
        std::fs::write(&path, png).expect("the screenshot is saved");
    }
    resize_viewport(client, DEFAULT_WIDTH, DEFAULT_HEIGHT).await;
}

/// Makes the page's viewport `width` CSS pixels wide.
pub async fn resize_viewport(client: &Client, width: u32, height: u32) {
    client
        .set_window_size(width, height)
        .await
        .expect("the window can be resized");
    tokio::time::sleep(Duration::from_millis(200)).await;
    let inner = client
        .execute("return window.innerWidth;", vec![])
        .await
        .expect("scripts run");
    assert_eq!(
        inner,
        json!(width),
        "the viewport did not become {width} px wide"
    );
}
