//! The one function that validates and normalises a person's answers against a form.
//!
//! The page calls it as the person types, the signer calls it before minting; neither trusts
//! the other.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::characters;
use crate::form::{Field, FieldKind, FieldOption, FormDefinition};
use crate::formats;
use crate::limits::{DEFAULT_MAX_TEXTAREA_CHARS, DEFAULT_MAX_TEXT_CHARS};
use crate::visibility::visible_with;

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

/// Per-field error codes, keyed by field id (an unknown key is reported under its own name).
pub type FieldErrors = BTreeMap<String, Vec<FieldErrorCode>>;

/// Why one answer was refused. The page maps each to a sentence in the person's language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldErrorCode {
    /// A required field has no answer.
    Required,
    /// Longer than the field's maximum length, in characters.
    TooLong,
    /// Shorter than the field's minimum length, in characters.
    TooShort,
    /// Not an e-mail address, phone number, URL, date or number of the right form.
    InvalidFormat,
    /// The JSON type is wrong for the field (a number for a text field, ...).
    InvalidType,
    /// Contains control characters.
    InvalidCharacters,
    /// Not one of the field's options.
    NotAnOption,
    /// A number or date outside the field's bounds, or not on its step.
    OutOfRange,
    /// Fewer choices than `min_selected`.
    TooFewSelected,
    /// More choices than `max_selected`.
    TooManySelected,
    /// A consent that was not accepted.
    MustAccept,
    /// No field has this id.
    UnknownField,
    /// A hidden or static field; its value comes from the definition, not the page.
    ReadOnly,
}

impl FieldErrorCode {
    /// The code as it appears on the wire (`"too_long"`), for messages and logs.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Required => "required",
            Self::TooLong => "too_long",
            Self::TooShort => "too_short",
            Self::InvalidFormat => "invalid_format",
            Self::InvalidType => "invalid_type",
            Self::InvalidCharacters => "invalid_characters",
            Self::NotAnOption => "not_an_option",
            Self::OutOfRange => "out_of_range",
            Self::TooFewSelected => "too_few_selected",
            Self::TooManySelected => "too_many_selected",
            Self::MustAccept => "must_accept",
            Self::UnknownField => "unknown_field",
            Self::ReadOnly => "read_only",
        }
    }
}

