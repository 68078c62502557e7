//! Reads the page's texts, one JSON file per language in `src/i18n/texts/` (`en.json` is the
//! reference), checks every file against English, and writes the Rust that holds them
//! (`$OUT_DIR/texts.rs`, included by `src/i18n/texts.rs`): the `Msg` enum (one variant per
//! key of `en.json`), a `Lang` constant and the name, direction, review note and date order of
//! each built-in language (one per file) and the table of texts.
//!
//! A file that breaks a rule of `src/i18n/texts_check.rs` (a key missing or added, a text's
//! placeholders changed, a plural without `other`) fails the build with every problem listed:
//! a translation is complete before it ships, never English at run time.

use std::fmt::Write as _;
use std::path::PathBuf;

const TEXTS_DIR: &str = "src/i18n/texts";

#[path = "src/i18n/texts_check.rs"]
mod texts_check;

use texts_check::{check_all, Language, Text};

fn main() {
    println!("cargo:rerun-if-changed={TEXTS_DIR}");
    let mut files: Vec<PathBuf> = std::fs::read_dir(TEXTS_DIR)
        .unwrap_or_else(|error| panic!("cannot read {TEXTS_DIR}: {error}"))
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .collect();
    files.sort();
    let sources: Vec<(String, String)> = files
        .iter()
        .map(|path| {
            println!("cargo:rerun-if-changed={}", path.display());
            let name = path
                .file_name()
                .and_then(|name| name.to_str())
                .unwrap_or_default()
                .to_owned();
            let source = std::fs::read_to_string(path)
                .unwrap_or_else(|error| panic!("cannot read {}: {error}", path.display()));
            (name, source)
        })
        .collect();
    let languages = check_all(&sources).unwrap_or_else(|problems| {
        panic!(
            "the page's texts in {TEXTS_DIR} have {} problem(s):\n  {}",
            problems.len(),
            problems.join("\n  ")
        )
    });
    let out =
        PathBuf::from(std::env::var_os("OUT_DIR").unwrap_or_else(|| panic!("cargo sets OUT_DIR")));
    std::fs::write(out.join("texts.rs"), generate(&languages))
        .unwrap_or_else(|error| panic!("cannot write texts.rs: {error}"));
}

/// `snake_case` -> `CamelCase`.
fn camel(name: &str) -> String {
    name.split(['_', '-'])
        .map(|part| {
            let mut chars = part.chars();
            match chars.next() {
                Some(first) => {
                    first.to_ascii_uppercase().to_string() + &chars.as_str().to_ascii_lowercase()
                }
                None => String::new(),
            }
        })
        .collect()
}

/// `pt-BR` -> `PT_BR`.
fn constant(tag: &str) -> String {
    tag.replace('-', "_").to_ascii_uppercase()
}

fn generate(languages: &[Language]) -> String {
    let reference = &languages[0];
    let keys: Vec<&str> = reference
        .texts
        .iter()
        .map(|(key, _)| key.as_str())
        .collect();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "// Written by build.rs from {TEXTS_DIR}/*.json: edit those files, not this one.\n"
    );

    out.push_str("/// The page's own texts: one per key of `src/i18n/texts/en.json`.\n");
    out.push_str("#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]\npub enum Msg {\n");
    for key in &keys {
        let _ = writeln!(out, "    {},", camel(key));
    }
    out.push_str("}\n\nimpl Msg {\n");
    let _ = writeln!(
        out,
        "    /// Every text, in `en.json`'s order.\n    pub const ALL: [Msg; {}] = [",
        keys.len()
    );
    for key in &keys {
        let _ = writeln!(out, "        Msg::{},", camel(key));
    }
    out.push_str("    ];\n\n    /// Its key in the JSON files.\n    pub fn key(self) -> &'static str {\n        match self {\n");
    for key in &keys {
        let _ = writeln!(out, "            Msg::{} => {key:?},", camel(key));
    }
    out.push_str("        }\n    }\n\n    /// The text with this key in the JSON files.\n    pub fn from_key(key: &str) -> Option<Msg> {\n        match key {\n");
    for key in &keys {
        let _ = writeln!(out, "            {key:?} => Some(Msg::{}),", camel(key));
    }
    out.push_str("            _ => None,\n        }\n    }\n}\n\n");

    out.push_str("/// The languages built into the page: one per file of `src/i18n/texts/`, English first.\n");
    let _ = writeln!(
        out,
        "pub(super) static BUILT_IN_LANGUAGES: [LanguageInfo; {}] = [",
        languages.len()
    );
    for language in languages {
        let date_order = language
            .date_order
            .map(|part| format!("DatePart::{}", camel(texts_check::DATE_PARTS[part])))
            .join(", ");
        let _ = writeln!(
            out,
            "    LanguageInfo {{ tag: {:?}, dir: {:?}, name: {:?}, reviewed: {:?}, date_order: Some([{date_order}]) }},",
            language.tag, language.dir, language.name, language.reviewed
        );
    }
    out.push_str("];\n\nimpl Lang {\n");
    for (index, language) in languages.iter().enumerate() {
        let _ = writeln!(
            out,
            "    /// {} (`{}`), built in.\n    pub const {}: Lang = Lang({index});",
            language.name,
            language.tag,
            constant(&language.tag)
        );
    }
    let _ = writeln!(
        out,
        "    /// Every built-in language, English first.\n    pub const BUILT_IN: [Lang; {}] = [",
        languages.len()
    );
    for language in languages {
        let _ = writeln!(out, "        Lang::{},", constant(&language.tag));
    }
    out.push_str("    ];\n}\n\n");

    // English, the reference, is in the page; the others are data it fetches for the one
    // language shown (`src/i18n/loaded.rs`), and are compiled in only off the browser, where
    // the native unit tests read them.
    out.push_str("/// The English texts, in `Msg` order.\n");
    let _ = writeln!(out, "pub(super) static ENGLISH: [Text; {}] = [", keys.len());
    write_texts(&mut out, &languages[0], &keys);
    out.push_str("];\n\n");
    out.push_str(
        "/// Every built-in language's texts, off the browser: `ALL[lang.0][msg as usize]`.\n",
    );
    out.push_str("#[cfg(not(target_arch = \"wasm32\"))]\n");
    let _ = writeln!(
        out,
        "pub(super) static ALL: [[Text; {}]; {}] = [",
        keys.len(),
        languages.len()
    );
    for language in languages {
        out.push_str("    [\n");
        write_texts(&mut out, language, &keys);
        out.push_str("    ],\n");
    }
    out.push_str("];\n");
    out
}

/// `language`'s texts of `keys`, one `Text` a line.
fn write_texts(out: &mut String, language: &Language, keys: &[&str]) {
    for key in keys {
        match language.text(key) {
            Some(Text::Plain(text)) => {
                let _ = writeln!(out, "        Text::Plain({text:?}),");
            }
            Some(Text::Plural(forms)) => {
                out.push_str("        Text::Plural(&[");
                for (category, text) in forms {
                    let _ = write!(out, "({category:?}, {text:?}), ");
                }
                out.push_str("]),\n");
            }
            None => unreachable!("checked above"),
        }
    }
}
