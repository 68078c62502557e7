//! Every text of the page itself, in English, French and German, and the choice of language.
//!
//! Form texts (titles, labels, options) come from the form definition instead; this catalogue
//! holds what the page says around them: states, errors, buttons.

use stopover_protocol::{FieldErrorCode, FieldKind};

/// The languages the page speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Lang {
    #[default]
    En,
    Fr,
    De,
}

impl Lang {
    pub const ALL: [Lang; 3] = [Lang::En, Lang::Fr, Lang::De];

    /// The BCP 47 tag, for `<html lang>` and for picking form texts.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Fr => "fr",
            Lang::De => "de",
        }
    }

    /// Text direction for `<html dir>`.
    pub fn dir(self) -> &'static str {
        "ltr"
    }

    /// The language whose primary subtag `tag` has (`fr-CA` -> French), if the page speaks it.
    pub fn from_tag(tag: &str) -> Option<Lang> {
        let primary = tag.split(['-', '_']).next()?.trim();
        Lang::ALL
            .into_iter()
            .find(|lang| lang.tag().eq_ignore_ascii_case(primary))
    }

    /// The token's `locale` claim first, then the browser's languages in order, then English.
    pub fn choose(locale: Option<&str>, browser: &[String]) -> Lang {
        locale
            .into_iter()
            .chain(browser.iter().map(String::as_str))
            .find_map(Lang::from_tag)
            .unwrap_or_default()
    }

    /// The browser's preferred languages (`navigator.languages`).
    pub fn browser_languages() -> Vec<String> {
        let languages = leptos::prelude::window().navigator().languages();
        languages.iter().filter_map(|v| v.as_string()).collect()
    }

    /// Sets `lang` and `dir` on `<html>`.
    pub fn apply_to_document(self) {
        if let Some(root) = leptos::prelude::document().document_element() {
            // Setting a plain attribute on <html> cannot fail.
            let _ = root.set_attribute("lang", self.tag());
            let _ = root.set_attribute("dir", self.dir());
        }
    }
}

/// The page's own texts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Msg {
    Loading,
    Required,
    ChooseOption,
    ErrorSummaryTitle,
    ErrorPrefix,
    /// `{label}`: the field's label; `{problem}`: what is wrong with it. One error summary line.
    SummaryLine,
    LinkProblemTitle,
    LinkProblemBody,
    ExpiredTitle,
    ExpiredBody,
    ExpiredKeepAnswers,
    NotVerifiedTitle,
    NotVerifiedBody,
    AlreadyDoneTitle,
    AlreadyDoneBody,
    UnknownFormTitle,
    UnknownFormBody,
    NetworkTitle,
    NetworkBody,
    ServerTitle,
    ServerBody,
    RateLimitedTitle,
    /// `{n}`: seconds to wait.
    RateLimitedWait,
    RateLimitedReady,
    TryAgain,
    MisconfiguredTitle,
    MisconfiguredBody,
    Sending,
    HandoffTitle,
    HandoffBody,
    HandoffFallback,
    Continue,
    /// `{t}`: the time left, `m:ss`.
    TimeLeft,
    OpensInNewTab,
    /// `{n}`: the most characters allowed.
    AtMostChars,
    /// `{n}`: the fewest characters allowed.
    AtLeastChars,
    /// `{min}`, `{max}`: the bounds of a number field without a step.
    NumberBetween,
    /// `{min}`, `{max}`: the bounds of a number field that takes whole numbers.
    WholeNumberBetween,
    /// `{min}`, `{max}`: the earliest and latest dates, in the locale's long form.
    DateBetween,
    /// `{min}`: the earliest date.
    DateFrom,
    /// `{max}`: the latest date.
    DateUntil,
}

