//! Forms in steps: a form may group its fields into titled steps, shown one at a time. One
//! rule for the page (which step to show, what "Step 2 of 3" counts, what a step checks
//! before the next) and for the definition check; the signer validates the whole form at the
//! end, as for a form of one page.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::field_errors::FieldErrors;
use crate::form::{FieldKind, FormDefinition};
use crate::text::LocalizedText;
use crate::visibility::is_visible;

/// A titled group of fields. The fields are named by id and shown in the form's order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// Letters, digits, `_` and `-`, unique within the form.
    pub id: String,
    /// The step's heading.
    pub title: LocalizedText,
    /// The ids of its fields: every field of the form is in exactly one step.
    pub fields: Vec<String>,
}

impl FormDefinition {
    /// The index of the step `field_id` belongs to; `None` for a form without steps or a
    /// field in none.
    pub fn step_of(&self, field_id: &str) -> Option<usize> {
        self.steps
            .iter()
            .position(|step| step.fields.iter().any(|id| id == field_id))
    }
}

/// The steps the person goes through with these answers, in order, by index: those with at
/// least one field shown to them (not `hidden`, and shown by `show_if`), so a step whose
/// every field `show_if` hides is skipped. Empty for a form without steps.
pub fn shown_steps(form: &FormDefinition, answers: &Map<String, Value>) -> Vec<usize> {
    (0..form.steps.len())
        .filter(|&index| {
            form.fields.iter().any(|field| {
                form.step_of(&field.id) == Some(index)
                    && !matches!(field.kind, FieldKind::Hidden { .. })
                    && is_visible(form, &field.id, answers)
            })
        })
        .collect()
}

/// The part of `errors` that step `index` answers for: the errors of its fields. What the
/// page checks before it moves on from that step; the last step submits and the signer
/// checks everything.
pub fn step_errors(form: &FormDefinition, index: usize, errors: &FieldErrors) -> FieldErrors {
    // Cloned and filtered, not collected: collecting into a map sorts first, and each sort
    // instance is about 4 kB of the page's wasm.
    let mut of_step = errors.clone();
    of_step.retain(|field_id, _| form.step_of(field_id) == Some(index));
    of_step
}
