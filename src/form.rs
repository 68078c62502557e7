//! The form a person fills in: its answers, which errors they see, and submitting it.
//!
//! Validation is `stopover_protocol::validate_answers`, the very function the signer runs, so
//! the page can never accept what the signer refuses (or the other way round).

use leptos::ev::SubmitEvent;
use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;
use serde_json::{Map, Value};
use stopover_protocol::{
    initial_value, is_visible, validate_answers, ContinueRequest, ContinueResponse, Field,
    FieldErrorCode, FieldErrors, FieldKind, FormDefinition,
};

use crate::api::{self, ApiError};
use crate::clock::use_clock;
use crate::config::PageConfig;
use crate::fields::{focus_target_id, FieldView};
use crate::handoff::{Handoff, HandoffMode};
use crate::i18n::{error_sentence, field_error, format_countdown, summary_line, Lang, Msg};
use crate::launch::Launch;
use crate::session::{now_seconds, Session};
use crate::states::{AlreadyDone, RetryNotice, StateNotice};

/// Show the countdown when fewer seconds than this remain.
pub const COUNTDOWN_FROM_SECS: i64 = 120;
/// The `performance.mark` set once the form can be used (the benchmarks read it).
pub const FORM_READY_MARK: &str = "stopover:form-ready";

/// The answers of one form and the errors shown for them; shared with every field through
/// the context. Cheap to copy: it only holds handles.
#[derive(Debug, Clone, Copy)]
pub struct FormState {
    pub lang: Lang,
    definition: StoredValue<FormDefinition>,
    prefill: StoredValue<Map<String, Value>>,
    /// The raw answers, as the controls hold them (text stays text until validation).
    answers: RwSignal<Map<String, Value>>,
    /// The errors the person sees, by field id.
    shown: RwSignal<FieldErrors>,
    /// True once a submit found problems: the error summary is shown.
    summary_open: RwSignal<bool>,
    /// Bumped each time the summary must take focus.
    summary_focus: RwSignal<u32>,
}

impl FormState {
    /// Starts from the prefill and the fields' defaults.
    pub fn new(lang: Lang, form: FormDefinition, prefill: Map<String, Value>) -> Self {
        let answers = initial_answers(&form, &prefill);
        Self {
            lang,
            definition: StoredValue::new(form),
            prefill: StoredValue::new(prefill),
            answers: RwSignal::new(answers),
            shown: RwSignal::new(FieldErrors::new()),
            summary_open: RwSignal::new(false),
            summary_focus: RwSignal::new(0),
        }
    }

    /// The current raw answer of `field_id` (tracked).
    pub fn value(&self, field_id: &str) -> Option<Value> {
        self.answers.with(|answers| answers.get(field_id).cloned())
    }

    /// The current raw answer of `field_id`, without tracking (for event handlers).
    pub fn value_untracked(&self, field_id: &str) -> Option<Value> {
        self.answers
            .with_untracked(|answers| answers.get(field_id).cloned())
    }

    /// The answer as a control's text (tracked): numbers and booleans as text, else empty.
    pub fn text(&self, field_id: &str) -> String {
        match self.value(field_id) {
            Some(Value::String(text)) => text,
            Some(Value::Number(number)) => number.to_string(),
            Some(Value::Bool(flag)) => flag.to_string(),
            _ => String::new(),
        }
    }

    /// Records a new answer; a field already showing an error is checked again at once, so
    /// the message goes as soon as the answer is fixed.
    pub fn set(&self, field_id: &str, value: Value) {
        self.answers.update(|answers| {
            answers.insert(field_id.to_owned(), value);
        });
        if self
            .shown
            .with_untracked(|shown| shown.contains_key(field_id))
        {
            self.check_field(field_id, true);
        }
    }

    /// The person left the field: show what is wrong with it, except that it is still empty
    /// (that is said on submit, not while they tab through).
    pub fn leave(&self, field_id: &str) {
        let already_shown = self
            .shown
            .with_untracked(|shown| shown.contains_key(field_id));
        self.check_field(field_id, already_shown);
    }

    /// The first error shown for `field_id` (tracked).
    pub fn error(&self, field_id: &str) -> Option<FieldErrorCode> {
        self.shown
            .with(|shown| shown.get(field_id).and_then(|codes| codes.first().copied()))
    }

