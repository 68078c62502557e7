//! The form that hands the login back to Auth0: a real `<form method="post">` to the signer's
//! `continue_url` with the fields it returned, submitted once, at once. A visible "Continue"
//! button appears only if that submission did not happen (no navigation began within
//! [`FALLBACK_AFTER_MS`]); once one post is on its way, no second one can start, because
//! Auth0's `state` is single-use and a second post would turn a finished login into
//! Auth0's "invalid_request" page.
//!
//! POST, not a redirect with the token in the URL, keeps the continue token out of history,
//! logs and referrers (docs/contract.md#handoff).

use std::time::Duration;

use leptos::ev::SubmitEvent;
use leptos::html;
use leptos::prelude::*;
use stopover_protocol::ContinueResponse;

use crate::i18n::{Lang, Msg};

/// How long the automatic post may take to start navigating before the page offers the
/// "Continue" button. A slow network does not count: navigation begins (`beforeunload`) as
/// soon as the post is sent, whatever the answer's speed.
pub const FALLBACK_AFTER_MS: u64 = 3_000;

/// Whether the `/continue` form submits itself once shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum HandoffMode {
    /// Submit at once (the page as people use it).
    #[default]
    Automatic,
    /// Leave it for the person's click (tests, which must stay on the page).
    Manual,
}

/// The thank-you panel with the hidden form that posts the continue token to `/continue`:
/// progress shown and focused; it submits itself unless the context's [`HandoffMode`] says
/// `Manual`, and offers its button (focused) only when that did not happen.
#[component]
pub fn ContinueForm(
    /// The signer's answer: where to post, and the fields to post.
    response: ContinueResponse,
) -> impl IntoView {
    let lang = use_context::<Lang>().unwrap_or_default();
    let mode = use_context::<HandoffMode>().unwrap_or_default();
    let form = NodeRef::<html::Form>::new();
    let heading = NodeRef::<html::H1>::new();
    let button = NodeRef::<html::Button>::new();
    // True once a post is on its way: the page is navigating away.
    let posted = StoredValue::new(false);
    let fallback = RwSignal::new(mode == HandoffMode::Manual);
    crate::title::set_title(lang, Msg::HandoffTitle.text(lang), false);

    let leaving = window_event_listener(leptos::ev::beforeunload, move |_| posted.set_value(true));
    on_cleanup(move || leaving.remove());

    let attempted = StoredValue::new(false);
    Effect::new(move |_| {
        let Some(form) = form.get() else { return };
        if attempted.get_value() {
            return;
        }
        attempted.set_value(true);
        if let Some(heading) = heading.get_untracked() {
            // Focus on the progress heading, so a screen reader says where the person is.
            let _ = heading.focus();
        }
        if mode == HandoffMode::Manual {
            return;
        }
        if form.submit().is_err() {
            fallback.set(true);
            return;
        }
        set_timeout(
            move || {
                if !posted.get_value() {
                    fallback.set(true);
                }
            },
            Duration::from_millis(FALLBACK_AFTER_MS),
        );
    });
    Effect::new(move |previous: Option<bool>| {
        let shown = fallback.get();
        if shown && previous == Some(false) {
            if let Some(button) = button.get_untracked() {
                let _ = button.focus();
            }
        }
        shown
    });

    // The button's own post: one at most, and none once the automatic one is on its way.
    let on_submit = move |event: SubmitEvent| {
        if posted.get_value() {
            event.prevent_default();
        } else {
            posted.set_value(true);
        }
    };

    let inputs = response
        .fields
        .into_iter()
        .map(|(name, value)| view! { <input type="hidden" name=name value=value /> })
        .collect_view();
    view! {
        <section class="panel" aria-labelledby="handoff-title">
            <h1 id="handoff-title" tabindex="-1" node_ref=heading>{Msg::HandoffTitle.text(lang)}</h1>
            <p role="status">{Msg::HandoffBody.text(lang)}</p>
            <progress class="handoff-progress" aria-labelledby="handoff-title"></progress>
            <form class="handoff" method="post" action=response.continue_url node_ref=form on:submit=on_submit>
                {inputs}
                <div hidden=move || !fallback.get()>
                    <p>{Msg::HandoffFallback.text(lang)}</p>
                    <button type="submit" class="button" node_ref=button>{Msg::Continue.text(lang)}</button>
                </div>
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
