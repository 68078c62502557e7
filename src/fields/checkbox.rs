//! One yes/no box: `checkbox` fields.

use leptos::prelude::*;
use serde_json::Value;
use stopover_protocol::Field;

use super::{described_by, field_class, invalid, ErrorMessage, Help, LabelText};
use crate::field_ids::control_id;
use crate::form_state::FormState;

/// A single checkbox with its label beside it; the answer is `true` or `false`.
#[component]
pub fn CheckboxField(
    /// The field (kind `checkbox`).
    field: Field,
) -> impl IntoView {
    let state = expect_context::<FormState>();
    view! {
        <div class=field_class(state, &field.id, "field")>
            <ErrorMessage field=field.clone() />
            <YesNoBox field=field.clone() />
            <Help field=field.clone() />
        </div>
    }
}

/// The box and its label, for `checkbox` and `consent` fields alike: ticked is `true`,
/// unticked `false`, and leaving the box validates it.
#[component]
pub(super) fn YesNoBox(
    /// The field the box answers.
    field: Field,
) -> impl IntoView {
    let state = expect_context::<FormState>();
    let id = field.id.clone();
    let (checked_id, change_id) = (id.clone(), id.clone());
    view! {
        <div class="choice">
            <input
                type="checkbox"
                id=control_id(&id)
                name=id.clone()
                aria-invalid=invalid(&id, state)
                aria-describedby=described_by(&field, state)
                prop:checked=move || state.value(&checked_id) == Some(Value::Bool(true))
                on:change=move |event| {
                    state.set(&change_id, Value::Bool(event_target_checked(&event)));
                    state.leave(&change_id);
                }
            />
            <label for=control_id(&id)><LabelText field=field.clone() /></label>
        </div>
    }
}
