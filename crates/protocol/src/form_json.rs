//! Reading a form definition from its JSON (`GET /api/forms/{id}`) by hand, for the page.
//!
//! serde's derive reads the same JSON (and the signer's TOML) and stays the definition's
//! reader everywhere else. On the page its code for these types was 73 kB of the wasm module
//! before compression (the field's flattened kind and the internally tagged enum go through
//! serde's buffering `Content`); this reader is 31 kB, so the module is 42 kB (10 kB brotli)
//! smaller (BENCHMARKS.md, "Page bytes, issue 15"). The rules are the derive's: the same
//! keys, required and optional alike, a `null` taken as absent where the type is an
//! `Option` (and refused where it is a default), and any other key refused.
//! `tests/form_json.rs` holds the two readers equal on every form the project ships and on
//! every one-key change to them.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use crate::field_errors::FieldErrorCode;
use crate::form::{
    ConsentDocument, Field, FieldKind, FieldOption, FormDefinition, FormId, ShowIf, TextFormat,
};
use crate::steps::Step;
use crate::text::{LocalizedText, DEFAULT_LANGUAGE};

impl FormDefinition {
    /// Reads a definition from its JSON, as the signer serves it; `Err` says what is wrong.
    pub fn from_json(value: Value) -> Result<Self, String> {
        object(value, "the form", |form| {
            Ok(Self {
                id: FormId(form.string("id")?),
                version: form.string("version")?,
                title: form.text("title")?,
                introduction: form.optional("introduction", text)?,
                submit_label: form.text("submit_label")?,
                fields: list(form.required("fields")?, field)?,
                steps: form
                    .defaulted("steps", |v| list(v, step))?
                    .unwrap_or_default(),
                max_fields_per_login: form.optional("max_fields_per_login", unsigned)?,
            })
        })
    }
}

/// Reads the object `value` (`what`, for messages) with `read`, then refuses any key `read`
/// did not take.
fn object<T>(
    value: Value,
    what: &str,
    read: impl FnOnce(&mut Object) -> Result<T, String>,
) -> Result<T, String> {
    let mut keys = Object::new(value, what)?;
    let read = read(&mut keys)?;
    keys.done()?;
    Ok(read)
}

/// A JSON object whose keys are taken one by one; [`Object::done`] refuses what is left.
struct Object {
    keys: Map<String, Value>,
    what: String,
}

impl Object {
    fn new(value: Value, what: &str) -> Result<Self, String> {
        let what = what.to_owned();
        match value {
            Value::Object(keys) => Ok(Self { keys, what }),
            _ => Err(format!("{what} must be an object")),
        }
    }

    fn required(&mut self, key: &str) -> Result<Value, String> {
        self.keys
            .remove(key)
            .ok_or_else(|| format!("{}: missing field `{key}`", self.what))
    }

    /// The key's value read by `read`; `None` when absent or `null`.
    fn optional<T>(
        &mut self,
        key: &str,
        read: impl FnOnce(Value) -> Result<T, String>,
    ) -> Result<Option<T>, String> {
        if self.keys.get(key) == Some(&Value::Null) {
            self.keys.remove(key);
        }
        self.defaulted(key, read)
    }

    /// The key's value read by `read`; `None` when absent (a `null` is read, as serde reads
    /// it for a key that is not an `Option`).
    fn defaulted<T>(
        &mut self,
        key: &str,
        read: impl FnOnce(Value) -> Result<T, String>,
    ) -> Result<Option<T>, String> {
        match self.keys.remove(key) {
            None => Ok(None),
            Some(value) => self.at(key, read(value)).map(Some),
        }
    }

    fn string(&mut self, key: &str) -> Result<String, String> {
        let value = self.required(key)?;
        self.at(key, string(value))
    }

    /// `read` with its problem said to be at `key` of this object.
    fn at<T>(&self, key: &str, read: Result<T, String>) -> Result<T, String> {
        read.map_err(|problem| format!("{}: `{key}`: {problem}", self.what))
    }

    fn text(&mut self, key: &str) -> Result<LocalizedText, String> {
        let value = self.required(key)?;
        self.at(key, text(value))
    }

    fn options(&mut self) -> Result<Vec<FieldOption>, String> {
        let value = self.required("options")?;
        list(value, option).map_err(|problem| format!("{}: {problem}", self.what))
    }

    fn done(self) -> Result<(), String> {
        match self.keys.keys().next() {
            Some(key) => Err(format!("{}: unknown field `{key}`", self.what)),
            None => Ok(()),
        }
    }
}

fn string(value: Value) -> Result<String, String> {
    match value {
        Value::String(text) => Ok(text),
        _ => Err("must be a string".to_owned()),
    }
}

fn unsigned(value: Value) -> Result<u32, String> {
    value
        .as_u64()
        .and_then(|n| u32::try_from(n).ok())
        .ok_or_else(|| "must be a whole number from 0 to 4294967295".to_owned())
}

fn number(value: Value) -> Result<f64, String> {
    value.as_f64().ok_or_else(|| "must be a number".to_owned())
}

/// A plain string (English) or an object of texts by language.
fn text(value: Value) -> Result<LocalizedText, String> {
    match value {
        Value::String(text) => Ok(LocalizedText::new(DEFAULT_LANGUAGE, &text)),
        Value::Object(texts) => {
            // Inserted one by one: collecting into a map sorts first, and a sort's code is
            // 4 kB of wasm for each type sorted.
            let mut languages = BTreeMap::new();
            for (language, text) in texts {
                languages.insert(language, string(text)?);
            }
            Ok(LocalizedText::from(languages))
        }
        _ => Err("must be a text or an object of texts by language".to_owned()),
    }
}

