//! What a field starts with when the page shows it: its default, or the session token's
//! `prefill` claim (docs/contract.md#session-claims), and the value of a `hidden` field.

use std::borrow::Cow;

use serde_json::{Map, Value};

use crate::form::{Field, FieldKind};
use crate::formats;

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
    hidden_text(field, prefill).map(Cow::into_owned)
}

/// [`hidden_value`], borrowed where it can be (`validate_answers` compares it with what was
/// submitted, on every request).
pub(crate) fn hidden_text<'a>(
    field: &'a Field,
    prefill: &'a Map<String, Value>,
) -> Option<Cow<'a, str>> {
    let FieldKind::Hidden { value } = &field.kind else {
        return None;
    };
    if let Some(value) = value {
        return Some(Cow::Borrowed(value));
    }
    match prefill.get(field.prefill.as_deref()?)? {
        Value::String(text) => Some(Cow::Borrowed(text)),
        other => scalar_text(other).map(Cow::Owned),
    }
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
