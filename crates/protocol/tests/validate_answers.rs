//! `validate_answers`, rule by rule, against the fixture form with every field kind.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use serde_json::{json, Map, Value};
use stopover_protocol::limits::DEFAULT_MAX_TEXT_CHARS;
use stopover_protocol::{validate_answers, AnswerValue, ConsentRecord, FieldErrorCode as Code};

#[test]
fn minimal_valid_answers_are_accepted_and_normalised() {
    let clean = validate(&minimal_answers()).unwrap();
    let clean = serde_json::to_value(&clean).unwrap();
    assert_eq!(
        clean,
        json!({
            "company": "ACME",
            "phone": "+33612345678",
            "country": "fr",
            "newsletter": false,
            "terms": {"accepted": true, "version": "2026-11", "accepted_at": NOW,
                      "document": "https://example.com/terms"},
            "tenant_ref": "acme-eu",
            "source": "stopover",
        })
    );
}

// Keys

#[test]
fn unknown_key_is_unknown_field_under_its_own_name() {
    assert_eq!(
        errors_of(&with("shoe_size", json!("44")), "shoe_size"),
        [Code::UnknownField]
    );
}

#[test]
fn static_field_submitted_is_read_only() {
    assert_eq!(
        errors_of(&with("welcome", json!("hi")), "welcome"),
        [Code::ReadOnly]
    );
}

#[test]
fn hidden_field_submitted_with_another_value_is_read_only() {
    assert_eq!(
        errors_of(&with("tenant_ref", json!("other-tenant")), "tenant_ref"),
        [Code::ReadOnly]
    );
    assert_eq!(
        errors_of(&with("source", json!("page")), "source"),
        [Code::ReadOnly]
    );
    assert_eq!(
        errors_of(&with("source", json!(null)), "source"),
        [Code::ReadOnly]
    );
}

#[test]
fn hidden_field_echoing_its_own_value_is_tolerated() {
    assert_eq!(
        clean_value(&with("source", json!("stopover")), "source"),
        Some(json!("stopover"))
    );
}

#[test]
fn hidden_field_takes_its_value_from_the_definition_then_the_prefill() {
    let answers = minimal_answers();
    assert_eq!(clean_value(&answers, "source"), Some(json!("stopover")));
    assert_eq!(clean_value(&answers, "tenant_ref"), Some(json!("acme-eu")));
}

#[test]
fn hidden_field_prefilled_with_a_number_or_bool_becomes_text() {
    let form = every_kind_form();
    for (prefilled, text) in [
        (json!(42), "42"),
        (json!(true), "true"),
        (json!(1.5), "1.5"),
    ] {
        let prefill = object(json!({ "tenant": prefilled }));
        let clean = validate_answers(&form, &minimal_answers(), &prefill, NOW).unwrap();
        assert_eq!(
            clean.0.get("tenant_ref"),
            Some(&AnswerValue::Text(text.to_owned()))
        );
    }
}

#[test]
fn hidden_field_without_prefill_has_no_answer() {
    let form = every_kind_form();
    for prefill in [
        json!({}),
        json!({"tenant": null}),
        json!({"tenant": {"nested": 1}}),
    ] {
        let clean = validate_answers(&form, &minimal_answers(), &object(prefill), NOW).unwrap();
        assert!(!clean.0.contains_key("tenant_ref"));
    }
}

#[test]
fn all_problems_are_reported_at_once() {
    let mut answers = minimal_answers();
    answers.insert("phone".into(), json!("0612"));
    answers.insert("email".into(), json!("not-an-email"));
    answers.insert("nope".into(), json!(1));
    answers.remove("company");
    let errors = validate(&answers).unwrap_err();
    assert_eq!(errors.len(), 4, "{errors:?}");
    assert_eq!(errors["company"], [Code::Required]);
    assert_eq!(errors["phone"], [Code::InvalidFormat]);
    assert_eq!(errors["email"], [Code::InvalidFormat]);
    assert_eq!(errors["nope"], [Code::UnknownField]);
}

