//! Form definitions as the signer reads them: TOML.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::BTreeSet;

use serde::Deserialize;
use stopover_protocol::{FieldKind, FormDefinition, TextFormat};

#[test]
fn toml_form_with_every_field_kind_parses() {
    let form = common::every_kind_form();
    let kinds: BTreeSet<String> = form
        .fields
        .iter()
        .map(|field| {
            serde_json::to_value(field).unwrap()["kind"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    let all = [
        "text",
        "textarea",
        "email",
        "tel",
        "url",
        "number",
        "date",
        "select",
        "radio",
        "checkboxes",
        "checkbox",
        "consent",
        "hidden",
        "static",
    ];
    assert_eq!(kinds, all.iter().map(|k| (*k).to_owned()).collect());
    assert_eq!(form.title.get("de"), "Noch ein paar Angaben");
    assert_eq!(
        form.introduction.as_ref().unwrap().get("fr"),
        "We need these to finish signing you in."
    );
    let company = form.field("company").unwrap();
    assert!(company.required);
    assert_eq!(company.autocomplete.as_deref(), Some("organization"));
    assert_eq!(company.prefill.as_deref(), Some("company"));
    assert_eq!(
        company.kind,
        FieldKind::Text {
            min_length: Some(2),
            max_length: Some(10),
            format: None
        }
    );
    assert_eq!(
        form.field("code").unwrap().kind,
        FieldKind::Text {
            min_length: None,
            max_length: None,
            format: Some(TextFormat::Alphanumeric)
        }
    );
    // TOML integers are read as the f64 bounds of a number field.
    assert_eq!(
        form.field("seats").unwrap().kind,
        FieldKind::Number {
            min: Some(1.0),
            max: Some(100.0),
            step: Some(1.0)
        }
    );
    assert_eq!(
        form.field("seats").unwrap().default,
        Some(serde_json::json!(5))
    );
    assert_eq!(form.check(), Ok(()));
}

#[test]
fn forms_parse_inside_a_configuration_file() {
    #[derive(Deserialize)]
    struct Config {
        forms: Vec<FormDefinition>,
    }
    let config: Config = toml::from_str(
        r#"
        listen = "127.0.0.1:8781"

        [[forms]]
        id = "terms"
        version = "2026-11"
        title = { en = "Terms", fr = "Conditions", de = "Bedingungen" }
        submit_label = "Continue"

        [[forms.fields]]
        id = "tos"
        kind = "consent"
        label = "I accept the terms of service"
        document = { url = "https://example.com/tos", version = "2026-11", title = "Terms of service" }

        [[forms.fields]]
        id = "privacy"
        kind = "consent"
        label = "I accept the privacy policy"
        [forms.fields.document]
        url = "https://example.com/privacy"
        version = "3"
        title = { en = "Privacy policy", fr = "Politique de confidentialité" }
        "#,
    )
    .map_err(|e| e.to_string())
    .unwrap_or_else(|e| panic!("{e}"));
    // `listen` belongs to the signer's own config struct; ours ignores it here.
    assert_eq!(config.forms.len(), 1);
    let form = &config.forms[0];
    assert_eq!(form.fields.len(), 2);
    assert_eq!(form.check(), Ok(()));
    let FieldKind::Consent { document } = &form.fields[1].kind else {
        panic!("not a consent: {:?}", form.fields[1].kind);
    };
    assert_eq!(document.title.get("fr-FR"), "Politique de confidentialité");
}

#[test]
fn misspelt_key_in_a_toml_field_is_refused() {
    let typo = common::EVERY_KIND_TOML.replace("min_length = 2", "min_lenght = 2");
    let error = toml::from_str::<FormDefinition>(&typo)
        .unwrap_err()
        .to_string();
    assert!(error.contains("min_lenght"), "{error}");
}

#[test]
fn unknown_field_kind_is_refused() {
    let typo = common::EVERY_KIND_TOML.replace("kind = \"tel\"", "kind = \"phone\"");
    let error = toml::from_str::<FormDefinition>(&typo)
        .unwrap_err()
        .to_string();
    assert!(error.contains("phone"), "{error}");
}

#[test]
fn misspelt_key_beside_a_kind_without_settings_is_refused() {
    let typo = common::EVERY_KIND_TOML.replace(
        "kind = \"tel\"\nlabel = \"Mobile phone\"\nrequired = true",
        "kind = \"tel\"\nlabel = \"Mobile phone\"\nrequird = true",
    );
    assert_ne!(typo, common::EVERY_KIND_TOML);
    let error = toml::from_str::<FormDefinition>(&typo)
        .unwrap_err()
        .to_string();
    assert!(error.contains("unknown field `requird`"), "{error}");
    let json = r#"{"id":"n","label":"News","kind":"checkbox","defualt":true}"#;
    let error = serde_json::from_str::<stopover_protocol::Field>(json)
        .unwrap_err()
        .to_string();
    assert!(error.contains("unknown field `defualt`"), "{error}");
}

#[test]
fn a_fields_own_error_messages_are_read_by_error_code() {
    let form: FormDefinition = toml::from_str(
        r#"
        id = "m"
        version = "1"
        title = "T"
        submit_label = "Go"
        [[fields]]
        id = "company"
        kind = "text"
        label = "Company"
        required = true
        [fields.messages]
        required = { en = "Enter your company name", fr = "Saisissez le nom de votre entreprise" }
        too_long = "Company name must be 40 characters or fewer"
        "#,
    )
    .unwrap();
    let messages = &form.fields[0].messages;
    assert_eq!(
        messages[&stopover_protocol::FieldErrorCode::Required].get("fr"),
        "Saisissez le nom de votre entreprise"
    );
    assert_eq!(
        messages[&stopover_protocol::FieldErrorCode::TooLong].get("en"),
        "Company name must be 40 characters or fewer"
    );
    assert_eq!(form.check(), Ok(()));
    let unknown = toml::from_str::<FormDefinition>(
        r#"
        id = "m"
        version = "1"
        title = "T"
        submit_label = "Go"
        [[fields]]
        id = "company"
        kind = "text"
        label = "Company"
        [fields.messages]
        not_a_code = "x"
        "#,
    );
    assert!(unknown.is_err(), "an unknown error code is refused");
}
