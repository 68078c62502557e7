//! Preview mode, for the people who write forms (`stopover-signer preview`, docs/operators.md,
//! "Writing forms"): turned on only by a `stopover.json` with `"preview": true`, which the
//! preview server writes and a deployment never has.
//!
//! No login: `?form=ID&lang=TAG&step=N` picks what to show, and without a form the page lists
//! every form in each of its languages and steps. A toolbar marked "Preview" shows the errors
//! on demand and links to the other languages and steps; the last step's button runs the same
//! full check as a submit and then shows what would be sent instead of calling the signer and
//! posting to Auth0. The page polls the server's version and reloads when the configuration
//! changes; a configuration with problems shows them in place of a form.
//!
//! Only the address is read here; the rest (`ui`) is built into the page with the `preview`
//! feature alone (`cargo xtask preview` builds it so), which keeps it out of the shipped
//! page's bytes; `stopover-signer preview` refuses a page built without it.
//!
//! The toolbar's texts are English only: it is a tool for the form's author, not a page a
//! person signing in ever sees, and the catalogue of `src/i18n/texts/` stays the person's.

use leptos::prelude::*;

#[cfg(feature = "preview")]
mod ui;

#[cfg(feature = "preview")]
pub use ui::PreviewControl;

/// What the address asks the preview to show: `?form=ID&lang=TAG&step=N`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PreviewQuery {
    pub form: Option<String>,
    pub lang: Option<String>,
    /// The step, counted from 1 as the links and "Step n of m" count it.
    pub step: Option<usize>,
}

impl PreviewQuery {
    /// The query of the address bar now.
    pub fn capture() -> Self {
        Self::from_search(&window().location().search().unwrap_or_default())
    }

    /// Reads `?form=ID&lang=TAG&step=N` (each optional; the first of a name counts).
    pub fn from_search(search: &str) -> Self {
        let query = search.trim_start_matches('?');
        let first = |wanted: &str| {
            form_urlencoded::parse(query.as_bytes())
                .find(|(name, value)| name == wanted && !value.is_empty())
                .map(|(_, value)| value.into_owned())
        };
        Self {
            form: first("form"),
            lang: first("lang"),
            step: first("step")
                .and_then(|step| step.parse().ok())
                .filter(|&step| step > 0),
        }
    }
}

/// The page in preview mode for `query`.
#[cfg(feature = "preview")]
pub fn page(query: PreviewQuery) -> AnyView {
    view! { <ui::PreviewPage query /> }.into_any()
}

/// Without the `preview` feature no query reaches here: `App` passes none, and
/// `stopover-signer preview` refuses to serve a page built without it.
#[cfg(not(feature = "preview"))]
pub fn page(_query: PreviewQuery) -> AnyView {
    ().into_any()
}

/// In a page without preview mode nothing provides it, and the form page never uses it.
#[cfg(not(feature = "preview"))]
#[derive(Debug, Clone, Copy)]
pub struct PreviewControl;

#[cfg(not(feature = "preview"))]
impl PreviewControl {
    pub fn attach(&self, _form: crate::form_state::FormState) {}

    pub fn submit(&self, _form: crate::form_state::FormState) {}
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_address_picks_form_language_and_step() {
        assert_eq!(
            PreviewQuery::from_search("?form=onboarding&lang=pt-BR&step=2"),
            PreviewQuery {
                form: Some("onboarding".to_owned()),
                lang: Some("pt-BR".to_owned()),
                step: Some(2),
            }
        );
        assert_eq!(PreviewQuery::from_search(""), PreviewQuery::default());
        assert_eq!(PreviewQuery::from_search("?step=0&form=").step, None);
        assert_eq!(PreviewQuery::from_search("?step=x").step, None);
    }
}
