//! Which language the page speaks: the token's `locale` claim, else the browser's languages,
//! else English; and marking the document with it.

/// The languages the page speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Lang {
    #[default]
    En,
    Fr,
    De,
}

impl Lang {
    pub const ALL: [Lang; 3] = [Lang::En, Lang::Fr, Lang::De];

    /// The BCP 47 tag, for `<html lang>` and for picking form texts.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Fr => "fr",
            Lang::De => "de",
        }
    }

    /// Text direction for `<html dir>`.
    pub fn dir(self) -> &'static str {
        "ltr"
    }

    /// The language whose primary subtag `tag` has (`fr-CA` -> French), if the page speaks it.
    pub fn from_tag(tag: &str) -> Option<Lang> {
        let primary = tag.split(['-', '_']).next()?.trim();
        Lang::ALL
            .into_iter()
            .find(|lang| lang.tag().eq_ignore_ascii_case(primary))
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

    /// The language `<html lang>` names (set by `index.html`'s start-up script before the
    /// token is read), else English.
    pub fn of_document() -> Lang {
        leptos::prelude::document()
            .document_element()
            .and_then(|root| root.get_attribute("lang"))
            .and_then(|tag| Lang::from_tag(&tag))
            .unwrap_or_default()
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
            Lang::choose(Some("ja"), &langs(&["es", "fr-CH", "de"])),
            Lang::Fr
        );
        assert_eq!(Lang::choose(None, &langs(&["DE"])), Lang::De);
    }

    #[test]
    fn english_is_the_last_resort() {
        assert_eq!(Lang::choose(Some("pt-BR"), &langs(&["it"])), Lang::En);
        assert_eq!(Lang::choose(None, &[]), Lang::En);
    }

    #[test]
    fn underscored_tags_are_understood() {
        assert_eq!(Lang::from_tag("fr_BE"), Some(Lang::Fr));
    }
}