/// Validates `submitted` (the `answers` object of a continue request) against `form`.
///
/// `prefill` is the session token's `prefill` claim (the values hidden fields may take);
/// `now` (Unix seconds) is recorded as the acceptance time of consents. Returns the clean
/// answers, or every problem found, by field. Never panics, whatever the JSON.
///
/// The rules, per submitted key and per field:
/// - a key no field has is `unknown_field`; a key of a `static` field, or of a `hidden` field
///   with a value other than the one the definition or prefill gives it, is `read_only`
///   (echoing a hidden field's own value is tolerated, so clean answers validate again);
/// - `null`, an empty or blank string (also one made only of invisible characters such as
///   zero-width spaces, see [`crate::characters`]) and an empty list count as no answer;
/// - a field hidden by `show_if` (see [`crate::is_visible`]) is neither required nor
///   validated, and its submitted value is dropped; visibility is decided on the *clean*
///   value of the controlling field, itself visible (transitively);
/// - a required field without an answer is `required`; a required `checkbox` must be `true`
///   (`required` otherwise), an unchecked optional one is recorded as `false`; a `consent`
///   is always required and is `must_accept` until accepted;
/// - texts are trimmed; lengths count characters, not bytes; control characters are
///   `invalid_characters`, except line feeds and tabs in a `textarea` (where `\r\n` is read
///   as `\n`); so are bidirectional controls anywhere, and invisible format characters and
///   line or paragraph separators in one-line fields;
/// - the wrong JSON type is `invalid_type` (texts, dates, choices: strings; `number`: a
///   number or a numeric string; `checkbox`: a boolean; `checkboxes`: a list of strings;
///   `consent`: `true` or a [`ConsentRecord`] of the document's version);
/// - formats (`tel` to E.164, `email`, `url`, `date`, text `format`) are `invalid_format`,
///   bounds of numbers, dates and steps `out_of_range`, unknown choices `not_an_option`,
///   a choice listed twice `invalid_format`.
///
/// Consent records always carry `now` as `accepted_at`, also when a record is submitted:
/// the time of acceptance is the validator's clock, never the page's word.
pub fn validate_answers(
    form: &FormDefinition,
    submitted: &Map<String, Value>,
    prefill: &Map<String, Value>,
    now: i64,
) -> Result<CleanAnswers, FieldErrors> {
    let mut errors = FieldErrors::new();
    let hidden_values: BTreeMap<&str, Option<String>> = form
        .fields
        .iter()
        .rev() // the first of duplicate ids wins, as in `FormDefinition::field`
        .filter(|field| matches!(field.kind, FieldKind::Hidden { .. }))
        .map(|field| (field.id.as_str(), hidden_value(field, prefill)))
        .collect();

    for (key, value) in submitted {
        let code = match form.field(key).map(|field| &field.kind) {
            None => Some(FieldErrorCode::UnknownField),
            Some(FieldKind::Static { .. }) => Some(FieldErrorCode::ReadOnly),
            Some(FieldKind::Hidden { .. }) => {
                let own = hidden_values.get(key.as_str()).and_then(Option::as_deref);
                (value.as_str() != own || own.is_none()).then_some(FieldErrorCode::ReadOnly)
            }
            Some(_) => None,
        };
        if let Some(code) = code {
            errors.entry(key.clone()).or_default().push(code);
        }
    }

    // Every answer is cleaned first, independent of visibility, so `show_if` can look at
    // the clean value of its controlling field.
    let outcomes: BTreeMap<&str, Outcome> = form
        .fields
        .iter()
        .rev() // the first of duplicate ids wins, as in `FormDefinition::field`
        .filter(|field| field.kind.takes_answer())
        .map(|field| {
            (
                field.id.as_str(),
                clean_answer(field, submitted.get(&field.id), now),
            )
        })
        .collect();
    let value_of = |field: &Field| match outcomes.get(field.id.as_str()) {
        Some(Ok(value)) => value.clone(),
        _ => None,
    };

    let mut clean = CleanAnswers::default();
    let mut seen = std::collections::BTreeSet::new();
    for field in &form.fields {
        // A repeated id (only in a definition that was never checked) is the first field's.
        if !seen.insert(field.id.as_str()) || !visible_with(form, field, &value_of) {
            continue;
        }
        if let FieldKind::Hidden { .. } = field.kind {
            if let Some(Some(value)) = hidden_values.get(field.id.as_str()) {
                clean
                    .0
                    .insert(field.id.clone(), AnswerValue::Text(value.clone()));
            }
            continue;
        }
        let Some(outcome) = outcomes.get(field.id.as_str()) else {
            continue; // static text
        };
        match outcome {
            Err(codes) => errors.entry(field.id.clone()).or_default().extend(codes),
            Ok(None) if matches!(field.kind, FieldKind::Consent { .. }) => {
                errors
                    .entry(field.id.clone())
                    .or_default()
                    .push(FieldErrorCode::MustAccept);
            }
            Ok(None) | Ok(Some(AnswerValue::Bool(false))) if field.required => {
                errors
                    .entry(field.id.clone())
                    .or_default()
                    .push(FieldErrorCode::Required);
            }
            Ok(None) => {}
            Ok(Some(value)) => {
                clean.0.insert(field.id.clone(), value.clone());
            }
        }
    }

    if errors.is_empty() {
        Ok(clean)
    } else {
        for codes in errors.values_mut() {
            codes.sort_unstable();
            codes.dedup();
        }
        Err(errors)
    }
}

