//! `FormDefinition::check`: every problem a definition can have, each reported with its field.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::every_kind_form;
use serde_json::json;
use stopover_protocol::{DefinitionError, FieldKind, FormDefinition, LocalizedText, ShowIf};

/// The problems `check` reports after `change` is applied to the fixture form.
fn problems_after(change: impl FnOnce(&mut FormDefinition)) -> Vec<DefinitionError> {
    let mut form = every_kind_form();
    change(&mut form);
    form.check().expect_err("the changed form is refused")
}

fn field<'a>(form: &'a mut FormDefinition, id: &str) -> &'a mut stopover_protocol::Field {
    form.fields.iter_mut().find(|f| f.id == id).unwrap()
}

/// Asserts that exactly one problem is reported, for `field`, mentioning `words`.
#[track_caller]
fn assert_one(problems: &[DefinitionError], field: Option<&str>, words: &str) {
    assert_eq!(problems.len(), 1, "{problems:#?}");
    assert_eq!(problems[0].field.as_deref(), field, "{problems:#?}");
    assert!(
        problems[0].problem.contains(words),
        "`{}` lacks `{words}`",
        problems[0].problem
    );
}

#[test]
fn the_every_kind_fixture_is_valid() {
    assert_eq!(every_kind_form().check(), Ok(()));
}

#[test]
fn error_names_the_form_and_field() {
    let problems = problems_after(|f| field(f, "plan").kind = FieldKind::Radio { options: vec![] });
    assert_eq!(
        problems[0].to_string(),
        "form `profile`, field `plan`: has no options"
    );
    let problems = problems_after(|f| f.version = " ".into());
    assert_eq!(problems[0].to_string(), "form `profile`: version is blank");
}

#[test]
fn malformed_form_id_is_refused() {
    assert_one(
        &problems_after(|f| f.id.0 = String::new()),
        None,
        "form id is empty",
    );
    assert_one(
        &problems_after(|f| f.id.0 = "pro file".into()),
        None,
        "letters, digits",
    );
    assert_one(
        &problems_after(|f| f.id.0 = "x".repeat(65)),
        None,
        "longer than 64",
    );
}

#[test]
fn malformed_field_ids_are_refused() {
    assert_one(
        &problems_after(|f| field(f, "code").id = "cust.code".into()),
        Some("cust.code"),
        "letters, digits",
    );
    assert_one(
        &problems_after(|f| field(f, "code").id = String::new()),
        Some(""),
        "is empty",
    );
    let long = "c".repeat(65);
    assert_one(
        &problems_after(|f| field(f, "code").id = long.clone()),
        Some(long.as_str()),
        "longer than 64",
    );
    assert_eq!(
        every_kind_form_with(|f| field(f, "code").id = "Customer_code-2".into()).check(),
        Ok(())
    );
}

fn every_kind_form_with(change: impl FnOnce(&mut FormDefinition)) -> FormDefinition {
    let mut form = every_kind_form();
    change(&mut form);
    form
}

#[test]
fn duplicate_field_id_is_refused() {
    let problems = problems_after(|f| field(f, "code").id = "company".into());
    assert_one(
        &problems,
        Some("company"),
        "duplicate id (first used by field 2)",
    );
}

#[test]
fn blank_title_submit_label_and_version_are_refused() {
    assert_one(
        &problems_after(|f| f.title = LocalizedText::new("en", " ")),
        None,
        "title is blank",
    );
    assert_one(
        &problems_after(|f| f.submit_label = LocalizedText::new("en", "")),
        None,
        "submit_label is blank",
    );
    assert_one(
        &problems_after(|f| f.version = String::new()),
        None,
        "version is blank",
    );
}

#[test]
fn form_without_fields_is_refused() {
    assert_one(&problems_after(|f| f.fields.clear()), None, "has no fields");
}

#[test]
fn malformed_language_tag_is_refused() {
    let problems = problems_after(|f| f.title = LocalizedText::new("en_US!", "Hi"));
    assert_one(&problems, None, "malformed language tag `en_US!`");
}

#[test]
fn field_taking_an_answer_needs_a_label() {
    assert_one(
        &problems_after(|f| field(f, "phone").label = None),
        Some("phone"),
        "has no label",
    );
    let blank = Some(LocalizedText::new("en", "  "));
    assert_one(
        &problems_after(|f| field(f, "phone").label = blank),
        Some("phone"),
        "label is blank",
    );
}

#[test]
fn static_and_hidden_fields_need_no_label() {
    let form = every_kind_form();
    assert!(form.field("welcome").unwrap().label.is_none());
    assert!(form.field("source").unwrap().label.is_none());
    assert_eq!(form.check(), Ok(()));
}

