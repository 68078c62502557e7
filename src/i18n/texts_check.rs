//! The rules a language file of the page's texts must follow, judged against English (the
//! reference): every key of `en.json` and no other, the same `{placeholders}` in every text,
//! plural forms only where English has them, always with `other`, and only CLDR's categories;
//! and a `language` section saying the file's name, direction, reviewer and date order.
//! build.rs applies them to `src/i18n/texts/*.json` and fails the build on any problem; the
//! page's unit tests feed them broken files.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value};

/// The language every other is checked against.
pub const REFERENCE: &str = "en";
/// CLDR's plural categories.
pub const CATEGORIES: [&str; 6] = ["zero", "one", "two", "few", "many", "other"];
/// The parts of a date, as `language.date_order` names them.
pub const DATE_PARTS: [&str; 3] = ["day", "month", "year"];

/// One language's file, as read.
pub struct Language {
    /// The file's stem: a BCP 47 tag (`en`, `pt-BR`).
    pub tag: String,
    pub file: String,
    pub name: String,
    pub dir: String,
    pub reviewed: String,
    /// The order the language writes a date's parts in, as indexes into [`DATE_PARTS`].
    pub date_order: [usize; 3],
    /// Key -> text, in the file's order.
    pub texts: Vec<(String, Text)>,
}

pub enum Text {
    Plain(String),
    /// Category -> text.
    Plural(BTreeMap<String, String>),
}

impl Language {
    /// Reads a file from its `name` (`pt-BR.json`) and text; `Err` says why it cannot be read.
    pub fn read(name: &str, source: &str) -> Result<Self, String> {
        let file = name.to_owned();
        let tag = name.strip_suffix(".json").unwrap_or(name).to_owned();
        let json: Value = serde_json::from_slice(source.as_bytes())
            .map_err(|error| format!("{file} is not JSON: {error}"))?;
        let field = |section: &str, key: &str| {
            json[section][key]
                .as_str()
                .map(str::to_owned)
                .ok_or_else(|| format!("{file}: `{section}.{key}` must be a string"))
        };
        let texts = json["texts"]
            .as_object()
            .ok_or_else(|| format!("{file}: `texts` must be an object"))?
            .iter()
            .map(|(key, value)| Ok((key.clone(), Text::read(&file, key, value)?)))
            .collect::<Result<_, String>>()?;
        Ok(Self {
            name: field("language", "name")?,
            dir: field("language", "dir")?,
            reviewed: field("language", "reviewed")?,
            date_order: date_order(&json["language"]["date_order"])
                .map_err(|problem| format!("{file}: {problem}"))?,
            tag,
            file,
            texts,
        })
    }

    pub fn text(&self, key: &str) -> Option<&Text> {
        self.texts
            .iter()
            .find(|(name, _)| name == key)
            .map(|(_, text)| text)
    }

    /// Adds what is wrong with this file, judged against `reference`, to `problems`.
    pub fn check(&self, reference: &Language, problems: &mut Vec<String>) {
        let file = &self.file;
        if !is_language_tag(&self.tag) {
            problems.push(format!(
                "{file}: the file name must be a language tag, like `pt-BR.json`"
            ));
        }
        if let Some(problem) = direction_problem(&self.dir) {
            problems.push(format!("{file}: {problem}"));
        }
        for (key, text) in &reference.texts {
            let Some(translated) = self.text(key) else {
                problems.push(format!("{file}: `{key}` is missing"));
                continue;
            };
            let wanted = text.placeholders();
            for (category, variant) in translated.variants() {
                let found = placeholders(variant);
                if found != wanted {
                    problems.push(format!(
                        "{file}: `{key}`{category} has placeholders {found:?}, English has {wanted:?}"
                    ));
                }
            }
            match (text, translated) {
                (Text::Plain(_), Text::Plural(_)) => problems.push(format!(
                    "{file}: `{key}` is one text in English, so it cannot be a plural here"
                )),
                (_, Text::Plural(forms)) => {
                    if !forms.contains_key("other") {
                        problems.push(format!("{file}: `{key}` needs an `other` form"));
                    }
                    for category in forms.keys() {
                        if !CATEGORIES.contains(&category.as_str()) {
                            problems.push(format!(
                                "{file}: `{key}` has `{category}`, which is no plural category ({})",
                                CATEGORIES.join(", ")
                            ));
                        }
                    }
                }
                _ => {}
            }
        }
        for (key, _) in &self.texts {
            if reference.text(key).is_none() {
                problems.push(format!("{file}: `{key}` is not an English text"));
            }
        }
    }
}

