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
        self.entry_for(language).map_or("", |(_, text)| text)
    }

    /// The language tag, as written here, of the text [`LocalizedText::get`] picks for
    /// `language`; `None` only when the text has no languages at all.
    pub fn language_for(&self, language: &str) -> Option<&str> {
        self.entry_for(language).map(|(tag, _)| tag)
    }

    fn entry_for(&self, language: &str) -> Option<(&str, &str)> {
        let wanted = normalize_tag(language);
        let wanted_primary = primary_subtag(&wanted);
        let find = |matches: &dyn Fn(&str) -> bool| {
            self.0
                .iter()
                .find(|(tag, _)| matches(&normalize_tag(tag)))
                .map(|(tag, text)| (tag.as_str(), text.as_str()))
        };
        find(&|tag| tag == wanted)
            .or_else(|| find(&|tag| tag == wanted_primary))
            .or_else(|| {
                find(&|tag| !wanted_primary.is_empty() && primary_subtag(tag) == wanted_primary)
            })
            .or_else(|| find(&|tag| tag == DEFAULT_LANGUAGE))
            .or_else(|| {
                self.0
                    .iter()
                    .next()
                    .map(|(tag, text)| (tag.as_str(), text.as_str()))
            })
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

/// Lower case, `_` read as `-` (`pt_BR` is `pt-br`), surrounding blanks ignored.
fn normalize_tag(tag: &str) -> String {
    tag.trim().to_ascii_lowercase().replace('_', "-")
}

fn primary_subtag(normalized: &str) -> &str {
    normalized.split('-').next().unwrap_or(normalized)
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
            TextRepr::Languages(map) => Self::from(map),
        }
    }
}

/// A text in the languages of the map (language tag -> text).
impl From<BTreeMap<String, String>> for LocalizedText {
    fn from(texts: BTreeMap<String, String>) -> Self {
        Self(texts)
    }
}

impl From<LocalizedText> for BTreeMap<String, String> {
    fn from(text: LocalizedText) -> Self {
        text.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(pairs: &[(&str, &str)]) -> LocalizedText {
        LocalizedText(
            pairs
                .iter()
                .map(|(l, t)| ((*l).to_owned(), (*t).to_owned()))
                .collect(),
        )
    }

    #[test]
    fn exact_tag_wins() {
        let t = text(&[("en", "Hello"), ("pt", "Olá"), ("pt-BR", "Oi")]);
        assert_eq!(t.get("pt-BR"), "Oi");
    }

    #[test]
    fn tags_compare_case_insensitively_and_accept_underscores() {
        let t = text(&[("en", "Hello"), ("pt-BR", "Oi")]);
        assert_eq!(t.get("PT-br"), "Oi");
        assert_eq!(t.get("pt_BR"), "Oi");
    }

    #[test]
    fn region_falls_back_to_primary_language() {
        let t = text(&[("en", "Hello"), ("fr", "Bonjour")]);
        assert_eq!(t.get("fr-CA"), "Bonjour");
    }

    #[test]
    fn primary_language_falls_back_to_a_regional_text() {
        let t = text(&[("en", "Hello"), ("de-AT", "Servus")]);
        assert_eq!(t.get("de"), "Servus");
        assert_eq!(t.get("de-CH"), "Servus");
    }

    #[test]
    fn unknown_language_falls_back_to_english() {
        let t = text(&[("de", "Hallo"), ("en", "Hello"), ("fr", "Bonjour")]);
        assert_eq!(t.get("ja"), "Hello");
        assert_eq!(t.get(""), "Hello");
    }

    #[test]
    fn without_english_the_first_text_is_used() {
        let t = text(&[("fr", "Bonjour"), ("de", "Hallo")]);
        assert_eq!(t.get("ja"), "Hallo");
    }

    #[test]
    fn a_text_without_languages_is_empty() {
        assert_eq!(text(&[]).get("en"), "");
        assert!(text(&[]).is_blank());
    }

    #[test]
    fn a_plain_string_is_english_and_serialises_as_a_table() {
        let t: LocalizedText = serde_json::from_str(r#""Hello""#).unwrap();
        assert_eq!(t, LocalizedText::new("en", "Hello"));
        assert_eq!(serde_json::to_string(&t).unwrap(), r#"{"en":"Hello"}"#);
        let t: LocalizedText = serde_json::from_str(r#"{"fr":"Bonjour","en":"Hello"}"#).unwrap();
        assert_eq!(
            serde_json::to_string(&t).unwrap(),
            r#"{"en":"Hello","fr":"Bonjour"}"#
        );
    }
}
