//! One choice from a list: `select` fields.

use leptos::prelude::*;
use serde_json::Value;
use stopover_protocol::{Field, FieldKind};

use super::{described_by, invalid, SingleField};
use crate::field_ids::control_id;
use crate::form_state::FormState;
use crate::i18n::Msg;

/// A labelled drop-down list with an empty first entry ("Choose…").
#[component]
pub fn SelectField(
    /// The field (kind `select`).
    field: Field,
) -> impl IntoView {
    let state = expect_context::<FormState>();
    let id = field.id.clone();
    let options = match &field.kind {
        FieldKind::Select { options } => options.clone(),
        _ => Vec::new(),
    };
    let change_id = id.clone();
    let blur_id = id.clone();
    let choices = options
        .into_iter()
        .map(|option| {
            let value = option.value.clone();
            let selected_id = id.clone();
            view! {
                <option value=option.value.clone() prop:selected=move || state.text(&selected_id) == value>
                    {option.label.get(state.lang.tag()).to_owned()}
                </option>
            }
        })
        .collect_view();
    let empty_id = id.clone();
    view! {
        <SingleField field=field.clone()>
            <select
                class="input select"
                id=control_id(&id)
                name=id.clone()
                autocomplete=field.autocomplete.clone()
                aria-invalid=invalid(&id, state)
                aria-describedby=described_by(&field, state)
                on:change=move |event| {
                    state.set(&change_id, Value::String(event_target_value(&event)));
                    state.leave(&change_id);
                }
                on:blur=move |_| state.leave(&blur_id)
            >
                <option value="" prop:selected=move || state.text(&empty_id).is_empty()>
                    {Msg::ChooseOption.text(state.lang)}
                </option>
                {choices}
            </select>
        </SingleField>
    }
}
