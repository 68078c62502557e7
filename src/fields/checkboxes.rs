//! Several choices: `checkboxes` fields.

use leptos::prelude::*;
use serde_json::Value;
use stopover_protocol::{Field, FieldKind};

use super::GroupField;
use crate::field_ids::option_id;
use crate::form_state::FormState;

/// A fieldset of checkboxes; the answer is the list of chosen values, in option order.
#[component]
pub fn CheckboxesField(
    /// The field (kind `checkboxes`).
    field: Field,
) -> impl IntoView {
    let state = expect_context::<FormState>();
    let id = field.id.clone();
    let options = match &field.kind {
        FieldKind::Checkboxes { options, .. } => options.clone(),
        _ => Vec::new(),
    };
    let all_values: Vec<String> = options.iter().map(|option| option.value.clone()).collect();
    let choices = options
        .into_iter()
        .enumerate()
        .map(|(index, option)| {
            let input_id = option_id(&id, index);
            let (checked_id, change_id) = (id.clone(), id.clone());
            let (value, toggled) = (option.value.clone(), option.value.clone());
            let order = all_values.clone();
            view! {
                <div class="choice">
                    <input
                        type="checkbox"
                        id=input_id.clone()
                        name=id.clone()
                        value=option.value.clone()
                        prop:checked=move || chosen(state.value(&checked_id)).contains(&value)
                        on:change=move |event| {
                            let mut now = chosen(state.value_untracked(&change_id));
                            now.retain(|v| *v != toggled);
                            if event_target_checked(&event) {
                                now.push(toggled.clone());
                            }
                            now.sort_by_key(|v| order.iter().position(|o| o == v));
                            state.set(&change_id, Value::from(now));
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

/// The chosen values of a checkbox group's raw answer.
fn chosen(value: Option<Value>) -> Vec<String> {
    match value {
        Some(Value::Array(items)) => items
            .into_iter()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect(),
        Some(Value::String(one)) if !one.is_empty() => vec![one],
        _ => Vec::new(),
    }
}
