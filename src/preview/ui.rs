//! Preview mode's pages (built with the `preview` feature only; see the parent module): the
//! index, the problems, the toolbar, the form without a login and what it would send.

use std::time::Duration;

use leptos::prelude::*;
use stopover_protocol::api::{ConfigurationPreview, PreviewForm, PREVIEW_STATE_PATH};
use stopover_protocol::CleanAnswers;

use crate::api::{self, FormRequest};
use crate::config::PageConfig;
use crate::form_page::FormPage;
use crate::form_state::FormState;
use crate::i18n::Lang;
use crate::launch::{Launch, LoginState, SessionToken};
use crate::session::Session;

use super::PreviewQuery;

/// How often the page asks whether the configuration changed.
const POLL_INTERVAL: Duration = Duration::from_millis(500);

/// What the form page does differently in a preview, from the context: its starting step,
/// "Show errors", and what a submit would have sent. Cheap to copy: it only holds handles.
#[derive(Debug, Clone, Copy)]
pub struct PreviewControl {
    /// The step to start at, by index in the definition's `steps`.
    start_step: Option<usize>,
    /// Bumped by "Show errors".
    show_errors: RwSignal<u32>,
    /// The answers a submit found good, as the signer would put them in the continue token.
    would_send: RwSignal<Option<CleanAnswers>>,
    /// The step the form shows now, by index in the definition's `steps`.
    step: RwSignal<Option<usize>>,
}

impl PreviewControl {
    /// Starts `form` at the step the address asks for, and shows every error each time
    /// "Show errors" is pressed.
    pub fn attach(&self, form: FormState) {
        if let Some(step) = self.start_step {
            form.go_to_step(step);
        }
        // The toolbar marks the step shown, and its language links keep it.
        let step = self.step;
        Effect::new(move |_| step.set(form.step()));
        let show_errors = self.show_errors;
        Effect::new(move |_| {
            // Only the button's presses count, not the answers the check reads.
            if show_errors.get() > 0 {
                untrack(|| form.check_all());
            }
        });
    }

    /// The submit of a preview: the same full check, then the summary of what would be sent
    /// in place of the call to the signer and the post to Auth0.
    pub fn submit(&self, form: FormState) {
        self.would_send.set(form.check_and_clean());
    }
}

/// The page in preview mode: the index, a form with the preview's toolbar, or the
/// configuration's problems; reloaded when the configuration changes.
#[component]
pub fn PreviewPage(
    /// What the address asks for.
    query: PreviewQuery,
) -> impl IntoView {
    // Provided by Stopover, which renders this.
    let config = expect_context::<PageConfig>();
    let loaded = RwSignal::new(None);
    let fetching = StoredValue::new(false);
    let poll = {
        let config = config.clone();
        move || {
            if fetching.get_value() {
                return;
            }
            fetching.set_value(true);
            let config = config.clone();
            leptos::task::spawn_local(async move {
                let fetched = fetch_state(&config).await;
                fetching.set_value(false);
                let shown =
                    loaded.with_untracked(|loaded: &Option<Option<ConfigurationPreview>>| {
                        loaded
                            .as_ref()
                            .map(|state| state.as_ref().map(|s| s.version))
                    });
                match (shown, fetched) {
                    // The configuration changed: start afresh, the tab's draft answers kept.
                    (Some(Some(before)), Some(state)) if before != state.version => {
                        let _ = window().location().reload();
                    }
                    // The same version, or the server away for a moment: keep what is shown.
                    (Some(Some(_)), _) => {}
                    // The first answer, or the server back after it could not be reached.
                    (_, fetched) => loaded.set(Some(fetched)),
                }
            });
        }
    };
    poll();
    if let Ok(handle) = set_interval_with_handle(poll, POLL_INTERVAL) {
        on_cleanup(move || handle.clear());
    }
    move || {
        match loaded.get() {
        None => view! { <p class="loading" role="status">"Loading the preview…"</p> }.into_any(),
        Some(None) => view! {
            <PreviewBar form=None query=query.clone() />
            <p class="preview-problem" role="alert">"The preview server cannot be reached: is "<code>"stopover-signer preview"</code>" still running?"</p>
        }
        .into_any(),
        Some(Some(state)) if !state.problems.is_empty() => {
            view! { <PreviewBar form=None query=query.clone() /><Problems problems=state.problems /> }.into_any()
        }
        Some(Some(state)) => {
            let entry = query
                .form
                .as_ref()
                .and_then(|id| state.forms.iter().find(|form| &form.id == id))
                .cloned();
            match entry {
                Some(entry) => view! { <PreviewedForm entry query=query.clone() /> }.into_any(),
                None => view! { <PreviewBar form=None query=query.clone() /><Index forms=state.forms /> }.into_any(),
            }
        }
    }
    }
}