    /// The sentence for `code` on `field_id`, in the page's language.
    pub fn error_text(&self, field_id: &str, code: FieldErrorCode) -> String {
        self.definition
            .with_value(|form| match form.field(field_id) {
                Some(field) => error_sentence(self.lang, code, &field.kind),
                None => field_error(self.lang, code, &FieldKind::Checkbox).to_owned(),
            })
    }

    /// Whether `field_id` is shown, by the shared `show_if` rule (tracked).
    pub fn is_visible(&self, field_id: &str) -> bool {
        self.answers.with(|answers| {
            self.definition
                .with_value(|form| is_visible(form, field_id, answers))
        })
    }

    /// Validates everything, shows every error and the summary. True when all is well.
    pub fn check_all(&self) -> bool {
        let errors = self.current_errors();
        let ok = errors.is_empty();
        self.show_all(errors);
        ok
    }

    /// Shows the signer's 422 codes as if the page had found them.
    pub fn show_server_errors(&self, fields: FieldErrors) {
        self.show_all(fields);
    }

    /// The answers to send: those of fields that take an answer (never hidden or static).
    pub fn answers_to_send(&self) -> Map<String, Value> {
        self.answers.with_untracked(|answers| {
            self.definition
                .with_value(|form| wire_answers(form, answers))
        })
    }

    /// The summary's entries in form order (tracked), each naming its field by its label
    /// (GOV.UK: a link that says what is wrong with which field). Codes for keys no visible
    /// field has are listed without a link.
    pub fn summary(&self) -> Vec<SummaryEntry> {
        let shown = self.shown.get();
        let answers = self.answers.get();
        self.definition.with_value(|form| {
            let mut entries: Vec<SummaryEntry> = form
                .fields
                .iter()
                .filter(|field| is_visible(form, &field.id, &answers))
                .filter_map(|field| {
                    let code = shown.get(&field.id)?.first().copied()?;
                    let label = field.label.as_ref().map_or("", |l| l.get(self.lang.tag()));
                    Some(SummaryEntry {
                        target: Some(focus_target_id(field)),
                        text: summary_line(
                            self.lang,
                            label,
                            &error_sentence(self.lang, code, &field.kind),
                        ),
                    })
                })
                .collect();
            for (key, codes) in &shown {
                if form.field(key).is_none() {
                    if let Some(code) = codes.first() {
                        entries.push(SummaryEntry {
                            target: None,
                            text: field_error(self.lang, *code, &FieldKind::Checkbox).to_owned(),
                        });
                    }
                }
            }
            entries
        })
    }

    pub fn summary_open(&self) -> bool {
        self.summary_open.get()
    }

    pub fn summary_focus(&self) -> ReadSignal<u32> {
        self.summary_focus.read_only()
    }

    /// The fields of the form, in order.
    pub fn fields(&self) -> Vec<Field> {
        self.definition.with_value(|form| form.fields.clone())
    }

    fn show_all(&self, errors: FieldErrors) {
        let open = !errors.is_empty();
        self.shown.set(errors);
        self.summary_open.set(open);
        if open {
            self.summary_focus.update(|n| *n += 1);
        }
    }

    fn check_field(&self, field_id: &str, include_missing: bool) {
        let mut codes = self.current_errors().remove(field_id).unwrap_or_default();
        if !include_missing {
            codes.retain(|code| {
                !matches!(code, FieldErrorCode::Required | FieldErrorCode::MustAccept)
            });
        }
        self.shown.update(|shown| {
            if codes.is_empty() {
                shown.remove(field_id);
            } else {
                shown.insert(field_id.to_owned(), codes);
            }
        });
    }

    fn current_errors(&self) -> FieldErrors {
        let answers = self.answers_to_send();
        self.definition.with_value(|form| {
            self.prefill.with_value(|prefill| {
                validate_answers(form, &answers, prefill, now_seconds())
                    .err()
                    .unwrap_or_default()
            })
        })
    }
}

/// One line of the error summary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SummaryEntry {
    /// The id of the control the link focuses; `None` for a problem with no field.
    pub target: Option<String>,
    /// Which field and what is wrong with it ("Company: This is required.").
    pub text: String,
}

/// Each answerable field's starting value: the token's prefill, else the field's default.
pub fn initial_answers(form: &FormDefinition, prefill: &Map<String, Value>) -> Map<String, Value> {
    form.fields
        .iter()
        .filter(|field| field.kind.takes_answer())
        .filter_map(|field| Some((field.id.clone(), initial_value(field, prefill)?)))
        .collect()
}

