//! The texts of the language shown, when it is not English: the page carries English only
//! and fetches the one other language it needs, `texts/{tag}.json` beside `index.html` (the
//! files of `src/i18n/texts/`, copied into `dist/` by trunk after build.rs checked them),
//! which `index.html`'s start-up script has usually requested already. A file that cannot be
//! fetched or read leaves that language in English, and says why in the browser's console.
//!
//! Off the browser (the native unit tests) every language is compiled in instead.

use std::cell::RefCell;
use std::collections::HashMap;

use serde_json::Value;

use super::overrides::read_texts;
use super::{Lang, Msg, Text};

thread_local! {
    /// The languages fetched so far, each a text per [`Msg`], in `Msg` order. Their strings
    /// live as long as the page (each file is leaked once).
    static LOADED: RefCell<HashMap<Lang, Vec<Text>>> = RefCell::new(HashMap::new());
}

/// Where the files are, relative to `index.html`.
pub const TEXTS_DIR: &str = "texts";

/// The text of `msg` in `lang` as the page ships it, when it has it at hand.
pub(super) fn shipped(lang: Lang, msg: Msg) -> Option<Text> {
    if lang == Lang::En {
        return Some(super::messages::english_text(msg));
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        Some(super::texts::ALL[lang as usize][msg as usize])
    }
    #[cfg(target_arch = "wasm32")]
    {
        LOADED.with(|loaded| loaded.borrow().get(&lang).map(|texts| texts[msg as usize]))
    }
}

/// True when `lang`'s texts are at hand (English always is).
pub fn is_loaded(lang: Lang) -> bool {
    lang == Lang::En
        || cfg!(not(target_arch = "wasm32"))
        || LOADED.with(|loaded| loaded.borrow().contains_key(&lang))
}

/// Takes `source`, the text of `lang`'s file, as that language's texts: every text English
/// has, by the rules of the built-in files. `Err` lists the problems, and the language is
/// left as it was.
pub fn register_language(lang: Lang, source: &str) -> Result<(), Vec<String>> {
    let place = format!("{TEXTS_DIR}/{}.json", lang.tag());
    let json: Value = serde_json::from_str(source)
        .map_err(|error| vec![format!("{place} is not JSON: {error}")])?;
    let Some(entries) = json.get("texts").and_then(Value::as_object) else {
        return Err(vec![format!("{place} has no `texts` object")]);
    };
    let mut problems = Vec::new();
    let read = read_texts(&place, entries, &mut problems);
    let mut texts: Vec<Option<Text>> = vec![None; Msg::ALL.len()];
    for (msg, text) in read {
        texts[msg as usize] = Some(text);
    }
    for msg in Msg::ALL {
        if texts[msg as usize].is_none() && entries.get(msg.key()).is_none() {
            problems.push(format!("{place}.{} is missing", msg.key()));
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let texts = texts.into_iter().flatten().collect();
    LOADED.with(|loaded| loaded.borrow_mut().insert(lang, texts));
    Ok(())
}

/// Makes `lang`'s texts at hand: the start-up script's request when it made one for this
/// language, else a request of its own. On failure the language stays in English.
pub async fn load_language(lang: Lang) {
    if is_loaded(lang) {
        return;
    }
    let path = format!("{TEXTS_DIR}/{}.json", lang.tag());
    let source = match crate::preload::take_texts(&path).await {
        Some(source) => source,
        None => match gloo_net::http::Request::get(&path).send().await {
            Ok(response) if response.ok() => response.text().await.ok(),
            _ => None,
        },
    };
    let Some(source) = source else {
        leptos::logging::error!("{path} could not be loaded; the page speaks English");
        return;
    };
    if let Err(problems) = register_language(lang, &source) {
        for problem in problems {
            leptos::logging::error!("{problem}; the page speaks English");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_complete_file_is_taken_and_a_broken_one_is_refused_with_its_problems() {
        let french = include_str!("texts/fr.json");
        assert_eq!(register_language(Lang::Fr, french), Ok(()));
        let broken = french
            .replace("\"expired_title\"", "\"expired_titel\"")
            .replace("{t}", "{temps}");
        assert_eq!(
            register_language(Lang::Fr, &broken),
            Err(vec![
                "texts/fr.json.expired_titel is not one of the page's texts".to_owned(),
                r#"texts/fr.json.time_left has placeholders {"temps"}, English has {"t"}"#
                    .to_owned(),
                "texts/fr.json.expired_title is missing".to_owned(),
            ])
        );
        assert_eq!(
            register_language(Lang::Fr, "[]"),
            Err(vec!["texts/fr.json has no `texts` object".to_owned()])
        );
    }
}