#[test]
fn a_fields_codes_come_once_each_in_declaration_order() {
    let too_long_and_not_alphanumeric = "-".repeat(DEFAULT_MAX_TEXT_CHARS as usize + 1);
    assert_eq!(
        errors_of(&with("code", json!(too_long_and_not_alphanumeric)), "code"),
        [Code::TooLong, Code::InvalidFormat]
    );
}

// Required and empty answers

#[test]
fn missing_required_field_is_required() {
    let mut answers = minimal_answers();
    answers.remove("company");
    assert_eq!(errors_of(&answers, "company"), [Code::Required]);
}

#[test]
fn blank_string_null_and_empty_list_count_as_no_answer() {
    assert_eq!(
        errors_of(&with("company", json!("   ")), "company"),
        [Code::Required]
    );
    assert_eq!(
        errors_of(&with("company", json!(null)), "company"),
        [Code::Required]
    );
    assert_eq!(
        errors_of(&with("country", json!("")), "country"),
        [Code::Required]
    );
    let answers = with("email", json!(" "));
    assert_eq!(clean_value(&answers, "email"), None);
    assert_eq!(clean_value(&with("topics", json!([])), "topics"), None);
}

#[test]
fn empty_optional_fields_have_no_entry() {
    let clean = validate(&minimal_answers()).unwrap();
    for field in [
        "code",
        "email",
        "website",
        "seats",
        "ratio",
        "birth_date",
        "plan",
        "topics",
        "note",
    ] {
        assert!(!clean.0.contains_key(field), "{field}");
    }
}

#[test]
fn required_checkbox_must_be_checked() {
    let mut form = every_kind_form();
    form.fields
        .iter_mut()
        .find(|f| f.id == "newsletter")
        .unwrap()
        .required = true;
    let errors = validate_answers(&form, &minimal_answers(), &prefill(), NOW).unwrap_err();
    assert_eq!(errors["newsletter"], [Code::Required]);
    let errors =
        validate_answers(&form, &with("newsletter", json!(false)), &prefill(), NOW).unwrap_err();
    assert_eq!(errors["newsletter"], [Code::Required]);
}

#[test]
fn optional_checkbox_records_true_or_false() {
    assert_eq!(
        clean_value(&minimal_answers(), "newsletter"),
        Some(json!(false))
    );
    let answers = with("newsletter", json!(true));
    let mut answers = answers;
    answers.insert("frequency".into(), json!("monthly"));
    assert_eq!(clean_value(&answers, "newsletter"), Some(json!(true)));
}

#[test]
fn checkbox_needs_a_boolean() {
    assert_eq!(
        errors_of(&with("newsletter", json!("true")), "newsletter"),
        [Code::InvalidType]
    );
    assert_eq!(
        errors_of(&with("newsletter", json!(1)), "newsletter"),
        [Code::InvalidType]
    );
}

// Types

#[test]
fn wrong_json_types_are_invalid_type() {
    for (field, value) in [
        ("company", json!(42)),
        ("company", json!(["ACME"])),
        ("phone", json!(33612345678_u64)),
        ("email", json!(true)),
        ("website", json!({"href": "https://example.com"})),
        ("seats", json!(true)),
        ("seats", json!([3])),
        ("birth_date", json!(19900101)),
        ("country", json!(["fr"])),
        ("topics", json!("security")),
        ("topics", json!([1, 2])),
        ("terms", json!("yes")),
    ] {
        assert_eq!(
            errors_of(&with(field, value.clone()), field),
            [Code::InvalidType],
            "{field}: {value}"
        );
    }
}

// Texts

#[test]
fn text_is_trimmed() {
    assert_eq!(
        clean_value(&with("company", json!("  ACME Corp \t")), "company"),
        Some(json!("ACME Corp"))
    );
}

#[test]
fn length_counts_characters_not_bytes() {
    // Ten characters, thirty bytes: within max_length 10.
    let answers = with("company", json!("日本語日本語日本語日"));
    assert_eq!(
        clean_value(&answers, "company"),
        Some(json!("日本語日本語日本語日"))
    );
    assert_eq!(
        errors_of(&with("company", json!("日本語日本語日本語日本")), "company"),
        [Code::TooLong]
    );
}

