//! What the page says about a refused answer: one sentence per error code, specific to the
//! field's kind, naming the field's limits where the person needs them.

use stopover_protocol::{FieldErrorCode, FieldKind};

use super::format::{format_date, format_number};
use super::{Lang, Msg};

/// The sentence for one refused answer, specific to the field's kind where that helps.
pub fn field_error(lang: Lang, code: FieldErrorCode, kind: &FieldKind) -> &'static str {
    use FieldErrorCode as Code;
    let msg = match (code, kind) {
        (Code::InvalidFormat, FieldKind::Email { .. }) => Msg::ErrorEmailFormat,
        (Code::InvalidFormat, FieldKind::Tel) => Msg::ErrorTelFormat,
        (Code::InvalidFormat, FieldKind::Url { .. }) => Msg::ErrorUrlFormat,
        (Code::InvalidFormat, FieldKind::Date { .. }) => Msg::ErrorDateFormat,
        (Code::InvalidFormat | Code::InvalidType | Code::Required, FieldKind::Number { .. }) => {
            Msg::ErrorEnterNumber
        }
        (Code::Required, FieldKind::Select { .. } | FieldKind::Radio { .. }) => {
            Msg::ErrorChooseOption
        }
        (Code::Required | Code::MustAccept, FieldKind::Consent { .. }) => Msg::ErrorMustAccept,
        // An empty answer: say what to enter (GOV.UK's "Enter ..."), by the kind of answer.
        (Code::Required, FieldKind::Text { .. } | FieldKind::Textarea { .. }) => {
            Msg::ErrorRequiredText
        }
        (Code::Required, FieldKind::Email { .. }) => Msg::ErrorRequiredEmail,
        (Code::Required, FieldKind::Tel) => Msg::ErrorRequiredTel,
        (Code::Required, FieldKind::Url { .. }) => Msg::ErrorRequiredUrl,
        (Code::Required, FieldKind::Date { .. }) => Msg::ErrorRequiredDate,
        (Code::Required, FieldKind::Checkboxes { .. }) => Msg::ErrorRequiredCheckboxes,
        (Code::Required, FieldKind::Checkbox) => Msg::ErrorRequiredCheckbox,
        (Code::Required, _) => Msg::ErrorRequired,
        (Code::TooLong, _) => Msg::ErrorTooLong,
        (Code::TooShort, _) => Msg::ErrorTooShort,
        (Code::InvalidFormat, _) => Msg::ErrorInvalidFormat,
        (Code::InvalidType, _) => Msg::ErrorInvalidType,
        (Code::InvalidCharacters, _) => Msg::ErrorInvalidCharacters,
        (Code::NotAnOption, _) => Msg::ErrorChooseOption,
        (Code::OutOfRange, _) => Msg::ErrorOutOfRange,
        (Code::TooFewSelected, _) => Msg::ErrorTooFewSelected,
        (Code::TooManySelected, _) => Msg::ErrorTooManySelected,
        (Code::MustAccept, _) => Msg::ErrorMustAccept,
        (Code::UnknownField, _) => Msg::ErrorUnknownField,
        (Code::ReadOnly, _) => Msg::ErrorReadOnly,
    };
    msg.text(lang)
}

