//! Property tests: `validate_answers` never panics, whatever the JSON (and whatever the
//! `show_if` links of an unchecked definition), and clean answers validate again unchanged.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::LazyLock;

use common::{every_kind_form, minimal_answers, prefill, NOW};
use proptest::prelude::*;
use serde_json::{json, Map, Number, Value};
use stopover_protocol::limits::MAX_CONSENT_EXPIRY_DAYS;
use stopover_protocol::{
    is_visible, validate_answers, AnswerValue, CleanAnswers, FieldErrorCode, FieldKind,
    FormDefinition, ShowIf,
};

const FIELD_IDS: &[&str] = &[
    "welcome",
    "company",
    "code",
    "phone",
    "email",
    "website",
    "seats",
    "ratio",
    "birth_date",
    "country",
    "plan",
    "topics",
    "newsletter",
    "frequency",
    "note",
    "terms",
    "tenant_ref",
    "source",
];

/// The fixture, parsed once (TOML parsing dominates a case's time otherwise).
static FORM: LazyLock<FormDefinition> = LazyLock::new(every_kind_form);

/// Strings that look like what validators parse, and strings that look like nothing.
fn any_text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[+0-9 ().-]{0,24}",
        "[a-zA-Z0-9@.:/_\\[\\]-]{0,40}",
        "(https?|ftp|HTTP)://[a-zA-Z0-9.:@\\[\\]-]{0,20}(/[a-z]{0,5})?",
        "[0-9]{1,5}-[0-9]{1,3}-[0-9]{1,3}",
        "[-+]?[0-9]{0,6}(\\.[0-9]{0,4})?([eE][-+]?[0-9]{0,5})?",
        Just("NaN".to_owned()),
        Just("weekly".to_owned()),
        Just("news".to_owned()),
    ]
}

fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_map(|n| Number::from_f64(n).map_or(Value::Null, Value::Number)),
        any_text().prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 24, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(any_key(), inner, 0..6).prop_map(|m| Value::Object(m.into_iter().collect())),
            // A consent record, right or wrong.
            (any::<bool>(), prop_oneof![Just("2026-11".to_owned()), any_text()], any::<i64>())
                .prop_map(|(accepted, version, at)| json!({"accepted": accepted, "version": version, "accepted_at": at})),
        ]
    })
}

fn any_key() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => prop::sample::select(FIELD_IDS).prop_map(str::to_owned),
        1 => any::<String>(),
        1 => Just("accepted".to_owned()),
    ]
}

fn any_answers() -> impl Strategy<Value = Map<String, Value>> {
    prop::collection::btree_map(any_key(), any_json(), 0..20).prop_map(|m| m.into_iter().collect())
}

/// The fixture with arbitrary `show_if` links: unknown fields, static ones, cycles.
fn any_unchecked_form() -> impl Strategy<Value = FormDefinition> {
    let link = prop::option::of((any_key(), any_json()));
    prop::collection::vec(link, FIELD_IDS.len()).prop_map(|links| {
        let mut form = FORM.clone();
        for (field, link) in form.fields.iter_mut().zip(links) {
            field.show_if = link.map(|(controller, equals)| ShowIf {
                field: controller,
                equals,
            });
        }
        form
    })
}

