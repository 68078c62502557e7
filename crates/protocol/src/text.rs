//! Texts in one or more languages, and the rule for picking one.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// A text in one or more languages, keyed by BCP 47 tag (`en`, `fr`, `pt-BR`).
///
/// In TOML and JSON it is either a plain string (taken as English) or a table of
/// `language = "text"`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "TextRepr", into = "BTreeMap<String, String>")]
pub struct LocalizedText(BTreeMap<String, String>);

/// The language a plain string is taken to be in, and the last fallback.
pub const DEFAULT_LANGUAGE: &str = "en";

impl LocalizedText {
    /// A text in one language.
    pub fn new(language: &str, text: &str) -> Self {
        Self(BTreeMap::from([(language.to_owned(), text.to_owned())]))
    }

    /// The text for `language`: the exact tag, then its primary subtag (`pt` for `pt-BR`),
    /// then any tag with the same primary subtag, then English, then the first text there is.
    /// Tags compare case-insensitively. Empty only when the text has no languages at all.
    pub fn get(&self, language: &str) -> &str {
        todo!("implemented in crates/protocol (issue 3): {language}")
    }

    /// The languages this text is written in.
    pub fn languages(&self) -> impl Iterator<Item = &str> {
        self.0.keys().map(String::as_str)
    }

    /// True when there is no text in any language, or every text is blank.
    pub fn is_blank(&self) -> bool {
        self.0.values().all(|text| text.trim().is_empty())
    }
}

#[derive(Deserialize)]
#[serde(untagged)]
enum TextRepr {
    Plain(String),
    Languages(BTreeMap<String, String>),
}

impl From<TextRepr> for LocalizedText {
    fn from(repr: TextRepr) -> Self {
        match repr {
            TextRepr::Plain(text) => Self::new(DEFAULT_LANGUAGE, &text),
            TextRepr::Languages(map) => Self(map),
        }
    }
}

impl From<LocalizedText> for BTreeMap<String, String> {
    fn from(text: LocalizedText) -> Self {
        text.0
    }
}
