//! One component per field kind of `stopover_protocol::FieldKind`, and what they share: the
//! label with its required marker, help text and the inline error, tied to the control with
//! `aria-describedby` (their element ids: `crate::field_ids`).
//!
//! `hidden` fields render nothing: their value comes from the definition or the token, and the
//! signer fills it in itself.

mod checkbox;
mod checkboxes;
mod consent;
mod date;
mod number;
mod radio;
mod select;
mod static_text;
mod text;
mod textarea;

use leptos::prelude::*;
use stopover_protocol::{Field, FieldKind, LocalizedText};

use crate::field_ids::{control_id, error_id, help_id};
use crate::form_state::FormState;
use crate::i18n::{Lang, Msg};

pub use checkbox::CheckboxField;
pub use checkboxes::CheckboxesField;
pub use consent::ConsentField;
pub use date::DateField;
pub use number::NumberField;
pub use radio::RadioField;
pub use select::SelectField;
pub use static_text::StaticText;
pub use text::{TextField, TextLike};
pub use textarea::TextareaField;

/// One field, shown while its `show_if` holds.
#[component]
pub fn FieldView(
    /// The field's definition.
    field: Field,
) -> impl IntoView {
    let state = expect_context::<FormState>();
    let id = field.id.clone();
    let field = StoredValue::new(field);
    view! {
        <Show when=move || state.is_visible(&id)>
            {move || control(field.get_value())}
        </Show>
    }
}

fn control(field: Field) -> AnyView {
    match field.kind {
        FieldKind::Text { .. } => view! { <TextField field kind=TextLike::Text /> }.into_any(),
        FieldKind::Email { .. } => view! { <TextField field kind=TextLike::Email /> }.into_any(),
        FieldKind::Tel => view! { <TextField field kind=TextLike::Tel /> }.into_any(),
        FieldKind::Url { .. } => view! { <TextField field kind=TextLike::Url /> }.into_any(),
        FieldKind::Textarea { .. } => view! { <TextareaField field /> }.into_any(),
        FieldKind::Number { .. } => view! { <NumberField field /> }.into_any(),
        FieldKind::Date { .. } => view! { <DateField field /> }.into_any(),
        FieldKind::Select { .. } => view! { <SelectField field /> }.into_any(),
        FieldKind::Radio { .. } => view! { <RadioField field /> }.into_any(),
        FieldKind::Checkboxes { .. } => view! { <CheckboxesField field /> }.into_any(),
        FieldKind::Checkbox => view! { <CheckboxField field /> }.into_any(),
        FieldKind::Consent { .. } => view! { <ConsentField field /> }.into_any(),
        FieldKind::Static { .. } => view! { <StaticText field /> }.into_any(),
        FieldKind::Hidden { .. } => ().into_any(),
    }
}

/// A text of the definition in the page's language.
fn local(text: &Option<LocalizedText>, lang: Lang) -> Option<String> {
    text.as_ref()
        .map(|text| text.get(lang.tag()).to_owned())
        .filter(|t| !t.is_empty())
}

/// What the control's `aria-describedby` lists: the help text, then the error when shown
/// (tracked).
fn described_by(
    field: &Field,
    state: FormState,
) -> impl Fn() -> Option<String> + Send + Sync + 'static {
    let id = field.id.clone();
    let has_help = field.help.is_some();
    move || {
        let mut ids = Vec::new();
        if has_help {
            ids.push(help_id(&id));
        }
        if state.error(&id).is_some() {
            ids.push(error_id(&id));
        }
        (!ids.is_empty()).then(|| ids.join(" "))
    }
}

/// `aria-invalid="true"` while an error is shown (tracked).
fn invalid(
    field_id: &str,
    state: FormState,
) -> impl Fn() -> Option<&'static str> + Send + Sync + 'static {
    let id = field_id.to_owned();
    move || state.error(&id).map(|_| "true")
}

/// The label text with its marker: "(required)", or "(optional)" for a question that may be
/// left out (a lone checkbox is neither: unticked is an answer).
#[component]
fn LabelText(
    /// The field whose label this is.
    field: Field,
) -> impl IntoView {
    let state = expect_context::<FormState>();
    let required = field.required || matches!(field.kind, FieldKind::Consent { .. });
    let optional =
        !required && field.kind.takes_answer() && !matches!(field.kind, FieldKind::Checkbox);
    view! {
        {local(&field.label, state.lang)}
        {required.then(|| view! { " " <span class="required">{Msg::Required.text(state.lang)}</span> })}
        {optional.then(|| view! { " " <span class="optional">{Msg::Optional.text(state.lang)}</span> })}
    }
}

/// The help text, when the field has one.
#[component]
fn Help(
    /// The field whose help this is.
    field: Field,
) -> impl IntoView {
    let state = expect_context::<FormState>();
    local(&field.help, state.lang)
        .map(|help| view! { <p class="help" id=help_id(&field.id)>{help}</p> })
}

/// The inline error, while one is shown.
#[component]
fn ErrorMessage(
    /// The field whose error this is.
    field: Field,
) -> impl IntoView {
    let state = expect_context::<FormState>();
    let id = field.id.clone();
    move || {
        state.error(&id).map(|code| {
            view! {
                <p class="field-error" id=error_id(&id)>
                    <span class="visually-hidden">{Msg::ErrorPrefix.text(state.lang)} " "</span>
                    {state.error_text(&id, code)}
                </p>
            }
        })
    }
}

/// The classes of a field's wrapper: `base`, plus `has-error` while the field shows an error
/// (the stylesheet marks such fields with a bar at the side).
fn field_class(state: FormState, id: &str, base: &'static str) -> impl Fn() -> String {
    let id = id.to_owned();
    move || {
        if state.error(&id).is_some() {
            format!("{base} has-error")
        } else {
            base.to_owned()
        }
    }
}

/// Wrapper of every single-control field: label, help, error, then the control.
#[component]
fn SingleField(
    /// The field.
    field: Field,
    /// The control itself.
    children: Children,
) -> impl IntoView {
    let state = expect_context::<FormState>();
    let id = field.id.clone();
    view! {
        <div class=field_class(state, &id, "field")>
            <label class="label" for=control_id(&id)><LabelText field=field.clone() /></label>
            <Help field=field.clone() />
            <ErrorMessage field=field.clone() />
            {children()}
        </div>
    }
}

/// Wrapper of radio and checkbox groups: a fieldset whose legend is the label.
#[component]
fn GroupField(
    /// The field.
    field: Field,
    /// The choices.
    children: Children,
) -> impl IntoView {
    let state = expect_context::<FormState>();
    view! {
        <div class=field_class(state, &field.id, "field")>
            <fieldset id=control_id(&field.id) aria-describedby=described_by(&field, state)>
                <legend class="label"><LabelText field=field.clone() /></legend>
                <Help field=field.clone() />
                <ErrorMessage field=field.clone() />
                {children()}
            </fieldset>
        </div>
    }
}
