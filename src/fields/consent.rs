//! Acceptance of a document at a version: `consent` fields.

use leptos::prelude::*;
use serde_json::Value;
use stopover_protocol::{Field, FieldKind};

use super::{control_id, described_by, invalid, ErrorMessage, Help, LabelText};
use crate::form::FormState;
use crate::handoff::is_safe_action;
use crate::i18n::Msg;

/// A checkbox to accept a document, with a link to read it (in a new tab, so the form and
/// its answers stay here). Never pre-ticked.
#[component]
pub fn ConsentField(
    /// The field (kind `consent`).
    field: Field,
) -> impl IntoView {
    let state = expect_context::<FormState>();
    let lang = state.lang;
    let id = field.id.clone();
    let document = match &field.kind {
        FieldKind::Consent { document } => Some(document.clone()),
        _ => None,
    };
    let link = document
        .filter(|document| is_safe_action(&document.url))
        .map(|document| {
            view! {
                <p class="document">
                    <a href=document.url.clone() target="_blank" rel="noopener noreferrer">
                        {document.title.get(lang.tag()).to_owned()}
                        " "
                        <span class="visually-hidden">{Msg::OpensInNewTab.text(lang)}</span>
                    </a>
                </p>
            }
        });
    let (checked_id, change_id) = (id.clone(), id.clone());
    view! {
        <div class="field consent">
            <ErrorMessage field=field.clone() />
            {link}
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
            <Help field=field.clone() />
        </div>
    }
}