#[test]
fn text_shorter_than_min_length_is_too_short() {
    assert_eq!(
        errors_of(&with("company", json!("A")), "company"),
        [Code::TooShort]
    );
    assert_eq!(
        errors_of(&with("company", json!("  A  ")), "company"),
        [Code::TooShort]
    );
}

#[test]
fn text_without_max_length_is_capped_by_the_default() {
    let long = "a".repeat(stopover_protocol::limits::DEFAULT_MAX_TEXT_CHARS as usize + 1);
    assert_eq!(
        errors_of(&with("code", json!(long)), "code"),
        [Code::TooLong]
    );
}

#[test]
fn control_characters_are_refused_in_single_line_text() {
    for bad in [
        "AC\nME",
        "AC\tME",
        "AC\u{0}ME",
        "AC\u{1b}[31mME",
        "AC\u{7f}ME",
        "AC\u{85}ME",
    ] {
        assert_eq!(
            errors_of(&with("company", json!(bad)), "company"),
            [Code::InvalidCharacters],
            "{bad:?}"
        );
    }
}

#[test]
fn a_value_made_only_of_invisible_characters_is_no_answer() {
    for blank in [
        "\u{200B}",
        " \u{200B}\u{FEFF} ",
        "\u{3164}",
        "\u{2800}\u{2800}",
        "\u{200D}",
    ] {
        assert_eq!(
            errors_of(&with("company", json!(blank)), "company"),
            [Code::Required],
            "{blank:?}"
        );
    }
}

#[test]
fn bidi_controls_format_characters_and_separators_are_refused_on_one_line() {
    for bad in [
        "ACME\u{202E}dlroW",
        "AC\u{2066}ME\u{2069}",
        "AC\u{200B}ME",
        "AC\u{2028}ME",
        "AC\u{2029}ME",
        "AC\u{00AD}ME",
        "\u{200F}ACME",
    ] {
        assert_eq!(
            errors_of(&with("company", json!(bad)), "company"),
            [Code::InvalidCharacters],
            "{bad:?}"
        );
    }
    // Joiners spell ordinary names and emoji.
    for good in [
        "\u{0645}\u{06CC}\u{200C}\u{062E}\u{0648}\u{0627}\u{0647}\u{0645}",
        "\u{1F469}\u{200D}\u{1F52C} Lab",
    ] {
        assert_eq!(
            clean_value(&with("company", json!(good)), "company"),
            Some(json!(good))
        );
    }
}

#[test]
fn a_textarea_refuses_bidi_controls_but_keeps_its_lines() {
    let mut answers = with("newsletter", json!(true));
    answers.insert("frequency".into(), json!("weekly"));
    answers.insert("note".into(), json!("see \u{202E}txt.exe"));
    assert_eq!(errors_of(&answers, "note"), [Code::InvalidCharacters]);
    answers.insert("note".into(), json!("soft\u{00AD}hyphen\nline 2"));
    assert_eq!(
        clean_value(&answers, "note"),
        Some(json!("soft\u{00AD}hyphen\nline 2"))
    );
}

#[test]
fn textarea_keeps_line_feeds_and_tabs_and_reads_crlf_as_lf() {
    let mut answers = with("newsletter", json!(true));
    answers.insert("frequency".into(), json!("weekly"));
    answers.insert("note".into(), json!(" line 1\r\n\tline 2\n"));
    assert_eq!(
        clean_value(&answers, "note"),
        Some(json!("line 1\n\tline 2"))
    );
    answers.insert("note".into(), json!("bell\u{7}"));
    assert_eq!(errors_of(&answers, "note"), [Code::InvalidCharacters]);
    answers.insert("note".into(), json!("lone\rreturn"));
    assert_eq!(errors_of(&answers, "note"), [Code::InvalidCharacters]);
}

