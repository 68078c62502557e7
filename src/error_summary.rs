//! The GOV.UK-style error summary: a titled box at the top of the form that takes focus when
//! a submit finds problems and links to each field that has one. It shows what that submit
//! found until the next submit, and takes focus only then.

use leptos::html;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::form_state::FormState;
use crate::i18n::Msg;

/// The summary of the problems [`FormState::summary`] lists, one link per field; it takes
/// focus each time a submit finds problems, and at no other time.
#[component]
pub fn ErrorSummary() -> impl IntoView {
    let state = expect_context::<FormState>();
    let lang = state.lang;
    let node = NodeRef::<html::Div>::new();
    let focus_requests = state.summary_focus();
    Effect::new(move |_| {
        focus_requests.track();
        if let Some(element) = node.get().filter(|_| state.take_summary_focus()) {
            // Focusing a mounted element with tabindex=-1 cannot fail in a meaningful way.
            let _ = element.focus();
        }
    });
    view! {
        <div class="error-summary" role="alert" tabindex="-1" aria-labelledby="error-summary-title" node_ref=node>
            <h2 id="error-summary-title">{Msg::ErrorSummaryTitle.text(lang)}</h2>
            <ul>
                {move || state.summary().into_iter().map(|entry| match entry.target {
                    Some(target) => {
                        let href = format!("#{target}");
                        view! {
                            <li><a href=href on:click=move |event| {
                                event.prevent_default();
                                focus_element(&target);
                            }>{entry.text}</a></li>
                        }.into_any()
                    }
                    None => view! { <li>{entry.text}</li> }.into_any(),
                }).collect_view()}
            </ul>
        </div>
    }
}

/// Moves focus to the element with `id` (a summary link's target) and scrolls it into view.
fn focus_element(id: &str) {
    if let Some(element) = document()
        .get_element_by_id(id)
        .and_then(|element| element.dyn_into::<web_sys::HtmlElement>().ok())
    {
        let _ = element.focus();
    }
}