/// Valid answers to the fixture, written the many ways a person or a page may write them.
fn valid_answers() -> impl Strategy<Value = Map<String, Value>> {
    let blank = || prop::sample::select(vec!["", " ", "\t", "  "]);
    let company = (
        "[A-Za-zÀ-ÿ日本]{1}[A-Za-zÀ-ÿ日本 &]{0,8}[A-Za-z]{1}",
        blank(),
        blank(),
    )
        .prop_map(|(name, before, after)| json!(format!("{before}{name}{after}")));
    let phone = (
        "[1-9]",
        prop::collection::vec(
            (
                "[0-9]",
                prop::sample::select(vec!["", " ", "-", ".", "(", ")"]),
            ),
            7..=14,
        ),
    )
        .prop_map(|(first, rest)| {
            let digits: String = rest
                .iter()
                .map(|(digit, sep)| format!("{sep}{digit}"))
                .collect();
            json!(format!("+{first}{digits}"))
        });
    let email = "[A-Za-z0-9_+]{1,6}(\\.[a-z0-9_+-]{1,5})?@[a-zA-Z0-9]{1,10}\\.(com|ORG|fr|Co\\.Uk)"
        .prop_map(|e| json!(e));
    let website =
        "(https|http|HTTPS)://[a-z]{1,10}\\.[A-Za-z]{2,4}(/[a-zA-Z0-9_-]{0,20})?(\\?q=[a-z]{1,5})?"
            .prop_map(|u| json!(u));
    let seats = (1..=100_i64, any::<bool>()).prop_map(|(n, as_text)| {
        if as_text {
            json!(format!(" {n}"))
        } else {
            json!(n)
        }
    });
    let ratio = (0..=10_u32, any::<bool>()).prop_map(|(tenths, as_text)| {
        if as_text {
            json!(format!("{}", f64::from(tenths) / 10.0))
        } else {
            json!(f64::from(tenths) * 0.1)
        }
    });
    let date = (1900..=2026_u32, 1..=12_u32, 1..=28_u32)
        .prop_map(|(y, m, d)| json!(format!("{y:04}-{m:02}-{d:02}")));
    let country = prop::sample::select(vec!["fr", "de", "gb"]).prop_map(|c| json!(c));
    let plan = prop::sample::select(vec!["free", "pro"]).prop_map(|p| json!(p));
    let topics = prop::sample::subsequence(vec!["security", "billing", "news"], 1..=2)
        .prop_shuffle()
        .prop_map(|t| json!(t));
    let terms = prop_oneof![
        Just(json!(true)),
        Just(json!({"accepted": true, "version": "2026-11", "accepted_at": 7}))
    ];
    let newsletter = prop::option::of((
        prop::sample::select(vec!["weekly", "monthly"]),
        "[a-z \\n\\t]{0,15}[a-z]",
    ));
    (
        (
            company,
            prop::option::of("[A-Za-z0-9]{1,8}"),
            phone,
            prop::option::of(email),
            prop::option::of(website),
        ),
        (
            prop::option::of(seats),
            prop::option::of(ratio),
            prop::option::of(date),
            country,
            prop::option::of(plan),
        ),
        (prop::option::of(topics), newsletter, terms, any::<bool>()),
    )
        .prop_map(
            |(
                (company, code, phone, email, website),
                (seats, ratio, date, country, plan),
                (topics, newsletter, terms, echo_hidden),
            )| {
                let mut answers = Map::new();
                let mut put = |key: &str, value: Option<Value>| {
                    if let Some(value) = value {
                        answers.insert(key.to_owned(), value);
                    }
                };
                put("company", Some(company));
                put("code", code.map(|c| json!(c)));
                put("phone", Some(phone));
                put("email", email);
                put("website", website);
                put("seats", seats);
                put("ratio", ratio);
                put("birth_date", date);
                put("country", Some(country));
                put("plan", plan);
                put("topics", topics);
                put("terms", Some(terms));
                match newsletter {
                    Some((frequency, note)) => {
                        put("newsletter", Some(json!(true)));
                        put("frequency", Some(json!(frequency)));
                        if frequency == "weekly" {
                            put("note", Some(json!(note)));
                        }
                    }
                    None => put("newsletter", Some(json!(false))),
                }
                if echo_hidden {
                    put("source", Some(json!("stopover")));
                }
                answers
            },
        )
}