#[test]
fn text_format_is_enforced() {
    assert_eq!(
        clean_value(&with("code", json!("AB12")), "code"),
        Some(json!("AB12"))
    );
    assert_eq!(
        errors_of(&with("code", json!("AB-12")), "code"),
        [Code::InvalidFormat]
    );
}

#[test]
fn text_formats_digits_alphanumeric_and_name() {
    use stopover_protocol::TextFormat;
    assert!(TextFormat::Digits.accepts("0123"));
    assert!(!TextFormat::Digits.accepts("12a"));
    assert!(!TextFormat::Digits.accepts("١٢"));
    assert!(TextFormat::Alphanumeric.accepts("Ab12"));
    assert!(!TextFormat::Alphanumeric.accepts("Ab 12"));
    assert!(TextFormat::Name.accepts("Zoë O'Brien-Łukasz Jr."));
    assert!(TextFormat::Name.accepts("山田 太郎"));
    assert!(!TextFormat::Name.accepts("R2D2"));
    assert!(!TextFormat::Name.accepts("a<b"));
}

// Phone, e-mail, URL

#[test]
fn phone_with_spaces_is_normalised_to_e164() {
    assert_eq!(
        clean_value(&minimal_answers(), "phone"),
        Some(json!("+33612345678"))
    );
    let answers = with("phone", json!("+1 (415) 555-0100"));
    assert_eq!(clean_value(&answers, "phone"), Some(json!("+14155550100")));
}

#[test]
fn phone_in_national_form_is_invalid_format() {
    assert_eq!(
        errors_of(&with("phone", json!("06 12 34 56 78")), "phone"),
        [Code::InvalidFormat]
    );
    assert_eq!(
        errors_of(&with("phone", json!("+33 6")), "phone"),
        [Code::InvalidFormat]
    );
}

#[test]
fn email_domain_is_lowercased() {
    let answers = with("email", json!(" Ada@Example.COM "));
    assert_eq!(
        clean_value(&answers, "email"),
        Some(json!("Ada@example.com"))
    );
}

#[test]
fn malformed_email_is_invalid_format() {
    for bad in ["ada", "ada@example", "ada@@example.com", "a da@example.com"] {
        assert_eq!(
            errors_of(&with("email", json!(bad)), "email"),
            [Code::InvalidFormat],
            "{bad}"
        );
    }
}

#[test]
fn email_over_its_max_length_is_too_long() {
    let long = format!("{}@example.com", "a".repeat(250));
    assert_eq!(
        errors_of(&with("email", json!(long)), "email"),
        [Code::TooLong]
    );
}

#[test]
fn url_must_be_http_or_https_with_a_host() {
    let answers = with("website", json!("HTTPS://Example.com/About"));
    assert_eq!(
        clean_value(&answers, "website"),
        Some(json!("https://example.com/About"))
    );
    for bad in [
        "javascript:alert(1)",
        "ftp://example.com",
        "https://",
        "example.com",
        "https://a b.com",
    ] {
        assert_eq!(
            errors_of(&with("website", json!(bad)), "website"),
            [Code::InvalidFormat],
            "{bad}"
        );
    }
}

#[test]
fn url_over_max_length_is_too_long() {
    let long = format!("https://example.com/{}", "a".repeat(90));
    assert_eq!(
        errors_of(&with("website", json!(long)), "website"),
        [Code::TooLong]
    );
}

// Numbers

#[test]
fn number_accepts_json_numbers_and_numeric_strings() {
    assert_eq!(
        clean_value(&with("seats", json!(12)), "seats"),
        Some(json!(12.0))
    );
    assert_eq!(
        clean_value(&with("seats", json!(" 12 ")), "seats"),
        Some(json!(12.0))
    );
    assert_eq!(clean_value(&with("seats", json!("")), "seats"), None);
}

#[test]
fn number_that_is_not_a_number_is_invalid_format() {
    for bad in ["twelve", "12,5", "NaN", "inf", "0x10"] {
        assert_eq!(
            errors_of(&with("seats", json!(bad)), "seats"),
            [Code::InvalidFormat],
            "{bad}"
        );
    }
}

