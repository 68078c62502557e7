//! Single-line text inputs: `text`, `email`, `tel` and `url` fields.

use leptos::prelude::*;
use serde_json::Value;
use stopover_protocol::{Field, FieldKind, TextFormat};

use super::{described_by, invalid, SingleField};
use crate::field_ids::control_id;
use crate::form_state::FormState;

/// Which of the text-like kinds a [`TextField`] is: decides the input type, the keyboard
/// (`inputmode`) and the default `autocomplete`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextLike {
    Text,
    Email,
    Tel,
    Url,
}

impl TextLike {
    fn input_type(self) -> &'static str {
        match self {
            TextLike::Text => "text",
            TextLike::Email => "email",
            TextLike::Tel => "tel",
            TextLike::Url => "url",
        }
    }

    fn default_autocomplete(self) -> Option<&'static str> {
        match self {
            TextLike::Text => None,
            TextLike::Email => Some("email"),
            TextLike::Tel => Some("tel"),
            TextLike::Url => Some("url"),
        }
    }
}

/// A labelled single-line input.
#[component]
pub fn TextField(
    /// The field (kind `text`, `email`, `tel` or `url`).
    field: Field,
    /// Which of those it is.
    kind: TextLike,
) -> impl IntoView {
    let state = expect_context::<FormState>();
    let id = field.id.clone();
    let max_length = match &field.kind {
        FieldKind::Text { max_length, .. }
        | FieldKind::Email { max_length }
        | FieldKind::Url { max_length } => max_length.map(|m| m.to_string()),
        _ => None,
    };
    let inputmode = match &field.kind {
        FieldKind::Text {
            format: Some(TextFormat::Digits),
            ..
        } => Some("numeric"),
        _ => None,
    };
    let autocomplete = field
        .autocomplete
        .clone()
        .or_else(|| kind.default_autocomplete().map(str::to_owned));
    let placeholder = super::local(&field.placeholder, state.lang);
    let no_spellcheck = (kind != TextLike::Text).then_some("false");
    let (value_id, input_id, blur_id) = (id.clone(), id.clone(), id.clone());
    view! {
        <SingleField field=field.clone()>
            <input
                class="input"
                type=kind.input_type()
                id=control_id(&id)
                name=id.clone()
                autocomplete=autocomplete
                inputmode=inputmode
                maxlength=max_length
                placeholder=placeholder
                spellcheck=no_spellcheck
                aria-invalid=invalid(&id, state)
                aria-describedby=described_by(&field, state)
                prop:value=move || state.text(&value_id)
                on:input=move |event| state.set(&input_id, Value::String(event_target_value(&event)))
                on:blur=move |_| state.leave(&blur_id)
            />
        </SingleField>
    }
}