/// Clean answers as the page would send them back: their JSON.
fn as_submitted(clean: &CleanAnswers) -> Map<String, Value> {
    match serde_json::to_value(clean).unwrap() {
        Value::Object(map) => map,
        other => panic!("clean answers are not an object: {other}"),
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 512,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn validation_never_panics_on_any_json(answers in any_answers(), prefill in any_answers()) {
        let form = &*FORM;
        let _ = validate_answers(form, &answers, &prefill, NOW);
        for id in FIELD_IDS {
            let _ = is_visible(form, id, &answers);
        }
    }

    #[test]
    fn validation_never_panics_on_unchecked_show_if_links(form in any_unchecked_form(), answers in any_answers()) {
        let form = &form;
        let _ = validate_answers(form, &answers, &prefill(), NOW);
        for id in FIELD_IDS {
            let _ = is_visible(form, id, &answers);
        }
    }

    #[test]
    fn generated_valid_answers_are_accepted(answers in valid_answers()) {
        let result = validate_answers(&FORM, &answers, &prefill(), NOW);
        prop_assert!(result.is_ok(), "{answers:?} refused: {result:?}");
    }

    #[test]
    fn clean_answers_validate_again_unchanged(answers in valid_answers()) {
        let form = &*FORM;
        let clean = validate_answers(form, &answers, &prefill(), NOW).unwrap();
        let again = validate_answers(form, &as_submitted(&clean), &prefill(), NOW);
        prop_assert_eq!(again, Ok(clean));
    }

    #[test]
    fn any_finite_number_survives_the_json_round_trip(number in any::<f64>().prop_filter("finite", |n| n.is_finite())) {
        let form: FormDefinition = serde_json::from_value(json!({
            "id": "n", "version": "1", "title": "N", "submit_label": "Go",
            "fields": [{"id": "n", "label": "N", "kind": "number"}],
        })).unwrap();
        let answers: Map<String, Value> = [("n".to_owned(), json!(number))].into_iter().collect();
        let clean = validate_answers(&form, &answers, &Map::new(), NOW).unwrap();
        let again = validate_answers(&form, &as_submitted(&clean), &Map::new(), NOW);
        prop_assert_eq!(again, Ok(clean));
    }

    #[test]
    fn a_consent_expiry_is_accepted_exactly_within_its_bounds_and_served_as_written(days in any::<u32>()) {
        let mut form = FORM.clone();
        let terms = form.fields.iter_mut().find(|field| field.id == "terms").unwrap();
        let FieldKind::Consent { document } = &mut terms.kind else {
            panic!("the fixture's terms field is a consent");
        };
        document.expires_after_days = Some(days);
        let within = (1..=MAX_CONSENT_EXPIRY_DAYS).contains(&days);
        prop_assert_eq!(form.check().is_ok(), within, "{} days", days);
        let served: FormDefinition = serde_json::from_value(serde_json::to_value(&form).unwrap()).unwrap();
        prop_assert_eq!(served, form);
    }

    #[test]
    fn a_consents_language_is_one_of_its_titles_or_refused(tag in prop_oneof![any_text(), "(en|EN|fr|pt-BR|de)"]) {
        let form = &*FORM;
        let mut answers = minimal_answers();
        answers.insert(
            "terms".to_owned(),
            json!({"accepted": true, "version": "2026-11", "accepted_at": 1, "language": tag}),
        );
        let title_languages: Vec<&str> = match &form.field("terms").unwrap().kind {
            FieldKind::Consent { document } => document.title.languages().collect(),
            _ => panic!("the fixture's terms field is a consent"),
        };
        match validate_answers(form, &answers, &prefill(), NOW) {
            Ok(clean) => {
                let Some(AnswerValue::Consent(record)) = clean.0.get("terms") else {
                    panic!("no consent record: {clean:?}");
                };
                let recorded = record.language.as_deref().unwrap();
                prop_assert!(title_languages.contains(&recorded));
                prop_assert!(recorded.eq_ignore_ascii_case(&tag));
                let again = validate_answers(form, &as_submitted(&clean), &prefill(), NOW);
                prop_assert_eq!(again, Ok(clean));
            }
            Err(errors) => {
                prop_assert!(!title_languages.iter().any(|own| own.eq_ignore_ascii_case(&tag)));
                prop_assert_eq!(errors.get("terms").map(Vec::as_slice), Some(&[FieldErrorCode::NotAnOption][..]));
                prop_assert_eq!(errors.len(), 1, "{:?}", errors);
            }
        }
    }

    #[test]
    fn any_accepted_answers_are_a_fixed_point(answers in any_answers()) {
        let form = &*FORM;
        if let Ok(clean) = validate_answers(form, &answers, &prefill(), NOW) {
            let again = validate_answers(form, &as_submitted(&clean), &prefill(), NOW);
            prop_assert_eq!(again, Ok(clean));
        }
    }
}
