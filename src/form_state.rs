//! The answers of one form and the errors a person sees for them, shared with every field
//! through the context.
//!
//! Validation is `stopover_protocol::validate_answers`, the very function the signer runs, so
//! the page can never accept what the signer refuses (or the other way round).

use leptos::prelude::*;
use serde_json::{Map, Value};
use stopover_protocol::{
    initial_value, is_visible, shown_steps, step_errors, validate_answers, CleanAnswers, Field,
    FieldErrorCode, FieldErrors, FieldKind, FormDefinition,
};

use crate::field_ids::focus_target_id;
use crate::i18n::{error_sentence, field_error, summary_line, Lang};
use crate::launch::LoginState;
use crate::session::now_seconds;
use crate::tab_memory;

/// The answers of one form and the errors shown for them; shared with every field through
/// the context. Cheap to copy: it only holds handles.
#[derive(Debug, Clone, Copy)]
pub struct FormState {
    pub lang: Lang,
    definition: StoredValue<FormDefinition>,
    prefill: StoredValue<Map<String, Value>>,
    /// The login these answers belong to: the tab keeps them as its draft (`tab_memory`).
    login: StoredValue<LoginState>,
    /// The raw answers, as the controls hold them (text stays text until validation).
    answers: RwSignal<Map<String, Value>>,
    /// The errors the person sees, by field id.
    shown: RwSignal<FieldErrors>,
    /// The error summary as the last submit found it; empty when that submit found nothing.
    /// It stays as it was until the next submit, whatever the person types meanwhile
    /// (GOV.UK: a summary that changed or came back under the person's fingers would take
    /// focus from them).
    summary: RwSignal<Vec<SummaryEntry>>,
    /// Bumped by each submit that found problems: the summary takes focus once per bump.
    summary_focus: RwSignal<u32>,
    /// The last bump the summary took focus for, so a summary mounted again takes no focus.
    summary_focused: StoredValue<u32>,
    /// The step shown, by index in the definition's `steps`, when the form has steps.
    step: RwSignal<usize>,
}