/// The value a field starts with when the page shows it: for a `hidden` field, its value;
/// otherwise the token's prefill for the field's `prefill` key when its JSON type suits the
/// field (a number or boolean becomes text for text fields, a numeric string a number, a
/// string one choice of `checkboxes`; for `select` and `radio` only one of the options),
/// else the field's `default`. `None` for `static` and `consent` (a consent is never
/// pre-accepted) and when nothing applies. The value is what the control shows, not yet
/// validated: a prefilled phone number without `+` is shown so the person can fix it.
pub fn initial_value(field: &Field, prefill: &Map<String, Value>) -> Option<Value> {
    match &field.kind {
        FieldKind::Static { .. } | FieldKind::Consent { .. } => return None,
        FieldKind::Hidden { .. } => return hidden_value(field, prefill).map(Value::String),
        _ => {}
    }
    let prefilled = field
        .prefill
        .as_deref()
        .and_then(|key| prefill.get(key))
        .and_then(|value| prefill_for(&field.kind, value));
    prefilled.or_else(|| field.default.clone())
}

/// The value of a `hidden` field: the definition's `value`, else the prefill under the
/// field's `prefill` key (a string as is, a number or boolean as text). `None` for other
/// kinds and when neither gives a value.
pub fn hidden_value(field: &Field, prefill: &Map<String, Value>) -> Option<String> {
    let FieldKind::Hidden { value } = &field.kind else {
        return None;
    };
    value.clone().or_else(|| {
        let prefilled = prefill.get(field.prefill.as_deref()?)?;
        scalar_text(prefilled)
    })
}

/// What one field's submitted value cleans to, before `show_if` and `required` are applied:
/// no answer, a clean value, or why it is refused.
pub(crate) type Outcome = Result<Option<AnswerValue>, Vec<FieldErrorCode>>;

/// Cleans the raw answer of one field that takes an answer (`None`: not submitted).
/// `hidden` and `static` fields clean to no answer; their values never come from here.
pub(crate) fn clean_answer(field: &Field, raw: Option<&Value>, now: i64) -> Outcome {
    let raw = raw.filter(|value| !value.is_null());
    match &field.kind {
        FieldKind::Text {
            min_length,
            max_length,
            format,
        } => {
            let Some(text) = text_input(raw, false)? else {
                return Ok(None);
            };
            let mut codes = length_codes(
                &text,
                *min_length,
                max_length.unwrap_or(DEFAULT_MAX_TEXT_CHARS),
            );
            if let Some(format) = format {
                if !format.accepts(&text) {
                    codes.push(FieldErrorCode::InvalidFormat);
                }
            }
            finish(codes, AnswerValue::Text(text))
        }
        FieldKind::Textarea {
            min_length,
            max_length,
        } => {
            let Some(text) = text_input(raw, true)? else {
                return Ok(None);
            };
            let codes = length_codes(
                &text,
                *min_length,
                max_length.unwrap_or(DEFAULT_MAX_TEXTAREA_CHARS),
            );
            finish(codes, AnswerValue::Text(text))
        }
        FieldKind::Email { max_length } => {
            let Some(text) = text_input(raw, false)? else {
                return Ok(None);
            };
            let max = max_length.map_or(formats::MAX_EMAIL_CHARS, |m| {
                (m as usize).min(formats::MAX_EMAIL_CHARS)
            });
            if text.chars().count() > max {
                return Err(vec![FieldErrorCode::TooLong]);
            }
            formats::normalize_email(&text)
                .map(|email| Some(AnswerValue::Text(email)))
                .ok_or_else(|| vec![FieldErrorCode::InvalidFormat])
        }
        FieldKind::Tel => {
            let Some(text) = text_input(raw, false)? else {
                return Ok(None);
            };
            formats::normalize_phone(&text)
                .map(|phone| Some(AnswerValue::Text(phone)))
                .ok_or_else(|| vec![FieldErrorCode::InvalidFormat])
        }
        FieldKind::Url { max_length } => {
            let Some(text) = text_input(raw, false)? else {
                return Ok(None);
            };
            let max = max_length.map_or(formats::MAX_URL_CHARS, |m| m as usize);
            if text.chars().count() > max {
                return Err(vec![FieldErrorCode::TooLong]);
            }
            formats::normalize_url(&text, max)
                .map(|url| Some(AnswerValue::Text(url)))
                .ok_or_else(|| vec![FieldErrorCode::InvalidFormat])
        }
        FieldKind::Number { min, max, step } => {
            let number = match raw {
                None => return Ok(None),
                Some(Value::Number(number)) => number.as_f64().filter(|n| n.is_finite()),
                Some(Value::String(text)) if text.trim().is_empty() => return Ok(None),
                Some(Value::String(text)) => formats::parse_decimal(text),
                Some(_) => return Err(vec![FieldErrorCode::InvalidType]),
            };
            let number = number.ok_or_else(|| vec![FieldErrorCode::InvalidFormat])?;
            if number_in_range(number, *min, *max, *step) {
                Ok(Some(AnswerValue::Number(number)))
            } else {
                Err(vec![FieldErrorCode::OutOfRange])
            }
        }
        FieldKind::Date { min, max } => {
            let Some(text) = text_input(raw, false)? else {
                return Ok(None);
            };
            if !formats::is_iso_date(&text) {
                return Err(vec![FieldErrorCode::InvalidFormat]);
            }
            let too_early = min.as_deref().is_some_and(|min| text.as_str() < min);
            let too_late = max.as_deref().is_some_and(|max| text.as_str() > max);
            if too_early || too_late {
                return Err(vec![FieldErrorCode::OutOfRange]);
            }
            Ok(Some(AnswerValue::Text(text)))
        }
        FieldKind::Select { options } | FieldKind::Radio { options } => {
            let Some(text) = text_input(raw, false)? else {
                return Ok(None);
            };
            if options.iter().any(|option| option.value == text) {
                Ok(Some(AnswerValue::Text(text)))
            } else {
                Err(vec![FieldErrorCode::NotAnOption])
            }
        }
        FieldKind::Checkboxes {
            options,
            min_selected,
            max_selected,
        } => clean_choices(raw, options, *min_selected, *max_selected),
        FieldKind::Checkbox => match raw {
            None => Ok(Some(AnswerValue::Bool(false))),
            Some(Value::Bool(checked)) => Ok(Some(AnswerValue::Bool(*checked))),
            Some(_) => Err(vec![FieldErrorCode::InvalidType]),
        },
        FieldKind::Consent { document } => {
            let accepted = match raw {
                None | Some(Value::Bool(false)) => return Ok(None),
                Some(Value::Bool(true)) => true,
                Some(record @ Value::Object(_)) => {
                    let record = ConsentRecord::deserialize(record)
                        .map_err(|_| vec![FieldErrorCode::InvalidType])?;
                    record.accepted && record.version == document.version
                }
                Some(_) => return Err(vec![FieldErrorCode::InvalidType]),
            };
            if !accepted {
                return Err(vec![FieldErrorCode::MustAccept]);
            }
            Ok(Some(AnswerValue::Consent(ConsentRecord {
                accepted: true,
                version: document.version.clone(),
                accepted_at: now,
            })))
        }
        FieldKind::Hidden { .. } | FieldKind::Static { .. } => Ok(None),
    }
}

