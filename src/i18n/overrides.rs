//! Texts an operator changes at deploy time, without a rebuild: `stopover.json`'s `texts`, by
//! language tag and key (the keys of `src/i18n/texts/en.json`), for example
//! `{"texts": {"fr": {"expired_title": "Votre session a expiré"}}}`.
//!
//! Each language's overrides follow the rules of the built-in files (`texts_check.rs`): a key
//! English has, the same `{placeholders}` as English, plural forms only where English has
//! them, always with `other`. A language with any problem keeps all its built-in texts, and
//! every problem is said (the page writes them to the browser's console).

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};

use serde_json::Value;

use super::messages::english_text;
use super::texts_check::{placeholders, CATEGORIES};
use super::{leak, Lang, Msg, Text};

thread_local! {
    /// The overrides in force. Their strings live as long as the page (each is leaked once,
    /// when `stopover.json` is read), so they are `&'static` like the built-in ones.
    static OVERRIDES: RefCell<HashMap<(Lang, Msg), Text>> = RefCell::new(HashMap::new());
}

/// The operator's text for `msg` in `lang`, when `stopover.json` sets one.
pub(super) fn overridden(lang: Lang, msg: Msg) -> Option<Text> {
    OVERRIDES.with(|overrides| overrides.borrow().get(&(lang, msg)).copied())
}

/// Puts `stopover.json`'s `texts` in force, in place of any earlier ones, and returns what is
/// wrong with them (an empty list when nothing is). A language with a problem keeps its
/// built-in texts.
pub fn apply_overrides(texts: &BTreeMap<String, Value>) -> Vec<String> {
    let mut problems = Vec::new();
    let mut accepted = HashMap::new();
    for (tag, entries) in texts {
        let before = problems.len();
        let texts = read_language(tag, entries, &mut problems);
        if problems.len() == before {
            accepted.extend(texts);
        }
    }
    OVERRIDES.with(|overrides| *overrides.borrow_mut() = accepted);
    problems
}

/// One language's overrides, with every problem found in them added to `problems`.
fn read_language(
    tag: &str,
    entries: &Value,
    problems: &mut Vec<String>,
) -> Vec<((Lang, Msg), Text)> {
    let all = Lang::all();
    let Some(lang) = all
        .iter()
        .copied()
        .find(|lang| lang.tag().eq_ignore_ascii_case(tag))
    else {
        let spoken: Vec<&str> = all.iter().map(|lang| lang.tag()).collect();
        problems.push(format!(
            "texts.{tag}: the page has no language `{tag}` (it speaks {})",
            spoken.join(", ")
        ));
        return Vec::new();
    };
    let Some(entries) = entries.as_object() else {
        problems.push(format!("texts.{tag} must be an object of texts by key"));
        return Vec::new();
    };
    read_texts(&format!("texts.{tag}"), entries, problems)
        .into_iter()
        .map(|(msg, text)| ((lang, msg), text))
        .collect()
}

/// The texts of `entries` (key -> a text or plural forms) that follow the rules of the
/// built-in files, with every problem found added to `problems`, each named `{place}.{key}`.
pub(super) fn read_texts(
    place: &str,
    entries: &serde_json::Map<String, Value>,
    problems: &mut Vec<String>,
) -> Vec<(Msg, Text)> {
    let mut texts = Vec::new();
    for (key, value) in entries {
        let place = format!("{place}.{key}");
        let Some(msg) = Msg::from_key(key) else {
            problems.push(format!("{place} is not one of the page's texts"));
            continue;
        };
        let english = english_text(msg);
        let english_is_plural = matches!(english, Text::Plural(_));
        let text = match value {
            Value::String(text) => Some(Text::Plain(leak(text))),
            Value::Object(forms) if english_is_plural => plural(&place, forms, problems),
            Value::Object(_) => {
                problems.push(format!(
                    "{place} is one text in English, so it cannot be a plural here"
                ));
                None
            }
            _ => {
                problems.push(format!(
                    "{place} must be a text or an object of plural forms"
                ));
                None
            }
        };
        let Some(text) = text else { continue };
        let wanted = placeholders(english.form("other"));
        for form in text.forms() {
            let found = placeholders(form);
            if found != wanted {
                problems.push(format!(
                    "{place} has placeholders {found:?}, English has {wanted:?}"
                ));
            }
        }
        texts.push((msg, text));
    }
    texts
}