impl FormState {
    /// Starts from the draft this tab kept for `login` (a reload), else the prefill and the
    /// fields' defaults.
    pub fn new(
        lang: Lang,
        form: FormDefinition,
        prefill: Map<String, Value>,
        login: LoginState,
    ) -> Self {
        let mut answers = initial_answers(&form, &prefill);
        answers.extend(wire_answers(&form, &tab_memory::draft(&login)));
        Self {
            lang,
            definition: StoredValue::new(form),
            prefill: StoredValue::new(prefill),
            login: StoredValue::new(login),
            answers: RwSignal::new(answers),
            shown: RwSignal::new(FieldErrors::new()),
            summary: RwSignal::new(Vec::new()),
            summary_focus: RwSignal::new(0),
            summary_focused: StoredValue::new(0),
            step: RwSignal::new(0),
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

    /// Records a new answer (and keeps the answers as the tab's draft). A field already
    /// showing an error loses it as soon as the answer is fixed, but a half-typed answer never
    /// gets a new or different message: the field is judged when the person leaves it or
    /// submits.
    pub fn set(&self, field_id: &str, value: Value) {
        self.answers.update(|answers| {
            answers.insert(field_id.to_owned(), value);
        });
        self.answers.with_untracked(|answers| {
            self.login
                .with_value(|login| tab_memory::save_draft(login, answers))
        });
        if self
            .shown
            .with_untracked(|shown| shown.contains_key(field_id))
            && !self.current_errors().contains_key(field_id)
        {
            self.shown.update(|shown| {
                shown.remove(field_id);
            });
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

    /// True while any field shows an error (tracked).
    pub fn has_errors(&self) -> bool {
        self.shown.with(|shown| !shown.is_empty())
    }

    /// The first error shown for `field_id` (tracked).
    pub fn error(&self, field_id: &str) -> Option<FieldErrorCode> {
        self.shown
            .with(|shown| shown.get(field_id).and_then(|codes| codes.first().copied()))
    }

    /// The sentence for `code` on `field_id`, in the page's language: the field's own message
    /// when its definition has one, else the built-in sentence.
    pub fn error_text(&self, field_id: &str, code: FieldErrorCode) -> String {
        self.definition
            .with_value(|form| match form.field(field_id) {
                Some(field) => own_message(field, code, self.lang)
                    .unwrap_or_else(|| error_sentence(self.lang, code, &field.kind)),
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

    /// The steps the person goes through, by index in the definition, as their answers stand
    /// (tracked); empty for a form of one page.
    pub fn shown_steps(&self) -> Vec<usize> {
        self.answers.with(|answers| {
            self.definition
                .with_value(|form| shown_steps(form, answers))
        })
    }

    /// The step shown (tracked), when the form has steps: the one the person moved to, or,
    /// when their answers skip it now, the shown step before it.
    pub fn step(&self) -> Option<usize> {
        let shown = self.shown_steps();
        let current = self.step.get();
        shown
            .iter()
            .rev()
            .find(|&&index| index <= current)
            .or(shown.first())
            .copied()
    }

    /// The step shown as "Step `n` of `total`" counts it (tracked); `None` when there is no
    /// other step to count (a login asked one step's questions, or the others are skipped).
    pub fn step_position(&self) -> Option<(usize, usize)> {
        let shown = self.shown_steps();
        let step = self.step()?;
        let position = shown.iter().position(|&index| index == step)?;
        (shown.len() > 1).then_some((position + 1, shown.len()))
    }

    /// The title of step `index`, in the page's language.
    pub fn step_title(&self, index: usize) -> String {
        self.definition.with_value(|form| {
            form.steps
                .get(index)
                .map(|step| step.title.get(self.lang.tag()).to_owned())
                .unwrap_or_default()
        })
    }

    /// True when the step shown is the last the person goes through, or the form has none
    /// (tracked): its button submits.
    pub fn on_last_step(&self) -> bool {
        let last = self.shown_steps().last().copied();
        last.is_none() || self.step() == last
    }

    /// Checks the step shown, showing what is wrong with it; when all is well, moves to the
    /// next step the person goes through. True when it moved.
    pub fn next_step(&self) -> bool {
        let Some(step) = self.step_untracked() else {
            return false;
        };
        let errors = self
            .definition
            .with_value(|form| step_errors(form, step, &self.current_errors()));
        if !errors.is_empty() {
            self.show_all(errors);
            return false;
        }
        let next = self
            .shown_steps_untracked()
            .into_iter()
            .find(|&index| index > step);
        self.move_to(next)
    }

    /// Moves back to the step before the one shown, answers kept. True when it moved.
    pub fn previous_step(&self) -> bool {
        let Some(step) = self.step_untracked() else {
            return false;
        };
        let previous = self
            .shown_steps_untracked()
            .into_iter()
            .rev()
            .find(|&index| index < step);
        self.move_to(previous)
    }

    /// Moves to `step` when there is one; true when it moved.
    fn move_to(&self, step: Option<usize>) -> bool {
        step.inspect(|&index| self.move_to_step(index)).is_some()
    }

    /// Shows step `index` (by index in the definition's `steps`), as the preview's links
    /// ask; a step the answers skip shows the shown step before it.
    pub fn go_to_step(&self, index: usize) {
        self.move_to_step(index);
    }

    fn shown_steps_untracked(&self) -> Vec<usize> {
        untrack(|| self.shown_steps())
    }

    fn step_untracked(&self) -> Option<usize> {
        untrack(|| self.step())
    }

    /// Shows step `index` with a summary of its own: what another step found is not this
    /// step's to list.
    fn move_to_step(&self, index: usize) {
        self.summary.set(Vec::new());
        self.step.set(index);
    }

    /// Validates everything, shows every error and the summary. True when all is well.
    pub fn check_all(&self) -> bool {
        let errors = self.current_errors();
        let ok = errors.is_empty();
        self.show_all(errors);
        ok
    }

    /// Validates everything as a submit does, showing every error; when all is well, the
    /// answers as the signer would put them in the continue token (the preview's summary).
    pub fn check_and_clean(&self) -> Option<CleanAnswers> {
        if !self.check_all() {
            return None;
        }
        let answers = self.answers_to_send();
        self.definition.with_value(|form| {
            self.prefill
                .with_value(|prefill| validate_answers(form, &answers, prefill, now_seconds()).ok())
        })
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

    /// The summary's entries as the last submit found them (tracked).
    pub fn summary(&self) -> Vec<SummaryEntry> {
        self.summary.get()
    }

    /// The summary's entries for `shown` in form order, each naming its field by its label
    /// (GOV.UK: a link that says what is wrong with which field). Codes for keys no visible
    /// field has are listed without a link.
    fn summary_of(&self, shown: &FieldErrors) -> Vec<SummaryEntry> {
        let answers = self.answers.get_untracked();
        self.definition.with_value(|form| {
            let mut entries: Vec<SummaryEntry> = form
                .fields
                .iter()
                .filter(|field| is_visible(form, &field.id, &answers))
                .filter_map(|field| {
                    let code = shown.get(&field.id)?.first().copied()?;
                    let label = field.label.as_ref().map_or("", |l| l.get(self.lang.tag()));
                    // A field's own message names it already ("Enter your company name"):
                    // the summary repeats it word for word, as the inline message says it.
                    let text = own_message(field, code, self.lang).unwrap_or_else(|| {
                        summary_line(
                            self.lang,
                            label,
                            &error_sentence(self.lang, code, &field.kind),
                        )
                    });
                    Some(SummaryEntry {
                        target: Some(focus_target_id(field, self.lang)),
                        text,
                    })
                })
                .collect();
            for (key, codes) in shown {
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

    /// True while the last submit's summary has entries (tracked).
    pub fn summary_open(&self) -> bool {
        self.summary.with(|entries| !entries.is_empty())
    }

    /// Bumped by each submit that found problems (tracked).
    pub fn summary_focus(&self) -> ReadSignal<u32> {
        self.summary_focus.read_only()
    }

    /// True once per submit that found problems: the summary takes focus then, and never
    /// again until the next such submit (not when it is mounted again, not as people type).
    pub fn take_summary_focus(&self) -> bool {
        let requested = self.summary_focus.get_untracked();
        let fresh = self.summary_focused.get_value() != requested;
        self.summary_focused.set_value(requested);
        fresh
    }

    /// The fields of the form, in order; of step `step` only, when given.
    pub fn fields(&self, step: Option<usize>) -> Vec<Field> {
        self.definition.with_value(|form| {
            form.fields
                .iter()
                .filter(|field| step.is_none() || form.step_of(&field.id) == step)
                .cloned()
                .collect()
        })
    }

    /// Shows `errors` on their fields and in the summary. In a form with steps, the page
    /// moves to the first step the person goes through that has any (the signer may refuse
    /// an answer of an earlier step), and its summary lists that step's alone.
    fn show_all(&self, errors: FieldErrors) {
        let open = !errors.is_empty();
        let step = self.definition.with_value(|form| {
            self.shown_steps_untracked()
                .into_iter()
                .find(|&index| !step_errors(form, index, &errors).is_empty())
        });
        let listed = match step {
            Some(step) => {
                self.step.set(step);
                self.definition
                    .with_value(|form| step_errors(form, step, &errors))
            }
            None => errors.clone(),
        };
        self.summary.set(self.summary_of(&listed));
        self.shown.set(errors);
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

/// The field's own message for `code` in `lang`, when its definition sets one.
fn own_message(field: &Field, code: FieldErrorCode, lang: Lang) -> Option<String> {
    field
        .messages
        .get(&code)
        .map(|text| text.get(lang.tag()).trim().to_owned())
        .filter(|text| !text.is_empty())
}

/// Each answerable field's starting value: the token's prefill, else the field's default.
pub fn initial_answers(form: &FormDefinition, prefill: &Map<String, Value>) -> Map<String, Value> {
    // Extended, not collected: collecting into a map sorts first, and each sort instance is
    // about 4 kB of wasm (so in `wire_answers` and the protocol's `step_errors`).
    let mut answers = Map::new();
    answers.extend(
        form.fields
            .iter()
            .filter(|field| field.kind.takes_answer())
            .filter_map(|field| Some((field.id.clone(), initial_value(field, prefill)?))),
    );
    answers
}

/// The answers of fields that take one; hidden and static fields get theirs from the signer.
pub fn wire_answers(form: &FormDefinition, answers: &Map<String, Value>) -> Map<String, Value> {
    let mut wire = answers.clone();
    wire.retain(|id, _| {
        form.field(id)
            .is_some_and(|field| field.kind.takes_answer())
    });
    wire
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
