//! The form that hands the login back to Auth0: a real `<form method="post">` to the signer's
//! `continue_url` with the fields it returned, submitted at once, with a visible button if
//! that is blocked.
//!
//! POST, not a redirect with the token in the URL, keeps the continue token out of history,
//! logs and referrers (docs/contract.md#handoff).

use leptos::html;
use leptos::prelude::*;
use stopover_protocol::ContinueResponse;

use crate::i18n::{Lang, Msg};

/// Whether the `/continue` form submits itself once shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum HandoffMode {
    /// Submit at once (the page as people use it).
    #[default]
    Automatic,
    /// Leave it for the person's click (tests, which must stay on the page).
    Manual,
}

/// The thank-you panel with the hidden form that posts the continue token to `/continue`;
/// it submits itself unless the context's [`HandoffMode`] says `Manual`.
#[component]
pub fn ContinueForm(
    /// The signer's answer: where to post, and the fields to post.
    response: ContinueResponse,
) -> impl IntoView {
    let lang = use_context::<Lang>().unwrap_or_default();
    let mode = use_context::<HandoffMode>().unwrap_or_default();
    let form = NodeRef::<html::Form>::new();
    Effect::new(move |_| {
        if mode == HandoffMode::Automatic {
            if let Some(form) = form.get() {
                // If the browser blocks it, the Continue button below is still there.
                form.submit().ok();
            }
        }
    });
    let inputs = response
        .fields
        .into_iter()
        .map(|(name, value)| view! { <input type="hidden" name=name value=value /> })
        .collect_view();
    view! {
        <section class="panel" aria-labelledby="handoff-title">
            <h1 id="handoff-title">{Msg::HandoffTitle.text(lang)}</h1>
            <p role="status">{Msg::HandoffBody.text(lang)}</p>
            <form class="handoff" method="post" action=response.continue_url node_ref=form>
                {inputs}
                <p>{Msg::HandoffFallback.text(lang)}</p>
                <button type="submit" class="button">{Msg::Continue.text(lang)}</button>
            </form>
        </section>
    }
}

/// True for an absolute `https://` URL, or `http://` (the local simulator); the signer's
/// answer is never allowed to turn the form into `javascript:` or a relative post.
pub fn is_safe_action(url: &str) -> bool {
    let lower = url.to_ascii_lowercase();
    let rest = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"));
    rest.is_some_and(|rest| !rest.is_empty() && !rest.starts_with('/'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_absolute_http_urls_are_posted_to() {
        assert!(is_safe_action(
            "https://tenant.eu.auth0.com/continue?state=abc"
        ));
        assert!(is_safe_action("http://127.0.0.1:8780/continue?state=abc"));
        assert!(!is_safe_action("javascript:alert(1)"));
        assert!(!is_safe_action("/continue"));
        assert!(!is_safe_action("https:///x"));
        assert!(!is_safe_action("data:text/html,x"));
    }
}
