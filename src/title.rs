//! The window title: which state the page is in, then the brand, with "Error: " in front while
//! errors show (GOV.UK), so the first thing a screen reader or a tab strip says is where the
//! person is.

use crate::config::PageConfig;
use crate::i18n::{Lang, Msg};

/// `Error: STATE – BRAND`; without a brand, `STATE`; without an error, no prefix.
pub fn page_title(lang: Lang, state: &str, brand: &str, error: bool) -> String {
    let mut title = String::new();
    if error {
        title.push_str(Msg::ErrorPrefix.text(lang));
        title.push(' ');
    }
    title.push_str(state.trim());
    let brand = brand.trim();
    if !brand.is_empty() && brand != state.trim() {
        if !state.trim().is_empty() {
            title.push_str(" – ");
        }
        title.push_str(brand);
    }
    title
}

/// Sets the window title for `state` (the brand from the context's [`PageConfig`]).
pub fn set_title(lang: Lang, state: &str, error: bool) {
    let brand = leptos::prelude::use_context::<PageConfig>()
        .map(|config| config.brand.name)
        .unwrap_or_default();
    leptos::prelude::document().set_title(&page_title(lang, state, &brand, error));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_title_names_the_state_then_the_brand_with_error_in_front() {
        assert_eq!(
            page_title(Lang::EN, "Your details", "Acme", false),
            "Your details – Acme"
        );
        assert_eq!(
            page_title(Lang::EN, "Your details", "Acme", true),
            "Error: Your details – Acme"
        );
        assert_eq!(
            page_title(Lang::FR, "Vos informations", "", true),
            "Erreur : Vos informations"
        );
        assert_eq!(page_title(Lang::DE, "", "Acme", false), "Acme");
    }
}
