//! Where each answer goes: in the continue token, or to the user's metadata through the
//! Management API. Read off the `[[forms]]` tables before the definition itself.

use std::collections::BTreeMap;

use stopover_protocol::form::{FieldKind, FormDefinition};

use super::{ConfigError, ConfigProblem};

/// Where an answer goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Delivery {
    /// In the continue token's `answers` (the default).
    Token,
    /// Written to the user's `user_metadata` through the Management API.
    UserMetadata,
    /// Written to the user's `app_metadata` through the Management API.
    AppMetadata,
}

impl Delivery {
    /// The configuration's (and the `stored` claim's) spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Token => "token",
            Self::UserMetadata => "user_metadata",
            Self::AppMetadata => "app_metadata",
        }
    }

    fn parse(text: &str) -> Option<Self> {
        [Self::Token, Self::UserMetadata, Self::AppMetadata]
            .into_iter()
            .find(|delivery| delivery.as_str() == text)
    }
}

/// Where one answer is written: a metadata object and a path of keys in it (`["consents",
/// "terms"]` for `consents.terms`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetadataTarget {
    /// [`Delivery::UserMetadata`] or [`Delivery::AppMetadata`], never `Token`.
    pub delivery: Delivery,
    pub path: Vec<String>,
}

/// The back-channel fields of one form: field id -> where its answer is written. Fields
/// not listed travel in the token.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FormDelivery {
    pub targets: BTreeMap<String, MetadataTarget>,
}

impl FormDelivery {
    /// True when a target's path is nested, so the signer must read the current value of
    /// its top-level key before writing (Auth0 merges metadata at the top level only).
    pub fn needs_read(&self) -> bool {
        self.targets.values().any(|target| target.path.len() > 1)
    }
}

/// Default `metadata_key`: the field's id as a top-level key.
pub const DEFAULT_METADATA_KEY: &str = "{field}";
/// Most keys in a metadata path.
pub(super) const MAX_METADATA_DEPTH: usize = 4;

/// Takes the signer's own keys (`delivery`, `metadata_key`, `answers_claim`) off a
/// `[[forms]]` table and its fields, and reads the rest as a [`FormDefinition`] (which refuses unknown keys). The
/// definition served to the page therefore never shows where answers are stored.
pub(super) fn split_form(
    mut table: toml::Table,
    problems: &mut Vec<ConfigProblem>,
) -> Result<(FormDefinition, Option<FormDelivery>, Option<String>), ConfigError> {
    let form_id = table
        .get("id")
        .and_then(toml::Value::as_str)
        .unwrap_or("?")
        .to_owned();
    let form_delivery = take_text(&mut table, "delivery", &form_id, None, problems);
    let answers_claim = take_text(&mut table, "answers_claim", &form_id, None, problems);
    let form_key = take_text(&mut table, "metadata_key", &form_id, None, problems);
    let form_opt_in = take_flag(&mut table, APP_METADATA_OPT_IN, &form_id, None, problems);
    let mut field_settings = Vec::new();
    if let Some(toml::Value::Array(fields)) = table.get_mut("fields") {
        for field in fields.iter_mut() {
            let Some(field) = field.as_table_mut() else {
                continue;
            };
            let field_id = field
                .get("id")
                .and_then(toml::Value::as_str)
                .unwrap_or("?")
                .to_owned();
            let delivery = take_text(field, "delivery", &form_id, Some(&field_id), problems);
            let key = take_text(field, "metadata_key", &form_id, Some(&field_id), problems);
            let opt_in = take_flag(
                field,
                APP_METADATA_OPT_IN,
                &form_id,
                Some(&field_id),
                problems,
            );
            field_settings.push((field_id, delivery, key, opt_in));
        }
    }
    let form: FormDefinition = toml::Value::Table(table)
        .try_into()
        .map_err(|error| ConfigError::Syntax(format!("form `{form_id}`: {error}")))?;

    let parse = |value: &str, field: Option<&str>, problems: &mut Vec<ConfigProblem>| {
        Delivery::parse(value).or_else(|| {
            problems.push(ConfigProblem::Delivery {
                form: form_id.clone(),
                field: field.map(str::to_owned),
                value: value.to_owned(),
            });
            None
        })
    };
    let default_delivery = match &form_delivery {
        Some(value) => parse(value, None, problems),
        None => Some(Delivery::Token),
    };
    let mut targets = BTreeMap::new();
    for (field_id, delivery, key, opt_in) in field_settings {
        let own_delivery = delivery.is_some();
        let delivery = match &delivery {
            Some(value) => parse(value, Some(&field_id), problems),
            None => default_delivery,
        };
        let Some(delivery) = delivery.filter(|d| *d != Delivery::Token) else {
            continue;
        };
        let Some(field) = form.field(&field_id) else {
            continue;
        };
        if matches!(field.kind, FieldKind::Static { .. }) {
            // A form-wide delivery skips static text; a delivery on the field is a mistake.
            if own_delivery {
                problems.push(ConfigProblem::DeliveryWithoutAnswer {
                    form: form_id.clone(),
                    field: field_id.clone(),
                    kind: "static",
                });
            }
            continue;
        }
        let opted_in = opt_in.or(form_opt_in).unwrap_or(false);
        if delivery == Delivery::AppMetadata && is_chosen_by_person(&field.kind) && !opted_in {
            problems.push(ConfigProblem::PersonValueInAppMetadata {
                form: form_id.clone(),
                field: field_id.clone(),
            });
        }
        let template = key
            .or_else(|| form_key.clone())
            .unwrap_or_else(|| DEFAULT_METADATA_KEY.to_owned());
        let Some(path) = metadata_path(&template, &field_id) else {
            problems.push(ConfigProblem::MetadataKey {
                form: form_id.clone(),
                field: field_id.clone(),
                key: template,
            });
            continue;
        };
        targets.insert(field_id, MetadataTarget { delivery, path });
    }
    check_clashes(&form_id, &targets, problems);
    let delivery = (!targets.is_empty()).then_some(FormDelivery { targets });
    Ok((form, delivery, answers_claim))
}