/// The sentence for one refused answer, with the field's limits when the person needs them to
/// fix it ("Enter at most 1,000 characters."), numbers and dates in `lang`'s form.
pub fn error_sentence(lang: Lang, code: FieldErrorCode, kind: &FieldKind) -> String {
    let number = |value: f64| format_number(lang, value);
    let bounds =
        |msg: Msg, min: &str, max: &str| msg.text(lang).replace("{min}", min).replace("{max}", max);
    match (code, kind) {
        (
            FieldErrorCode::TooLong,
            FieldKind::Text {
                max_length: Some(max),
                ..
            }
            | FieldKind::Textarea {
                max_length: Some(max),
                ..
            }
            | FieldKind::Email {
                max_length: Some(max),
            }
            | FieldKind::Url {
                max_length: Some(max),
            },
        ) => Msg::AtMostChars.count(lang, f64::from(*max)),
        (
            FieldErrorCode::TooShort,
            FieldKind::Text {
                min_length: Some(min),
                ..
            }
            | FieldKind::Textarea {
                min_length: Some(min),
                ..
            },
        ) => Msg::AtLeastChars.count(lang, f64::from(*min)),
        (
            FieldErrorCode::OutOfRange,
            FieldKind::Number {
                min: Some(min),
                max: Some(max),
                step,
            },
        ) => match step {
            None => bounds(Msg::NumberBetween, &number(*min), &number(*max)),
            Some(step) if *step == 1.0 && min.fract() == 0.0 => {
                bounds(Msg::WholeNumberBetween, &number(*min), &number(*max))
            }
            // Other steps: naming only the bounds would mislead; the generic sentence stays.
            Some(_) => field_error(lang, code, kind).to_owned(),
        },
        (FieldErrorCode::OutOfRange, FieldKind::Date { min, max }) => {
            let (min, max) = (
                min.as_deref().map(|d| format_date(lang, d)),
                max.as_deref().map(|d| format_date(lang, d)),
            );
            match (min, max) {
                (Some(min), Some(max)) => bounds(Msg::DateBetween, &min, &max),
                (Some(min), None) => bounds(Msg::DateFrom, &min, ""),
                (None, Some(max)) => bounds(Msg::DateUntil, "", &max),
                (None, None) => field_error(lang, code, kind).to_owned(),
            }
        }
        _ => field_error(lang, code, kind).to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_codes_map_to_kind_specific_sentences() {
        let email = FieldKind::Email { max_length: None };
        assert_eq!(
            field_error(Lang::EN, FieldErrorCode::InvalidFormat, &email),
            "Enter an email address in the correct format, like name@example.com."
        );
        assert_eq!(
            field_error(Lang::DE, FieldErrorCode::InvalidFormat, &FieldKind::Tel),
            "Geben Sie eine Telefonnummer mit Ländervorwahl ein, z. B. +49 30 123456."
        );
        assert_eq!(
            field_error(Lang::FR, FieldErrorCode::Required, &FieldKind::Checkbox),
            "Cochez cette case pour continuer."
        );
        assert_eq!(
            field_error(Lang::EN, FieldErrorCode::Required, &email),
            "Enter an email address.",
            "an empty answer is told what to enter"
        );
        let consent_required = field_error(Lang::EN, FieldErrorCode::Required, &consent());
        assert_eq!(consent_required, "You need to accept this to continue.");
    }

    #[test]
    fn limits_are_named_in_the_sentences_that_need_them() {
        let text = FieldKind::Text {
            min_length: Some(2),
            max_length: Some(100),
            format: None,
        };
        assert_eq!(
            error_sentence(Lang::EN, FieldErrorCode::TooLong, &text),
            "Enter at most 100 characters."
        );
        assert_eq!(
            error_sentence(Lang::DE, FieldErrorCode::TooShort, &text),
            "Geben Sie mindestens 2 Zeichen ein."
        );
        let seats = FieldKind::Number {
            min: Some(1.0),
            max: Some(50.0),
            step: Some(1.0),
        };
        assert_eq!(
            error_sentence(Lang::EN, FieldErrorCode::OutOfRange, &seats),
            "Enter a whole number from 1 to 50."
        );
        let quarter_steps = FieldKind::Number {
            min: Some(0.0),
            max: Some(2.0),
            step: Some(0.25),
        };
        assert_eq!(
            error_sentence(Lang::EN, FieldErrorCode::OutOfRange, &quarter_steps),
            "This is outside the allowed range.",
            "bounds alone would mislead when a step is also required"
        );
        let birth = FieldKind::Date {
            min: None,
            max: Some("2012-12-31".into()),
        };
        assert_eq!(
            error_sentence(Lang::FR, FieldErrorCode::OutOfRange, &birth),
            "Saisissez une date jusqu’au 2012-12-31 inclus."
        );
        assert_eq!(
            error_sentence(Lang::EN, FieldErrorCode::Required, &text),
            "Enter an answer."
        );
    }

    fn consent() -> FieldKind {
        serde_json::from_value(serde_json::json!({
            "kind": "consent",
            "document": {"url": "https://e.example/t", "version": "1", "title": "Terms"}
        }))
        .unwrap()
    }
}
