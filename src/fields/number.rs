//! Numbers: `number` fields.
//!
//! A text input with a numeric keyboard rather than `type="number"`, whose spinner and
//! scroll-wheel changes confuse people (the GOV.UK Design System's advice); the shared
//! validation reads the text as a number and checks the bounds and step.

use leptos::prelude::*;
use serde_json::Value;
use stopover_protocol::{Field, FieldKind};

use super::{described_by, invalid, SingleField};
use crate::field_ids::control_id;
use crate::form_state::FormState;

/// A labelled number input.
#[component]
pub fn NumberField(
    /// The field (kind `number`).
    field: Field,
) -> impl IntoView {
    let state = expect_context::<FormState>();
    let id = field.id.clone();
    let whole_numbers = match &field.kind {
        FieldKind::Number { min, step, .. } => {
            step.is_some_and(|s| s.fract() == 0.0) && min.is_some_and(|m| m >= 0.0)
        }
        _ => false,
    };
    let inputmode = if whole_numbers { "numeric" } else { "decimal" };
    let placeholder = super::local(&field.placeholder, state.lang);
    let (value_id, input_id, blur_id) = (id.clone(), id.clone(), id.clone());
    view! {
        <SingleField field=field.clone()>
            <input
                class="input input-short"
                type="text"
                inputmode=inputmode
                id=control_id(&id)
                name=id.clone()
                autocomplete=field.autocomplete.clone()
                placeholder=placeholder
                spellcheck="false"
                aria-invalid=invalid(&id, state)
                aria-describedby=described_by(&field, state)
                prop:value=move || state.text(&value_id)
                on:input=move |event| state.set(&input_id, Value::String(event_target_value(&event)))
                on:blur=move |_| state.leave(&blur_id)
            />
        </SingleField>
    }
}
