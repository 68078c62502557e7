//! The states a person can meet besides the form itself, each in plain words with a way
//! forward: a broken link, a link that could not be verified, an expired sign-in, a step already done, an unknown form, and
//! the failures worth retrying.

use leptos::prelude::*;

use crate::api::ApiError;
use crate::clock::use_clock;
use crate::i18n::{format_number, Lang, Msg};

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
) -> impl IntoView {
    let lang = use_context::<Lang>().unwrap_or_default();
    view! {
        <section class="notice" role="alert">
            <h2>{title.text(lang)}</h2>
            <p>{body.text(lang)}</p>
            {extra.map(|extra| view! { <p>{extra.text(lang)}</p> })}
        </section>
    }
}

/// A whole-page state: the heading is the page's `h1`.
#[component]
pub fn StatePage(
    /// The heading.
    title: Msg,
    /// What happened and what to do.
    body: Msg,
) -> impl IntoView {
    let lang = use_context::<Lang>().unwrap_or_default();
    view! {
        <section class="panel state" aria-labelledby="state-title">
            <h1 id="state-title">{title.text(lang)}</h1>
            <p>{body.text(lang)}</p>
        </section>
    }
}

/// The link lacks `state` or the session token, or the token cannot be read.
#[component]
pub fn LinkProblem() -> impl IntoView {
    view! { <StatePage title=Msg::LinkProblemTitle body=Msg::LinkProblemBody /> }
}

/// The session token cannot be read, or the signer refused a token that has not expired by
/// its own `exp`: the link could not be verified. Which check failed is not said.
#[component]
pub fn NotVerified() -> impl IntoView {
    view! { <StatePage title=Msg::NotVerifiedTitle body=Msg::NotVerifiedBody /> }
}

/// The sign-in expired before the form was shown.
#[component]
pub fn Expired() -> impl IntoView {
    view! { <StatePage title=Msg::ExpiredTitle body=Msg::ExpiredBody /> }
}

/// The signer answered 409: this login step was already completed.
#[component]
pub fn AlreadyDone() -> impl IntoView {
    view! { <StatePage title=Msg::AlreadyDoneTitle body=Msg::AlreadyDoneBody /> }
}

/// The token (or the deployment) names a form the signer does not have.
#[component]
pub fn UnknownForm() -> impl IntoView {
    view! { <StatePage title=Msg::UnknownFormTitle body=Msg::UnknownFormBody /> }
}

/// A failure talking to the signer, with a "Try again" button when trying again can help
/// (after the `Retry-After` wait for a 429). Answers stay where they are.
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
    view! {
        <section class="notice" role="alert">
            <h2>{title.text(lang)}</h2>
            {body.map(|body| view! { <p>{body.text(lang)}</p> })}
            {rate_limited.then(|| view! {
                <p role="status">
                    {move || match wait_left() {
                        0 => Msg::RateLimitedReady.text(lang).to_owned(),
                        // A wait of at most ten minutes is exact in an f64.
                        left => Msg::RateLimitedWait.with(lang, &format_number(lang, left as f64)),
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