#[test]
fn number_bounds_are_inclusive() {
    assert_eq!(
        clean_value(&with("seats", json!(1)), "seats"),
        Some(json!(1.0))
    );
    assert_eq!(
        clean_value(&with("seats", json!(100)), "seats"),
        Some(json!(100.0))
    );
    assert_eq!(
        errors_of(&with("seats", json!(0)), "seats"),
        [Code::OutOfRange]
    );
    assert_eq!(
        errors_of(&with("seats", json!(101)), "seats"),
        [Code::OutOfRange]
    );
    assert_eq!(
        errors_of(&with("seats", json!(-1e300)), "seats"),
        [Code::OutOfRange]
    );
}

#[test]
fn number_off_its_step_is_out_of_range() {
    assert_eq!(
        errors_of(&with("seats", json!(2.5)), "seats"),
        [Code::OutOfRange]
    );
    assert_eq!(
        errors_of(&with("ratio", json!(0.25)), "ratio"),
        [Code::OutOfRange]
    );
}

#[test]
fn number_step_tolerates_float_rounding() {
    // 0.1 + 0.2 is 0.30000000000000004: still on a step of 0.1.
    assert_eq!(
        clean_value(&with("ratio", json!(0.1 + 0.2)), "ratio"),
        Some(json!(0.1 + 0.2))
    );
    assert_eq!(
        clean_value(&with("ratio", json!("0.7")), "ratio"),
        Some(json!(0.7))
    );
}

// Dates

#[test]
fn date_must_exist_in_the_calendar() {
    assert_eq!(
        clean_value(&with("birth_date", json!("2000-02-29")), "birth_date"),
        Some(json!("2000-02-29"))
    );
    for bad in [
        "2001-02-29",
        "2001-04-31",
        "2001-13-01",
        "01/02/2001",
        "2001-2-3",
        "2001-02-03T00:00:00Z",
    ] {
        assert_eq!(
            errors_of(&with("birth_date", json!(bad)), "birth_date"),
            [Code::InvalidFormat],
            "{bad}"
        );
    }
}

#[test]
fn date_bounds_are_inclusive() {
    for ok in ["1900-01-01", "2026-12-31"] {
        assert_eq!(
            clean_value(&with("birth_date", json!(ok)), "birth_date"),
            Some(json!(ok))
        );
    }
    for out in ["1899-12-31", "2027-01-01"] {
        assert_eq!(
            errors_of(&with("birth_date", json!(out)), "birth_date"),
            [Code::OutOfRange],
            "{out}"
        );
    }
}

// Choices

#[test]
fn select_and_radio_need_one_of_their_options() {
    assert_eq!(
        clean_value(&with("country", json!("de")), "country"),
        Some(json!("de"))
    );
    assert_eq!(
        errors_of(&with("country", json!("xx")), "country"),
        [Code::NotAnOption]
    );
    assert_eq!(
        errors_of(&with("plan", json!("Pro")), "plan"),
        [Code::NotAnOption]
    );
    assert_eq!(
        clean_value(&with("plan", json!("pro")), "plan"),
        Some(json!("pro"))
    );
}

#[test]
fn checkboxes_are_recorded_in_the_options_order() {
    let answers = with("topics", json!(["news", "security"]));
    assert_eq!(
        clean_value(&answers, "topics"),
        Some(json!(["security", "news"]))
    );
}

#[test]
fn checkboxes_refuse_unknown_and_duplicate_choices() {
    assert_eq!(
        errors_of(&with("topics", json!(["sports"])), "topics"),
        [Code::NotAnOption]
    );
    assert_eq!(
        errors_of(&with("topics", json!(["news", "news"])), "topics"),
        [Code::InvalidFormat]
    );
}

