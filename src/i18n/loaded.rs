//! The texts of the language shown, when it is not English: the page carries English only
//! and fetches the one other language it needs, `texts/{tag}.json` beside `index.html` (the
//! files of `src/i18n/texts/`, copied into `dist/` by trunk after build.rs checked them),
//! which `index.html`'s start-up script has usually requested already; the same for a
//! language the operator added (`stopover.json`'s `languages`, its file put beside the
//! others). A file that cannot be fetched or read is said in the browser's console, and the
//! page speaks the next language the person prefers.
//!
//! Off the browser (the native unit tests) every built-in language is compiled in instead.

use std::cell::RefCell;
use std::collections::HashMap;

use serde_json::Value;

use super::overrides::read_texts;
use super::texts_check::{self, direction_problem};
use super::{DatePart, Lang, Msg, Text};

thread_local! {
    /// The languages fetched so far, each a text per [`Msg`], in `Msg` order. Their strings
    /// live as long as the page (each file is leaked once).
    static LOADED: RefCell<HashMap<Lang, Vec<Text>>> = RefCell::new(HashMap::new());
}

/// Where the files are, relative to `index.html`.
pub const TEXTS_DIR: &str = "texts";

/// The text of `msg` in `lang` as the page ships it (or the operator added it), when it
/// has it at hand.
pub(super) fn shipped(lang: Lang, msg: Msg) -> Option<Text> {
    if lang == Lang::EN {
        return Some(super::messages::english_text(msg));
    }
    #[cfg(not(target_arch = "wasm32"))]
    if compiled_in(lang) {
        return Some(super::texts::ALL[lang.0][msg as usize]);
    }
    LOADED.with(|loaded| loaded.borrow().get(&lang).map(|texts| texts[msg as usize]))
}

/// True for the languages whose texts are compiled in: the built-in ones, off the browser.
fn compiled_in(lang: Lang) -> bool {
    cfg!(not(target_arch = "wasm32")) && lang.is_built_in()
}

/// True when `lang`'s texts are at hand (English always is).
pub fn is_loaded(lang: Lang) -> bool {
    lang == Lang::EN
        || compiled_in(lang)
        || LOADED.with(|loaded| loaded.borrow().contains_key(&lang))
}

/// Takes `source`, the text of `lang`'s file, as that language's texts: every text English
/// has, by the rules of the built-in files. The file of a language the operator added also
/// says its direction, name and reviewer (`language.dir`, `.name`, `.reviewed`), as the
/// built-in files do, and may say its date order (`.date_order`). `Err` lists the problems, and the language is left as it was.
pub fn register_language(lang: Lang, source: &str) -> Result<(), Vec<String>> {
    let place = format!("{TEXTS_DIR}/{}.json", lang.tag());
    let json: Value = serde_json::from_slice(source.as_bytes())
        .map_err(|error| vec![format!("{place} is not JSON: {error}")])?;
    let Some(entries) = json.get("texts").and_then(Value::as_object) else {
        return Err(vec![format!("{place} has no `texts` object")]);
    };
    let mut problems = Vec::new();
    let about = |key: &str| {
        let value = json.get("language").and_then(|language| language.get(key));
        value.and_then(Value::as_str).unwrap_or_default()
    };
    let mut date_order = None;
    if !lang.is_built_in() {
        for key in ["name", "reviewed"] {
            if about(key).trim().is_empty() {
                problems.push(format!("{place}: `language.{key}` must be a text"));
            }
        }
        if let Some(problem) = direction_problem(about("dir")) {
            problems.push(format!("{place}: {problem}"));
        }
        // Optional in an added language's file: without it the browser's `Intl` says.
        if let Some(order) = json
            .get("language")
            .and_then(|language| language.get("date_order"))
        {
            match texts_check::date_order(order) {
                Ok(order) => date_order = Some(DatePart::in_order(order)),
                Err(problem) => problems.push(format!("{place}: {problem}")),
            }
        }
    }
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
    lang.describe(about("dir"), about("name"), about("reviewed"), date_order);
    let texts = texts.into_iter().flatten().collect();
    LOADED.with(|loaded| loaded.borrow_mut().insert(lang, texts));
    Ok(())
}

/// Makes `lang`'s texts at hand: the start-up script's request when it made one for this
/// language, else a request of its own. False, with the reason in the console, when they
/// cannot be had.
pub async fn load_language(lang: Lang) -> bool {
    if is_loaded(lang) {
        return true;
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
        leptos::logging::error!("{path} could not be loaded; the page speaks another language");
        return false;
    };
    match register_language(lang, &source) {
        Ok(()) => true,
        Err(problems) => {
            for problem in problems {
                leptos::logging::error!("{problem}; the page speaks another language");
            }
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_complete_file_is_taken_and_a_broken_one_is_refused_with_its_problems() {
        let french = include_str!("texts/fr.json");
        assert_eq!(register_language(Lang::FR, french), Ok(()));
        let broken = french
            .replace("\"expired_title\"", "\"expired_titel\"")
            .replace("{t}", "{temps}");
        assert_eq!(
            register_language(Lang::FR, &broken),
            Err(vec![
                "texts/fr.json.expired_titel is not one of the page's texts".to_owned(),
                r#"texts/fr.json.time_left has placeholders {"temps"}, English has {"t"}"#
                    .to_owned(),
                "texts/fr.json.expired_title is missing".to_owned(),
            ])
        );
        assert_eq!(
            register_language(Lang::FR, "[]"),
            Err(vec!["texts/fr.json has no `texts` object".to_owned()])
        );
    }

    #[test]
    fn an_added_language_takes_its_direction_and_name_from_its_file() {
        let hebrew = Lang::add("he").unwrap();
        assert!(!is_loaded(hebrew));
        let file = include_str!("../../examples/languages/he.json");
        let no_direction = file.replace("\"dir\": \"rtl\"", "\"dir\": \"right\"");
        assert_eq!(
            register_language(hebrew, &no_direction),
            Err(vec![
                "texts/he.json: `language.dir` must be \"ltr\" or \"rtl\"".to_owned()
            ])
        );
        let bad_date_order = file.replace(r#"["day", "month", "year"]"#, r#"["day", "month"]"#);
        assert_eq!(
            register_language(hebrew, &bad_date_order),
            Err(vec!["texts/he.json: `language.date_order` must name \"day\", \"month\" and \"year\", each once, in the order the language writes them".to_owned()])
        );
        assert!(!is_loaded(hebrew), "a refused file changes nothing");
        assert_eq!((hebrew.dir(), hebrew.info().date_order), ("ltr", None));

        let without_date_order = file
            .replace(
                r#"    "date_order": ["day", "month", "year"]
"#,
                "",
            )
            .replace(r#"native speaker.","#, r#"native speaker.""#);
        assert_eq!(register_language(hebrew, &without_date_order), Ok(()));
        assert_eq!(hebrew.info().date_order, None, "the browser's Intl says");

        assert_eq!(register_language(hebrew, file), Ok(()));
        assert!(is_loaded(hebrew));
        assert_eq!((hebrew.dir(), hebrew.name()), ("rtl", "עברית"));
        assert_eq!(
            hebrew.info().date_order,
            Some([DatePart::Day, DatePart::Month, DatePart::Year])
        );
        assert!(hebrew.reviewed().contains("not yet reviewed"));
        assert_eq!(Msg::ExpiredTitle.text(hebrew), "תוקף ההתחברות הזו פג");
        assert_eq!(
            Msg::RateLimitedWait.count(hebrew, 30.0),
            "המתינו 30 שניות ונסו שוב. התשובות שלכם נשמרות."
        );
    }
}
