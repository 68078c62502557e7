//! Where answers are validated: the one function that validates and normalises a person's
//! answers against a form.
//!
//! The page calls it as the person types, the signer calls it before minting; neither trusts
//! the other. Each answer is cleaned by the rules of its field's kind (`clean_answer.rs`
//! holds them); which fields count is decided by `show_if` ([`crate::is_visible`]).

use serde_json::{Map, Value};

use crate::answer_values::{AnswerValue, CleanAnswers};
use crate::clean_answer::{clean_answer, Outcome};
use crate::field_errors::{FieldErrorCode, FieldErrors};
use crate::form::{Field, FieldKind, FormDefinition};
use crate::prefill::hidden_text;
use crate::visibility::{condition_holds, visible_with};

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
///   zero-width spaces, see `characters.rs`) and an empty list count as no answer;
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
///   `consent`: `true` or a [`ConsentRecord`](crate::ConsentRecord) of the document's version);
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

    for (key, value) in submitted {
        let field = form.field(key);
        let code = match field.map(|field| &field.kind) {
            None => Some(FieldErrorCode::UnknownField),
            Some(FieldKind::Static { .. }) => Some(FieldErrorCode::ReadOnly),
            Some(FieldKind::Hidden { .. }) => {
                let own = field.and_then(|field| hidden_text(field, prefill));
                (own.is_none() || value.as_str() != own.as_deref())
                    .then_some(FieldErrorCode::ReadOnly)
            }
            Some(_) => None,
        };
        if let Some(code) = code {
            errors.entry(key.clone()).or_default().push(code);
        }
    }

    // Every answer is cleaned first, independent of visibility, so `show_if` can look at
    // the clean value of its controlling field. One slot per field, in the definition's
    // order; a repeated id (only in a definition that was never checked) is the first
    // field's, as in `FormDefinition::field`, so later ones get no slot.
    let first: Vec<bool> = form
        .fields
        .iter()
        .map(|field| is_first_of_its_id(form, field))
        .collect();
    let mut outcomes: Vec<Option<Outcome>> = form
        .fields
        .iter()
        .zip(&first)
        .map(|(field, &first)| {
            (first && field.kind.takes_answer())
                .then(|| clean_answer(field, submitted.get(&field.id), now))
        })
        .collect();
    let slot_of = |field: &Field| form.fields.iter().position(|own| std::ptr::eq(own, field));
    // Decided before any clean value is moved out into the answers.
    let visible: Vec<bool> = form
        .fields
        .iter()
        .zip(&first)
        .map(|(field, &first)| {
            first
                && visible_with(
                    form,
                    field,
                    &|controller, condition| match slot_of(controller)
                        .and_then(|slot| outcomes[slot].as_ref())
                    {
                        Some(Ok(Some(value))) => condition_holds(condition, value),
                        _ => false,
                    },
                )
        })
        .collect();

    let mut clean = CleanAnswers::default();
    for ((field, outcome), visible) in form.fields.iter().zip(&mut outcomes).zip(visible) {
        if !visible {
            continue;
        }
        if let FieldKind::Hidden { .. } = field.kind {
            if let Some(value) = hidden_text(field, prefill) {
                clean
                    .0
                    .insert(field.id.clone(), AnswerValue::Text(value.into_owned()));
            }
            continue;
        }
        let Some(outcome) = outcome.take() else {
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
                clean.0.insert(field.id.clone(), value);
            }
        }
    }

    if errors.is_empty() {
        Ok(clean)
    } else {
        // Each field's codes once, in declaration order: `ALL` is that order, and reading it
        // is no sort instance in the page's wasm.
        for codes in errors.values_mut() {
            *codes = FieldErrorCode::ALL
                .into_iter()
                .filter(|code| codes.contains(code))
                .collect();
        }
        Err(errors)
    }
}

/// Whether `field` is the one [`FormDefinition::field`] finds for its id (the first).
fn is_first_of_its_id(form: &FormDefinition, field: &Field) -> bool {
    form.field(&field.id)
        .is_some_and(|first| std::ptr::eq(first, field))
}