/// The answers of fields that take one; hidden and static fields get theirs from the signer.
pub fn wire_answers(form: &FormDefinition, answers: &Map<String, Value>) -> Map<String, Value> {
    answers
        .iter()
        .filter(|(id, _)| {
            form.field(id)
                .is_some_and(|field| field.kind.takes_answer())
        })
        .map(|(id, value)| (id.clone(), value.clone()))
        .collect()
}

/// Where the form is between typing and leaving for `/continue`.
#[derive(Debug, Clone, PartialEq)]
enum Phase {
    Editing,
    Sending,
    Failed { error: ApiError, retry_at: i64 },
    Done(ContinueResponse),
}

/// The form page: title, introduction, countdown, error summary, fields, submit; then the
/// hand-off to `/continue`, or the state the signer's answer leads to.
#[component]
pub fn FormPage(
    /// The definition fetched from the signer.
    form: FormDefinition,
    /// The `state` and token the page was opened with.
    launch: Launch,
    /// The token's (untrusted) claims: prefill and expiry.
    session: Session,
    /// Where the signer is.
    config: PageConfig,
    /// Whether the hand-off form submits itself (tests keep it on the page).
    handoff: HandoffMode,
) -> impl IntoView {
    let lang = use_context::<Lang>().unwrap_or_default();
    let title = form.title.get(lang.tag()).to_owned();
    let introduction = form
        .introduction
        .as_ref()
        .map(|text| text.get(lang.tag()).to_owned());
    let submit_label = StoredValue::new(form.submit_label.get(lang.tag()).to_owned());
    let state = FormState::new(lang, form, session.prefill.clone());
    provide_context(state);

    let request_parts = StoredValue::new((launch, config));
    let phase = RwSignal::new(Phase::Editing);
    let clock = use_clock();
    let expires_at = session.expires_at;
    let seconds_left = move || expires_at.map(|exp| exp - clock.get());
    // Expired by the token's own (untrusted) `exp`: "expired, start again".
    let expired = move || seconds_left().is_some_and(|left| left <= 0);
    // The signer refused the token (401) before it expired: "could not be verified".
    let refused = move || {
        phase.with(|p| {
            matches!(
                p,
                Phase::Failed {
                    error: ApiError::InvalidToken,
                    ..
                }
            )
        })
    };
    let stopped = move || expired() || refused();

    let send = move || {
        if phase.with_untracked(|p| matches!(p, Phase::Sending | Phase::Done(_))) {
            return;
        }
        if !state.check_all() {
            phase.set(Phase::Editing);
            return;
        }
        phase.set(Phase::Sending);
        let (launch, config) = request_parts.get_value();
        let request = ContinueRequest {
            state: launch.state.as_str().to_owned(),
            session_token: launch.session_token.as_str().to_owned(),
            answers: state.answers_to_send(),
        };
        spawn_local(async move {
            let outcome = api::post_continue(&config, &request).await;
            phase.set(match outcome {
                Ok(response) if crate::handoff::is_safe_action(&response.continue_url) => {
                    Phase::Done(response)
                }
                Ok(_) => failed(ApiError::Unexpected(200)),
                Err(ApiError::InvalidAnswers(fields)) => {
                    state.show_server_errors(fields);
                    Phase::Editing
                }
                Err(error) => failed(error),
            });
        });
    };
    let on_submit = move |event: SubmitEvent| {
        event.prevent_default();
        if !stopped() {
            send();
        }
    };

    Effect::new(move |_| mark_form_ready());

    view! {
        {move || match phase.get() {
            Phase::Done(response) => view! { <Handoff response mode=handoff /> }.into_any(),
            Phase::Failed { error: ApiError::AlreadyUsed, .. } => view! { <AlreadyDone /> }.into_any(),
            _ => view! {
                <h1 class="form-title">{title.clone()}</h1>
                {introduction.clone().map(|text| view! { <p class="introduction">{text}</p> })}
                <Show when=move || seconds_left().is_some_and(|left| left > 0 && left < COUNTDOWN_FROM_SECS)>
                    <p class="countdown" role="timer">
                        {move || Msg::TimeLeft.with(lang, &format_countdown(lang, seconds_left().unwrap_or(0)))}
                    </p>
                </Show>
                <Show when=expired>
                    <StateNotice title=Msg::ExpiredTitle body=Msg::ExpiredBody extra=Msg::ExpiredKeepAnswers />
                </Show>
                <Show when=move || refused() && !expired()>
                    <StateNotice title=Msg::NotVerifiedTitle body=Msg::NotVerifiedBody extra=Msg::ExpiredKeepAnswers />
                </Show>
                {move || match phase.get() {
                    Phase::Failed { error, retry_at } if !stopped() => {
                        Some(view! { <RetryNotice error retry_at on_retry=Callback::new(move |()| send()) /> })
                    }
                    _ => None,
                }}
                <Show when=move || state.summary_open() && !state.summary().is_empty()>
                    <ErrorSummary />
                </Show>
                <form class="stopover-form" novalidate on:submit=on_submit>
                    {state.fields().into_iter().map(|field| view! { <FieldView field /> }).collect_view()}
                    <Show when=move || !stopped()>
                        <button type="submit" class="button" disabled=move || phase.with(|p| *p == Phase::Sending)>
                            {move || if phase.with(|p| *p == Phase::Sending) {
                                Msg::Sending.text(lang).to_owned()
                            } else {
                                submit_label.get_value()
                            }}
                        </button>
                    </Show>
                </form>
            }.into_any(),
        }}
    }
}