/// A submitted string, trimmed, or no answer when blank; control characters refused (line
/// feeds and tabs allowed when `multiline`, `\r\n` read as `\n`).
fn text_input(raw: Option<&Value>, multiline: bool) -> Result<Option<String>, Vec<FieldErrorCode>> {
    let text = match raw {
        None => return Ok(None),
        Some(Value::String(text)) => text,
        Some(_) => return Err(vec![FieldErrorCode::InvalidType]),
    };
    let text = if multiline {
        text.replace("\r\n", "\n")
    } else {
        text.clone()
    };
    let text = text.trim();
    // Blank, or only characters that draw nothing: no answer, so `required` still applies.
    if text.chars().all(characters::is_invisible) {
        return Ok(None);
    }
    let allowed = |c: char| multiline && (c == '\n' || c == '\t');
    let refused = |c: char| {
        (c.is_control() && !allowed(c))
            || if multiline {
                characters::is_bidi_control(c)
            } else {
                characters::is_refused_in_single_line(c)
            }
    };
    if text.chars().any(refused) {
        return Err(vec![FieldErrorCode::InvalidCharacters]);
    }
    Ok(Some(text.to_owned()))
}

fn length_codes(text: &str, min: Option<u32>, max: u32) -> Vec<FieldErrorCode> {
    let length = text.chars().count();
    let mut codes = Vec::new();
    if min.is_some_and(|min| length < min as usize) {
        codes.push(FieldErrorCode::TooShort);
    }
    if length > max as usize {
        codes.push(FieldErrorCode::TooLong);
    }
    codes
}

