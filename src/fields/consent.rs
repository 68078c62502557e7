//! Acceptance of a document at a version: `consent` fields.

use leptos::prelude::*;
use stopover_protocol::{Field, FieldKind};

use super::checkbox::YesNoBox;
use super::{field_class, ErrorMessage, Help};
use crate::continue_form::is_safe_action;
use crate::form_state::FormState;
use crate::i18n::{format_unix_date, previously_accepted, Msg};
use crate::session::Session;

/// A checkbox to accept a document, with a link to read it (in a new tab, so the form and
/// its answers stay here), and, when the session token says the person accepted an earlier
/// version, which one and when. Never pre-ticked.
#[component]
pub fn ConsentField(
    /// The field (kind `consent`).
    field: Field,
) -> impl IntoView {
    let state = expect_context::<FormState>();
    let lang = state.lang;
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
                        <span class="new-tab">{Msg::OpensInNewTab.text(lang)}</span>
                    </a>
                </p>
            }
        });
    let previous = use_context::<Session>()
        .and_then(|session| session.previous_consents.get(&field.id).cloned())
        .map(|previous| {
            let date = format_unix_date(lang, previous.accepted_at);
            view! {
                <p class="previous-acceptance">
                    {previously_accepted(lang, &previous.version, &date)}
                </p>
            }
        });
    view! {
        <div class=field_class(state, &field.id, "field consent")>
            <ErrorMessage field=field.clone() />
            {previous}
            {link}
            <YesNoBox field=field.clone() />
            <Help field=field.clone() />
        </div>
    }
}