impl Text {
    fn read(file: &str, key: &str, value: &Value) -> Result<Self, String> {
        match value {
            Value::String(text) => Ok(Text::Plain(text.clone())),
            Value::Object(forms) => Ok(Text::Plural(plural_forms(file, key, forms)?)),
            _ => Err(format!(
                "{file}: `{key}` must be a string or an object of plural forms"
            )),
        }
    }

    /// Its texts, each with how a message names it (`""`, or ` (few)`).
    fn variants(&self) -> Vec<(String, &str)> {
        match self {
            Text::Plain(text) => vec![(String::new(), text.as_str())],
            Text::Plural(forms) => forms
                .iter()
                .map(|(category, text)| (format!(" ({category})"), text.as_str()))
                .collect(),
        }
    }

    /// The placeholders of its `other` (or only) text.
    fn placeholders(&self) -> BTreeSet<String> {
        match self {
            Text::Plain(text) => placeholders(text),
            Text::Plural(forms) => forms
                .get("other")
                .map(|t| placeholders(t))
                .unwrap_or_default(),
        }
    }
}

fn plural_forms(
    file: &str,
    key: &str,
    forms: &Map<String, Value>,
) -> Result<BTreeMap<String, String>, String> {
    forms
        .iter()
        .map(|(category, text)| match text.as_str() {
            Some(text) => Ok((category.clone(), text.to_owned())),
            None => Err(format!("{file}: `{key}.{category}` must be a string")),
        })
        .collect()
}

/// Every problem of `files` (name, text), English (`en.json`) the reference; the languages,
/// English first, when there is none.
pub fn check_all(files: &[(String, String)]) -> Result<Vec<Language>, Vec<String>> {
    let mut languages = Vec::new();
    let mut problems = Vec::new();
    for (name, source) in files {
        match Language::read(name, source) {
            Ok(language) => languages.push(language),
            Err(problem) => problems.push(problem),
        }
    }
    languages.sort_by_key(|language| (language.tag != REFERENCE, language.tag.clone()));
    match languages
        .first()
        .filter(|language| language.tag == REFERENCE)
    {
        Some(reference) => {
            for language in &languages {
                language.check(reference, &mut problems);
            }
        }
        None => problems.push(format!(
            "{REFERENCE}.json is missing: it is the reference for every other"
        )),
    }
    if problems.is_empty() {
        Ok(languages)
    } else {
        Err(problems)
    }
}

/// True for a BCP 47 tag's shape: subtags of ASCII letters and digits joined by `-`
/// (`he`, `pt-BR`, `es-419`), at most 35 characters.
pub fn is_language_tag(tag: &str) -> bool {
    !tag.is_empty()
        && tag.len() <= 35
        && tag
            .split('-')
            .all(|part| !part.is_empty() && part.chars().all(|c| c.is_ascii_alphanumeric()))
}

/// What is wrong with a language file's `language.dir`, when it is neither `ltr` nor `rtl`.
pub fn direction_problem(dir: &str) -> Option<String> {
    (dir != "ltr" && dir != "rtl").then(|| "`language.dir` must be \"ltr\" or \"rtl\"".to_owned())
}

/// A language file's `language.date_order`: the order the language writes a date's parts in
/// when it writes them as numbers (`["month", "day", "year"]` in English), as indexes into
/// [`DATE_PARTS`]; `Err` says what is wrong.
pub fn date_order(value: &Value) -> Result<[usize; 3], String> {
    let problem = || {
        format!(
            "`language.date_order` must name \"{}\", \"{}\" and \"{}\", each once, in the order the language writes them",
            DATE_PARTS[0], DATE_PARTS[1], DATE_PARTS[2]
        )
    };
    let mut order = [0; 3];
    let names = value
        .as_array()
        .filter(|names| names.len() == 3)
        .ok_or_else(problem)?;
    for (slot, name) in order.iter_mut().zip(names) {
        *slot = DATE_PARTS
            .iter()
            .position(|part| Some(*part) == name.as_str())
            .ok_or_else(problem)?;
    }
    let [first, second, third] = order;
    if first == second || second == third || first == third {
        return Err(problem());
    }
    Ok(order)
}

