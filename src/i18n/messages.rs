//! The page's own texts, in every language it speaks: one JSON file per language in
//! `src/i18n/texts/` (translators edit those, no Rust), checked against English and compiled
//! in by build.rs. Form texts (titles, labels, options) come from the form definition instead;
//! these are what the page says around them: states, errors, buttons.

use super::format::format_number;
use super::loaded::shipped;
use super::overrides::overridden;
pub use super::texts::Msg;
use super::texts::ENGLISH;
use super::Lang;

/// One text of one language: a sentence, or, for a text about a number, one sentence per
/// plural category (CLDR's `zero`, `one`, `two`, `few`, `many`, `other`), chosen by the
/// browser's `Intl.PluralRules`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Text {
    Plain(&'static str),
    Plural(&'static [(&'static str, &'static str)]),
}

impl Text {
    /// Each of its sentences.
    pub fn forms(self) -> Vec<&'static str> {
        match self {
            Text::Plain(text) => vec![text],
            Text::Plural(forms) => forms.iter().map(|(_, text)| *text).collect(),
        }
    }

    /// The form for `category`, else `other` (every plural has one: build.rs checks).
    pub(super) fn form(self, category: &str) -> &'static str {
        match self {
            Text::Plain(text) => text,
            Text::Plural(forms) => forms
                .iter()
                .find(|(name, _)| *name == category)
                .or_else(|| forms.iter().find(|(name, _)| *name == "other"))
                .map_or("", |(_, text)| text),
        }
    }
}

/// The English text of `msg` as the page ships it: the reference every other is checked
/// against, and what a language whose texts could not be loaded falls back to.
pub(super) fn english_text(msg: Msg) -> Text {
    ENGLISH[msg as usize]
}

impl Lang {
    /// The text of `msg` in this language: the operator's (`stopover.json`), else the page's
    /// own, else English (when this language's file could not be loaded).
    fn text_of(self, msg: Msg) -> Text {
        overridden(self, msg)
            .or_else(|| shipped(self, msg))
            .unwrap_or_else(|| english_text(msg))
    }
}

impl Msg {
    /// This text in `lang` (a plural's `other` form).
    pub fn text(self, lang: Lang) -> &'static str {
        lang.text_of(self).form("other")
    }

    /// This text with its `{t}` placeholder replaced by `value`.
    pub fn with(self, lang: Lang, value: &str) -> String {
        self.text(lang).replace("{t}", value)
    }

    /// This text about `count`: the plural form `lang` uses for it, with `{n}` written as
    /// `lang` writes numbers.
    pub fn count(self, lang: Lang, count: f64) -> String {
        lang.text_of(self)
            .form(plural_category(lang, count))
            .replace("{n}", &format_number(lang, count))
    }
}

/// The plural category `lang` puts `count` in (`one`, `few`, ...), by `Intl.PluralRules`.
/// Off the browser: `one` for 1, else `other`.
fn plural_category(lang: Lang, count: f64) -> &'static str {
    #[cfg(target_arch = "wasm32")]
    {
        let locales = js_sys::Array::of1(&lang.tag().into());
        let rules = js_sys::Intl::PluralRules::new(&locales, &js_sys::Object::new());
        let category = String::from(rules.select(count));
        if let Some(known) = ["zero", "one", "two", "few", "many"]
            .into_iter()
            .find(|known| *known == category)
        {
            return known;
        }
        "other"
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        let _ = lang;
        if count == 1.0 {
            "one"
        } else {
            "other"
        }
    }
}

/// One line of the error summary: which field (by its label, in the page's language) and
/// what is wrong with it, e.g. "Company: This is required.". Without a label, the problem alone.
pub fn summary_line(lang: Lang, label: &str, problem: &str) -> String {
    let label = label.trim();
    if label.is_empty() {
        return problem.to_owned();
    }
    Msg::SummaryLine
        .text(lang)
        .replace("{label}", label)
        .replace("{problem}", problem)
}

/// "You accepted version {version} on {date}.": the earlier acceptance of a consent's
/// document, beside the version now asked for.
pub fn previously_accepted(lang: Lang, version: &str, date: &str) -> String {
    Msg::ConsentPreviouslyAccepted
        .text(lang)
        .replace("{version}", version)
        .replace("{date}", date)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_earlier_acceptance_names_its_version_and_date() {
        assert_eq!(
            previously_accepted(Lang::EN, "2025-03", "1 December 2025"),
            "You accepted version 2025-03 on 1 December 2025."
        );
    }

    #[test]
    fn placeholders_are_filled() {
        assert_eq!(Msg::TimeLeft.with(Lang::FR, "1:05"), "Temps restant : 1:05");
        assert_eq!(
            Msg::RateLimitedWait.count(Lang::EN, 30.0),
            "Please wait 30 seconds, then try again. Your answers are kept."
        );
        assert_eq!(
            Msg::RateLimitedWait.count(Lang::EN, 1.0),
            "Please wait 1 second, then try again. Your answers are kept.",
            "the plural form follows the number"
        );
    }

    #[test]
    fn every_language_has_every_text() {
        for lang in Lang::BUILT_IN {
            for msg in Msg::ALL {
                assert!(
                    !msg.text(lang).trim().is_empty(),
                    "{msg:?} is blank in {}",
                    lang.tag()
                );
            }
        }
    }

    #[test]
    fn a_summary_line_names_the_field_in_the_page_language() {
        assert_eq!(
            summary_line(Lang::EN, "Company", "This is required."),
            "Company: This is required."
        );
        assert_eq!(
            summary_line(Lang::FR, "Entreprise", "Ce champ est obligatoire."),
            "Entreprise : Ce champ est obligatoire."
        );
        assert_eq!(
            summary_line(Lang::DE, " ", "Dieses Feld ist erforderlich."),
            "Dieses Feld ist erforderlich.",
            "no label, no dangling colon"
        );
    }
}
