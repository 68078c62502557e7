//! Asking little per login: which questions a login with `max_fields_per_login` asks, the
//! form it shows and the signer validates, and the definition check of the cap.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use proptest::prelude::*;
use serde_json::{json, Map, Value};
use stopover_protocol::{validate_answers, DefinitionError, FieldErrorCode, FormDefinition};

const NOW: i64 = 1_795_000_000;

/// Five questions at most two a login; the newsletter's frequency comes with it, the job
/// title first, and the terms are always asked until accepted (a consent is never known).
fn profile() -> FormDefinition {
    serde_json::from_value(json!({
        "id": "profile", "version": "1", "title": "Profile", "submit_label": "Save",
        "max_fields_per_login": 2,
        "fields": [
            {"id": "intro", "kind": "static", "text": "A few questions."},
            {"id": "company", "kind": "text", "label": "Company", "required": true, "prefill": "company"},
            {"id": "phone", "kind": "tel", "label": "Phone", "required": true, "prefill": "phone"},
            {"id": "newsletter", "kind": "checkbox", "label": "Newsletter", "prefill": "newsletter"},
            {"id": "frequency", "kind": "radio", "label": "How often", "required": true,
             "options": [{"value": "weekly", "label": "Weekly"}, {"value": "monthly", "label": "Monthly"}],
             "show_if": {"field": "newsletter", "equals": true}, "prefill": "frequency"},
            {"id": "job_title", "kind": "text", "label": "Job title", "prefill": "job_title", "priority": -1},
            {"id": "ref", "kind": "hidden", "prefill": "ref"}
        ],
        "steps": [
            {"id": "work", "title": "Work", "fields": ["intro", "company", "job_title"]},
            {"id": "contact", "title": "Contact", "fields": ["phone", "newsletter", "frequency", "ref"]}
        ]
    }))
    .unwrap()
}

fn known(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        other => panic!("not an object: {other}"),
    }
}

fn asked(form: &FormDefinition, prefill: Value) -> Vec<String> {
    form.asked_fields(&known(prefill))
        .expect("the form has a cap")
}

#[test]
fn a_login_asks_the_first_questions_not_known_yet_by_priority() {
    let form = profile();
    assert_eq!(form.check(), Ok(()));
    assert_eq!(asked(&form, json!({})), ["company", "job_title"]);
    // What the profile holds is not asked again; a blank answer counts as given, null not.
    // The frequency comes with the newsletter, without counting.
    assert_eq!(
        asked(
            &form,
            json!({"job_title": "", "company": "ACME", "phone": null})
        ),
        ["phone", "newsletter", "frequency"]
    );
    assert_eq!(
        asked(
            &form,
            json!({"job_title": "CTO", "company": "ACME", "phone": "+33612345678"})
        ),
        ["newsletter", "frequency"]
    );
    assert_eq!(
        asked(
            &form,
            json!({"job_title": "CTO", "company": "ACME", "phone": "+33612345678", "newsletter": true})
        ),
        Vec::<String>::new(),
        "the frequency is not asked without its question"
    );
    let mut uncapped = profile();
    uncapped.max_fields_per_login = None;
    uncapped
        .fields
        .iter_mut()
        .for_each(|field| field.priority = None);
    assert_eq!(uncapped.asked_fields(&Map::new()), None);
    assert_eq!(*uncapped.for_login(&Map::new()), uncapped);
}

#[test]
fn the_form_of_a_login_holds_its_questions_and_the_signer_refuses_any_other() {
    let form = profile();
    let prefill = known(json!({"job_title": "CTO", "company": "ACME", "ref": "r-1"}));
    let login = form.for_login(&prefill);
    let ids: Vec<&str> = login.fields.iter().map(|field| field.id.as_str()).collect();
    assert_eq!(
        ids,
        ["phone", "newsletter", "frequency", "ref"],
        "the work step's text went with it"
    );
    let steps: Vec<&str> = login.steps.iter().map(|step| step.id.as_str()).collect();
    assert_eq!(
        steps,
        ["contact"],
        "a step left with nothing to ask is dropped"
    );
    assert_eq!(login.check(), Ok(()), "still a valid definition");

    // The company is required but not asked: not required this time. An answer to it is one
    // to a question this login did not ask.
    let answers = known(json!({"phone": "+33 6 12 34 56 78", "newsletter": false}));
    assert!(validate_answers(&login, &answers, &prefill, NOW).is_ok());
    let mut sneaked = answers.clone();
    sneaked.insert("company".to_owned(), json!("Evil Corp"));
    let errors = validate_answers(&login, &sneaked, &prefill, NOW).unwrap_err();
    assert_eq!(errors["company"], [FieldErrorCode::UnknownField]);
}

/// What `check` says of `form`, one line a problem.
fn problems(form: &FormDefinition) -> Vec<String> {
    let problems = form.check().err().unwrap_or_default();
    problems.iter().map(DefinitionError::to_string).collect()
}

#[test]
fn the_cap_and_priorities_are_checked_with_exact_messages() {
    let mut form = profile();
    form.max_fields_per_login = Some(0);
    form.fields[2].prefill = None;
    form.fields[4].priority = Some(1);
    form.fields[6].priority = Some(2);
    assert_eq!(
        problems(&form),
        [
            "form `profile`: max_fields_per_login must be at least 1",
            "form `profile`, field `phone`: needs a `prefill` key in a form with max_fields_per_login (a later login knows it is answered only from the token's prefill)",
            "form `profile`, field `frequency`: priority has no effect on a field with show_if (it is asked with `newsletter`)",
            "form `profile`, field `ref`: priority has no effect on a field the person does not answer",
        ]
    );
    let mut uncapped = profile();
    uncapped.max_fields_per_login = None;
    assert_eq!(
        problems(&uncapped),
        ["form `profile`, field `job_title`: priority has no effect without the form's max_fields_per_login"]
    );
}

fn any_prefill() -> impl Strategy<Value = Map<String, Value>> {
    let keys = [
        "company",
        "phone",
        "newsletter",
        "frequency",
        "job_title",
        "ref",
    ];
    proptest::collection::vec(
        proptest::option::of(prop_oneof![
            Just(Value::Null),
            Just(json!("")),
            Just(json!("ACME")),
            any::<bool>().prop_map(Value::Bool),
        ]),
        keys.len(),
    )
    .prop_map(move |values| {
        keys.iter()
            .zip(values)
            .filter_map(|(key, value)| Some(((*key).to_owned(), value?)))
            .collect()
    })
}

proptest! {
    /// Whatever the profile holds: at most the cap of questions counted (those without
    /// `show_if`), none already known, and the form of the login asks exactly those.
    #[test]
    fn a_login_never_asks_more_than_the_cap_nor_what_is_known(prefill in any_prefill(), cap in 1u32..5) {
        let mut form = profile();
        form.max_fields_per_login = Some(cap);
        let asked = form.asked_fields(&prefill).unwrap();
        let counted = asked
            .iter()
            .filter(|id| form.field(id).unwrap().show_if.is_none())
            .count();
        prop_assert!(counted <= cap as usize);
        for id in &asked {
            let key = form.field(id).unwrap().prefill.clone().unwrap();
            prop_assert!(prefill.get(&key).is_none_or(Value::is_null), "{id} is known");
        }
        let login = form.for_login(&prefill);
        let questions: Vec<String> = login
            .fields
            .iter()
            .filter(|field| field.kind.takes_answer())
            .map(|field| field.id.clone())
            .collect();
        prop_assert_eq!(questions, asked);
        prop_assert_eq!(login.check(), Ok(()));
    }
}