impl Msg {
    /// This text in `lang`.
    pub fn text(self, lang: Lang) -> &'static str {
        let [en, fr, de] = self.all();
        match lang {
            Lang::En => en,
            Lang::Fr => fr,
            Lang::De => de,
        }
    }

    /// This text with its `{n}` or `{t}` placeholder replaced.
    pub fn with(self, lang: Lang, value: &str) -> String {
        self.text(lang).replace("{n}", value).replace("{t}", value)
    }

    fn all(self) -> [&'static str; 3] {
        match self {
            Msg::Loading => ["Loading…", "Chargement…", "Wird geladen…"],
            Msg::Required => ["(required)", "(obligatoire)", "(erforderlich)"],
            Msg::ChooseOption => ["Choose…", "Choisir…", "Bitte wählen…"],
            Msg::ErrorSummaryTitle => ["There is a problem", "Il y a un problème", "Es gibt ein Problem"],
            Msg::ErrorPrefix => ["Error:", "Erreur :", "Fehler:"],
            Msg::SummaryLine => ["{label}: {problem}", "{label} : {problem}", "{label}: {problem}"],
            Msg::LinkProblemTitle => [
                "This link is not complete",
                "Ce lien est incomplet",
                "Dieser Link ist unvollständig",
            ],
            Msg::LinkProblemBody => [
                "The page was opened without the details it needs. Go back to the app or website you were signing in to and sign in again.",
                "La page a été ouverte sans les informations nécessaires. Revenez à l’application ou au site sur lequel vous vous connectiez et reconnectez-vous.",
                "Die Seite wurde ohne die nötigen Angaben geöffnet. Kehren Sie zur App oder Website zurück, bei der Sie sich anmelden wollten, und melden Sie sich erneut an.",
            ],
            Msg::ExpiredTitle => [
                "This sign-in has expired",
                "Cette connexion a expiré",
                "Diese Anmeldung ist abgelaufen",
            ],
            Msg::ExpiredBody => [
                "For your security, a sign-in only lasts a few minutes. Start again: go back to the app or website and sign in once more.",
                "Pour votre sécurité, une connexion ne dure que quelques minutes. Recommencez : revenez à l’application ou au site et reconnectez-vous.",
                "Zu Ihrer Sicherheit ist eine Anmeldung nur wenige Minuten gültig. Beginnen Sie neu: Kehren Sie zur App oder Website zurück und melden Sie sich erneut an.",
            ],
            Msg::ExpiredKeepAnswers => [
                "Your answers are still shown below, so you can copy them before you start again.",
                "Vos réponses restent affichées ci-dessous : vous pouvez les copier avant de recommencer.",
                "Ihre Antworten werden unten weiter angezeigt, damit Sie sie kopieren können, bevor Sie neu beginnen.",
            ],
            Msg::NotVerifiedTitle => [
                "This sign-in link could not be verified",
                "Ce lien de connexion n’a pas pu être vérifié",
                "Dieser Anmeldelink konnte nicht überprüft werden",
            ],
            Msg::NotVerifiedBody => [
                "We cannot continue with the link that brought you here. Start again: go back to the app or website and sign in once more.",
                "Nous ne pouvons pas continuer avec le lien qui vous a mené ici. Recommencez : revenez à l’application ou au site et reconnectez-vous.",
                "Mit dem Link, über den Sie hierher gekommen sind, können wir nicht fortfahren. Beginnen Sie neu: Kehren Sie zur App oder Website zurück und melden Sie sich erneut an.",
            ],
            Msg::AlreadyDoneTitle => [
                "You have already completed this step",
                "Vous avez déjà terminé cette étape",
                "Sie haben diesen Schritt bereits abgeschlossen",
            ],
            Msg::AlreadyDoneBody => [
                "This sign-in step was already finished. If you are not signed in yet, go back to the app or website and sign in again.",
                "Cette étape de connexion est déjà terminée. Si vous n’êtes pas encore connecté, revenez à l’application ou au site et reconnectez-vous.",
                "Dieser Anmeldeschritt wurde bereits abgeschlossen. Wenn Sie noch nicht angemeldet sind, kehren Sie zur App oder Website zurück und melden Sie sich erneut an.",
            ],
            Msg::UnknownFormTitle => [
                "This form cannot be found",
                "Ce formulaire est introuvable",
                "Dieses Formular wurde nicht gefunden",
            ],
            Msg::UnknownFormBody => [
                "The sign-in asked for a form that does not exist. Contact the service you were signing in to.",
                "La connexion demande un formulaire qui n’existe pas. Contactez le service auquel vous vous connectiez.",
                "Die Anmeldung verlangt ein Formular, das es nicht gibt. Wenden Sie sich an den Dienst, bei dem Sie sich anmelden wollten.",
            ],
            Msg::NetworkTitle => [
                "We could not reach the server",
                "Impossible de joindre le serveur",
                "Der Server ist nicht erreichbar",
            ],
            Msg::NetworkBody => [
                "Check your connection and try again. Your answers are kept.",
                "Vérifiez votre connexion et réessayez. Vos réponses sont conservées.",
                "Prüfen Sie Ihre Verbindung und versuchen Sie es erneut. Ihre Antworten bleiben erhalten.",
            ],
            Msg::ServerTitle => [
                "Something went wrong on our side",
                "Un problème est survenu de notre côté",
                "Bei uns ist ein Fehler aufgetreten",
            ],
            Msg::ServerBody => [
                "Please try again in a moment. Your answers are kept.",
                "Veuillez réessayer dans un instant. Vos réponses sont conservées.",
                "Bitte versuchen Sie es gleich noch einmal. Ihre Antworten bleiben erhalten.",
            ],
            Msg::RateLimitedTitle => ["Too many attempts", "Trop de tentatives", "Zu viele Versuche"],
            Msg::RateLimitedWait => [
                "Please wait {n} seconds, then try again. Your answers are kept.",
                "Veuillez patienter {n} secondes, puis réessayez. Vos réponses sont conservées.",
                "Bitte warten Sie {n} Sekunden und versuchen Sie es dann erneut. Ihre Antworten bleiben erhalten.",
            ],
            Msg::RateLimitedReady => [
                "You can try again now.",
                "Vous pouvez réessayer maintenant.",
                "Sie können es jetzt erneut versuchen.",
            ],
            Msg::TryAgain => ["Try again", "Réessayer", "Erneut versuchen"],
            Msg::MisconfiguredTitle => [
                "This page cannot send your answers",
                "Cette page ne peut pas envoyer vos réponses",
                "Diese Seite kann Ihre Antworten nicht senden",
            ],
            Msg::MisconfiguredBody => [
                "The service is not set up correctly. Contact the service you were signing in to.",
                "Le service n’est pas configuré correctement. Contactez le service auquel vous vous connectiez.",
                "Der Dienst ist nicht richtig eingerichtet. Wenden Sie sich an den Dienst, bei dem Sie sich anmelden wollten.",
            ],
            Msg::Sending => ["Sending…", "Envoi…", "Wird gesendet…"],
            Msg::HandoffTitle => ["Thank you", "Merci", "Vielen Dank"],
            Msg::HandoffBody => [
                "Taking you back to your sign-in…",
                "Retour à votre connexion…",
                "Sie werden zu Ihrer Anmeldung zurückgeleitet…",
            ],
            Msg::HandoffFallback => [
                "If nothing happens, select Continue.",
                "Si rien ne se passe, sélectionnez Continuer.",
                "Wenn nichts passiert, wählen Sie „Weiter“.",
            ],
            Msg::Continue => ["Continue", "Continuer", "Weiter"],
            Msg::TimeLeft => [
                "Time left to finish: {t}",
                "Temps restant : {t}",
                "Verbleibende Zeit: {t}",
            ],
            Msg::OpensInNewTab => [
                "(opens in a new tab)",
                "(s’ouvre dans un nouvel onglet)",
                "(öffnet in einem neuen Tab)",
            ],
            Msg::AtMostChars => [
                "Enter at most {n} characters.",
                "Saisissez au plus {n} caractères.",
                "Geben Sie höchstens {n} Zeichen ein.",
            ],
            Msg::AtLeastChars => [
                "Enter at least {n} characters.",
                "Saisissez au moins {n} caractères.",
                "Geben Sie mindestens {n} Zeichen ein.",
            ],
            Msg::NumberBetween => [
                "Enter a number from {min} to {max}.",
                "Saisissez un nombre entre {min} et {max}.",
                "Geben Sie eine Zahl von {min} bis {max} ein.",
            ],
            Msg::WholeNumberBetween => [
                "Enter a whole number from {min} to {max}.",
                "Saisissez un nombre entier entre {min} et {max}.",
                "Geben Sie eine ganze Zahl von {min} bis {max} ein.",
            ],
            Msg::DateBetween => [
                "Enter a date from {min} to {max}.",
                "Saisissez une date entre le {min} et le {max}.",
                "Geben Sie ein Datum zwischen dem {min} und dem {max} ein.",
            ],
            Msg::DateFrom => [
                "Enter a date on or after {min}.",
                "Saisissez une date à partir du {min}.",
                "Geben Sie ein Datum ab dem {min} ein.",
            ],
            Msg::DateUntil => [
                "Enter a date on or before {max}.",
                "Saisissez une date jusqu’au {max} inclus.",
                "Geben Sie ein Datum bis zum {max} ein.",
            ],
        }
    }
}

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

