//! Multi-line text: `textarea` fields.

use leptos::prelude::*;
use serde_json::Value;
use stopover_protocol::{Field, FieldKind};

use super::{described_by, invalid, SingleField};
use crate::field_ids::control_id;
use crate::form_state::FormState;

/// A labelled multi-line text box.
#[component]
pub fn TextareaField(
    /// The field (kind `textarea`).
    field: Field,
) -> impl IntoView {
    let state = expect_context::<FormState>();
    let id = field.id.clone();
    let max_length = match &field.kind {
        FieldKind::Textarea { max_length, .. } => max_length.map(|m| m.to_string()),
        _ => None,
    };
    let placeholder = super::local(&field.placeholder, state.lang);
    let (value_id, input_id, blur_id) = (id.clone(), id.clone(), id.clone());
    view! {
        <SingleField field=field.clone()>
            <textarea
                class="input textarea"
                id=control_id(&id)
                name=id.clone()
                rows="4"
                autocomplete=field.autocomplete.clone()
                maxlength=max_length
                placeholder=placeholder
                aria-invalid=invalid(&id, state)
                aria-describedby=described_by(&field, state)
                prop:value=move || state.text(&value_id)
                on:input=move |event| state.set(&input_id, Value::String(event_target_value(&event)))
                on:blur=move |_| state.leave(&blur_id)
            ></textarea>
        </SingleField>
    }
}