/// The setting that lets answers the person types or picks be written to `app_metadata`.
pub(super) const APP_METADATA_OPT_IN: &str = "app_metadata_opt_in";

/// Answers whose value the person types or picks freely. Applications read `app_metadata` as
/// data the person cannot edit, so writing these there needs [`APP_METADATA_OPT_IN`]; a
/// consent record (its version and time set by the signer), a checkbox's yes or no and a
/// hidden value (from the token) do not.
pub(super) fn is_chosen_by_person(kind: &FieldKind) -> bool {
    !matches!(
        kind,
        FieldKind::Consent { .. }
            | FieldKind::Checkbox
            | FieldKind::Hidden { .. }
            | FieldKind::Static { .. }
    )
}

/// Removes `key` from `table` and returns its boolean; anything else is a problem.
pub(super) fn take_flag(
    table: &mut toml::Table,
    key: &'static str,
    form: &str,
    field: Option<&str>,
    problems: &mut Vec<ConfigProblem>,
) -> Option<bool> {
    match table.remove(key)? {
        toml::Value::Boolean(flag) => Some(flag),
        _ => {
            problems.push(ConfigProblem::FlagType {
                form: form.to_owned(),
                field: field.map(str::to_owned),
                key,
            });
            None
        }
    }
}

/// Removes `key` from `table` and returns its text; a non-string is a problem.
pub(super) fn take_text(
    table: &mut toml::Table,
    key: &'static str,
    form: &str,
    field: Option<&str>,
    problems: &mut Vec<ConfigProblem>,
) -> Option<String> {
    match table.remove(key)? {
        toml::Value::String(text) => Some(text),
        _ => {
            problems.push(ConfigProblem::DeliveryKeyType {
                form: form.to_owned(),
                field: field.map(str::to_owned),
                key,
            });
            None
        }
    }
}

/// `consents.{field}` for field `terms` -> `["consents", "terms"]`; `None` when a segment is
/// empty, has other characters than letters, digits, `_` and `-`, or the path is too deep.
pub(super) fn metadata_path(template: &str, field_id: &str) -> Option<Vec<String>> {
    let path: Vec<String> = template
        .replace("{field}", field_id)
        .split('.')
        .map(str::to_owned)
        .collect();
    let segment_ok = |segment: &String| {
        !segment.is_empty()
            && segment.len() <= 64
            && segment
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    };
    (path.len() <= MAX_METADATA_DEPTH && path.iter().all(segment_ok)).then_some(path)
}

/// Two fields may not write the same place, nor one inside the other's value.
pub(super) fn check_clashes(
    form: &str,
    targets: &BTreeMap<String, MetadataTarget>,
    problems: &mut Vec<ConfigProblem>,
) {
    let entries: Vec<_> = targets.iter().collect();
    for (index, (first, a)) in entries.iter().enumerate() {
        for (second, b) in &entries[index + 1..] {
            let overlap = a.delivery == b.delivery
                && (a.path.starts_with(&b.path) || b.path.starts_with(&a.path));
            if overlap {
                let shorter = if a.path.len() <= b.path.len() { a } else { b };
                problems.push(ConfigProblem::MetadataKeyClash {
                    form: form.to_owned(),
                    first: (*first).clone(),
                    second: (*second).clone(),
                    delivery: a.delivery.as_str(),
                    key: shorter.path.join("."),
                });
            }
        }
    }
}
