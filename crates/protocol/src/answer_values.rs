//! The clean answers: what [`validate_answers`](fn@crate::validate_answers) returns and the continue token carries
//! in its `answers` claim (docs/contract.md#continue-claims).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

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
    /// A `checkbox`.
    Bool(bool),
    /// A `number`.
    Number(f64),
    /// Every text-like kind, `select`, `radio` and `hidden`.
    Text(String),
    /// `checkboxes`, in the options' order.
    Choices(Vec<String>),
    /// A `consent`.
    Consent(ConsentRecord),
}

/// What a consent answer records.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsentRecord {
    /// Always `true` in clean answers.
    pub accepted: bool,
    /// The document version the person accepted.
    pub version: String,
    /// Unix seconds when the signer (or the page, for display) validated the acceptance.
    pub accepted_at: i64,
}
