//! Text between fields: `static` fields.

use leptos::prelude::*;
use stopover_protocol::{Field, FieldKind};

use crate::form_state::FormState;

/// A paragraph of the definition's text (as text, never HTML), with its label as a heading.
#[component]
pub fn StaticText(
    /// The field (kind `static`).
    field: Field,
) -> impl IntoView {
    let state = expect_context::<FormState>();
    let text = match &field.kind {
        FieldKind::Static { text } => text.get(state.lang.tag()).to_owned(),
        _ => String::new(),
    };
    let heading = super::local(&field.label, state.lang);
    view! {
        <div class="static-text">
            {heading.map(|heading| view! { <h2>{heading}</h2> })}
            <p>{text}</p>
        </div>
    }
}
