//! Forms in steps: the definition check of `steps`, which steps a person goes through, what
//! each step answers for, and that the steps change nothing the signer accepts.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{every_kind_form, minimal_answers, object, NOW};
use proptest::prelude::*;
use serde_json::{json, Map, Value};
use stopover_protocol::{
    is_visible, shown_steps, step_errors, validate_answers, DefinitionError, FieldErrorCode,
    FieldKind, FormDefinition, LocalizedText, Step,
};

fn step(id: &str, fields: &[&str]) -> Step {
    Step {
        id: id.to_owned(),
        title: LocalizedText::new("en", &format!("About {id}")),
        fields: fields.iter().map(|id| (*id).to_owned()).collect(),
    }
}

/// The every-kind fixture in four steps; the last one, `extras`, has only fields that
/// `show_if` hides until the newsletter is chosen.
fn stepped_form() -> FormDefinition {
    let mut form = every_kind_form();
    form.steps = vec![
        step(
            "you",
            &["welcome", "company", "code", "phone", "email", "website"],
        ),
        step(
            "numbers",
            &["seats", "ratio", "birth_date", "country", "tenant_ref"],
        ),
        step("plan", &["plan", "topics", "newsletter", "terms", "source"]),
        step("extras", &["frequency", "note"]),
    ];
    form
}

fn problems(form: &FormDefinition) -> Vec<String> {
    form.check()
        .err()
        .unwrap_or_default()
        .iter()
        .map(DefinitionError::to_string)
        .collect()
}

#[test]
fn a_form_in_steps_is_valid_and_travels_as_json() {
    let form = stepped_form();
    assert_eq!(form.check(), Ok(()));
    let wire = serde_json::to_value(&form).unwrap();
    assert_eq!(
        wire["steps"][3],
        json!({"id": "extras", "title": {"en": "About extras"}, "fields": ["frequency", "note"]})
    );
    assert_eq!(
        serde_json::from_value::<FormDefinition>(wire).unwrap(),
        form
    );
    let one_page = serde_json::to_value(every_kind_form()).unwrap();
    assert!(
        one_page.get("steps").is_none(),
        "a form of one page says nothing of steps"
    );
}

#[test]
fn steps_are_written_in_toml_beside_the_fields() {
    let toml = format!(
        "{}\n[[steps]]\nid = \"all\"\ntitle = {{ en = \"Everything\", fr = \"Tout\" }}\nfields = {:?}\n",
        common::EVERY_KIND_TOML,
        every_kind_form().fields.iter().map(|f| f.id.as_str()).collect::<Vec<_>>()
    );
    let form: FormDefinition = toml::from_str(&toml).unwrap();
    assert_eq!(form.steps.len(), 1);
    assert_eq!(form.steps[0].title.get("fr"), "Tout");
    assert_eq!(form.check(), Ok(()));
    let typo = toml.replace("[[steps]]\nid", "[[steps]]\nname = \"x\"\nid");
    let error = toml::from_str::<FormDefinition>(&typo)
        .unwrap_err()
        .to_string();
    assert!(error.contains("unknown field `name`"), "{error}");
}

#[test]
fn every_problem_with_steps_is_named() {
    let mut form = stepped_form();
    form.steps[0].fields.retain(|id| id != "code");
    form.steps[1].fields.push("phone".to_owned());
    form.steps[2].fields.push("nickname".to_owned());
    form.steps[3].title = LocalizedText::new("en", " ");
    form.steps.push(step("you", &[]));
    form.steps.push(step("bad id", &["website"]));
    assert_eq!(
        problems(&form),
        [
            "form `profile`: step `plan` names unknown field `nickname`",
            "form `profile`: the title of step `extras` is blank",
            "form `profile`: step `you` is declared twice",
            "form `profile`: step `you` has no fields",
            "form `profile`: step id `bad id` may only hold letters, digits, `_` and `-`",
            "form `profile`, field `code`: is in no step (in a form with steps, every field is in one)",
            "form `profile`, field `phone`: is in more than one step: `you`, `numbers`",
            "form `profile`, field `website`: is in more than one step: `you`, `bad id`",
        ]
    );
}

#[test]
fn show_if_may_not_wait_for_an_answer_of_a_later_step() {
    let mut form = stepped_form();
    // `frequency` depends on `newsletter`: asked in `plan` and then `extras`, fine; the
    // other way round the page could not know, on `plan`, whether to ask `frequency`.
    form.steps[2].fields.retain(|id| id != "newsletter");
    form.steps[2].fields.push("frequency".to_owned());
    form.steps[3].fields = vec!["newsletter".to_owned(), "note".to_owned()];
    assert_eq!(
        problems(&form),
        ["form `profile`, field `frequency`: show_if names `newsletter`, which is asked in a later step (`extras`)"]
    );
}

