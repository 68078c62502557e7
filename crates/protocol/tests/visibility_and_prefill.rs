//! What the page calls to show a form: `is_visible` and `initial_value`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{every_kind_form, object};
use serde_json::{json, Map, Value};
use stopover_protocol::{hidden_value, initial_value, is_visible, validate_answers};

fn visible(answers: Value, field: &str) -> bool {
    is_visible(&every_kind_form(), field, &object(answers))
}

#[test]
fn field_without_show_if_is_visible() {
    assert!(visible(json!({}), "company"));
    assert!(visible(json!({}), "welcome"));
}

#[test]
fn unknown_field_is_not_visible() {
    assert!(!visible(json!({}), "nope"));
}

#[test]
fn show_if_on_a_checkbox_follows_its_state() {
    assert!(!visible(json!({}), "frequency"));
    assert!(!visible(json!({"newsletter": false}), "frequency"));
    assert!(visible(json!({"newsletter": true}), "frequency"));
    assert!(!visible(json!({"newsletter": "true"}), "frequency"));
}

#[test]
fn show_if_is_transitive_for_the_page_too() {
    assert!(visible(
        json!({"newsletter": true, "frequency": "weekly"}),
        "note"
    ));
    assert!(!visible(
        json!({"newsletter": false, "frequency": "weekly"}),
        "note"
    ));
    assert!(visible(
        json!({"newsletter": true, "frequency": " weekly "}),
        "note"
    ));
}

#[test]
fn show_if_matches_numbers_choices_and_normalised_text() {
    let mut form = every_kind_form();
    let cases = [
        ("seats", json!(5), json!("5"), json!("6")),
        (
            "topics",
            json!("news"),
            json!(["security", "news"]),
            json!(["billing"]),
        ),
        (
            "topics",
            json!(["news", "billing"]),
            json!(["billing", "news"]),
            json!(["news"]),
        ),
        (
            "phone",
            json!("+33612345678"),
            json!("+33 6 12 34 56 78"),
            json!("+33 6 12 34 56 79"),
        ),
        ("terms", json!(true), json!(true), json!(false)),
    ];
    for (controller, equals, shown_by, hidden_by) in cases {
        let code = form.fields.iter_mut().find(|f| f.id == "code").unwrap();
        code.show_if = Some(stopover_protocol::ShowIf {
            field: controller.into(),
            equals: equals.clone(),
        });
        assert_eq!(form.check(), Ok(()));
        let answers = |value: &Value| object(json!({ controller: value }));
        assert!(
            is_visible(&form, "code", &answers(&shown_by)),
            "{controller} = {shown_by}"
        );
        assert!(
            !is_visible(&form, "code", &answers(&hidden_by)),
            "{controller} = {hidden_by}"
        );
    }
}

#[test]
fn is_visible_and_validate_answers_agree() {
    let form = every_kind_form();
    let prefill = common::prefill();
    for answers in [
        json!({"company": "ACME", "phone": "+33612345678", "country": "fr", "terms": true}),
        json!({"company": "ACME", "phone": "+33612345678", "country": "fr", "terms": true, "newsletter": true, "frequency": "monthly"}),
        json!({"company": "ACME", "phone": "+33612345678", "country": "fr", "terms": true, "newsletter": true, "frequency": "weekly", "note": "hi"}),
    ] {
        let answers = object(answers);
        let clean = validate_answers(&form, &answers, &prefill, 0).unwrap();
        for field in ["frequency", "note"] {
            assert_eq!(
                is_visible(&form, field, &answers),
                clean.0.contains_key(field),
                "{field} in {answers:?}"
            );
        }
    }
}

#[test]
fn initial_value_prefers_the_prefill_over_the_default() {
    let form = every_kind_form();
    let prefill = object(json!({"company": "Initech"}));
    assert_eq!(
        initial_value(form.field("company").unwrap(), &prefill),
        Some(json!("Initech"))
    );
    assert_eq!(
        initial_value(form.field("company").unwrap(), &Map::new()),
        None
    );
    assert_eq!(
        initial_value(form.field("seats").unwrap(), &prefill),
        Some(json!(5))
    );
    assert_eq!(
        initial_value(form.field("country").unwrap(), &prefill),
        Some(json!("fr"))
    );
    assert_eq!(
        initial_value(form.field("newsletter").unwrap(), &prefill),
        Some(json!(false))
    );
}

#[test]
fn initial_value_converts_prefill_to_the_fields_type() {
    let mut form = every_kind_form();
    for id in ["code", "seats", "newsletter", "topics", "country"] {
        form.fields.iter_mut().find(|f| f.id == id).unwrap().prefill = Some(id.to_owned());
    }
    let prefill = object(json!({
        "code": 1234, "seats": "12", "newsletter": true, "topics": "news", "country": "de",
    }));
    let initial = |id: &str| initial_value(form.field(id).unwrap(), &prefill);
    assert_eq!(initial("code"), Some(json!("1234")));
    assert_eq!(initial("seats"), Some(json!(12.0)));
    assert_eq!(initial("newsletter"), Some(json!(true)));
    assert_eq!(initial("topics"), Some(json!(["news"])));
    assert_eq!(initial("country"), Some(json!("de")));
}

#[test]
fn initial_value_ignores_a_prefill_that_does_not_fit_and_uses_the_default() {
    let mut form = every_kind_form();
    for id in ["seats", "newsletter", "topics", "country"] {
        form.fields.iter_mut().find(|f| f.id == id).unwrap().prefill = Some(id.to_owned());
    }
    let prefill = object(json!({
        "seats": "lots", "newsletter": "yes", "topics": ["sports"], "country": "xx",
    }));
    let initial = |id: &str| initial_value(form.field(id).unwrap(), &prefill);
    assert_eq!(initial("seats"), Some(json!(5)));
    assert_eq!(initial("newsletter"), Some(json!(false)));
    assert_eq!(initial("topics"), None);
    assert_eq!(initial("country"), Some(json!("fr")));
}

#[test]
fn initial_value_of_a_prefilled_phone_is_shown_as_given() {
    let mut form = every_kind_form();
    form.fields
        .iter_mut()
        .find(|f| f.id == "phone")
        .unwrap()
        .prefill = Some("phone_number".into());
    let prefill = object(json!({"phone_number": "06 12 34 56 78"}));
    assert_eq!(
        initial_value(form.field("phone").unwrap(), &prefill),
        Some(json!("06 12 34 56 78"))
    );
}

#[test]
fn consent_and_static_never_start_with_a_value() {
    let form = every_kind_form();
    let prefill = object(json!({"terms": true, "welcome": "x"}));
    assert_eq!(initial_value(form.field("terms").unwrap(), &prefill), None);
    assert_eq!(
        initial_value(form.field("welcome").unwrap(), &prefill),
        None
    );
}

#[test]
fn hidden_field_starts_with_its_value() {
    let form = every_kind_form();
    let prefill = common::prefill();
    assert_eq!(
        initial_value(form.field("source").unwrap(), &prefill),
        Some(json!("stopover"))
    );
    assert_eq!(
        initial_value(form.field("tenant_ref").unwrap(), &prefill),
        Some(json!("acme-eu"))
    );
    assert_eq!(
        hidden_value(form.field("tenant_ref").unwrap(), &Map::new()),
        None
    );
    assert_eq!(hidden_value(form.field("company").unwrap(), &prefill), None);
}
