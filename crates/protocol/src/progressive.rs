//! Asking little per login (progressive profiling): a form may set `max_fields_per_login`,
//! and then each login asks at most that many of the questions whose answers are not known
//! yet, by `priority` (then in the form's order). One rule for the page (what to show) and the
//! signer (what to accept: an answer to a question this login did not ask is refused as
//! `unknown_field`, and the continue token names the questions asked).

use std::borrow::Cow;

use serde_json::{Map, Value};

use crate::form::{Field, FieldKind, FormDefinition};

impl FormDefinition {
    /// The ids of the questions this login asks, in the form's order, when the form sets
    /// `max_fields_per_login`; `None` when it does not (every question is asked).
    ///
    /// A question is known when the session token's `prefill` carries a value (anything but
    /// `null`) under its `prefill` key: the Action passes what the person's profile already
    /// holds, including an answer left blank. Of the questions not known, those without
    /// `show_if` are taken by `priority` (1 first, then 2, ...; those without one after all
    /// that have one), then in the form's order, up to the cap; a question with `show_if`
    /// comes with the question it depends on (and is not counted on its own), and is not
    /// asked when that one is not.
    pub fn asked_fields(&self, prefill: &Map<String, Value>) -> Option<Vec<String>> {
        let cap = usize::try_from(self.max_fields_per_login?).unwrap_or(usize::MAX);
        // Each candidate inserted in its place by (priority, position), not collected and
        // sorted: a sort is one more instance of the sort code in the page's wasm.
        let rank =
            |(index, field): &(usize, &Field)| (field.priority.is_none(), field.priority, *index);
        let mut leading: Vec<(usize, &Field)> = Vec::new();
        for candidate in self.fields.iter().enumerate().filter(|(_, field)| {
            field.kind.takes_answer() && field.show_if.is_none() && !is_known(field, prefill)
        }) {
            let place = leading.partition_point(|placed| rank(placed) < rank(&candidate));
            leading.insert(place, candidate);
        }
        leading.truncate(cap);
        let asked = |field: &Field| leading.iter().any(|(_, chosen)| chosen.id == field.id);
        Some(
            self.fields
                .iter()
                .filter(|field| {
                    field.kind.takes_answer()
                        && match self.leading_field(field) {
                            Some(root) => asked(root) && !is_known(field, prefill),
                            None => false,
                        }
                })
                .map(|field| field.id.clone())
                .collect(),
        )
    }

    /// The form as this login asks it: without the questions [`FormDefinition::asked_fields`]
    /// leaves out, and without the steps that no longer ask anything (their texts go with
    /// them; their `hidden` fields, which the signer still fills, join the last step kept).
    /// The form itself when it sets no cap.
    pub fn for_login(&self, prefill: &Map<String, Value>) -> Cow<'_, FormDefinition> {
        let Some(asked) = self.asked_fields(prefill) else {
            return Cow::Borrowed(self);
        };
        let mut form = self.clone();
        form.fields
            .retain(|field| !field.kind.takes_answer() || asked.contains(&field.id));
        let is_hidden = |id: &String| {
            self.field(id)
                .is_some_and(|field| matches!(field.kind, FieldKind::Hidden { .. }))
        };
        let (kept, dropped): (Vec<_>, Vec<_>) = std::mem::take(&mut form.steps)
            .into_iter()
            .partition(|step| step.fields.iter().any(|id| asked.contains(id)));
        form.steps = kept;
        for step in &mut form.steps {
            step.fields
                .retain(|id| form.fields.iter().any(|field| &field.id == id));
        }
        let orphans = dropped.into_iter().flat_map(|step| step.fields);
        let (hidden, texts): (Vec<String>, Vec<String>) = orphans.partition(is_hidden);
        // With no step left (nothing to ask) the form is one page, its fields all kept.
        if let Some(last) = form.steps.last_mut() {
            last.fields.extend(hidden);
            form.fields.retain(|field| !texts.contains(&field.id));
        }
        Cow::Owned(form)
    }

    /// The question without `show_if` that `field` depends on, through its chain of `show_if`
    /// (the field itself when it has none); `None` for a chain that does not end (the
    /// definition check refuses those).
    fn leading_field<'a>(&'a self, field: &'a Field) -> Option<&'a Field> {
        let mut current = field;
        for _ in 0..=self.fields.len() {
            match &current.show_if {
                None => return Some(current),
                Some(condition) => current = self.field(&condition.field)?,
            }
        }
        None
    }
}

/// True when the token's prefill carries a value for `field` (its `prefill` key, not `null`).
fn is_known(field: &Field, prefill: &Map<String, Value>) -> bool {
    !matches!(field.kind, FieldKind::Consent { .. })
        && field
            .prefill
            .as_deref()
            .and_then(|key| prefill.get(key))
            .is_some_and(|value| !value.is_null())
}
