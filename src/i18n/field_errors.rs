//! What the page says about a refused answer: one sentence per error code, specific to the
//! field's kind, naming the field's limits where the person needs them.

use stopover_protocol::{FieldErrorCode, FieldKind};

use super::format::{format_date, format_number};
use super::{Lang, Msg};

/// The sentence for one refused answer, specific to the field's kind where that helps.
pub fn field_error(lang: Lang, code: FieldErrorCode, kind: &FieldKind) -> &'static str {
    let texts: [&str; 3] = match (code, kind) {
        (FieldErrorCode::InvalidFormat, FieldKind::Email { .. }) => [
            "Enter an email address in the correct format, like name@example.com.",
            "Saisissez une adresse e-mail au bon format, par exemple nom@exemple.fr.",
            "Geben Sie eine E-Mail-Adresse im richtigen Format ein, z. B. name@beispiel.de.",
        ],
        (FieldErrorCode::InvalidFormat, FieldKind::Tel) => [
            "Enter a phone number with its country code, like +44 20 7946 0958.",
            "Saisissez un numéro de téléphone avec l’indicatif du pays, par exemple +33 1 23 45 67 89.",
            "Geben Sie eine Telefonnummer mit Ländervorwahl ein, z. B. +49 30 123456.",
        ],
        (FieldErrorCode::InvalidFormat, FieldKind::Url { .. }) => [
            "Enter a web address starting with https://.",
            "Saisissez une adresse web commençant par https://.",
            "Geben Sie eine Webadresse ein, die mit https:// beginnt.",
        ],
        (FieldErrorCode::InvalidFormat, FieldKind::Date { .. }) => [
            "Enter a real date.",
            "Saisissez une date valide.",
            "Geben Sie ein gültiges Datum ein.",
        ],
        (FieldErrorCode::InvalidFormat | FieldErrorCode::InvalidType, FieldKind::Number { .. }) => {
            ["Enter a number.", "Saisissez un nombre.", "Geben Sie eine Zahl ein."]
        }
        (FieldErrorCode::Required, FieldKind::Select { .. } | FieldKind::Radio { .. }) => [
            "Choose one of the options.",
            "Choisissez l’une des options.",
            "Wählen Sie eine der Optionen.",
        ],
        (FieldErrorCode::Required | FieldErrorCode::MustAccept, FieldKind::Consent { .. }) => [
            "You need to accept this to continue.",
            "Vous devez accepter pour continuer.",
            "Sie müssen zustimmen, um fortzufahren.",
        ],
        // An empty answer: say what to enter (GOV.UK's "Enter ..."), by the kind of answer.
        (FieldErrorCode::Required, FieldKind::Text { .. } | FieldKind::Textarea { .. }) => [
            "Enter an answer.",
            "Saisissez une réponse.",
            "Geben Sie eine Antwort ein.",
        ],
        (FieldErrorCode::Required, FieldKind::Email { .. }) => [
            "Enter an email address.",
            "Saisissez une adresse e-mail.",
            "Geben Sie eine E-Mail-Adresse ein.",
        ],
        (FieldErrorCode::Required, FieldKind::Tel) => [
            "Enter a phone number.",
            "Saisissez un numéro de téléphone.",
            "Geben Sie eine Telefonnummer ein.",
        ],
        (FieldErrorCode::Required, FieldKind::Url { .. }) => [
            "Enter a web address.",
            "Saisissez une adresse web.",
            "Geben Sie eine Webadresse ein.",
        ],
        (FieldErrorCode::Required, FieldKind::Number { .. }) => {
            ["Enter a number.", "Saisissez un nombre.", "Geben Sie eine Zahl ein."]
        }
        (FieldErrorCode::Required, FieldKind::Date { .. }) => [
            "Enter a date.",
            "Saisissez une date.",
            "Geben Sie ein Datum ein.",
        ],
        (FieldErrorCode::Required, FieldKind::Checkboxes { .. }) => [
            "Choose at least one option.",
            "Choisissez au moins une option.",
            "Wählen Sie mindestens eine Option.",
        ],
        (FieldErrorCode::Required, FieldKind::Checkbox) => [
            "Tick this box to continue.",
            "Cochez cette case pour continuer.",
            "Kreuzen Sie dieses Kästchen an, um fortzufahren.",
        ],
        (FieldErrorCode::Required, _) => [
            "This is required.",
            "Ce champ est obligatoire.",
            "Dieses Feld ist erforderlich.",
        ],
        (FieldErrorCode::TooLong, _) => [
            "This answer is too long.",
            "Cette réponse est trop longue.",
            "Diese Antwort ist zu lang.",
        ],
        (FieldErrorCode::TooShort, _) => [
            "This answer is too short.",
            "Cette réponse est trop courte.",
            "Diese Antwort ist zu kurz.",
        ],
        (FieldErrorCode::InvalidFormat, _) => [
            "This is not in the expected format.",
            "Le format n’est pas celui attendu.",
            "Das Format ist nicht korrekt.",
        ],
        (FieldErrorCode::InvalidType, _) => [
            "This kind of answer is not accepted here.",
            "Ce type de réponse n’est pas accepté ici.",
            "Diese Art von Antwort ist hier nicht zulässig.",
        ],
        (FieldErrorCode::InvalidCharacters, _) => [
            "This contains characters that are not allowed.",
            "Cette réponse contient des caractères non autorisés.",
            "Diese Antwort enthält unzulässige Zeichen.",
        ],
        (FieldErrorCode::NotAnOption, _) => [
            "Choose one of the options.",
            "Choisissez l’une des options.",
            "Wählen Sie eine der Optionen.",
        ],
        (FieldErrorCode::OutOfRange, _) => [
            "This is outside the allowed range.",
            "Cette valeur est hors de la plage autorisée.",
            "Dieser Wert liegt außerhalb des erlaubten Bereichs.",
        ],
        (FieldErrorCode::TooFewSelected, _) => [
            "Choose more options.",
            "Choisissez davantage d’options.",
            "Wählen Sie mehr Optionen.",
        ],
        (FieldErrorCode::TooManySelected, _) => [
            "Choose fewer options.",
            "Choisissez moins d’options.",
            "Wählen Sie weniger Optionen.",
        ],
        (FieldErrorCode::MustAccept, _) => [
            "You need to accept this to continue.",
            "Vous devez accepter pour continuer.",
            "Sie müssen zustimmen, um fortzufahren.",
        ],
        (FieldErrorCode::UnknownField, _) => [
            "This question is not part of the form.",
            "Cette question ne fait pas partie du formulaire.",
            "Diese Frage gehört nicht zum Formular.",
        ],
        (FieldErrorCode::ReadOnly, _) => [
            "This answer cannot be changed.",
            "Cette réponse ne peut pas être modifiée.",
            "Diese Antwort kann nicht geändert werden.",
        ],
    };
    texts[lang as usize]
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
        ) => Msg::AtMostChars.with(lang, &number(f64::from(*max))),
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
        ) => Msg::AtLeastChars.with(lang, &number(f64::from(*min))),
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
            field_error(Lang::En, FieldErrorCode::InvalidFormat, &email),
            "Enter an email address in the correct format, like name@example.com."
        );
        assert_eq!(
            field_error(Lang::De, FieldErrorCode::InvalidFormat, &FieldKind::Tel),
            "Geben Sie eine Telefonnummer mit Ländervorwahl ein, z. B. +49 30 123456."
        );
        assert_eq!(
            field_error(Lang::Fr, FieldErrorCode::Required, &FieldKind::Checkbox),
            "Cochez cette case pour continuer."
        );
        assert_eq!(
            field_error(Lang::En, FieldErrorCode::Required, &email),
            "Enter an email address.",
            "an empty answer is told what to enter"
        );
        let consent_required = field_error(Lang::En, FieldErrorCode::Required, &consent());
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
            error_sentence(Lang::En, FieldErrorCode::TooLong, &text),
            "Enter at most 100 characters."
        );
        assert_eq!(
            error_sentence(Lang::De, FieldErrorCode::TooShort, &text),
            "Geben Sie mindestens 2 Zeichen ein."
        );
        let seats = FieldKind::Number {
            min: Some(1.0),
            max: Some(50.0),
            step: Some(1.0),
        };
        assert_eq!(
            error_sentence(Lang::En, FieldErrorCode::OutOfRange, &seats),
            "Enter a whole number from 1 to 50."
        );
        let quarter_steps = FieldKind::Number {
            min: Some(0.0),
            max: Some(2.0),
            step: Some(0.25),
        };
        assert_eq!(
            error_sentence(Lang::En, FieldErrorCode::OutOfRange, &quarter_steps),
            "This is outside the allowed range.",
            "bounds alone would mislead when a step is also required"
        );
        let birth = FieldKind::Date {
            min: None,
            max: Some("2012-12-31".into()),
        };
        assert_eq!(
            error_sentence(Lang::Fr, FieldErrorCode::OutOfRange, &birth),
            "Saisissez une date jusqu’au 2012-12-31 inclus."
        );
        assert_eq!(
            error_sentence(Lang::En, FieldErrorCode::Required, &text),
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