#[test]
fn show_if_naming_an_unknown_field_is_refused() {
    let show_if = Some(ShowIf {
        field: "nope".into(),
        equals: json!(true),
    });
    assert_one(
        &problems_after(|f| field(f, "code").show_if = show_if),
        Some("code"),
        "unknown field `nope`",
    );
}

#[test]
fn show_if_naming_itself_is_refused() {
    let show_if = Some(ShowIf {
        field: "code".into(),
        equals: json!("x"),
    });
    assert_one(
        &problems_after(|f| field(f, "code").show_if = show_if),
        Some("code"),
        "the field itself",
    );
}

#[test]
fn show_if_naming_a_static_or_hidden_field_is_refused() {
    for controller in ["welcome", "source"] {
        let show_if = Some(ShowIf {
            field: controller.into(),
            equals: json!("stopover"),
        });
        let problems = problems_after(|f| field(f, "code").show_if = show_if);
        assert_one(&problems, Some("code"), "hidden or static field");
    }
}

#[test]
fn show_if_cycle_is_refused_with_its_path() {
    let show_if = Some(ShowIf {
        field: "note".into(),
        equals: json!(true),
    });
    let problems = problems_after(|f| field(f, "newsletter").show_if = show_if);
    assert_eq!(problems.len(), 3, "{problems:#?}");
    let newsletter = problems
        .iter()
        .find(|p| p.field.as_deref() == Some("newsletter"))
        .unwrap();
    assert!(
        newsletter
            .problem
            .contains("cycle: newsletter -> note -> frequency -> newsletter"),
        "{newsletter}"
    );
}

#[test]
fn show_if_value_that_can_never_match_is_refused() {
    for (controller, equals) in [
        ("newsletter", json!("yes")),
        ("country", json!("xx")),
        ("seats", json!("5")),
        ("seats", json!(1000)),
        ("phone", json!("+33 6 12 34 56 78")),
        ("topics", json!("sports")),
        ("topics", json!(["news", "news"])),
        ("terms", json!(false)),
    ] {
        let show_if = Some(ShowIf {
            field: controller.into(),
            equals: equals.clone(),
        });
        let problems = problems_after(|f| field(f, "code").show_if = show_if);
        assert_one(&problems, Some("code"), "can never match");
    }
}

#[test]
fn show_if_values_that_can_match_are_accepted() {
    for (controller, equals) in [
        ("newsletter", json!(false)),
        ("country", json!("de")),
        ("seats", json!(5)),
        ("phone", json!("+33612345678")),
        ("topics", json!("news")),
        ("topics", json!(["news", "billing"])),
        ("terms", json!(true)),
        ("birth_date", json!("2000-01-01")),
    ] {
        let show_if = Some(ShowIf {
            field: controller.into(),
            equals: equals.clone(),
        });
        let form = every_kind_form_with(|f| field(f, "code").show_if = show_if);
        assert_eq!(form.check(), Ok(()), "{controller} = {equals}");
    }
}

#[test]
fn choice_fields_without_options_are_refused() {
    assert_one(
        &problems_after(|f| field(f, "plan").kind = FieldKind::Select { options: vec![] }),
        Some("plan"),
        "has no options",
    );
    assert_one(
        &problems_after(|f| field(f, "plan").kind = FieldKind::Radio { options: vec![] }),
        Some("plan"),
        "has no options",
    );
}

#[test]
fn duplicate_option_values_are_refused() {
    let problems = problems_after(|f| {
        if let FieldKind::Checkboxes { options, .. } = &mut field(f, "topics").kind {
            options[2].value = "security".into();
        }
    });
    assert_one(
        &problems,
        Some("topics"),
        "option value `security` appears twice",
    );
}

#[test]
fn blank_option_value_or_label_is_refused() {
    let problems = problems_after(|f| {
        if let FieldKind::Radio { options } = &mut field(f, "plan").kind {
            options[0].value = " free".into();
        }
    });
    assert_one(&problems, Some("plan"), "surrounding blanks");
    let problems = problems_after(|f| {
        if let FieldKind::Radio { options } = &mut field(f, "plan").kind {
            options[0].label = LocalizedText::new("en", "");
        }
    });
    assert_one(&problems, Some("plan"), "blank label");
}

