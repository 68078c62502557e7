//! Which language the page speaks: the token's `locale` claim, else the browser's languages,
//! else English; and marking the document with it.

pub use super::texts::Lang;

impl Lang {
    /// The language for `tag`: the one with exactly that tag (any case, `_` or `-`), else the
    /// first whose primary subtag is `tag`'s (`pt-PT` -> Portuguese (Brazil), `es-419` ->
    /// Spanish, `fr-CA` -> French); `None` when the page does not speak it.
    pub fn from_tag(tag: &str) -> Option<Lang> {
        let tag = tag.trim().replace('_', "-");
        let primary = |tag: &str| {
            tag.split('-')
                .next()
                .unwrap_or_default()
                .to_ascii_lowercase()
        };
        Lang::ALL
            .into_iter()
            .find(|lang| lang.tag().eq_ignore_ascii_case(&tag))
            .or_else(|| {
                let wanted = primary(&tag);
                Lang::ALL
                    .into_iter()
                    .find(|lang| !wanted.is_empty() && primary(lang.tag()) == wanted)
            })
    }

    /// The token's `locale` claim first, then the browser's languages in order, then English.
    pub fn choose(locale: Option<&str>, browser: &[String]) -> Lang {
        locale
            .into_iter()
            .chain(browser.iter().map(String::as_str))
            .find_map(Lang::from_tag)
            .unwrap_or_default()
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

    #[test]
    fn the_locale_claim_wins_over_the_browser() {
        assert_eq!(
            Lang::choose(Some("de-AT"), &langs(&["fr-FR", "en"])),
            Lang::De
        );
    }

    #[test]
    fn the_browser_languages_are_tried_in_order_when_the_claim_is_unknown() {
        assert_eq!(
            Lang::choose(Some("sv"), &langs(&["ko", "fr-CH", "de"])),
            Lang::Fr
        );
        assert_eq!(Lang::choose(None, &langs(&["DE"])), Lang::De);
    }

    #[test]
    fn english_is_the_last_resort() {
        assert_eq!(Lang::choose(Some("sv"), &langs(&["ko"])), Lang::En);
        assert_eq!(Lang::choose(None, &[]), Lang::En);
    }

    #[test]
    fn underscored_tags_are_understood() {
        assert_eq!(Lang::from_tag("fr_BE"), Some(Lang::Fr));
    }

    #[test]
    fn a_regional_tag_falls_back_to_the_language_the_page_speaks() {
        assert_eq!(Lang::from_tag("pt-BR"), Some(Lang::PtBr));
        assert_eq!(Lang::from_tag("pt-PT"), Some(Lang::PtBr));
        assert_eq!(Lang::from_tag("PT"), Some(Lang::PtBr));
        assert_eq!(Lang::from_tag("es-419"), Some(Lang::Es));
        assert_eq!(Lang::from_tag("ar-EG"), Some(Lang::Ar));
        assert_eq!(Lang::from_tag("zh-Hant"), None);
        assert_eq!(Lang::from_tag(""), None);
    }

    #[test]
    fn index_html_says_loading_in_every_language() {
        let index = include_str!("../../index.html");
        for lang in Lang::ALL {
            let primary = lang.tag().split('-').next().unwrap_or_default();
            let entry = format!(
                "{primary}: [\"{}\", \"{}\", \"{}\"]",
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
        let tags: Vec<&str> = Lang::ALL.iter().map(|lang| lang.tag()).collect();
        assert_eq!(
            tags,
            ["en", "ar", "de", "es", "fr", "it", "ja", "nl", "pl", "pt-BR"]
        );
        for lang in Lang::ALL {
            let expected = if lang == Lang::Ar { "rtl" } else { "ltr" };
            assert_eq!(lang.dir(), expected, "{}", lang.tag());
        }
    }
}