/// Plural forms by CLDR category; `None` (with the problems said) when they are not usable.
fn plural(
    place: &str,
    forms: &serde_json::Map<String, Value>,
    problems: &mut Vec<String>,
) -> Option<Text> {
    let before = problems.len();
    let mut read = Vec::new();
    for (category, text) in forms {
        let Some(category) = CATEGORIES.into_iter().find(|known| known == category) else {
            problems.push(format!(
                "{place} has `{category}`, which is no plural category ({})",
                CATEGORIES.join(", ")
            ));
            continue;
        };
        match text.as_str() {
            Some(text) => read.push((category, leak(text))),
            None => problems.push(format!("{place}.{category} must be a text")),
        }
    }
    if !read.iter().any(|(category, _)| *category == "other") {
        problems.push(format!("{place} needs an `other` form"));
    }
    (problems.len() == before).then(|| Text::Plural(Box::leak(read.into_boxed_slice())))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn texts(value: Value) -> BTreeMap<String, Value> {
        serde_json::from_value(value).unwrap()
    }

    #[test]
    fn an_operator_changes_a_text_of_a_language_the_page_speaks() {
        let problems = apply_overrides(&texts(json!({
            "fr": {"expired_title": "Votre session a expiré"},
            "pt-br": {"rate_limited_wait": {"one": "Espere {n} segundo.", "other": "Espere {n} segundos."}}
        })));
        assert_eq!(problems, Vec::<String>::new());
        assert_eq!(Msg::ExpiredTitle.text(Lang::FR), "Votre session a expiré");
        assert_eq!(Msg::ExpiredTitle.text(Lang::EN), "This sign-in has expired");
        assert_eq!(
            Msg::RateLimitedWait.count(Lang::PT_BR, 1.0),
            "Espere 1 segundo."
        );

        assert!(apply_overrides(&BTreeMap::new()).is_empty());
        assert_eq!(
            Msg::ExpiredTitle.text(Lang::FR),
            "Cette connexion a expiré",
            "overrides last until the next stopover.json"
        );
    }

    #[test]
    fn a_language_with_a_bad_override_keeps_all_its_built_in_texts() {
        let problems = apply_overrides(&texts(json!({
            "de": {"expired_title": "Abgelaufen", "time_left": "Noch {zeit}", "nope": "x"},
            "sv": {"expired_title": "Utgången"},
            "fr": {"expired_title": {"one": "a", "other": "b"}, "at_most_chars": {"lots": "{n}"}},
            "es": {"expired_title": "Caducado"}
        })));
        assert_eq!(
            problems,
            [
                "texts.de.nope is not one of the page's texts",
                r#"texts.de.time_left has placeholders {"zeit"}, English has {"t"}"#,
                "texts.fr.at_most_chars has `lots`, which is no plural category (zero, one, two, few, many, other)",
                "texts.fr.at_most_chars needs an `other` form",
                "texts.fr.expired_title is one text in English, so it cannot be a plural here",
                "texts.sv: the page has no language `sv` (it speaks en, ar, de, es, fr, it, ja, nl, pl, pt-BR)",
            ]
        );
        assert_eq!(
            Msg::ExpiredTitle.text(Lang::DE),
            "Diese Anmeldung ist abgelaufen"
        );
        assert_eq!(Msg::ExpiredTitle.text(Lang::FR), "Cette connexion a expiré");
        assert_eq!(
            Msg::ExpiredTitle.text(Lang::ES),
            "Caducado",
            "a language without problems takes its overrides"
        );
        apply_overrides(&BTreeMap::new());
    }
}