#[test]
fn checkboxes_count_their_choices() {
    let three = json!(["security", "billing", "news"]);
    assert_eq!(
        errors_of(&with("topics", three), "topics"),
        [Code::TooManySelected]
    );
    let mut form = every_kind_form();
    let topics = form.fields.iter_mut().find(|f| f.id == "topics").unwrap();
    if let stopover_protocol::FieldKind::Checkboxes { min_selected, .. } = &mut topics.kind {
        *min_selected = Some(2);
    }
    let errors =
        validate_answers(&form, &with("topics", json!(["news"])), &prefill(), NOW).unwrap_err();
    assert_eq!(errors["topics"], [Code::TooFewSelected]);
}

// Consent

/// The fixture's terms accepted at `NOW`, in `language`.
fn terms_record(language: Option<&str>) -> AnswerValue {
    AnswerValue::Consent(ConsentRecord {
        accepted: true,
        version: "2026-11".into(),
        accepted_at: NOW,
        document: Some("https://example.com/terms".into()),
        language: language.map(str::to_owned),
    })
}

#[test]
fn accepted_consent_records_document_version_and_time() {
    let clean = validate(&minimal_answers()).unwrap();
    assert_eq!(clean.0["terms"], terms_record(None));
}

#[test]
fn a_consent_record_may_say_the_language_of_the_documents_title() {
    let record =
        json!({"accepted": true, "version": "2026-11", "accepted_at": 1, "language": "EN"});
    let clean = validate(&with("terms", record)).unwrap();
    assert_eq!(
        clean.0["terms"],
        terms_record(Some("en")),
        "as the title spells it"
    );

    let other = json!({"accepted": true, "version": "2026-11", "accepted_at": 1, "language": "fr"});
    assert_eq!(
        errors_of(&with("terms", other), "terms"),
        [Code::NotAnOption],
        "the title is in English only"
    );
}

#[test]
fn the_session_tokens_locale_names_the_language_a_consent_was_read_in_when_the_page_did_not() {
    let form: stopover_protocol::FormDefinition = serde_json::from_value(json!({
        "id": "t", "version": "1", "title": "T", "submit_label": "Go",
        "fields": [{"id": "terms", "label": "Terms", "kind": "consent", "document": {
            "url": "https://example.com/t", "version": "7",
            "title": {"en": "Terms", "pt-BR": "Termos", "de": "Bedingungen"}}}],
    }))
    .unwrap();
    let language_for = |locale: &str, submitted: Value| {
        let answers = [("terms".to_owned(), submitted)].into_iter().collect();
        let mut clean = validate_answers(&form, &answers, &Map::new(), NOW).unwrap();
        clean.record_consent_languages(&form, locale);
        match &clean.0["terms"] {
            AnswerValue::Consent(record) => record.language.clone(),
            other => panic!("{other:?}"),
        }
    };
    assert_eq!(language_for("pt", json!(true)).as_deref(), Some("pt-BR"));
    assert_eq!(language_for("de-CH", json!(true)).as_deref(), Some("de"));
    assert_eq!(language_for("ja", json!(true)).as_deref(), Some("en"));
    let page_said = json!({"accepted": true, "version": "7", "accepted_at": 1, "language": "de"});
    assert_eq!(
        language_for("pt-BR", page_said).as_deref(),
        Some("de"),
        "what the page says wins"
    );
}

#[test]
fn consent_not_accepted_is_must_accept() {
    assert_eq!(
        errors_of(&with("terms", json!(false)), "terms"),
        [Code::MustAccept]
    );
    assert_eq!(
        errors_of(&with("terms", json!(null)), "terms"),
        [Code::MustAccept]
    );
    let mut answers = minimal_answers();
    answers.remove("terms");
    assert_eq!(errors_of(&answers, "terms"), [Code::MustAccept]);
}

#[test]
fn consent_record_of_the_current_version_is_accepted_with_the_validators_time() {
    let record = json!({"accepted": true, "version": "2026-11", "accepted_at": 1});
    let clean = validate(&with("terms", record)).unwrap();
    assert_eq!(clean.0["terms"], terms_record(None));
}

