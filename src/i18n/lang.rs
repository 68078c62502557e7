//! Which language the page speaks: the token's `locale` claim, else the browser's languages,
//! else English, or the form's own language when it is not written in English
//! ([`Lang::of_form`]); and marking the document with it.
//!
//! The languages are the page's built-in ones (one per file of `src/i18n/texts/`) and any an
//! operator adds at deploy time: `stopover.json`'s `languages` names them, and each one's file,
//! `texts/{tag}.json` in the format of the built-in files, sits beside `index.html`.

use std::cell::RefCell;

use super::format::DatePart;
use super::texts::BUILT_IN_LANGUAGES;
use super::texts_check::is_language_tag;

/// A language the page speaks: built in, or added by the operator ([`Lang::add`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Lang(pub(super) usize);

/// What the page knows of a language besides its texts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LanguageInfo {
    /// The BCP 47 tag, for `<html lang>` and for picking form texts.
    pub tag: &'static str,
    /// Text direction for `<html dir>`: `ltr` or `rtl`.
    pub dir: &'static str,
    /// The language's name in itself.
    pub name: &'static str,
    /// Who wrote or reviewed this language's texts.
    pub reviewed: &'static str,
    /// The order it writes a date's parts in, when its file says ([`date_part_order`](super::date_part_order)).
    pub date_order: Option<[DatePart; 3]>,
}

thread_local! {
    /// The languages the operator added, after the built-in ones: `Lang(BUILT_IN.len() + i)`
    /// is `ADDED[i]`. What is known of one before its file is read is its tag; the file then
    /// says its direction, name, reviewer and date order ([`Lang::describe`]). Their strings live as long
    /// as the page (each is leaked once).
    static ADDED: RefCell<Vec<LanguageInfo>> = const { RefCell::new(Vec::new()) };
}

impl Lang {
    /// Adds the language `tag` that `stopover.json`'s `languages` names (its texts are fetched
    /// when it is chosen), or returns it when it was added before; `Err` says why the page
    /// cannot take it.
    pub fn add(tag: &str) -> Result<Lang, String> {
        if !is_language_tag(tag) {
            return Err(format!(
                "languages: `{tag}` is not a language tag, like `he` or `pt-PT`"
            ));
        }
        if let Some(built_in) = Lang::BUILT_IN
            .into_iter()
            .find(|lang| lang.tag().eq_ignore_ascii_case(tag))
        {
            return Err(format!(
                "languages: `{tag}` is built in (`{}`); change its texts with `texts`",
                built_in.tag()
            ));
        }
        ADDED.with(|added| {
            let mut added = added.borrow_mut();
            if let Some(index) = added
                .iter()
                .position(|info| info.tag.eq_ignore_ascii_case(tag))
            {
                return Ok(Lang(Lang::BUILT_IN.len() + index));
            }
            added.push(LanguageInfo {
                tag: super::leak(tag),
                dir: "ltr",
                name: super::leak(tag),
                reviewed: "",
                date_order: None,
            });
            Ok(Lang(Lang::BUILT_IN.len() + added.len() - 1))
        })
    }

    /// Records what an added language's file says of it. Built-in languages keep what their
    /// files said at build time.
    pub(super) fn describe(
        self,
        dir: &str,
        name: &str,
        reviewed: &str,
        date_order: Option<[DatePart; 3]>,
    ) {
        let Some(index) = self.0.checked_sub(Lang::BUILT_IN.len()) else {
            return;
        };
        ADDED.with(|added| {
            if let Some(info) = added.borrow_mut().get_mut(index) {
                info.dir = if dir == "rtl" { "rtl" } else { "ltr" };
                info.name = super::leak(name);
                info.reviewed = super::leak(reviewed);
                info.date_order = date_order;
            }
        });
    }

    /// Every language: the built-in ones, English first, then those the operator added.
    pub fn all() -> Vec<Lang> {
        let added = ADDED.with(|added| added.borrow().len());
        (0..Lang::BUILT_IN.len() + added).map(Lang).collect()
    }

    /// True for the languages of `src/i18n/texts/`.
    pub fn is_built_in(self) -> bool {
        self.0 < Lang::BUILT_IN.len()
    }

    /// What the page knows of this language.
    pub fn info(self) -> LanguageInfo {
        match BUILT_IN_LANGUAGES.get(self.0) {
            Some(info) => *info,
            None => ADDED
                .with(|added| added.borrow().get(self.0 - Lang::BUILT_IN.len()).copied())
                .unwrap_or(BUILT_IN_LANGUAGES[0]),
        }
    }