/// `value` as `lang` writes numbers (`1,000.5`, `1 000,5`, `1.000,5`), by the browser's
/// `Number.toLocaleString`. Off the browser (native unit tests) the plain Rust form.
pub fn format_number(lang: Lang, value: f64) -> String {
    #[cfg(target_arch = "wasm32")]
    {
        String::from(js_sys::Number::from(value).to_locale_string(lang.tag()))
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        let _ = lang;
        value.to_string()
    }
}

/// An ISO `YYYY-MM-DD` date as `lang` writes it in full (`31 December 2012`,
/// `31 décembre 2012`, `31. Dezember 2012`), by `Date.toLocaleDateString`. Anything else, and
/// every date off the browser, is shown as given.
pub fn format_date(lang: Lang, iso: &str) -> String {
    #[cfg(target_arch = "wasm32")]
    if let Some((year, month, day)) = parse_iso_date(iso) {
        let options = js_sys::Object::new();
        for (key, value) in [("year", "numeric"), ("month", "long"), ("day", "numeric")] {
            // Setting a string key on a fresh plain object cannot fail.
            let _ = js_sys::Reflect::set(&options, &key.into(), &value.into());
        }
        // Local midnight of that day, so no time zone can move it to a neighbouring day.
        let date = js_sys::Date::new_with_year_month_day(year, month - 1, day);
        return String::from(date.to_locale_date_string(lang.tag(), &options));
    }
    let _ = lang;
    iso.to_owned()
}

