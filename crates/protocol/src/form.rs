//! Form definitions: what the page shows and what the signer accepts, as data.
//!
//! Declared in the signer's TOML configuration, served as JSON by `GET /api/forms/{id}`, and
//! rendered by the page. The same value drives [`validate_answers`](fn@crate::validate_answers) on both sides.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::field_errors::FieldErrorCode;

use crate::text::LocalizedText;

/// A form's identifier: the `form` claim of a session token names one.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct FormId(pub String);

/// One form: its texts and its ordered fields.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FormDefinition {
    /// Letters, digits, `_` and `-`, at most 64; the session token's `form` claim names it.
    pub id: FormId,
    /// Recorded in every continue token, so the Action knows which wording was answered.
    pub version: String,
    /// The page's heading.
    pub title: LocalizedText,
    /// A paragraph under the title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub introduction: Option<LocalizedText>,
    /// The submit button's text.
    pub submit_label: LocalizedText,
    /// The fields, in the order they are shown.
    pub fields: Vec<Field>,
    /// Titled groups of the fields, shown one at a time ([`crate::Step`]); none: one page.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub steps: Vec<crate::Step>,
    /// At most this many questions in one login, those not known yet, by `priority`
    /// ([`FormDefinition::asked_fields`]); none: every question, every time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_fields_per_login: Option<u32>,
}

/// One field of a form.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Field {
    /// The answer's key: letters, digits, `_` and `-`, unique within the form.
    pub id: String,
    /// What the person reads next to the control (for `static`, may be empty).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<LocalizedText>,
    /// `kind = "..."` and the kind's own settings, beside the other keys.
    #[serde(flatten, deserialize_with = "strict_kind")]
    pub kind: FieldKind,
    /// Must be answered when shown (a `checkbox`: must be checked; a `consent` is always
    /// required, whatever this says).
    #[serde(default, skip_serializing_if = "is_false")]
    pub required: bool,
    /// A hint under the control (tied to it with `aria-describedby`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub help: Option<LocalizedText>,
    /// Example text inside an empty control.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub placeholder: Option<LocalizedText>,
    /// The HTML `autocomplete` hint (`tel`, `organization`, `given-name`, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub autocomplete: Option<String>,
    /// Key in the session token's `prefill` claim whose value fills this field at start.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prefill: Option<String>,
    /// The value the field starts with when nothing is prefilled; must be an answer the
    /// field accepts (see [`crate::initial_value`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<Value>,
    /// Shown (and validated) only when another field has a given value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub show_if: Option<ShowIf>,
    /// In a form with `max_fields_per_login`: which questions come first (1 first, then 2,
    /// ...; questions without one after those with one; ties in the form's order).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<i32>,
    /// This field's own error messages, by error code (`required`, `invalid_format`, ...), in
    /// place of the page's built-in sentences, GOV.UK style: "Enter your company name". The
    /// inline message and the error summary both say them as written.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub messages: BTreeMap<FieldErrorCode, LocalizedText>,
}

/// The field kinds and their kind-specific settings. In TOML/JSON: `kind = "email"` beside
/// the field's other keys.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum FieldKind {
    /// One line of text, optionally of a [`TextFormat`]; at most
    /// [`crate::limits::DEFAULT_MAX_TEXT_CHARS`] characters unless `max_length` says.
    Text {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        min_length: Option<u32>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        max_length: Option<u32>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        format: Option<TextFormat>,
    },
    /// Several lines of text; at most [`crate::limits::DEFAULT_MAX_TEXTAREA_CHARS`]
    /// characters unless `max_length` says.
    Textarea {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        min_length: Option<u32>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        max_length: Option<u32>,
    },
    /// An e-mail address (at most 254 characters), its domain lowered.
    Email {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        max_length: Option<u32>,
    },
    /// A phone number, normalised to E.164 (`+` and 8 to 15 digits).
    Tel,
    /// An `https` or `http` address.
    Url {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        max_length: Option<u32>,
    },
    /// A number; bounds inclusive, `step` counted from `min` (or 0).
    Number {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        min: Option<f64>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        max: Option<f64>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        step: Option<f64>,
    },
    /// An ISO 8601 calendar date, `YYYY-MM-DD`; bounds inclusive.
    Date {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        min: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        max: Option<String>,
    },
    /// One of the options, from a drop-down list.
    Select { options: Vec<FieldOption> },
    /// One of the options, as radio buttons.
    Radio { options: Vec<FieldOption> },
    /// Several of the options may be chosen.
    Checkboxes {
        options: Vec<FieldOption>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        min_selected: Option<u32>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        max_selected: Option<u32>,
    },
    /// One yes/no box; the answer is `true` or `false`.
    Checkbox,
    /// Acceptance of a linked document at a version; must be accepted to submit.
    Consent { document: ConsentDocument },
    /// Not shown; its value comes from the definition or the prefill, never from the page.
    Hidden {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        value: Option<String>,
    },
    /// Text shown between fields; takes no answer.
    Static { text: LocalizedText },
}

