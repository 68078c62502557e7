//! The page's texts as build.rs writes them from `src/i18n/texts/*.json`: the [`Msg`] enum,
//! the built-in [`Lang`]s and their [`LanguageInfo`] (with each one's [`DatePart`] order),
//! and the table of every text in every built-in language.

use super::format::DatePart;
use super::lang::{Lang, LanguageInfo};
use super::messages::Text;

include!(concat!(env!("OUT_DIR"), "/texts.rs"));
