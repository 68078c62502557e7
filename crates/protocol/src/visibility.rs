//! `show_if`: when a field is shown. One rule for the page (what to render) and for
//! [`validate_answers`](fn@crate::validate_answers) (what to require and keep).

use serde_json::{Map, Value};

use crate::answer_values::AnswerValue;
use crate::clean_answer::clean_answer;
use crate::form::{Field, FormDefinition, ShowIf};
use crate::limits::MAX_SHOW_IF_DEPTH;

/// Whether the field `field_id` is shown, given the answers as the page holds them (raw, as
/// they would be submitted).
///
/// A field without `show_if` is shown. A field with `show_if` is shown when its controlling
/// field is itself shown and the controlling answer, *cleaned* as [`validate_answers`](fn@crate::validate_answers)
/// cleans it, matches `equals`: an invalid or missing answer matches nothing (an unchecked
/// `checkbox` is `false`). Matching: a boolean equals a `checkbox` (or an accepted `consent`),
/// a number equals a `number`, a string equals a text-like answer exactly (after trimming and
/// normalisation, so `+33 6 12…` matches `"+33612…"`), and for `checkboxes` a string matches
/// when it is among the chosen values (a list matches the same set of choices).
///
/// `false` for an unknown field id, for a controlling field that is unknown, `hidden` or
/// `static`, and when the chain of `show_if` is longer than [`MAX_SHOW_IF_DEPTH`] (a cycle).
pub fn is_visible(form: &FormDefinition, field_id: &str, answers: &Map<String, Value>) -> bool {
    let Some(field) = form.field(field_id) else {
        return false;
    };
    visible_with(form, field, &|controller, condition| match clean_answer(
        controller,
        answers.get(&controller.id),
        0,
    ) {
        Ok(Some(value)) => condition_holds(condition, &value),
        _ => false,
    })
}

/// The rule behind [`is_visible`], with whether the clean answer of a controlling field
/// satisfies a condition ([`condition_holds`] on it) supplied by the caller, so
/// `validate_answers` cleans each answer once and copies none.
pub(crate) fn visible_with(
    form: &FormDefinition,
    field: &Field,
    controller_holds: &dyn Fn(&Field, &ShowIf) -> bool,
) -> bool {
    let mut current = field;
    // Each field has at most one condition, so visibility is a chain: follow it, bounded.
    for _ in 0..=MAX_SHOW_IF_DEPTH {
        let Some(condition) = &current.show_if else {
            return true;
        };
        let Some(controller) = form.field(&condition.field) else {
            return false;
        };
        if !controller.kind.takes_answer() {
            return false;
        }
        if !controller_holds(controller, condition) {
            return false;
        }
        current = controller;
    }
    false
}

/// Whether a clean answer satisfies `show_if.equals`.
pub(crate) fn condition_holds(condition: &ShowIf, value: &AnswerValue) -> bool {
    match (value, &condition.equals) {
        (AnswerValue::Bool(answer), Value::Bool(wanted)) => answer == wanted,
        (AnswerValue::Consent(record), Value::Bool(wanted)) => record.accepted == *wanted,
        (AnswerValue::Number(answer), Value::Number(wanted)) => wanted
            .as_f64()
            .is_some_and(|wanted| (answer - wanted).abs() <= 1e-9 * wanted.abs().max(1.0)),
        (AnswerValue::Text(answer), Value::String(wanted)) => answer == wanted,
        (AnswerValue::Choices(chosen), Value::String(wanted)) => chosen.contains(wanted),
        (AnswerValue::Choices(chosen), Value::Array(wanted)) => {
            let wanted: Option<Vec<&str>> = wanted.iter().map(Value::as_str).collect();
            wanted.is_some_and(|wanted| {
                wanted.iter().all(|w| chosen.iter().any(|c| c == w))
                    && chosen.iter().all(|c| wanted.contains(&c.as_str()))
            })
        }
        _ => false,
    }
}