/// The GOV.UK-style error summary: a titled box at the top that takes focus and links to
/// each field with a problem.
#[component]
fn ErrorSummary() -> impl IntoView {
    let state = expect_context::<FormState>();
    let lang = state.lang;
    let node = NodeRef::<html::Div>::new();
    let focus_requests = state.summary_focus();
    Effect::new(move |_| {
        focus_requests.track();
        if let Some(element) = node.get() {
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

fn failed(error: ApiError) -> Phase {
    let retry_at = match &error {
        ApiError::RateLimited { retry_after_secs } => {
            // Rounded up: a retry even part of a second before Retry-After is over is refused
            // again. Seconds since 1970 fit an i64; truncating the rounded value is exact.
            let now = (js_sys::Date::now() / 1000.0).ceil() as i64;
            now + i64::try_from(*retry_after_secs).unwrap_or(i64::MAX / 2)
        }
        _ => 0,
    };
    Phase::Failed { error, retry_at }
}

/// Moves focus to the element with `id` (a summary link's target) and scrolls it into view.
fn focus_element(id: &str) {
    use wasm_bindgen::JsCast;
    if let Some(element) = document()
        .get_element_by_id(id)
        .and_then(|element| element.dyn_into::<web_sys::HtmlElement>().ok())
    {
        let _ = element.focus();
    }
}

fn mark_form_ready() {
    if let Some(performance) = window().performance() {
        // Only a measurement: a browser without User Timing loses nothing else.
        let _ = performance.mark(FORM_READY_MARK);
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn form() -> FormDefinition {
        serde_json::from_value(json!({
            "id": "f", "version": "1", "title": "T", "submit_label": "Go",
            "fields": [
                {"id": "company", "kind": "text", "label": "Company", "prefill": "org"},
                {"id": "seats", "kind": "number", "label": "Seats", "default": 3},
                {"id": "terms", "kind": "consent", "label": "Terms",
                 "document": {"url": "https://e.example/t", "version": "1", "title": "Terms"}},
                {"id": "ref", "kind": "hidden", "prefill": "ref"},
                {"id": "note", "kind": "static", "text": "Hello"}
            ]
        }))
        .unwrap()
    }

    #[test]
    fn answers_start_from_the_prefill_then_the_defaults() {
        let prefill = Map::from_iter([
            ("org".to_owned(), json!("ACME")),
            ("ref".to_owned(), json!("r-1")),
        ]);
        let answers = initial_answers(&form(), &prefill);
        assert_eq!(answers.get("company"), Some(&json!("ACME")));
        assert_eq!(answers.get("seats"), Some(&json!(3)));
        assert_eq!(
            answers.get("terms"),
            None,
            "a consent is never pre-accepted"
        );
        assert_eq!(
            answers.get("ref"),
            None,
            "hidden values stay with the signer"
        );
    }

    #[test]
    fn only_answerable_fields_are_sent() {
        let answers = Map::from_iter([
            ("company".to_owned(), json!("ACME")),
            ("ref".to_owned(), json!("forged")),
            ("note".to_owned(), json!("x")),
            ("other".to_owned(), json!("y")),
        ]);
        let sent = wire_answers(&form(), &answers);
        assert_eq!(
            sent,
            Map::from_iter([("company".to_owned(), json!("ACME"))])
        );
    }
}