/// The preview's toolbar: clearly marked, with the way back to the index and, for a form,
/// its languages, its steps and "Show errors".
#[component]
fn PreviewBar(
    /// The form shown, if any.
    form: Option<PreviewForm>,
    /// What the address asks for.
    query: PreviewQuery,
    /// The form's preview: "Show errors", and the step shown.
    #[prop(optional)]
    control: Option<PreviewControl>,
) -> impl IntoView {
    let lang = use_context::<Lang>().unwrap_or_default();
    let current_lang = query.lang.clone().unwrap_or_else(|| lang.tag().to_owned());
    view! {
        <aside class="preview-bar" aria-label="Preview">
            <p>
                <strong class="preview-mark">"Preview"</strong>
                {form.as_ref().map(|form| view! { " of form " <code>{form.id.clone()}</code> })}
                " · "<a href="?">"All forms"</a>
            </p>
            {form.map(|form| {
                // The step shown now (counted from 1), else the address's.
                let step_now = move || match control {
                    Some(control) => control.step.get().map(|index| index + 1),
                    None => query.step,
                };
                let languages = form.languages.iter().map(|tag| {
                    let current = tag.eq_ignore_ascii_case(&current_lang);
                    let (id, tag) = (form.id.clone(), tag.clone());
                    view! {
                        " "<a href=move || href(&id, &tag, step_now()) aria-current=current.then_some("page")>{tag.clone()}</a>
                    }
                }).collect_view();
                let steps = (1..=form.steps.len()).map(|step| {
                    let current = move || (step_now().unwrap_or(1) == step).then_some("page");
                    view! {
                        " "<a href=href(&form.id, &current_lang, Some(step)) aria-current=current>{step}</a>
                    }
                }).collect_view();
                let has_steps = !form.steps.is_empty();
                view! {
                    <p>"Language:"{languages}</p>
                    {has_steps.then(|| view! { <p>"Step:"{steps}</p> })}
                    {control.map(|control| view! {
                        <button type="button" class="button secondary preview-show-errors"
                            on:click=move |_| control.show_errors.update(|n| *n += 1)>
                            "Show errors"
                        </button>
                    })}
                }
            })}
        </aside>
    }
}

/// What `check-config` says is wrong with the configuration, in place of any form.
#[component]
fn Problems(
    /// Each problem in `check-config`'s words.
    problems: Vec<String>,
) -> impl IntoView {
    let count = problems.len();
    view! {
        <section class="preview-problems" role="alert">
            <h1>{format!("The configuration has {count} problem(s)")}</h1>
            <p>"Fix them in the file; this page reloads when it changes."</p>
            <ul>{problems.into_iter().map(|problem| view! { <li>{problem}</li> }).collect_view()}</ul>
        </section>
    }
}

/// Every form, in each of its languages, and each of its steps.
#[component]
fn Index(
    /// The forms of the configuration.
    forms: Vec<PreviewForm>,
) -> impl IntoView {
    view! {
        <h1>"Forms of this configuration"</h1>
        <ul class="preview-index">
            {forms.into_iter().map(|form| {
                let links = form.languages.iter().map(|tag| {
                    let steps = (1..=form.steps.len()).map(|step| view! {
                        " "<a href=href(&form.id, tag, Some(step))>{format!("step {step}")}</a>
                    }).collect_view();
                    view! {
                        <li><a href=href(&form.id, tag, None)>{tag.clone()}</a>{steps}</li>
                    }
                }).collect_view();
                view! {
                    <li>
                        <code>{form.id.clone()}</code>" "{form.title.clone()}
                        <ul>{links}</ul>
                    </li>
                }
            }).collect_view()}
        </ul>
    }
}

