//! One choice shown as radio buttons: `radio` fields.

use leptos::prelude::*;
use serde_json::Value;
use stopover_protocol::{Field, FieldKind};

use super::{invalid, GroupField};
use crate::field_ids::option_id;
use crate::form_state::FormState;

/// A fieldset of radio buttons, each with its own label.
#[component]
pub fn RadioField(
    /// The field (kind `radio`).
    field: Field,
) -> impl IntoView {
    let state = expect_context::<FormState>();
    let id = field.id.clone();
    let options = match &field.kind {
        FieldKind::Radio { options } => options.clone(),
        _ => Vec::new(),
    };
    let choices = options
        .into_iter()
        .enumerate()
        .map(|(index, option)| {
            let input_id = option_id(&id, index);
            let (checked_id, change_id) = (id.clone(), id.clone());
            let (value, chosen) = (option.value.clone(), option.value.clone());
            view! {
                <div class="choice">
                    <input
                        type="radio"
                        id=input_id.clone()
                        name=id.clone()
                        value=option.value.clone()
                        aria-invalid=invalid(&id, state)
                        prop:checked=move || state.text(&checked_id) == value
                        on:change=move |_| {
                            state.set(&change_id, Value::String(chosen.clone()));
                            state.leave(&change_id);
                        }
                    />
                    <label for=input_id>{option.label.get(state.lang.tag()).to_owned()}</label>
                </div>
            }
        })
        .collect_view();
    view! {
        <GroupField field=field.clone()>
            <div class="choices">{choices}</div>
        </GroupField>
    }
}
