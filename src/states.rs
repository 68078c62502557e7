//! The states a person can meet besides the form itself, each in plain words with a way
//! forward (back to the application, when `return_url` is configured): a broken link, a link
//! that could not be verified, an expired sign-in, a step already done or finished in this
//! tab, an unknown form, and the failures worth retrying.

use leptos::html;
use leptos::prelude::*;

use crate::api::ApiError;
use crate::clock::use_clock;
use crate::config::PageConfig;
use crate::i18n::{Lang, Msg};
use crate::title::set_title;

/// A titled notice: used for whole-page states (as the page's `h1`) and inside the form.
#[component]
pub fn StateNotice(
    /// The heading.
    title: Msg,
    /// What happened and what to do.
    body: Msg,
    /// A further sentence, if any.
    #[prop(optional)]
    extra: Option<Msg>,
    /// Offer "Start again" (back to the application), when `return_url` is configured.
    #[prop(optional)]
    start_again: bool,
    /// Take focus when shown: for notices that answer the person's own submit.
    #[prop(optional)]
    take_focus: bool,
) -> impl IntoView {
    let lang = use_context::<Lang>().unwrap_or_default();
    let node = NodeRef::<html::Section>::new();
    if take_focus {
        focus_when_mounted(node);
    }
    view! {
        <section class="notice" role="alert" tabindex="-1" node_ref=node>
            <h2>{title.text(lang)}</h2>
            <p>{body.text(lang)}</p>
            {extra.map(|extra| view! { <p>{extra.text(lang)}</p> })}
            {start_again.then(|| view! { <StartAgain /> })}
        </section>
    }
}

/// "Start again": a link back to the application the person was signing in to
/// (`stopover.json`'s `return_url`); nothing when none is configured.
#[component]
pub fn StartAgain() -> impl IntoView {
    view! { <ReturnLink label=Msg::StartAgain /> }
}

/// A link back to the application (`stopover.json`'s `return_url`), labelled `label`;
/// nothing when none is configured.
#[component]
pub fn ReturnLink(
    /// What the link says.
    label: Msg,
) -> impl IntoView {
    let lang = use_context::<Lang>().unwrap_or_default();
    let url = use_context::<PageConfig>().and_then(|config| config.return_url().map(str::to_owned));
    url.map(|url| {
        view! { <p><a class="button start-again" href=url>{label.text(lang)}</a></p> }
    })
}

/// Moves focus to `node` once it is in the document (a notice answering a submit, so that
/// the person, and their screen reader, are where the news is).
fn focus_when_mounted(node: NodeRef<html::Section>) {
    Effect::new(move |_| {
        if let Some(element) = node.get() {
            let _ = element.focus();
        }
    });
}

/// A whole-page state: the heading is the page's `h1`.
#[component]
pub fn StatePage(
    /// The heading.
    title: Msg,
    /// What happened and what to do.
    body: Msg,
    /// Offer "Start again" (back to the application), when `return_url` is configured.
    #[prop(optional)]
    start_again: bool,
    /// Offer a link back to the application with these words instead.
    #[prop(optional)]
    return_label: Option<Msg>,
) -> impl IntoView {
    let lang = use_context::<Lang>().unwrap_or_default();
    set_title(lang, title.text(lang), false);
    let return_label = return_label.or(start_again.then_some(Msg::StartAgain));
    view! {
        <section class="panel state" aria-labelledby="state-title">
            <h1 id="state-title">{title.text(lang)}</h1>
            <p>{body.text(lang)}</p>
            {return_label.map(|label| view! { <ReturnLink label /> })}
        </section>
    }
}

/// The link lacks `state` or the session token, or the token cannot be read.
#[component]
pub fn LinkProblem() -> impl IntoView {
    view! { <StatePage title=Msg::LinkProblemTitle body=Msg::LinkProblemBody start_again=true /> }
}

/// The session token cannot be read, or the signer refused a token that has not expired by
/// its own `exp`: the link could not be verified. Which check failed is not said.
#[component]
pub fn NotVerified() -> impl IntoView {
    view! { <StatePage title=Msg::NotVerifiedTitle body=Msg::NotVerifiedBody start_again=true /> }
}

/// The sign-in expired before the form was shown.
#[component]
pub fn Expired() -> impl IntoView {
    view! { <StatePage title=Msg::ExpiredTitle body=Msg::ExpiredBody start_again=true /> }
}

/// The signer answered 409: this login step was already completed.
#[component]
pub fn AlreadyDone() -> impl IntoView {
    view! { <StatePage title=Msg::AlreadyDoneTitle body=Msg::AlreadyDoneBody start_again=true /> }
}

/// The page was opened without a login in a tab that has handed its login back (Back from
/// Auth0, or a reload after the hand-off): the step is done, the way on is the application.
#[component]
pub fn Finished() -> impl IntoView {
    view! {
        <StatePage title=Msg::FinishedTitle body=Msg::FinishedBody
            return_label=Msg::BackToApplication />
    }
}

/// The token (or the deployment) names a form the signer does not have.
#[component]
pub fn UnknownForm() -> impl IntoView {
    view! { <StatePage title=Msg::UnknownFormTitle body=Msg::UnknownFormBody start_again=true /> }
}

/// A failure talking to the signer, with a "Try again" button when trying again can help
/// (after the `Retry-After` wait for a 429). Answers stay where they are. It takes focus when
/// shown: it answers the person's submit (or the page's own request).
#[component]
pub fn RetryNotice(
    /// What went wrong.
    error: ApiError,
    /// Unix seconds from which a retry is allowed (rate limiting); 0 for at once.
    retry_at: i64,
    /// Called when the person asks to try again.
    on_retry: Callback<()>,
) -> impl IntoView {
    let lang = use_context::<Lang>().unwrap_or_default();
    let clock = use_clock();
    let wait_left = move || (retry_at - clock.get()).max(0);
    let (title, body) = match &error {
        ApiError::Network => (Msg::NetworkTitle, Some(Msg::NetworkBody)),
        ApiError::Unavailable | ApiError::Server(_) => (Msg::ServerTitle, Some(Msg::ServerBody)),
        ApiError::RateLimited { .. } => (Msg::RateLimitedTitle, None),
        ApiError::UnknownForm => (Msg::UnknownFormTitle, Some(Msg::UnknownFormBody)),
        _ => (Msg::MisconfiguredTitle, Some(Msg::MisconfiguredBody)),
    };
    let rate_limited = matches!(error, ApiError::RateLimited { .. });
    let retryable = error.is_retryable();
    let node = NodeRef::<html::Section>::new();
    focus_when_mounted(node);
    view! {
        <section class="notice" role="alert" tabindex="-1" node_ref=node>
            <h2>{title.text(lang)}</h2>
            {body.map(|body| view! { <p>{body.text(lang)}</p> })}
            {rate_limited.then(|| view! {
                <p role="status">
                    {move || match wait_left() {
                        0 => Msg::RateLimitedReady.text(lang).to_owned(),
                        // A wait of at most ten minutes is exact in an f64.
                        left => Msg::RateLimitedWait.count(lang, left as f64),
                    }}
                </p>
            })}
            {retryable.then(|| view! {
                <button type="button" class="button secondary"
                    disabled=move || { wait_left() > 0 }
                    on:click=move |_| on_retry.run(())>
                    {Msg::TryAgain.text(lang)}
                </button>
            })}
        </section>
    }
}
