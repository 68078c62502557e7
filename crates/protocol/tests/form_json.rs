//! The page's reader of a form definition's JSON ([`FormDefinition::from_json`]) reads what
//! serde's derive reads, and refuses what it refuses: on every form the project ships, and
//! on every variant of their JSON with one key removed, one unknown key added, or one value
//! replaced by `null` or a value of another type.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use serde::Deserialize;
use serde_json::{json, Value};
use stopover_protocol::FormDefinition;

/// The forms of a configuration file (its other keys ignored).
fn forms_of(toml_text: &str) -> Vec<FormDefinition> {
    #[derive(Deserialize)]
    struct File {
        forms: Vec<FormDefinition>,
    }
    toml::from_str::<File>(toml_text)
        .expect("the file's forms parse")
        .forms
}

/// Every form the project ships: the every-kind fixture, the demo's and the example's.
fn shipped_forms() -> Vec<FormDefinition> {
    let mut forms = vec![common::every_kind_form()];
    forms.extend(forms_of(include_str!("../../../config/demo.toml")));
    forms.extend(forms_of(include_str!(
        "../../../config/stopover.example.toml"
    )));
    assert!(forms.len() >= 5, "the demo and the example have forms");
    forms
}

/// Both readers on `json`: the same definition, or both refuse.
#[track_caller]
fn assert_read_alike(json: &Value) {
    let by_derive = serde_json::from_value::<FormDefinition>(json.clone());
    let by_hand = FormDefinition::from_json(json.clone());
    match (by_derive, by_hand) {
        (Ok(derived), Ok(read)) => assert_eq!(read, derived, "{json}"),
        (Err(_), Err(_)) => {}
        (derived, read) => panic!(
            "the readers differ on {json}:\n derive: {:?}\n by hand: {:?}",
            derived.map(|_| "read"),
            read.map(|_| "read")
        ),
    }
}

/// `value` with one change at every place: each object's keys removed one at a time, an
/// unknown key added to each object, and each value replaced by `null` and by values of
/// other types.
fn variants(value: &Value) -> Vec<Value> {
    let replacements = [
        json!(null),
        json!("x"),
        json!(-1),
        json!(1.5),
        json!(true),
        json!([]),
        json!({}),
    ];
    let mut out: Vec<Value> = replacements.to_vec();
    match value {
        Value::Object(map) => {
            let mut added = map.clone();
            added.insert("not_a_key".into(), json!(1));
            out.push(Value::Object(added));
            for (key, inner) in map {
                let mut removed = map.clone();
                removed.remove(key);
                out.push(Value::Object(removed));
                for variant in variants(inner) {
                    let mut changed = map.clone();
                    changed.insert(key.clone(), variant);
                    out.push(Value::Object(changed));
                }
            }
        }
        Value::Array(items) => {
            for (index, inner) in items.iter().enumerate() {
                for variant in variants(inner) {
                    let mut changed = items.clone();
                    changed[index] = variant;
                    out.push(Value::Array(changed));
                }
            }
        }
        _ => {}
    }
    out
}

#[test]
fn every_shipped_form_reads_back_as_written() {
    for form in shipped_forms() {
        let json = serde_json::to_value(&form).unwrap();
        assert_eq!(FormDefinition::from_json(json).unwrap(), form);
    }
}

#[test]
fn both_readers_agree_on_every_one_change_to_the_shipped_forms() {
    let mut checked = 0;
    for form in shipped_forms() {
        let json = serde_json::to_value(&form).unwrap();
        for variant in variants(&json) {
            assert_read_alike(&variant);
            checked += 1;
        }
    }
    assert!(checked > 1_000, "only {checked} variants");
}

#[test]
fn a_refusal_says_where() {
    let mut json = serde_json::to_value(common::every_kind_form()).unwrap();
    json["fields"][0]["requird"] = json!(true);
    let problem = FormDefinition::from_json(json).unwrap_err();
    assert!(problem.contains("unknown field `requird`"), "{problem}");
    assert!(problem.starts_with("field `"), "{problem}");
}
