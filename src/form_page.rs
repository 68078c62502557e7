//! The form page: title, introduction, countdown, error summary, fields and submit; then the
//! form that posts to `/continue`, or the state the signer's answer leads to.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use stopover_protocol::page_marks::FORM_READY_MARK;
use stopover_protocol::FormDefinition;
use wasm_bindgen::JsCast;

use crate::api::ApiError;
use crate::clock::use_clock;
use crate::config::PageConfig;
use crate::continue_form::ContinueForm;
use crate::error_summary::ErrorSummary;
use crate::fields::FieldView;
use crate::form_state::FormState;
use crate::i18n::{format_countdown, format_number, Lang, Msg};
use crate::launch::Launch;
use crate::retry::Failure;
use crate::session::Session;
use crate::states::{AlreadyDone, RetryNotice, StateNotice};
use crate::submit::{Phase, Submission};
use crate::tab_memory;
use crate::title::set_title;

/// The time left is announced (politely) when it falls to these many seconds.
pub const ANNOUNCE_AT_SECS: [i64; 2] = [120, 30];

/// The form page for `form`. The login it belongs to comes from the context: the [`Launch`]
/// (what is sent), the [`Session`] (prefill and expiry) and the [`PageConfig`] (where the
/// signer is), which [`Stopover`](crate::app::Stopover) provides before it loads a form;
/// the [`Lang`], and whether the `/continue` form submits itself, when provided.
#[component]
pub fn FormPage(
    /// The definition fetched from the signer.
    form: FormDefinition,
) -> impl IntoView {
    let lang = use_context::<Lang>().unwrap_or_default();
    // Stopover provides these three before it renders the FormLoader that renders this.
    let launch = expect_context::<Launch>();
    let session = expect_context::<Session>();
    let config = expect_context::<PageConfig>();
    // In a preview (`stopover-signer preview`): the address's step, "Show errors", and a
    // summary of what would be sent in place of the signer and the post to Auth0.
    let preview = use_context::<crate::preview::PreviewControl>();
    // With a per-login cap, just the questions this login asks (the signer applies the same
    // rule to the verified token); a preview shows the author every question.
    let form = match preview {
        Some(_) => form,
        None => form.for_login(&session.prefill).into_owned(),
    };
    let title = form.title.get(lang.tag()).to_owned();
    let introduction = form
        .introduction
        .as_ref()
        .map(|text| text.get(lang.tag()).to_owned());
    let submit_label = StoredValue::new(form.submit_label.get(lang.tag()).to_owned());
    let state = FormState::new(lang, form, session.prefill.clone(), launch.state.clone());
    provide_context(state);
    let submission = Submission::new(state, launch, config);
    if let Some(preview) = preview {
        preview.attach(state);
    }

    let clock = use_clock();
    let expires_at = session.expires_at;
    let seconds_left = move || expires_at.map(|exp| exp - clock.get());
    // Expired by the token's own (untrusted) `exp`: "expired, start again".
    let expired = move || seconds_left().is_some_and(|left| left <= 0);
    // The signer refused the token (401) before it expired: "could not be verified".
    let refused = move || submission.token_refused();
    let stopped = move || expired() || refused();
    // What the polite live region says: only its changes are announced, so it changes twice,
    // at two minutes and at thirty seconds left.
    let announcement = Memo::new(move |_| {
        let left = seconds_left()?;
        if left <= 0 {
            None
        } else if left <= ANNOUNCE_AT_SECS[1] {
            Some(Msg::ThirtySecondsLeft)
        } else if left <= ANNOUNCE_AT_SECS[0] {
            Some(Msg::TwoMinutesLeft)
        } else {
            None
        }
    });

    // A form with steps shows one at a time ("Step 2 of 3").
    let step = Memo::new(move |_| state.step());
    let step_position = Memo::new(move |_| state.step_position());
    let on_last_step = Memo::new(move |_| state.on_last_step());
    // Before the last step, the button (and Enter in a field) checks the step and moves on;
    // focus goes to the new step's heading, as to a new page.
    let on_submit = move |event: SubmitEvent| {
        event.prevent_default();
        if stopped() {
            return;
        }
        if on_last_step.get_untracked() {
            match preview {
                Some(preview) => preview.submit(state),
                None => submission.send(),
            }
        } else if state.next_step() {
            focus_step_heading();
        }
    };
    let on_back = move |_| {
        if state.previous_step() {
            focus_step_heading();
        }
    };

    Effect::new(move |_| mark_form_ready());
    let page_title = StoredValue::new(title.clone());
    let in_error = move || state.has_errors() || refused() || expired();
    Effect::new(move |_| {
        let error = in_error();
        page_title.with_value(|title| set_title(lang, title, error));
    });

    // Which whole page shows changes far less often than the phase: the form stays mounted
    // while it is sent and refused, so focus and what the person typed stay where they were.
    let whole_page = Memo::new(move |_| match submission.phase() {
        Phase::Done(response) => WholePage::Handoff(response),
        Phase::Failed(Failure {
            error: ApiError::AlreadyUsed,
            ..
        }) => WholePage::AlreadyDone,
        _ => WholePage::Form,
    });

    view! {
        {move || match whole_page.get() {
            // Either way the login is spent: the tab forgets it and the answers.
            WholePage::Handoff(response) => {
                tab_memory::finish();
                view! { <ContinueForm response /> }.into_any()
            }
            WholePage::AlreadyDone => {
                tab_memory::finish();
                view! { <AlreadyDone /> }.into_any()
            }
            WholePage::Form => view! {
                <h1 class="form-title">{title.clone()}</h1>
                {introduction.clone().map(|text| view! { <p class="introduction">{text}</p> })}
                <Show when=move || state.summary_open()>
                    <ErrorSummary />
                </Show>
                <form class="stopover-form" novalidate on:submit=on_submit>
                    // Re-rendered only when the step changes, never as the person types.
                    {move || step_position.get().map(|(position, count)| view! {
                        <p class="step-position">
                            {Msg::StepOf.text(lang)
                                .replace("{step}", &format_number(lang, position as f64))
                                .replace("{steps}", &format_number(lang, count as f64))}
                        </p>
                    })}
                    {move || step.get().map(|index| view! {
                        <h2 id=STEP_HEADING_ID class="step-title" tabindex="-1">{state.step_title(index)}</h2>
                    })}
                    {move || state.fields(step.get()).into_iter().map(|field| view! { <FieldView field /> }).collect_view()}
                    // What a submit led to sits where the person pressed: beside the button,
                    // which it replaces once the sign-in can no longer be sent.
                    <div class="form-actions">
                        <Show when=expired>
                            <StateNotice title=Msg::ExpiredTitle body=Msg::ExpiredBody extra=Msg::ExpiredKeepAnswers start_again=true />
                        </Show>
                        <Show when=move || refused() && !expired()>
                            <StateNotice title=Msg::NotVerifiedTitle body=Msg::NotVerifiedBody extra=Msg::ExpiredKeepAnswers start_again=true take_focus=true />
                        </Show>
                        {move || match submission.phase() {
                            Phase::Failed(Failure { error, retry_at }) if !stopped() => {
                                Some(view! { <RetryNotice error retry_at on_retry=Callback::new(move |()| submission.send()) /> })
                            }
                            _ => None,
                        }}
                        // The time left, always in view beside the button it is for.
                        <Show when=move || !stopped() && seconds_left().is_some()>
                            <p class="countdown" role="timer">
                                {move || Msg::TimeLeft.with(lang, &format_countdown(lang, seconds_left().unwrap_or(0)))}
                            </p>
                        </Show>
                        <p class="visually-hidden" role="status">
                            {move || announcement.get().map(|msg| msg.text(lang))}
                        </p>
                        <Show when=move || !stopped()>
                            // Focusable while sending (aria-disabled, not disabled): focus
                            // stays on it; a second press does nothing (`Submission::send`).
                            <button type="submit" class="button" aria-disabled=move || submission.is_sending().then_some("true")>
                                {move || if submission.is_sending() {
                                    Msg::Sending.text(lang).to_owned()
                                } else if on_last_step.get() {
                                    submit_label.get_value()
                                } else {
                                    Msg::Continue.text(lang).to_owned()
                                }}
                            </button>
                            <Show when=move || step_position.get().is_some_and(|(position, _)| position > 1) && !submission.is_sending()>
                                <button type="button" class="button secondary" on:click=on_back>
                                    {Msg::Back.text(lang)}
                                </button>
                            </Show>
                        </Show>
                    </div>
                </form>
            }.into_any(),
        }}
    }
}

/// What fills the page: the form, the hand-off to `/continue`, or "already done".
#[derive(Debug, Clone, PartialEq)]
enum WholePage {
    Form,
    Handoff(stopover_protocol::ContinueResponse),
    AlreadyDone,
}

/// The id of a step's heading, which takes focus when the person moves to the step.
const STEP_HEADING_ID: &str = "step-title";

/// Moves focus to the heading of the step now shown, once it is on the screen.
fn focus_step_heading() {
    request_animation_frame(|| {
        if let Some(heading) = document()
            .get_element_by_id(STEP_HEADING_ID)
            .and_then(|element| element.dyn_into::<web_sys::HtmlElement>().ok())
        {
            // Focusing a mounted heading with tabindex=-1 cannot fail in a meaningful way.
            let _ = heading.focus();
        }
    });
}

fn mark_form_ready() {
    if let Some(performance) = window().performance() {
        // Only a measurement: a browser without User Timing loses nothing else.
        let _ = performance.mark(FORM_READY_MARK);
    }
}