/// `(year, month 1..=12, day 1..=31)` of an ISO `YYYY-MM-DD` date.
pub fn parse_iso_date(iso: &str) -> Option<(u32, i32, i32)> {
    let mut parts = iso.splitn(3, '-');
    let year: u32 = parts.next().filter(|p| p.len() == 4)?.parse().ok()?;
    let month: i32 = parts.next().filter(|p| p.len() == 2)?.parse().ok()?;
    let day: i32 = parts.next().filter(|p| p.len() == 2)?.parse().ok()?;
    ((1..=12).contains(&month) && (1..=31).contains(&day)).then_some((year, month, day))
}

/// One line of the error summary: which field (by its label, in the page's language) and
/// what is wrong with it, e.g. "Company: This is required.". Without a label, the problem alone.
pub fn summary_line(lang: Lang, label: &str, problem: &str) -> String {
    let label = label.trim();
    if label.is_empty() {
        return problem.to_owned();
    }
    Msg::SummaryLine
        .text(lang)
        .replace("{label}", label)
        .replace("{problem}", problem)
}

/// The time left as `m:ss` (never negative), its digits in `lang`'s number form.
pub fn format_countdown(lang: Lang, seconds: i64) -> String {
    let seconds = seconds.max(0);
    // Whole minutes and seconds of a short countdown are exact in an f64.
    let digit = |value: i64| format_number(lang, value as f64);
    let (minutes, seconds) = (seconds / 60, seconds % 60);
    let pad = if seconds < 10 {
        digit(0)
    } else {
        String::new()
    };
    format!("{}:{pad}{}", digit(minutes), digit(seconds))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn langs(tags: &[&str]) -> Vec<String> {
        tags.iter().map(|t| (*t).to_owned()).collect()
    }

    #[test]
    fn the_locale_claim_wins_over_the_browser() {
        assert_eq!(
            Lang::choose(Some("de-AT"), &langs(&["fr-FR", "en"])),
            Lang::De
        );
    }

    #[test]
    fn the_browser_languages_are_tried_in_order_when_the_claim_is_unknown() {
        assert_eq!(
            Lang::choose(Some("ja"), &langs(&["es", "fr-CH", "de"])),
            Lang::Fr
        );
        assert_eq!(Lang::choose(None, &langs(&["DE"])), Lang::De);
    }

    #[test]
    fn english_is_the_last_resort() {
        assert_eq!(Lang::choose(Some("pt-BR"), &langs(&["it"])), Lang::En);
        assert_eq!(Lang::choose(None, &[]), Lang::En);
    }

    #[test]
    fn underscored_tags_are_understood() {
        assert_eq!(Lang::from_tag("fr_BE"), Some(Lang::Fr));
    }

    #[test]
    fn every_text_exists_in_every_language() {
        let all = [
            Msg::Loading,
            Msg::Required,
            Msg::ChooseOption,
            Msg::ErrorSummaryTitle,
            Msg::ErrorPrefix,
            Msg::SummaryLine,
            Msg::LinkProblemTitle,
            Msg::LinkProblemBody,
            Msg::ExpiredTitle,
            Msg::ExpiredBody,
            Msg::ExpiredKeepAnswers,
            Msg::NotVerifiedTitle,
            Msg::NotVerifiedBody,
            Msg::AlreadyDoneTitle,
            Msg::AlreadyDoneBody,
            Msg::UnknownFormTitle,
            Msg::UnknownFormBody,
            Msg::NetworkTitle,
            Msg::NetworkBody,
            Msg::ServerTitle,
            Msg::ServerBody,
            Msg::RateLimitedTitle,
            Msg::RateLimitedWait,
            Msg::RateLimitedReady,
            Msg::TryAgain,
            Msg::MisconfiguredTitle,
            Msg::MisconfiguredBody,
            Msg::Sending,
            Msg::HandoffTitle,
            Msg::HandoffBody,
            Msg::HandoffFallback,
            Msg::Continue,
            Msg::TimeLeft,
            Msg::OpensInNewTab,
            Msg::AtMostChars,
            Msg::AtLeastChars,
            Msg::NumberBetween,
            Msg::WholeNumberBetween,
            Msg::DateBetween,
            Msg::DateFrom,
            Msg::DateUntil,
        ];
        for msg in all {
            let texts = Lang::ALL.map(|lang| msg.text(lang));
            assert!(
                texts.iter().all(|t| !t.trim().is_empty()),
                "{msg:?} has a blank text"
            );
            if msg == Msg::SummaryLine {
                // Punctuation only: German writes it as English does, French spaces the colon.
                assert_ne!(texts[0], texts[1], "French spaces the colon");
                continue;
            }
            assert_ne!(texts[0], texts[1], "{msg:?} is not translated to French");
            assert_ne!(texts[0], texts[2], "{msg:?} is not translated to German");
        }
    }

    #[test]
    fn placeholders_are_filled() {
        assert_eq!(Msg::TimeLeft.with(Lang::Fr, "1:05"), "Temps restant : 1:05");
        assert_eq!(
            Msg::RateLimitedWait.with(Lang::En, "30"),
            "Please wait 30 seconds, then try again. Your answers are kept."
        );
    }

    #[test]
    fn a_summary_line_names_the_field_in_the_page_language() {
        assert_eq!(
            summary_line(Lang::En, "Company", "This is required."),
            "Company: This is required."
        );
        assert_eq!(
            summary_line(Lang::Fr, "Entreprise", "Ce champ est obligatoire."),
            "Entreprise : Ce champ est obligatoire."
        );
        assert_eq!(
            summary_line(Lang::De, " ", "Dieses Feld ist erforderlich."),
            "Dieses Feld ist erforderlich.",
            "no label, no dangling colon"
        );
    }

    #[test]
    fn countdown_is_minutes_and_two_digit_seconds() {
        assert_eq!(format_countdown(Lang::En, 119), "1:59");
        assert_eq!(format_countdown(Lang::En, 65), "1:05");
        assert_eq!(format_countdown(Lang::En, 9), "0:09");
        assert_eq!(format_countdown(Lang::En, -3), "0:00");
    }

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
            "Ce champ est obligatoire."
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
            "This is required."
        );
    }

    #[test]
    fn iso_dates_are_split_into_their_parts() {
        assert_eq!(parse_iso_date("2012-12-31"), Some((2012, 12, 31)));
        assert_eq!(parse_iso_date("2012-13-01"), None);
        assert_eq!(parse_iso_date("12-12-31"), None);
        assert_eq!(parse_iso_date("2012-1-31"), None);
    }

    fn consent() -> FieldKind {
        serde_json::from_value(serde_json::json!({
            "kind": "consent",
            "document": {"url": "https://e.example/t", "version": "1", "title": "Terms"}
        }))
        .unwrap()
    }
}