#[test]
fn consent_record_of_another_version_is_must_accept() {
    let old = json!({"accepted": true, "version": "2025-01", "accepted_at": 1});
    assert_eq!(errors_of(&with("terms", old), "terms"), [Code::MustAccept]);
    let refused = json!({"accepted": false, "version": "2026-11", "accepted_at": 1});
    assert_eq!(
        errors_of(&with("terms", refused), "terms"),
        [Code::MustAccept]
    );
    let malformed = json!({"accepted": true});
    assert_eq!(
        errors_of(&with("terms", malformed), "terms"),
        [Code::InvalidType]
    );
}

// show_if

fn newsletter_answers(frequency: Option<&str>, note: Option<&str>) -> Map<String, Value> {
    let mut answers = with("newsletter", json!(true));
    if let Some(frequency) = frequency {
        answers.insert("frequency".into(), json!(frequency));
    }
    if let Some(note) = note {
        answers.insert("note".into(), json!(note));
    }
    answers
}

#[test]
fn field_shown_by_show_if_is_required_when_shown() {
    assert_eq!(
        errors_of(&newsletter_answers(None, None), "frequency"),
        [Code::Required]
    );
}

#[test]
fn field_hidden_by_show_if_is_not_required() {
    // `frequency` is required but only shown when `newsletter` is checked.
    let clean = validate(&minimal_answers()).unwrap();
    assert!(!clean.0.contains_key("frequency"));
}

#[test]
fn value_of_a_field_hidden_by_show_if_is_dropped_even_when_invalid() {
    let answers = with("frequency", json!("daily"));
    let clean = validate(&answers).unwrap();
    assert!(!clean.0.contains_key("frequency"));
}

#[test]
fn show_if_is_transitive() {
    // note depends on frequency == weekly, which depends on newsletter == true.
    assert_eq!(
        errors_of(&newsletter_answers(Some("weekly"), None), "note"),
        [Code::Required]
    );
    let clean = validate(&newsletter_answers(Some("monthly"), Some("dropped"))).unwrap();
    assert!(!clean.0.contains_key("note"));
    // newsletter unchecked: frequency is hidden, so note is hidden too, whatever it says.
    let mut answers = minimal_answers();
    answers.insert("frequency".into(), json!("weekly"));
    answers.insert("note".into(), json!("dropped"));
    let clean = validate(&answers).unwrap();
    assert!(!clean.0.contains_key("frequency") && !clean.0.contains_key("note"));
}

#[test]
fn show_if_looks_at_the_clean_value_of_its_field() {
    // " weekly " trims to "weekly", which shows note.
    assert_eq!(
        errors_of(&newsletter_answers(Some(" weekly "), None), "note"),
        [Code::Required]
    );
    // An invalid controlling answer matches nothing: note stays hidden, frequency reports.
    let errors = validate(&newsletter_answers(Some("daily"), Some("x"))).unwrap_err();
    assert_eq!(
        errors.get("frequency").map(Vec::as_slice),
        Some(&[Code::NotAnOption][..])
    );
    assert!(!errors.contains_key("note"));
}

#[test]
fn show_if_cycle_in_an_unchecked_definition_hides_the_fields_without_panicking() {
    let mut form = every_kind_form();
    for field in &mut form.fields {
        if field.id == "newsletter" {
            field.show_if = Some(stopover_protocol::ShowIf {
                field: "note".into(),
                equals: json!("x"),
            });
        }
    }
    assert!(form.check().is_err());
    let clean = validate_answers(
        &form,
        &newsletter_answers(Some("weekly"), Some("x")),
        &prefill(),
        NOW,
    )
    .unwrap();
    for id in ["newsletter", "frequency", "note"] {
        assert!(!clean.0.contains_key(id), "{id}");
    }
}

#[test]
fn duplicate_field_ids_of_an_unchecked_definition_use_the_first_field() {
    let mut form = every_kind_form();
    let mut copy = form.field("company").unwrap().clone();
    copy.kind = stopover_protocol::FieldKind::Tel;
    form.fields.push(copy);
    assert!(form.check().is_err());
    let clean = validate_answers(&form, &minimal_answers(), &prefill(), NOW).unwrap();
    assert_eq!(clean.0["company"], AnswerValue::Text("ACME".into()));
}
