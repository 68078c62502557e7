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
                            let now = chosen(state.value_untracked(&change_id));
                            let now = toggle(now, &toggled, event_target_checked(&event), &order);
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

/// `chosen` with `value` checked or not, in the options' order (`order`); values that are
/// none of the options (a prefill's) stay first. Without a sort, whose code is 4 kB of wasm
/// for each type sorted.
fn toggle(chosen: Vec<String>, value: &str, checked: bool, order: &[String]) -> Vec<String> {
    let is_chosen =
        |v: &str| (v == value && checked) || (v != value && chosen.iter().any(|c| c == v));
    let unknown = chosen.iter().filter(|v| !order.contains(v) && is_chosen(v));
    unknown
        .chain(order.iter().filter(|o| is_chosen(o)))
        .cloned()
        .collect()
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

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(values: &[&str]) -> Vec<String> {
        values.iter().map(|v| (*v).to_owned()).collect()
    }

    #[test]
    fn choices_stay_in_the_options_order_whatever_the_clicks() {
        let order = strings(&["security", "billing", "news"]);
        let now = toggle(Vec::new(), "news", true, &order);
        let now = toggle(now, "security", true, &order);
        assert_eq!(now, strings(&["security", "news"]));
        let now = toggle(now, "billing", true, &order);
        assert_eq!(now, strings(&["security", "billing", "news"]));
        assert_eq!(
            toggle(now, "security", false, &order),
            strings(&["billing", "news"])
        );
    }

    #[test]
    fn a_value_that_is_no_option_stays_first() {
        let order = strings(&["a", "b"]);
        let now = toggle(strings(&["b", "legacy"]), "a", true, &order);
        assert_eq!(now, strings(&["legacy", "a", "b"]));
    }
}