/// The `{name}` placeholders of `text`.
pub fn placeholders(text: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let mut rest = text;
    while let Some(start) = rest.find('{') {
        let after = &rest[start + 1..];
        let Some(end) = after.find('}') else { break };
        found.insert(after[..end].to_owned());
        rest = &after[end + 1..];
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    const EN: &str = r#"{"language": {"name": "English", "dir": "ltr", "reviewed": "us",
        "date_order": ["month", "day", "year"]},
        "texts": {"hello": "Hello {name}", "left": {"one": "{n} left", "other": "{n} left"}}}"#;

    fn problems(name: &str, source: &str) -> Vec<String> {
        let files = [
            ("en.json".to_owned(), EN.to_owned()),
            (name.to_owned(), source.to_owned()),
        ];
        check_all(&files).err().unwrap_or_default()
    }

    fn language(texts: &str) -> String {
        format!(
            r#"{{"language": {{"name": "X", "dir": "ltr", "reviewed": "us",
                "date_order": ["day", "month", "year"]}}, "texts": {texts}}}"#
        )
    }

    #[test]
    fn a_complete_translation_passes() {
        let fine = language(
            r#"{"hello": "Salut {name}", "left": {"one": "{n} reste", "many": "{n} restent", "other": "{n} restent"}}"#,
        );
        assert_eq!(problems("fr.json", &fine), Vec::<String>::new());
        let one_form = language(r#"{"hello": "{name}さん", "left": "残り{n}"}"#);
        assert_eq!(
            problems("ja.json", &one_form),
            Vec::<String>::new(),
            "a language without plurals may give one text"
        );
    }

    #[test]
    fn a_missing_or_extra_key_is_a_problem_not_an_english_fallback() {
        assert_eq!(
            problems(
                "fr.json",
                &language(r#"{"hello": "Salut {name}", "bye": "Au revoir"}"#)
            ),
            [
                "fr.json: `left` is missing",
                "fr.json: `bye` is not an English text"
            ]
        );
    }

    #[test]
    fn placeholders_and_plural_forms_must_match_english() {
        let found = problems(
            "de.json",
            &language(r#"{"hello": "Hallo {nme}", "left": {"one": "{n} übrig", "lots": "{n}"}}"#),
        );
        assert_eq!(
            found,
            [
                r#"de.json: `hello` has placeholders {"nme"}, English has {"name"}"#,
                "de.json: `left` needs an `other` form",
                "de.json: `left` has `lots`, which is no plural category (zero, one, two, few, many, other)",
            ]
        );
        let plural_where_english_has_one = language(
            r#"{"hello": {"one": "Hallo {name}", "other": "Hallo {name}"}, "left": "{n} übrig"}"#,
        );
        assert_eq!(
            problems("de.json", &plural_where_english_has_one),
            ["de.json: `hello` is one text in English, so it cannot be a plural here"]
        );
    }

    #[test]
    fn a_file_that_cannot_be_read_or_named_is_a_problem() {
        assert!(problems("fr.json", "{")[0].starts_with("fr.json is not JSON"));
        let right_to_left_typo = language(r#"{"hello": "{name}", "left": "{n}"}"#)
            .replace(r#""dir": "ltr""#, r#""dir": "rtl ""#);
        assert_eq!(
            problems("ar.json", &right_to_left_typo),
            [r#"ar.json: `language.dir` must be "ltr" or "rtl""#]
        );
        let fine = language(r#"{"hello": "{name}", "left": "{n}"}"#);
        let date_order_problem = "fr.json: `language.date_order` must name \"day\", \"month\" and \"year\", each once, in the order the language writes them";
        for order in [
            r#""date_order": ["day", "day", "year"]"#,
            r#""date_order": ["day", "month"]"#,
            r#""date_order": ["jour", "mois", "année"]"#,
            r#""date_order": "day month year""#,
            r#""date": ["day", "month", "year"]"#,
        ] {
            let broken = fine.replace(r#""date_order": ["day", "month", "year"]"#, order);
            assert_eq!(
                problems("fr.json", &broken),
                [date_order_problem],
                "{order}"
            );
        }
        assert_eq!(
            problems("pt BR.json", &fine),
            ["pt BR.json: the file name must be a language tag, like `pt-BR.json`"]
        );
        let files = [("fr.json".to_owned(), fine)];
        assert_eq!(
            check_all(&files).err().unwrap_or_default(),
            ["en.json is missing: it is the reference for every other"]
        );
    }

    #[test]
    fn the_shipped_files_pass() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/src/i18n/texts");
        let files: Vec<(String, String)> = std::fs::read_dir(dir)
            .unwrap()
            .map(|entry| {
                let path = entry.unwrap().path();
                let name = path.file_name().unwrap().to_str().unwrap().to_owned();
                (name, std::fs::read_to_string(&path).unwrap())
            })
            .collect();
        let languages = check_all(&files).unwrap();
        assert!(languages.len() >= 10, "at least ten languages");
        assert_eq!(
            languages[0].date_order.map(|part| DATE_PARTS[part]),
            ["month", "day", "year"],
            "English writes the month first"
        );
        for language in &languages {
            assert!(
                !language.name.trim().is_empty(),
                "{} has no name",
                language.file
            );
            assert!(
                !language.reviewed.trim().is_empty(),
                "{} does not say who wrote or reviewed it",
                language.file
            );
        }
    }
}