/// One form with the toolbar, as a person would see it, without a login; its submit shows
/// what would be sent.
#[component]
fn PreviewedForm(
    /// The form, as the preview server lists it.
    entry: PreviewForm,
    /// What the address asks for.
    query: PreviewQuery,
) -> impl IntoView {
    let config = expect_context::<PageConfig>();
    let definition = RwSignal::new(None);
    {
        let request = FormRequest::Id(entry.id.clone());
        leptos::task::spawn_local(async move {
            definition.set(Some(api::fetch_form(&config, &request).await.ok()));
        });
    }
    let control = PreviewControl {
        start_step: query.step.map(|step| step - 1),
        show_errors: RwSignal::new(0),
        would_send: RwSignal::new(None),
        step: RwSignal::new(None),
    };
    provide_context(control);
    // The form page reads a login from the context: a stand-in that is never sent, its state
    // naming the form so the tab's draft of one form is not offered to another.
    let launch = LoginState::parse(&format!("preview-{}", entry.id))
        .ok()
        .zip(SessionToken::parse("preview").ok())
        .map(|(state, session_token)| Launch {
            state,
            session_token,
        });
    if let Some(launch) = launch {
        provide_context(launch);
    }
    provide_context(Session::default());
    let bar = view! { <PreviewBar form=Some(entry) query control /> };
    view! {
        {bar}
        {move || control.would_send.get().map(|answers| view! { <WouldSend answers /> })}
        {move || match definition.get() {
            None => view! { <p class="loading" role="status">"Loading the form…"</p> }.into_any(),
            Some(None) => view! { <p class="preview-problem" role="alert">"The form could not be loaded from the preview server."</p> }.into_any(),
            Some(Some(form)) => view! { <FormPage form=form /> }.into_any(),
        }}
    }
}

/// What a submit would have sent: the answers as the signer validates and normalises them
/// into the continue token, in readable JSON. Focused when shown, as the hand-off would be.
#[component]
fn WouldSend(
    /// The answers the shared validation produced.
    answers: CleanAnswers,
) -> impl IntoView {
    let heading = NodeRef::<leptos::html::H2>::new();
    Effect::new(move |_| {
        if let Some(heading) = heading.get() {
            let _ = heading.focus();
        }
    });
    let json = serde_json::to_string_pretty(&answers).unwrap_or_default();
    view! {
        <section class="preview-would-send">
            <h2 tabindex="-1" node_ref=heading>"What would be sent"</h2>
            <p>"The answers pass the check the signer runs. It would put them in the continue token (its "<code>"answers"</code>" claim, or where the configuration says) and the page would post it to Auth0's "<code>"/continue"</code>". Nothing was sent."</p>
            <pre class="preview-answers">{json}</pre>
        </section>
    }
}

async fn fetch_state(config: &PageConfig) -> Option<ConfigurationPreview> {
    let response = gloo_net::http::Request::get(&config.signer_endpoint(PREVIEW_STATE_PATH))
        .header("Accept", "application/json")
        .send()
        .await
        .ok()?;
    if !response.ok() {
        return None;
    }
    let text = response.text().await.ok()?;
    serde_json::from_str(&text).ok()
}

/// The link to `form` in `lang`, at `step` when given.
fn href(form: &str, lang: &str, step: Option<usize>) -> String {
    let mut query = form_urlencoded::Serializer::for_suffix(String::from("?"), 1);
    query.append_pair("form", form).append_pair("lang", lang);
    if let Some(step) = step {
        query.append_pair("step", &step.to_string());
    }
    query.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_carry_form_language_and_step() {
        assert_eq!(
            href("on board", "fr", Some(3)),
            "?form=on+board&lang=fr&step=3"
        );
        assert_eq!(href("terms", "en", None), "?form=terms&lang=en");
    }
}
