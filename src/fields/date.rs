//! Dates: `date` fields, as the browser's date input (shown in the person's locale, sent as
//! `YYYY-MM-DD`). Judged on `blur` only: Chromium sends `change` for every segment typed, so
//! a half-typed year would be judged.

use leptos::prelude::*;
use serde_json::Value;
use stopover_protocol::{Field, FieldKind};

use super::{described_by, invalid, SingleField};
use crate::field_ids::control_id;
use crate::form_state::FormState;

/// A labelled date input with the definition's bounds.
#[component]
pub fn DateField(
    /// The field (kind `date`).
    field: Field,
) -> impl IntoView {
    let state = expect_context::<FormState>();
    let id = field.id.clone();
    let (min, max) = match &field.kind {
        FieldKind::Date { min, max } => (min.clone(), max.clone()),
        _ => (None, None),
    };
    let (value_id, input_id, blur_id) = (id.clone(), id.clone(), id.clone());
    view! {
        <SingleField field=field.clone()>
            <input
                class="input input-short"
                type="date"
                id=control_id(&id)
                name=id.clone()
                min=min
                max=max
                autocomplete=field.autocomplete.clone()
                aria-invalid=invalid(&id, state)
                aria-describedby=described_by(&field, state)
                prop:value=move || state.text(&value_id)
                on:input=move |event| state.set(&input_id, Value::String(event_target_value(&event)))
                on:blur=move |_| state.leave(&blur_id)
            />
        </SingleField>
    }
}
