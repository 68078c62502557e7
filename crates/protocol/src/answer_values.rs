//! The clean answers: what [`validate_answers`](fn@crate::validate_answers) returns and the continue token carries
//! in its `answers` claim (docs/contract.md#continue-claims).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::form::{FieldKind, FormDefinition};

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
    /// The document accepted: its URL in the form's definition. Always set in clean answers;
    /// absent from records made before it was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document: Option<String>,
    /// The language the person read the document's title in (a tag of that title): as the
    /// page says when it sends a record, else as the session token's `locale` picks it
    /// ([`CleanAnswers::record_consent_languages`]); absent when neither says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
}

impl CleanAnswers {
    /// Gives each consent answer without a language the language its document's title is
    /// shown in for `locale` (the session token's), by the rule the page picks texts with
    /// ([`crate::LocalizedText::language_for`]).
    pub fn record_consent_languages(&mut self, form: &FormDefinition, locale: &str) {
        for (id, answer) in &mut self.0 {
            let AnswerValue::Consent(record) = answer else {
                continue;
            };
            if record.language.is_some() {
                continue;
            }
            if let Some(FieldKind::Consent { document }) = form.field(id).map(|field| &field.kind) {
                record.language = document.title.language_for(locale).map(str::to_owned);
            }
        }
    }
}