/// The formats a text field may require.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TextFormat {
    /// ASCII digits only (a customer number).
    Digits,
    /// ASCII letters and digits only (a code).
    Alphanumeric,
    /// Letters of any script, spaces, `-`, `'` and `.` (a person's or company's name).
    Name,
}

impl TextFormat {
    /// Whether a (trimmed) text has this format.
    pub fn accepts(self, text: &str) -> bool {
        match self {
            Self::Digits => text.chars().all(|c| c.is_ascii_digit()),
            Self::Alphanumeric => text.chars().all(|c| c.is_ascii_alphanumeric()),
            Self::Name => text
                .chars()
                .all(|c| c.is_alphabetic() || matches!(c, ' ' | '-' | '\'' | '.' | '\u{2019}')),
        }
    }
}

/// One choice of a select, radio group or checkbox group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldOption {
    /// The answer's value when chosen.
    pub value: String,
    /// What the person reads.
    pub label: LocalizedText,
}

/// The document a consent field accepts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConsentDocument {
    /// Where the person can read it (`https://`).
    pub url: String,
    /// Recorded with the acceptance, so a new version can ask again.
    pub version: String,
    /// The link's text.
    pub title: LocalizedText,
    /// Ask again this many days after the recorded acceptance, even at the same version
    /// (1..=[`crate::limits::MAX_CONSENT_EXPIRY_DAYS`]); never, when absent. The Action
    /// decides this from its plan; the page and the signer only carry it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_after_days: Option<u32>,
}

/// Show a field only when the field `field` has the answer `equals` (for a checkbox group:
/// when `equals` is among the chosen values).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShowIf {
    /// The controlling field's id: a field the person answers (not hidden or static).
    pub field: String,
    /// The clean answer that shows the field (see [`crate::is_visible`] for matching).
    pub equals: Value,
}

/// Why a form definition is unusable; the signer refuses to start and prints these.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("form `{form}`{}: {problem}", field.as_ref().map(|f| format!(", field `{f}`")).unwrap_or_default())]
pub struct DefinitionError {
    /// The form's id.
    pub form: String,
    /// The field's id, when the problem is in a field.
    pub field: Option<String>,
    /// What is wrong, for the person editing the configuration.
    pub problem: String,
}

impl FormDefinition {
    /// The field with this id.
    pub fn field(&self, id: &str) -> Option<&Field> {
        self.fields.iter().find(|field| field.id == id)
    }
}

impl FieldKind {
    /// True for the kinds the person answers (everything but `hidden` and `static`).
    pub fn takes_answer(&self) -> bool {
        !matches!(self, Self::Hidden { .. } | Self::Static { .. })
    }
}

/// Reads a field's kind from the keys the field itself does not take, refusing any key the
/// kind does not know. (serde's `deny_unknown_fields` covers the kinds with settings; the
/// kinds without (`tel`, `checkbox`) would otherwise ignore a misspelt `requird = true`.)
fn strict_kind<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<FieldKind, D::Error> {
    use serde::de::Error;
    let keys = serde_json::Map::<String, Value>::deserialize(deserializer)?;
    let unit_kind = matches!(
        keys.get("kind").and_then(Value::as_str),
        Some("tel" | "checkbox")
    );
    if unit_kind {
        if let Some(unknown) = keys.keys().find(|key| *key != "kind") {
            return Err(D::Error::custom(format!("unknown field `{unknown}`")));
        }
    }
    FieldKind::deserialize(Value::Object(keys)).map_err(D::Error::custom)
}

fn is_false(value: &bool) -> bool {
    !*value
}