#[test]
fn min_above_max_is_refused_for_lengths_numbers_dates_and_selections() {
    let problems = problems_after(|f| {
        field(f, "code").kind = FieldKind::Text {
            min_length: Some(5),
            max_length: Some(4),
            format: None,
        }
    });
    assert_one(
        &problems,
        Some("code"),
        "min_length 5 is above max_length 4",
    );
    let problems = problems_after(|f| {
        field(f, "ratio").kind = FieldKind::Number {
            min: Some(2.0),
            max: Some(1.0),
            step: None,
        }
    });
    assert_one(&problems, Some("ratio"), "min 2 is above max 1");
    let problems = problems_after(|f| {
        field(f, "birth_date").kind = FieldKind::Date {
            min: Some("2020-01-02".into()),
            max: Some("2020-01-01".into()),
        }
    });
    assert_one(&problems, Some("birth_date"), "is after max");
    let problems = problems_after(|f| {
        if let FieldKind::Checkboxes {
            min_selected,
            max_selected,
            ..
        } = &mut field(f, "topics").kind
        {
            *min_selected = Some(3);
            *max_selected = Some(2);
        }
    });
    assert_one(
        &problems,
        Some("topics"),
        "min_selected 3 is above max_selected 2",
    );
}

#[test]
fn impossible_selection_counts_are_refused() {
    let problems = problems_after(|f| {
        if let FieldKind::Checkboxes {
            min_selected,
            max_selected,
            ..
        } = &mut field(f, "topics").kind
        {
            *min_selected = Some(4);
            *max_selected = None;
        }
    });
    assert_one(&problems, Some("topics"), "above the number of options");
    let problems = problems_after(|f| {
        if let FieldKind::Checkboxes {
            min_selected,
            max_selected,
            ..
        } = &mut field(f, "topics").kind
        {
            *min_selected = None;
            *max_selected = Some(0);
        }
    });
    assert_one(&problems, Some("topics"), "max_selected is 0");
}

#[test]
fn zero_max_length_is_refused() {
    let problems = problems_after(|f| {
        field(f, "email").kind = FieldKind::Email {
            max_length: Some(0),
        }
    });
    assert_one(&problems, Some("email"), "max_length is 0");
}

#[test]
fn step_must_be_positive_and_bounds_finite() {
    for step in [0.0, -1.0] {
        let problems = problems_after(|f| {
            field(f, "ratio").kind = FieldKind::Number {
                min: None,
                max: None,
                step: Some(step),
            }
        });
        assert_one(&problems, Some("ratio"), "step must be above 0");
    }
    let problems = problems_after(|f| {
        field(f, "ratio").kind = FieldKind::Number {
            min: Some(f64::NEG_INFINITY),
            max: None,
            step: None,
        }
    });
    assert_one(&problems, Some("ratio"), "min is not a finite number");
}

#[test]
fn invalid_date_bounds_are_refused() {
    let problems = problems_after(|f| {
        field(f, "birth_date").kind = FieldKind::Date {
            min: Some("2023-02-29".into()),
            max: None,
        }
    });
    assert_one(
        &problems,
        Some("birth_date"),
        "min `2023-02-29` is not a calendar date",
    );
}

#[test]
fn consent_needs_an_https_document_and_a_version() {
    for url in [
        "http://example.com/terms",
        "example.com/terms",
        "javascript:alert(1)",
        "https://",
    ] {
        let problems = problems_after(|f| {
            if let FieldKind::Consent { document } = &mut field(f, "terms").kind {
                document.url = url.into();
            }
        });
        assert_one(&problems, Some("terms"), "is not an https:// URL");
    }
    let problems = problems_after(|f| {
        if let FieldKind::Consent { document } = &mut field(f, "terms").kind {
            document.version = " ".into();
        }
    });
    assert_one(&problems, Some("terms"), "document version is blank");
}

#[test]
fn consent_expiry_is_checked_with_the_exact_message() {
    for days in [0, 3651, u32::MAX] {
        let problems = problems_after(|f| {
            if let FieldKind::Consent { document } = &mut field(f, "terms").kind {
                document.expires_after_days = Some(days);
            }
        });
        assert_eq!(
            problems,
            [DefinitionError {
                form: "profile".into(),
                field: Some("terms".into()),
                problem: format!(
                    "document expires_after_days is {days}; it must be within 1..=3650 (leave it out for an acceptance that never expires)"
                ),
            }]
        );
    }
}

#[test]
fn hidden_field_needs_a_value_or_a_prefill() {
    assert_one(
        &problems_after(|f| field(f, "tenant_ref").prefill = None),
        Some("tenant_ref"),
        "needs a value or a prefill key",
    );
}

#[test]
fn empty_prefill_key_is_refused() {
    assert_one(
        &problems_after(|f| field(f, "company").prefill = Some(" ".into())),
        Some("company"),
        "prefill key is empty",
    );
}