    /// The BCP 47 tag, for `<html lang>` and for picking form texts.
    pub fn tag(self) -> &'static str {
        self.info().tag
    }

    /// Text direction for `<html dir>`: `ltr` or `rtl`.
    pub fn dir(self) -> &'static str {
        self.info().dir
    }

    /// The language's name in itself.
    pub fn name(self) -> &'static str {
        self.info().name
    }

    /// Who wrote or reviewed this language's texts.
    pub fn reviewed(self) -> &'static str {
        self.info().reviewed
    }

    /// The language for `tag`: the one with exactly that tag (any case, `_` or `-`), else the
    /// first whose primary subtag is `tag`'s (`pt-PT` -> Portuguese (Brazil), `es-419` ->
    /// Spanish, `fr-CA` -> French), built-in languages before added ones; `None` when the
    /// page does not speak it. `index.html`'s start-up script applies the same rule.
    pub fn from_tag(tag: &str) -> Option<Lang> {
        let tag = tag.trim().replace('_', "-");
        let primary = |tag: &str| {
            tag.split('-')
                .next()
                .unwrap_or_default()
                .to_ascii_lowercase()
        };
        let all = Lang::all();
        all.iter()
            .copied()
            .find(|lang| lang.tag().eq_ignore_ascii_case(&tag))
            .or_else(|| {
                let wanted = primary(&tag);
                all.iter()
                    .copied()
                    .find(|lang| !wanted.is_empty() && primary(lang.tag()) == wanted)
            })
    }

    /// The languages the person asks for that the page speaks, best first, each once: the
    /// token's `locale` claim, then the browser's languages in order.
    pub fn wanted(locale: Option<&str>, browser: &[String]) -> Vec<Lang> {
        let mut wanted = Vec::new();
        let asked = locale
            .into_iter()
            .chain(browser.iter().map(String::as_str))
            .filter_map(Lang::from_tag);
        for lang in asked {
            if !wanted.contains(&lang) {
                wanted.push(lang);
            }
        }
        wanted
    }

    /// The languages to try, best first: [`Lang::wanted`], then English (always last, always
    /// at hand). The page speaks the first whose texts it can load.
    pub fn preferences(locale: Option<&str>, browser: &[String]) -> Vec<Lang> {
        let mut preferences = Lang::wanted(locale, browser);
        if !preferences.contains(&Lang::EN) {
            preferences.push(Lang::EN);
        }
        preferences
    }

    /// For a person who asked for no language the page speaks (their page fell back to
    /// `self`): the language the form is written in, when it is not `self` and the page
    /// speaks it, so page and form speak one language. The form's language is the one its
    /// title is shown in for `self` (`LocalizedText::language_for`: English, else its first).
    pub fn of_form(self, form: &stopover_protocol::FormDefinition) -> Option<Lang> {
        let tag = form.title.language_for(self.tag())?;
        Lang::from_tag(tag).filter(|&lang| lang != self)
    }

    /// The browser's preferred languages (`navigator.languages`).
    pub fn browser_languages() -> Vec<String> {
        let languages = leptos::prelude::window().navigator().languages();
        languages.iter().filter_map(|v| v.as_string()).collect()
    }

    /// Sets `lang` and `dir` on `<html>`.
    pub fn apply_to_document(self) {
        if let Some(root) = leptos::prelude::document().document_element() {
            // Setting a plain attribute on <html> cannot fail.
            let _ = root.set_attribute("lang", self.tag());
            let _ = root.set_attribute("dir", self.dir());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn langs(tags: &[&str]) -> Vec<String> {
        tags.iter().map(|t| (*t).to_owned()).collect()
    }

    /// The language the page tries first.
    fn first_choice(locale: Option<&str>, browser: &[String]) -> Lang {
        Lang::preferences(locale, browser)[0]
    }

    #[test]
    fn the_locale_claim_wins_over_the_browser() {
        assert_eq!(
            first_choice(Some("de-AT"), &langs(&["fr-FR", "en"])),
            Lang::DE
        );
    }

    #[test]
    fn the_browser_languages_are_tried_in_order_when_the_claim_is_unknown() {
        assert_eq!(
            first_choice(Some("sv"), &langs(&["ko", "fr-CH", "de"])),
            Lang::FR
        );
        assert_eq!(first_choice(None, &langs(&["DE"])), Lang::DE);
    }

    #[test]
    fn english_is_the_last_resort() {
        assert_eq!(first_choice(Some("sv"), &langs(&["ko"])), Lang::EN);
        assert_eq!(first_choice(None, &[]), Lang::EN);
    }

    #[test]
    fn underscored_tags_are_understood() {
        assert_eq!(Lang::from_tag("fr_BE"), Some(Lang::FR));
    }

    #[test]
    fn a_regional_tag_falls_back_to_the_language_the_page_speaks() {
        assert_eq!(Lang::from_tag("pt-BR"), Some(Lang::PT_BR));
        assert_eq!(Lang::from_tag("pt-PT"), Some(Lang::PT_BR));
        assert_eq!(Lang::from_tag("PT"), Some(Lang::PT_BR));
        assert_eq!(Lang::from_tag("es-419"), Some(Lang::ES));
        assert_eq!(Lang::from_tag("ar-EG"), Some(Lang::AR));
        assert_eq!(Lang::from_tag("zh-Hant"), None);
        assert_eq!(Lang::from_tag(""), None);
    }

    #[test]
    fn an_added_language_is_chosen_by_the_same_rule_as_a_built_in_one() {
        let hebrew = Lang::add("he").unwrap();
        let portugal = Lang::add("pt-PT").unwrap();
        assert!(!hebrew.is_built_in() && Lang::FR.is_built_in());
        assert_eq!(Lang::add("HE"), Ok(hebrew), "added once");
        assert_eq!(Lang::all().len(), Lang::BUILT_IN.len() + 2);
        assert_eq!(
            (hebrew.tag(), hebrew.dir()),
            ("he", "ltr"),
            "until its file says"
        );

        assert_eq!(Lang::from_tag("he-IL"), Some(hebrew));
        assert_eq!(
            Lang::from_tag("pt_pt"),
            Some(portugal),
            "an exact tag first"
        );
        assert_eq!(
            Lang::from_tag("pt-AO"),
            Some(Lang::PT_BR),
            "built in before added"
        );
        assert_eq!(
            Lang::preferences(Some("he"), &langs(&["sv", "fr", "he", "en-GB"])),
            [hebrew, Lang::FR, Lang::EN],
            "each once, English last"
        );
    }

    #[test]
    fn a_form_not_written_in_the_fallback_language_brings_the_page_to_its_own() {
        let form = |title: serde_json::Value| -> stopover_protocol::FormDefinition {
            serde_json::from_value(serde_json::json!({
                "id": "f", "version": "1", "title": title, "submit_label": "OK",
                "fields": [{"id": "a", "kind": "text", "label": "A"}]
            }))
            .unwrap()
        };
        let french = form(serde_json::json!({"fr": "Votre profil", "de": "Ihr Profil"}));
        assert_eq!(
            Lang::EN.of_form(&french),
            Some(Lang::DE),
            "its first language"
        );
        assert_eq!(Lang::FR.of_form(&french), None, "it has French");
        let english = form(serde_json::json!({"en": "Profile", "fr": "Profil"}));
        assert_eq!(Lang::EN.of_form(&english), None);
        let swedish = form(serde_json::json!({"sv": "Profil"}));
        assert_eq!(
            Lang::EN.of_form(&swedish),
            None,
            "a language the page does not speak"
        );

        assert_eq!(
            Lang::wanted(Some("sv"), &langs(&["ko"])),
            Vec::<Lang>::new()
        );
        assert_eq!(Lang::preferences(Some("sv"), &langs(&["ko"])), [Lang::EN]);
    }

    #[test]
    fn a_language_the_page_cannot_add_is_refused_with_the_reason() {
        assert_eq!(
            Lang::add("fr"),
            Err("languages: `fr` is built in (`fr`); change its texts with `texts`".to_owned())
        );
        assert_eq!(
            Lang::add("pt-br"),
            Err(
                "languages: `pt-br` is built in (`pt-BR`); change its texts with `texts`"
                    .to_owned()
            )
        );
        for bad in ["", "he IL", "../he", "he-", "x".repeat(36).as_str()] {
            assert_eq!(
                Lang::add(bad),
                Err(format!(
                    "languages: `{bad}` is not a language tag, like `he` or `pt-PT`"
                ))
            );
        }
        assert_eq!(Lang::all(), Lang::BUILT_IN);
    }

    #[test]
    fn index_html_says_loading_in_every_language() {
        let index = include_str!("../../index.html");
        for lang in Lang::BUILT_IN {
            let entry = format!(
                "\"{}\": [\"{}\", \"{}\"]",
                lang.tag(),
                crate::i18n::Msg::Loading.text(lang),
                lang.dir()
            );
            assert!(
                index.contains(&entry),
                "index.html's start-up script lacks `{entry}`"
            );
        }
    }

    #[test]
    fn ten_languages_and_arabic_is_written_right_to_left() {
        let tags: Vec<&str> = Lang::BUILT_IN.iter().map(|lang| lang.tag()).collect();
        assert_eq!(
            tags,
            ["en", "ar", "de", "es", "fr", "it", "ja", "nl", "pl", "pt-BR"]
        );
        for lang in Lang::BUILT_IN {
            let expected = if lang == Lang::AR { "rtl" } else { "ltr" };
            assert_eq!(lang.dir(), expected, "{}", lang.tag());
        }
    }
}
