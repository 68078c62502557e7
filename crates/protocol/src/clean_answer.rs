//! The rules of each field kind: what one submitted value cleans to (trimmed, normalised,
//! typed) or why it is refused. [`validate_answers`](fn@crate::validate_answers) applies them to every field, and
//! `show_if` (`crate::visibility`) and the definition checks (`crate::check`) to one answer.

use std::borrow::Cow;

use serde::Deserialize;
use serde_json::Value;

use crate::answer_values::{AnswerValue, ConsentRecord};
use crate::characters;
use crate::field_errors::FieldErrorCode;
use crate::form::{Field, FieldKind, FieldOption};
use crate::formats;
use crate::limits::{DEFAULT_MAX_TEXTAREA_CHARS, DEFAULT_MAX_TEXT_CHARS};

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
            let (accepted, language) = match raw {
                None | Some(Value::Bool(false)) => return Ok(None),
                Some(Value::Bool(true)) => (true, None),
                Some(record @ Value::Object(_)) => {
                    let record = ConsentRecord::deserialize(record)
                        .map_err(|_| vec![FieldErrorCode::InvalidType])?;
                    (
                        record.accepted && record.version == document.version,
                        record.language,
                    )
                }
                Some(_) => return Err(vec![FieldErrorCode::InvalidType]),
            };
            if !accepted {
                return Err(vec![FieldErrorCode::MustAccept]);
            }
            // The page says which language it showed the document's title in: one of the
            // title's own, recorded as the definition spells it.
            let language = match language {
                None => None,
                Some(tag) => Some(
                    document
                        .title
                        .languages()
                        .find(|own| own.eq_ignore_ascii_case(&tag))
                        .map(str::to_owned)
                        .ok_or_else(|| vec![FieldErrorCode::NotAnOption])?,
                ),
            };
            Ok(Some(AnswerValue::Consent(ConsentRecord {
                accepted: true,
                version: document.version.clone(),
                accepted_at: now,
                document: Some(document.url.clone()),
                language,
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
    // Copied once, at the end: only a `\r\n` to rewrite needs a copy before.
    let text: Cow<'_, str> = if multiline && text.contains("\r\n") {
        Cow::Owned(text.replace("\r\n", "\n"))
    } else {
        Cow::Borrowed(text)
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
fn number_in_range(number: f64, min: Option<f64>, max: Option<f64>, step: Option<f64>) -> bool {
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