fn list<T>(value: Value, read: impl Fn(Value) -> Result<T, String>) -> Result<Vec<T>, String> {
    match value {
        Value::Array(items) => items.into_iter().map(read).collect(),
        _ => Err("must be a list".to_owned()),
    }
}

fn option(value: Value) -> Result<FieldOption, String> {
    object(value, "an option", |option| {
        Ok(FieldOption {
            value: option.string("value")?,
            label: option.text("label")?,
        })
    })
}

fn step(value: Value) -> Result<Step, String> {
    object(value, "a step", |step| {
        Ok(Step {
            id: step.string("id")?,
            title: step.text("title")?,
            fields: list(step.required("fields")?, string)?,
        })
    })
}

fn field(value: Value) -> Result<Field, String> {
    object(value, "a field", field_keys)
}

fn field_keys(keys: &mut Object) -> Result<Field, String> {
    let id = keys.string("id")?;
    keys.what = format!("field `{id}`");
    Ok(Field {
        label: keys.optional("label", text)?,
        required: keys
            .defaulted("required", |v| {
                v.as_bool().ok_or_else(|| "must be true or false".into())
            })?
            .unwrap_or(false),
        help: keys.optional("help", text)?,
        placeholder: keys.optional("placeholder", text)?,
        autocomplete: keys.optional("autocomplete", string)?,
        prefill: keys.optional("prefill", string)?,
        default: keys.optional("default", Ok)?,
        show_if: keys.optional("show_if", show_if)?,
        priority: keys.optional("priority", |v| {
            v.as_i64()
                .and_then(|n| i32::try_from(n).ok())
                .ok_or_else(|| "must be a whole number".into())
        })?,
        messages: keys.defaulted("messages", messages)?.unwrap_or_default(),
        // What is left are the kind's keys.
        kind: kind(keys)?,
        id,
    })
}

fn show_if(value: Value) -> Result<ShowIf, String> {
    object(value, "show_if", |show_if| {
        Ok(ShowIf {
            field: show_if.string("field")?,
            equals: show_if.required("equals")?,
        })
    })
}

fn messages(value: Value) -> Result<BTreeMap<FieldErrorCode, LocalizedText>, String> {
    let Value::Object(messages) = value else {
        return Err("must be an object of texts by error code".to_owned());
    };
    let mut read = BTreeMap::new();
    for (code, message) in messages {
        let code = FieldErrorCode::ALL
            .into_iter()
            .find(|known| known.as_str() == code)
            .ok_or_else(|| format!("`{code}` is not an error code"))?;
        read.insert(code, text(message)?);
    }
    Ok(read)
}

/// The field's `kind` and that kind's settings, taken from `keys`.
fn kind(keys: &mut Object) -> Result<FieldKind, String> {
    let length = |keys: &mut Object, key: &str| keys.optional(key, unsigned);
    let kind = keys.string("kind")?;
    Ok(match kind.as_str() {
        "text" => FieldKind::Text {
            min_length: length(keys, "min_length")?,
            max_length: length(keys, "max_length")?,
            format: keys.optional("format", |v| match v.as_str() {
                Some("digits") => Ok(TextFormat::Digits),
                Some("alphanumeric") => Ok(TextFormat::Alphanumeric),
                Some("name") => Ok(TextFormat::Name),
                _ => Err("must be `digits`, `alphanumeric` or `name`".to_owned()),
            })?,
        },
        "textarea" => FieldKind::Textarea {
            min_length: length(keys, "min_length")?,
            max_length: length(keys, "max_length")?,
        },
        "email" => FieldKind::Email {
            max_length: length(keys, "max_length")?,
        },
        "tel" => FieldKind::Tel,
        "url" => FieldKind::Url {
            max_length: length(keys, "max_length")?,
        },
        "number" => FieldKind::Number {
            min: keys.optional("min", number)?,
            max: keys.optional("max", number)?,
            step: keys.optional("step", number)?,
        },
        "date" => FieldKind::Date {
            min: keys.optional("min", string)?,
            max: keys.optional("max", string)?,
        },
        "select" => FieldKind::Select {
            options: keys.options()?,
        },
        "radio" => FieldKind::Radio {
            options: keys.options()?,
        },
        "checkboxes" => FieldKind::Checkboxes {
            options: keys.options()?,
            min_selected: length(keys, "min_selected")?,
            max_selected: length(keys, "max_selected")?,
        },
        "checkbox" => FieldKind::Checkbox,
        "consent" => FieldKind::Consent {
            document: consent_document(keys.required("document")?)?,
        },
        "hidden" => FieldKind::Hidden {
            value: keys.optional("value", string)?,
        },
        "static" => FieldKind::Static {
            text: keys.text("text")?,
        },
        other => return Err(format!("{}: unknown kind `{other}`", keys.what)),
    })
}

fn consent_document(value: Value) -> Result<ConsentDocument, String> {
    object(value, "a consent's document", |document| {
        Ok(ConsentDocument {
            url: document.string("url")?,
            version: document.string("version")?,
            title: document.text("title")?,
            expires_after_days: document.optional("expires_after_days", unsigned)?,
        })
    })
}