#[test]
fn consent_cannot_be_prefilled_or_defaulted() {
    assert_one(
        &problems_after(|f| field(f, "terms").prefill = Some("terms".into())),
        Some("terms"),
        "cannot be prefilled",
    );
    assert_one(
        &problems_after(|f| field(f, "terms").default = Some(json!(true))),
        Some("terms"),
        "cannot be pre-accepted",
    );
}

#[test]
fn default_of_the_wrong_type_or_not_an_option_is_refused() {
    let problems = problems_after(|f| field(f, "country").default = Some(json!("xx")));
    assert_one(
        &problems,
        Some("country"),
        "default \"xx\" is not a valid answer (not_an_option)",
    );
    let problems = problems_after(|f| field(f, "seats").default = Some(json!("many")));
    assert_one(&problems, Some("seats"), "(invalid_format)");
    let problems = problems_after(|f| field(f, "newsletter").default = Some(json!("yes")));
    assert_one(&problems, Some("newsletter"), "(invalid_type)");
    let problems = problems_after(|f| field(f, "seats").default = Some(json!(500)));
    assert_one(&problems, Some("seats"), "(out_of_range)");
    let problems = problems_after(|f| field(f, "code").default = Some(json!("")));
    assert_one(&problems, Some("code"), "default is empty");
}

#[test]
fn hidden_field_takes_value_not_default() {
    assert_one(
        &problems_after(|f| field(f, "source").default = Some(json!("x"))),
        Some("source"),
        "takes `value`",
    );
}

#[test]
fn every_problem_is_reported_not_just_the_first() {
    let problems = problems_after(|f| {
        f.version = String::new();
        field(f, "phone").label = None;
        field(f, "country").kind = FieldKind::Select { options: vec![] };
    });
    let fields: Vec<Option<&str>> = problems.iter().map(|p| p.field.as_deref()).collect();
    // country: no options, and its default "fr" is no longer an option.
    assert_eq!(
        fields,
        [None, Some("phone"), Some("country"), Some("country")],
        "{problems:#?}"
    );
}

#[test]
fn autocomplete_hint_must_be_a_token_list() {
    let problems =
        problems_after(|f| field(f, "phone").autocomplete = Some("tel\"><script>".into()));
    assert_one(&problems, Some("phone"), "not an HTML autocomplete hint");
}

#[test]
fn a_fields_own_messages_must_be_written_and_shown() {
    let mut form = every_kind_form();
    field(&mut form, "company").messages.insert(
        stopover_protocol::FieldErrorCode::Required,
        LocalizedText::new("en", "Enter your company name"),
    );
    assert_eq!(form.check(), Ok(()), "a written message is fine");
    assert_one(
        &problems_after(|f| {
            field(f, "company").messages.insert(
                stopover_protocol::FieldErrorCode::Required,
                LocalizedText::new("en", " "),
            );
        }),
        Some("company"),
        "messages.required is blank",
    );
    let static_id = every_kind_form()
        .fields
        .iter()
        .find(|f| !f.kind.takes_answer())
        .unwrap()
        .id
        .clone();
    assert_one(
        &problems_after(|f| {
            field(f, &static_id).messages.insert(
                stopover_protocol::FieldErrorCode::Required,
                LocalizedText::new("en", "Never shown"),
            );
        }),
        Some(static_id.as_str()),
        "takes no answer",
    );
}

#[test]
fn every_text_without_a_declared_language_is_named() {
    let form: FormDefinition = serde_json::from_value(json!({
        "id": "f", "version": "1", "submit_label": "Go",
        "title": {"en": "Profile", "fr": "Profil", "pt_BR": "Perfil"},
        "fields": [
            {"id": "plan", "kind": "radio", "label": {"en": "Plan", "fr": "Offre", "pt-BR": "Plano"},
             "options": [{"value": "free", "label": {"en": "Free", "pt-br": "Grátis"}}]},
            {"id": "name", "kind": "text", "label": {"en": "Name", "fr": "Nom", "pt-BR": "Nome"},
             "messages": {"required": {"en": "Enter your name", "pt-BR": "Informe seu nome"}}}
        ]
    }))
    .unwrap();
    let said = |language: &str| -> Vec<String> {
        form.missing_language(language)
            .iter()
            .map(ToString::to_string)
            .collect()
    };
    assert_eq!(
        said("pt-BR"),
        ["form `f`: submit_label has no `pt-BR` text"],
        "tags match whatever their case or separator"
    );
    assert_eq!(
        said("fr"),
        [
            "form `f`: submit_label has no `fr` text",
            "form `f`, field `plan`: the label of option `free` has no `fr` text",
            "form `f`, field `name`: the message for `required` has no `fr` text",
        ]
    );
    assert!(said("en").is_empty());
}