#[test]
fn a_tenant_that_declares_a_language_gets_every_step_title_in_it() {
    let mut form = stepped_form();
    form.steps[1].title = LocalizedText::new("fr", "Chiffres");
    let missing: Vec<String> = form
        .missing_language("en")
        .iter()
        .map(DefinitionError::to_string)
        .collect();
    assert!(
        missing
            .contains(&"form `profile`: the title of step `numbers` has no `en` text".to_owned()),
        "{missing:#?}"
    );
}

#[test]
fn a_step_whose_every_field_is_hidden_is_skipped() {
    let form = stepped_form();
    assert_eq!(shown_steps(&form, &minimal_answers()), [0, 1, 2]);
    let mut answers = minimal_answers();
    answers.insert("newsletter".to_owned(), json!(true));
    assert_eq!(shown_steps(&form, &answers), [0, 1, 2, 3]);
    assert_eq!(
        shown_steps(&every_kind_form(), &answers),
        Vec::<usize>::new()
    );

    // A step of hidden fields only is never shown: nobody answers them.
    let mut form = stepped_form();
    form.steps[1].fields.retain(|id| id != "tenant_ref");
    form.steps[2].fields.retain(|id| id != "source");
    form.steps.push(step("internal", &["tenant_ref", "source"]));
    assert_eq!(form.check(), Ok(()));
    assert_eq!(shown_steps(&form, &answers), [0, 1, 2, 3]);
}

#[test]
fn a_step_answers_for_the_errors_of_its_own_fields() {
    let form = stepped_form();
    let answers = object(json!({"company": "", "seats": 10_000, "terms": false}));
    let errors = validate_answers(&form, &answers, &Map::new(), NOW).unwrap_err();
    let on = |index| step_errors(&form, index, &errors);
    assert_eq!(on(0).keys().collect::<Vec<_>>(), ["company", "phone"]);
    assert_eq!(on(1).keys().collect::<Vec<_>>(), ["country", "seats"]);
    assert_eq!(on(2).keys().collect::<Vec<_>>(), ["terms"]);
    assert_eq!(on(2)["terms"], [FieldErrorCode::MustAccept]);
    assert!(on(3).is_empty());
}

/// Any answers as the page may hold them: each field of the fixture given something plausible
/// or nothing.
fn any_answers() -> impl Strategy<Value = Map<String, Value>> {
    let form = every_kind_form();
    let ids: Vec<String> = form.fields.iter().map(|field| field.id.clone()).collect();
    proptest::collection::vec(
        proptest::option::of(prop_oneof![
            any::<bool>().prop_map(Value::Bool),
            Just(json!("weekly")),
            Just(json!("monthly")),
            Just(json!("ACME")),
            (0..200i64).prop_map(Value::from),
        ]),
        ids.len(),
    )
    .prop_map(move |values| {
        ids.iter()
            .zip(values)
            .filter_map(|(id, value)| Some((id.clone(), value?)))
            .collect()
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Whatever the answers, the steps shown are in order, and together they hold every field
    /// the person is shown, each exactly once: a step never hides a question, and the errors
    /// of the steps add up to the errors of the whole form the signer finds.
    #[test]
    fn the_shown_steps_hold_every_shown_field_once(answers in any_answers()) {
        let form = stepped_form();
        let steps = shown_steps(&form, &answers);
        prop_assert!(steps.windows(2).all(|pair| pair[0] < pair[1]));
        for field in &form.fields {
            let shown = !matches!(field.kind, FieldKind::Hidden { .. })
                && is_visible(&form, &field.id, &answers);
            let holding = steps
                .iter()
                .filter(|&&index| form.steps[index].fields.contains(&field.id))
                .count();
            prop_assert!(!shown || holding == 1, "{} is in {holding} shown steps", field.id);
        }
        let errors = validate_answers(&form, &answers, &Map::new(), NOW).err().unwrap_or_default();
        let mut by_step = stopover_protocol::FieldErrors::new();
        for index in 0..form.steps.len() {
            by_step.extend(step_errors(&form, index, &errors));
        }
        prop_assert_eq!(by_step, errors);
    }

    /// Steps are only how the page asks: the signer accepts the same answers with or without.
    #[test]
    fn steps_change_nothing_the_signer_accepts(answers in any_answers()) {
        let stepped = validate_answers(&stepped_form(), &answers, &Map::new(), NOW);
        let one_page = validate_answers(&every_kind_form(), &answers, &Map::new(), NOW);
        prop_assert_eq!(stepped, one_page);
    }
}
