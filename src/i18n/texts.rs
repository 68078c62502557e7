//! The page's texts as build.rs writes them from `src/i18n/texts/*.json`: the [`Msg`] enum,
//! the built-in [`Lang`]s and their [`LanguageInfo`], and the table of every text in every
//! built-in language.

use super::lang::{Lang, LanguageInfo};
use super::messages::Text;

include!(concat!(env!("OUT_DIR"), "/texts.rs"));
