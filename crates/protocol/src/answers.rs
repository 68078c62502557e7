//! The one function that validates and normalises a person's answers against a form.
//!
//! The page calls it as the person types, the signer calls it before minting; neither trusts
//! the other.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::form::FormDefinition;

/// Answers that passed validation, normalised (trimmed, E.164 phone numbers, numbers as
/// numbers, consents with their document version and acceptance time), keyed by field id.
/// Fields hidden by `show_if`, static fields and empty optional fields have no entry.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CleanAnswers(pub BTreeMap<String, AnswerValue>);

/// One normalised answer, as it appears in the continue token's `answers` claim.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum AnswerValue {
    Bool(bool),
    Number(f64),
    Text(String),
    Choices(Vec<String>),
    Consent(ConsentRecord),
}

/// What a consent answer records.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsentRecord {
    pub accepted: bool,
    /// The document version the person accepted.
    pub version: String,
    /// Unix seconds when the signer (or the page, for display) validated the acceptance.
    pub accepted_at: i64,
}

/// Per-field error codes, keyed by field id (an unknown key is reported under its own name).
pub type FieldErrors = BTreeMap<String, Vec<FieldErrorCode>>;

/// Why one answer was refused. The page maps each to a sentence in the person's language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldErrorCode {
    /// A required field has no answer.
    Required,
    TooLong,
    TooShort,
    /// Not an e-mail address, phone number, URL, date or number of the right form.
    InvalidFormat,
    /// The JSON type is wrong for the field (a number for a text field, ...).
    InvalidType,
    /// Contains control characters.
    InvalidCharacters,
    NotAnOption,
    /// A number or date outside the field's bounds, or not on its step.
    OutOfRange,
    TooFewSelected,
    TooManySelected,
    /// A consent that was not accepted.
    MustAccept,
    /// No field has this id.
    UnknownField,
    /// A hidden or static field; its value comes from the definition, not the page.
    ReadOnly,
}

/// Validates `submitted` (the `answers` object of a continue request) against `form`.
///
/// `prefill` is the session token's `prefill` claim (the values hidden fields may take);
/// `now` (Unix seconds) is recorded as the acceptance time of consents. Returns the clean
/// answers, or every problem found, by field. Never panics, whatever the JSON.
pub fn validate_answers(
    form: &FormDefinition,
    submitted: &Map<String, Value>,
    prefill: &Map<String, Value>,
    now: i64,
) -> Result<CleanAnswers, FieldErrors> {
    todo!("implemented in crates/protocol (issue 3): {form:?} {submitted:?} {prefill:?} {now}")
}
