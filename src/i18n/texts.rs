//! The page's texts as build.rs writes them from `src/i18n/texts/*.json`: the [`Msg`] and
//! [`Lang`] enums and the table of every text in every language.

use super::messages::Text;

include!(concat!(env!("OUT_DIR"), "/texts.rs"));
