//! Every text of the page itself, in every language it speaks, and the choice of language.
//!
//! - the texts are data: one JSON file per language in `src/i18n/texts/`, checked against
//!   English by `build.rs`, which writes [`Msg`], [`Lang`] and the English texts
//!   (`texts.rs`); the page fetches the one other language it shows (`loaded.rs`);
//! - [`Lang`]: which language, from the token's `locale` claim and the browser (`lang.rs`);
//! - [`Msg`]: a text in a language, with its placeholders and plural forms (`messages.rs`);
//! - [`apply_overrides`]: texts an operator changes in `stopover.json` (`overrides.rs`);
//! - [`field_error`], [`error_sentence`]: what is said about a refused answer
//!   (`field_errors.rs`);
//! - [`format_number`], [`format_date`], [`format_unix_date`], [`format_countdown`],
//!   [`date_part_order`]: numbers, dates and time left as each language writes them
//!   (`format.rs`).

mod field_errors;
mod format;
mod lang;
mod loaded;
mod messages;
mod overrides;
mod texts;
// build.rs applies all of its rules to the shipped files; the page, those for overrides.
#[cfg_attr(not(test), allow(dead_code))]
mod texts_check;

pub use field_errors::{error_sentence, field_error};
pub use format::{
    browser_date_part_order, browser_format_number, date_part_order, format_countdown, format_date,
    format_number, format_unix_date, parse_iso_date, DatePart,
};
pub use lang::{Lang, LanguageInfo};
pub use loaded::{is_loaded, load_language, register_language, TEXTS_DIR};
pub use messages::{previously_accepted, summary_line, Msg, Text};
pub use overrides::apply_overrides;

/// `text` as a `&'static str`, for the texts and languages read at run time (from
/// `stopover.json` and fetched files): each is read once and kept as long as the page.
fn leak(text: &str) -> &'static str {
    Box::leak(text.to_owned().into_boxed_str())
}