fn finish(codes: Vec<FieldErrorCode>, value: AnswerValue) -> Outcome {
    if codes.is_empty() {
        Ok(Some(value))
    } else {
        Err(codes)
    }
}

/// Inclusive bounds; on the step when there is one, counted from `min` (or 0), with a
/// relative tolerance so `0.1 + 0.2` is on a step of `0.1`.
pub(crate) fn number_in_range(
    number: f64,
    min: Option<f64>,
    max: Option<f64>,
    step: Option<f64>,
) -> bool {
    if min.is_some_and(|min| number < min) || max.is_some_and(|max| number > max) {
        return false;
    }
    match step {
        Some(step) if step > 0.0 && step.is_finite() => {
            let steps = (number - min.unwrap_or(0.0)) / step;
            (steps - steps.round()).abs() <= 1e-9 * steps.abs().max(1.0)
        }
        _ => true,
    }
}

fn clean_choices(
    raw: Option<&Value>,
    options: &[FieldOption],
    min_selected: Option<u32>,
    max_selected: Option<u32>,
) -> Outcome {
    let items = match raw {
        None => return Ok(None),
        Some(Value::Array(items)) => items,
        Some(_) => return Err(vec![FieldErrorCode::InvalidType]),
    };
    let mut chosen: Vec<&str> = Vec::with_capacity(items.len());
    let mut codes = Vec::new();
    for item in items {
        let Some(value) = item.as_str() else {
            return Err(vec![FieldErrorCode::InvalidType]);
        };
        if chosen.contains(&value) {
            codes.push(FieldErrorCode::InvalidFormat);
        } else if !options.iter().any(|option| option.value == value) {
            codes.push(FieldErrorCode::NotAnOption);
        }
        chosen.push(value);
    }
    if chosen.is_empty() {
        return Ok(None);
    }
    if min_selected.is_some_and(|min| chosen.len() < min as usize) {
        codes.push(FieldErrorCode::TooFewSelected);
    }
    if max_selected.is_some_and(|max| chosen.len() > max as usize) {
        codes.push(FieldErrorCode::TooManySelected);
    }
    // In the options' order, so the same choices always read the same.
    let in_order = options
        .iter()
        .filter(|option| chosen.contains(&option.value.as_str()))
        .map(|option| option.value.clone())
        .collect();
    finish(codes, AnswerValue::Choices(in_order))
}

/// A prefilled value in the JSON shape the field's control takes, when it has one.
fn prefill_for(kind: &FieldKind, value: &Value) -> Option<Value> {
    match kind {
        FieldKind::Number { .. } => match value {
            Value::Number(_) => Some(value.clone()),
            Value::String(text) => formats::parse_decimal(text)
                .and_then(|n| serde_json::Number::from_f64(n).map(Value::Number)),
            _ => None,
        },
        FieldKind::Checkbox => value.as_bool().map(Value::Bool),
        FieldKind::Checkboxes { options, .. } => {
            let chosen: Vec<&str> = match value {
                Value::String(one) => vec![one.as_str()],
                Value::Array(items) => items.iter().map(Value::as_str).collect::<Option<_>>()?,
                _ => return None,
            };
            let known = chosen
                .iter()
                .all(|c| options.iter().any(|option| option.value == *c));
            known.then(|| {
                Value::Array(
                    chosen
                        .into_iter()
                        .map(|c| Value::String(c.to_owned()))
                        .collect(),
                )
            })
        }
        FieldKind::Select { options } | FieldKind::Radio { options } => {
            let text = scalar_text(value)?;
            options
                .iter()
                .any(|option| option.value == text)
                .then_some(Value::String(text))
        }
        _ => scalar_text(value).map(Value::String),
    }
}

/// A string as is, a number or boolean as its JSON text; `None` for anything else.
fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::String(text) => Some(text.clone()),
        Value::Number(number) => Some(number.to_string()),
        Value::Bool(flag) => Some(flag.to_string()),
        _ => None,
    }
}
