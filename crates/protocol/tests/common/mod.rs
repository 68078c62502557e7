//! The fixture form with every field kind, and helpers to build answers.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use serde_json::{json, Map, Value};
use stopover_protocol::{
    validate_answers, CleanAnswers, FieldErrorCode, FieldErrors, FormDefinition,
};

/// The every-kind form, as TOML.
pub const EVERY_KIND_TOML: &str = include_str!("every_kind.toml");

/// A fixed clock for consent records.
pub const NOW: i64 = 1_795_000_000;

pub fn every_kind_form() -> FormDefinition {
    toml::from_str(EVERY_KIND_TOML).expect("the fixture form parses")
}

/// A JSON object literal as an answers map.
pub fn object(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        other => panic!("not an object: {other}"),
    }
}

/// Answers to every required field of the fixture, all valid.
pub fn minimal_answers() -> Map<String, Value> {
    object(json!({
        "company": "ACME",
        "phone": "+33 6 12 34 56 78",
        "country": "fr",
        "terms": true,
    }))
}

/// The fixture's minimal answers with `key` set to `value`.
pub fn with(key: &str, value: Value) -> Map<String, Value> {
    let mut answers = minimal_answers();
    answers.insert(key.to_owned(), value);
    answers
}

pub fn prefill() -> Map<String, Value> {
    object(json!({"tenant": "acme-eu", "company": "ACME"}))
}

pub fn validate(answers: &Map<String, Value>) -> Result<CleanAnswers, FieldErrors> {
    validate_answers(&every_kind_form(), answers, &prefill(), NOW)
}

/// The clean value of one field, when the answers validate.
pub fn clean_value(answers: &Map<String, Value>, field: &str) -> Option<Value> {
    let clean = validate(answers).unwrap_or_else(|errors| panic!("refused: {errors:?}"));
    clean
        .0
        .get(field)
        .map(|value| serde_json::to_value(value).unwrap())
}

/// The error codes of one field, when the answers are refused.
pub fn errors_of(answers: &Map<String, Value>, field: &str) -> Vec<FieldErrorCode> {
    match validate(answers) {
        Ok(clean) => panic!("accepted: {clean:?}"),
        Err(errors) => errors.get(field).cloned().unwrap_or_default(),
    }
}
