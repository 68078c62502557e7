//! The checks a form definition must pass before the signer serves it
//! ([`crate::FormDefinition::check`]): every problem, each with the field it is in.

use serde_json::Value;

use crate::clean_answer::clean_answer;
use crate::form::{DefinitionError, Field, FieldKind, FieldOption, FormDefinition};
use crate::formats;
use crate::limits::{MAX_CONSENT_EXPIRY_DAYS, MAX_ID_CHARS};
use crate::text::LocalizedText;
use crate::visibility::condition_holds;

impl FormDefinition {
    /// Every problem with this definition, or `Ok` when it is usable: duplicate or malformed
    /// ids, `show_if` naming an unknown field, itself or a cycle, missing or duplicate options,
    /// min above max, a consent without a document URL or version, blank required texts, ...
    ///
    /// Also refused: a `show_if` naming a hidden or static field, or whose `equals` no
    /// answer of that field can have; a `default` the field would not accept as an answer
    /// (wrong type, not an option, out of range) and any default on consent, hidden and
    /// static fields; a prefill key on static and consent fields; malformed language tags.
    pub fn check(&self) -> Result<(), Vec<DefinitionError>> {
        let errors = definition_errors(self);
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

impl FormDefinition {
    /// Every text of this form that has nothing in `language` (any case, `_` or `-`): one
    /// problem per text, naming it, for a tenant that declares the languages its people speak
    /// (`languages` in the signer's configuration). The page would show those texts in another
    /// language.
    pub fn missing_language(&self, language: &str) -> Vec<DefinitionError> {
        let wanted = language.trim().to_ascii_lowercase().replace('_', "-");
        let mut report = Report {
            form: self.id.0.clone(),
            errors: Vec::new(),
        };
        for (field, name, text) in self.texts() {
            let has_it = text
                .languages()
                .any(|tag| tag.trim().to_ascii_lowercase().replace('_', "-") == wanted);
            if !has_it {
                report.push(field, format!("{name} has no `{language}` text"));
            }
        }
        report.errors
    }

    /// Every text of the form, with the field it belongs to and its name there.
    fn texts(&self) -> Vec<(Option<&str>, String, &LocalizedText)> {
        let mut texts = vec![(None, "title".to_owned(), &self.title)];
        if let Some(introduction) = &self.introduction {
            texts.push((None, "introduction".to_owned(), introduction));
        }
        texts.push((None, "submit_label".to_owned(), &self.submit_label));
        for step in &self.steps {
            texts.push((
                None,
                format!("the title of step `{}`", step.id),
                &step.title,
            ));
        }
        for field in &self.fields {
            let id = Some(field.id.as_str());
            for (name, text) in [
                ("label", &field.label),
                ("help", &field.help),
                ("placeholder", &field.placeholder),
            ] {
                if let Some(text) = text {
                    texts.push((id, name.to_owned(), text));
                }
            }
            for (code, text) in &field.messages {
                texts.push((id, format!("the message for `{}`", code.as_str()), text));
            }
            match &field.kind {
                FieldKind::Select { options }
                | FieldKind::Radio { options }
                | FieldKind::Checkboxes { options, .. } => {
                    for option in options {
                        let name = format!("the label of option `{}`", option.value);
                        texts.push((id, name, &option.label));
                    }
                }
                FieldKind::Consent { document } => {
                    texts.push((id, "the document title".to_owned(), &document.title));
                }
                FieldKind::Static { text } => texts.push((id, "text".to_owned(), text)),
                _ => {}
            }
        }
        texts
    }
}

/// Every problem with `form`, in the order of its fields.
fn definition_errors(form: &FormDefinition) -> Vec<DefinitionError> {
    let mut report = Report {
        form: form.id.0.clone(),
        errors: Vec::new(),
    };

    if let Some(problem) = id_problem(&form.id.0) {
        report.form_error(format!("form id {problem}"));
    }
    if form.version.trim().is_empty() {
        report.form_error("version is blank".to_owned());
    }
    report.required_text(None, "title", &form.title);
    report.optional_text(None, "introduction", form.introduction.as_ref());
    report.required_text(None, "submit_label", &form.submit_label);
    if form.fields.is_empty() {
        report.form_error("has no fields".to_owned());
    }

    for (index, field) in form.fields.iter().enumerate() {
        check_field(form, index, field, &mut report);
    }
    check_steps(form, &mut report);
    check_per_login_cap(form, &mut report);
    report.errors
}

/// `max_fields_per_login` and `priority`: a cap of at least one, and every question it
/// counts named by a `prefill` key (a later login knows a question is answered only from the
/// token's prefill); a priority only where it chooses something.
fn check_per_login_cap(form: &FormDefinition, report: &mut Report) {
    if form.max_fields_per_login == Some(0) {
        report.form_error("max_fields_per_login must be at least 1".to_owned());
    }
    let capped = form.max_fields_per_login.is_some();
    for field in &form.fields {
        let id = Some(field.id.as_str());
        let counted = field.kind.takes_answer() && field.show_if.is_none();
        let consent = matches!(field.kind, FieldKind::Consent { .. });
        if capped && counted && !consent && field.prefill.is_none() {
            report.push(
                id,
                "needs a `prefill` key in a form with max_fields_per_login (a later login knows \
                 it is answered only from the token's prefill)"
                    .to_owned(),
            );
        }
        if field.priority.is_none() {
            continue;
        }
        if !capped {
            report.push(
                id,
                "priority has no effect without the form's max_fields_per_login".to_owned(),
            );
        } else if !field.kind.takes_answer() {
            report.push(
                id,
                "priority has no effect on a field the person does not answer".to_owned(),
            );
        } else if let Some(condition) = &field.show_if {
            report.push(
                id,
                format!(
                    "priority has no effect on a field with show_if (it is asked with `{}`)",
                    condition.field
                ),
            );
        }
    }
}

/// A form's steps: well named and titled, and every field in exactly one of them, never
/// shown by `show_if` on an answer the person gives only in a later step.
fn check_steps(form: &FormDefinition, report: &mut Report) {
    if form.steps.is_empty() {
        return;
    }
    for (index, step) in form.steps.iter().enumerate() {
        let name = format!("step `{}`", step.id);
        if let Some(problem) = id_problem(&step.id) {
            report.form_error(format!("step id {problem}"));
        }
        if form.steps[..index].iter().any(|other| other.id == step.id) {
            report.form_error(format!("{name} is declared twice"));
        }
        report.required_text(None, &format!("the title of {name}"), &step.title);
        if step.fields.is_empty() {
            report.form_error(format!("{name} has no fields"));
        }
        for field_id in &step.fields {
            if form.field(field_id).is_none() {
                report.form_error(format!("{name} names unknown field `{field_id}`"));
            }
        }
    }
    for field in &form.fields {
        let id = Some(field.id.as_str());
        let steps: Vec<&str> = form
            .steps
            .iter()
            .filter(|step| step.fields.contains(&field.id))
            .map(|step| step.id.as_str())
            .collect();
        match steps.as_slice() {
            [] => report.push(
                id,
                "is in no step (in a form with steps, every field is in one)".to_owned(),
            ),
            [_] => {}
            several => report.push(
                id,
                format!("is in more than one step: `{}`", several.join("`, `")),
            ),
        }
        let Some(condition) = &field.show_if else {
            continue;
        };
        let (Some(own), Some(controller)) =
            (form.step_of(&field.id), form.step_of(&condition.field))
        else {
            continue;
        };
        if controller > own {
            report.push(
                id,
                format!(
                    "show_if names `{}`, which is asked in a later step (`{}`)",
                    condition.field, form.steps[controller].id
                ),
            );
        }
    }
}

struct Report {
    form: String,
    errors: Vec<DefinitionError>,
}

impl Report {
    fn form_error(&mut self, problem: String) {
        self.push(None, problem);
    }

    fn push(&mut self, field: Option<&str>, problem: String) {
        self.errors.push(DefinitionError {
            form: self.form.clone(),
            field: field.map(str::to_owned),
            problem,
        });
    }

    fn required_text(&mut self, field: Option<&str>, name: &str, text: &LocalizedText) {
        if text.is_blank() {
            self.push(field, format!("{name} is blank"));
        }
        self.language_tags(field, name, text);
    }

    fn optional_text(&mut self, field: Option<&str>, name: &str, text: Option<&LocalizedText>) {
        if let Some(text) = text {
            if text.is_blank() {
                self.push(field, format!("{name} is blank (remove it or write it)"));
            }
            self.language_tags(field, name, text);
        }
    }

    fn language_tags(&mut self, field: Option<&str>, name: &str, text: &LocalizedText) {
        for tag in text.languages() {
            if !is_language_tag(tag) {
                self.push(
                    field,
                    format!(
                        "{name} has a malformed language tag `{tag}` (expected e.g. `en`, `pt-BR`)"
                    ),
                );
            }
        }
    }
}

fn check_field(form: &FormDefinition, index: usize, field: &Field, report: &mut Report) {
    let id = Some(field.id.as_str());
    let position = index + 1;
    if let Some(problem) = id_problem(&field.id) {
        report.push(id, format!("field {position}: id {problem}"));
    }
    if let Some(first) = form.fields.iter().position(|other| other.id == field.id) {
        if first != index && !field.id.is_empty() {
            report.push(
                id,
                format!(
                    "field {position}: duplicate id (first used by field {})",
                    first + 1
                ),
            );
        }
    }

    if field.kind.takes_answer() {
        match &field.label {
            None => report.push(id, "has no label".to_owned()),
            Some(label) => report.required_text(id, "label", label),
        }
    } else {
        report.optional_text(id, "label", field.label.as_ref());
    }
    report.optional_text(id, "help", field.help.as_ref());
    report.optional_text(id, "placeholder", field.placeholder.as_ref());
    if !field.messages.is_empty() && !field.kind.takes_answer() {
        report.push(
            id,
            "has messages but takes no answer, so none can be shown".to_owned(),
        );
    }
    for (code, text) in &field.messages {
        report.required_text(id, &format!("messages.{}", code.as_str()), text);
    }
    if let Some(autocomplete) = &field.autocomplete {
        let valid = !autocomplete.trim().is_empty()
            && autocomplete
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == ' ');
        if !valid {
            report.push(
                id,
                format!("autocomplete `{autocomplete}` is not an HTML autocomplete hint"),
            );
        }
    }
    if let Some(key) = &field.prefill {
        if key.trim().is_empty() {
            report.push(id, "prefill key is empty".to_owned());
        }
        if matches!(
            field.kind,
            FieldKind::Static { .. } | FieldKind::Consent { .. }
        ) {
            report.push(
                id,
                "a static or consent field cannot be prefilled".to_owned(),
            );
        }
    }

    check_kind(field, report);
    check_default(field, report);
    check_show_if(form, field, report);
}

fn check_kind(field: &Field, report: &mut Report) {
    let id = Some(field.id.as_str());
    let mut problems = Vec::new();
    let mut problem = |text: String| problems.push(text);
    match &field.kind {
        FieldKind::Text {
            min_length,
            max_length,
            ..
        }
        | FieldKind::Textarea {
            min_length,
            max_length,
        } => {
            if let (Some(min), Some(max)) = (min_length, max_length) {
                if min > max {
                    problem(format!("min_length {min} is above max_length {max}"));
                }
            }
            if *max_length == Some(0) {
                problem("max_length is 0".to_owned());
            }
        }
        FieldKind::Email { max_length } | FieldKind::Url { max_length } => {
            if *max_length == Some(0) {
                problem("max_length is 0".to_owned());
            }
        }
        FieldKind::Number { min, max, step } => {
            for (name, bound) in [("min", min), ("max", max), ("step", step)] {
                if bound.is_some_and(|b| !b.is_finite()) {
                    problem(format!("{name} is not a finite number"));
                }
            }
            if let (Some(min), Some(max)) = (min, max) {
                if min > max {
                    problem(format!("min {min} is above max {max}"));
                }
            }
            if step.is_some_and(|step| step <= 0.0) {
                problem("step must be above 0".to_owned());
            }
        }
        FieldKind::Date { min, max } => {
            for (name, bound) in [("min", min), ("max", max)] {
                if let Some(date) = bound {
                    if !formats::is_iso_date(date) {
                        problem(format!("{name} `{date}` is not a calendar date YYYY-MM-DD"));
                    }
                }
            }
            if let (Some(min), Some(max)) = (min, max) {
                if min > max {
                    problem(format!("min {min} is after max {max}"));
                }
            }
        }
        FieldKind::Select { options } | FieldKind::Radio { options } => {
            option_problems(options, &mut problem);
        }
        FieldKind::Checkboxes {
            options,
            min_selected,
            max_selected,
        } => {
            option_problems(options, &mut problem);
            if let (Some(min), Some(max)) = (min_selected, max_selected) {
                if min > max {
                    problem(format!("min_selected {min} is above max_selected {max}"));
                }
            }
            if *max_selected == Some(0) {
                problem("max_selected is 0".to_owned());
            }
            if min_selected.is_some_and(|min| min as usize > options.len()) {
                problem(format!(
                    "min_selected is above the number of options ({})",
                    options.len()
                ));
            }
        }
        FieldKind::Consent { document } => {
            let https = document
                .url
                .get(..8)
                .is_some_and(|s| s.eq_ignore_ascii_case("https://"));
            if !https || formats::normalize_url(&document.url, formats::MAX_URL_CHARS).is_none() {
                problem(format!(
                    "document url `{}` is not an https:// URL",
                    document.url
                ));
            }
            if document.version.trim().is_empty() {
                problem("document version is blank".to_owned());
            }
            if document.title.is_blank() {
                problem("document title is blank".to_owned());
            }
            if let Some(days) = document
                .expires_after_days
                .filter(|days| !(1..=MAX_CONSENT_EXPIRY_DAYS).contains(days))
            {
                problem(format!(
                    "document expires_after_days is {days}; it must be within 1..={MAX_CONSENT_EXPIRY_DAYS} (leave it out for an acceptance that never expires)"
                ));
            }
        }
        FieldKind::Hidden { value } => {
            if value.is_none() && field.prefill.is_none() {
                problem("a hidden field needs a value or a prefill key".to_owned());
            }
        }
        FieldKind::Static { text } => {
            if text.is_blank() {
                problem("static text is blank".to_owned());
            }
        }
        FieldKind::Tel | FieldKind::Checkbox => {}
    }
    for text in problems {
        report.push(id, text);
    }
    for text in kind_texts(&field.kind) {
        report.language_tags(id, "a text", text);
    }
}

fn option_problems(options: &[FieldOption], problem: &mut impl FnMut(String)) {
    if options.is_empty() {
        problem("has no options".to_owned());
    }
    for (index, option) in options.iter().enumerate() {
        if option.value.trim().is_empty() || option.value.trim() != option.value {
            problem(format!(
                "option {} has a blank value or one with surrounding blanks",
                index + 1
            ));
        }
        if options[..index]
            .iter()
            .any(|other| other.value == option.value)
        {
            problem(format!("option value `{}` appears twice", option.value));
        }
        if option.label.is_blank() {
            problem(format!("option `{}` has a blank label", option.value));
        }
    }
}

fn kind_texts(kind: &FieldKind) -> Vec<&LocalizedText> {
    match kind {
        FieldKind::Select { options }
        | FieldKind::Radio { options }
        | FieldKind::Checkboxes { options, .. } => {
            options.iter().map(|option| &option.label).collect()
        }
        FieldKind::Consent { document } => vec![&document.title],
        FieldKind::Static { text } => vec![text],
        _ => Vec::new(),
    }
}

/// A default must be an answer the field accepts as it is (right type, an option, in range).
fn check_default(field: &Field, report: &mut Report) {
    let Some(default) = &field.default else {
        return;
    };
    let id = Some(field.id.as_str());
    if matches!(
        field.kind,
        FieldKind::Static { .. } | FieldKind::Hidden { .. } | FieldKind::Consent { .. }
    ) {
        let why = match field.kind {
            FieldKind::Consent { .. } => "a consent cannot be pre-accepted",
            FieldKind::Hidden { .. } => "a hidden field takes `value`, not `default`",
            _ => "static text takes no answer",
        };
        report.push(id, format!("has a default: {why}"));
        return;
    }
    match clean_answer(field, Some(default), 0) {
        Ok(Some(_)) => {}
        Ok(None) => report.push(id, "default is empty (remove it)".to_owned()),
        Err(codes) => {
            let codes: Vec<&str> = codes.iter().map(|code| code.as_str()).collect();
            report.push(
                id,
                format!(
                    "default {default} is not a valid answer ({})",
                    codes.join(", ")
                ),
            );
        }
    }
}

fn check_show_if(form: &FormDefinition, field: &Field, report: &mut Report) {
    let Some(condition) = &field.show_if else {
        return;
    };
    let id = Some(field.id.as_str());
    if condition.field == field.id {
        report.push(id, "show_if names the field itself".to_owned());
        return;
    }
    let Some(controller) = form.field(&condition.field) else {
        report.push(
            id,
            format!("show_if names unknown field `{}`", condition.field),
        );
        return;
    };
    if !controller.kind.takes_answer() {
        report.push(
            id,
            format!(
                "show_if names `{}`, a hidden or static field the person does not answer",
                controller.id
            ),
        );
        return;
    }
    if let Some(cycle) = show_if_cycle(form, field) {
        report.push(id, format!("show_if forms a cycle: {}", cycle.join(" -> ")));
        return;
    }
    if !can_match(controller, &condition.equals) {
        report.push(
            id,
            format!(
                "show_if.equals {} can never match an answer of `{}`",
                condition.equals, controller.id
            ),
        );
    }
}

/// The chain of ids from `field` back to itself, when its `show_if` links loop.
fn show_if_cycle(form: &FormDefinition, field: &Field) -> Option<Vec<String>> {
    let mut chain = vec![field.id.clone()];
    let mut current = field;
    for _ in 0..form.fields.len() {
        let next = form.field(&current.show_if.as_ref()?.field)?;
        chain.push(next.id.clone());
        if next.id == field.id {
            return Some(chain);
        }
        current = next;
    }
    None
}

/// Whether some answer of `controller` satisfies `equals`: the value itself must be such an
/// answer, written in its clean form (a phone number in E.164, a date `YYYY-MM-DD`, ...).
fn can_match(controller: &Field, equals: &Value) -> bool {
    let condition = crate::form::ShowIf {
        field: controller.id.clone(),
        equals: equals.clone(),
    };
    if let FieldKind::Checkboxes { options, .. } = &controller.kind {
        let is_option = |value: &Value| {
            value
                .as_str()
                .is_some_and(|v| options.iter().any(|o| o.value == v))
        };
        return match equals {
            Value::String(_) => is_option(equals),
            Value::Array(items) => {
                items.iter().all(is_option)
                    && items
                        .iter()
                        .enumerate()
                        .all(|(i, item)| !items[..i].contains(item))
            }
            _ => false,
        };
    }
    match clean_answer(controller, Some(equals), 0) {
        Ok(Some(value)) => condition_holds(&condition, &value),
        _ => false,
    }
}

/// `None` when `id` is a usable id: 1 to 64 ASCII letters, digits, `_` or `-`.
fn id_problem(id: &str) -> Option<String> {
    if id.is_empty() {
        Some("is empty".to_owned())
    } else if id.len() > MAX_ID_CHARS {
        Some(format!("is longer than {MAX_ID_CHARS} characters"))
    } else if !id
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    {
        Some(format!("`{id}` may only hold letters, digits, `_` and `-`"))
    } else {
        None
    }
}

/// A BCP 47 tag in the loose sense: subtags of 1 to 8 ASCII letters or digits, joined by `-`.
fn is_language_tag(tag: &str) -> bool {
    tag.split('-')
        .all(|sub| (1..=8).contains(&sub.len()) && sub.bytes().all(|b| b.is_ascii_alphanumeric()))
        && tag.bytes().next().is_some_and(|b| b.is_ascii_alphabetic())
}
