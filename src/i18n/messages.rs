//! The catalogue of the page's own texts, in every language it speaks. Form texts (titles,
//! labels, options) come from the form definition instead; this catalogue holds what the page
//! says around them: states, errors, buttons.

use super::Lang;

/// The page's own texts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Msg {
    Loading,
    Required,
    Optional,
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
    /// The link back to the application (`return_url`).
    StartAgain,
    NotVerifiedTitle,
    NotVerifiedBody,
    AlreadyDoneTitle,
    AlreadyDoneBody,
    /// Back (or a reload) after this tab handed its login to Auth0.
    FinishedTitle,
    FinishedBody,
    /// The link back to the application after a finished step.
    BackToApplication,
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
    /// Announced once, when two minutes are left.
    TwoMinutesLeft,
    /// Announced once, when thirty seconds are left.
    ThirtySecondsLeft,
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
    /// The labels of a date's three boxes.
    DateDay,
    DateMonth,
    DateYear,
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
            Msg::Optional => ["(optional)", "(facultatif)", "(freiwillig)"],
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
                "Your answers are still shown above, so you can copy them before you start again.",
                "Vos réponses restent affichées ci-dessus : vous pouvez les copier avant de recommencer.",
                "Ihre Antworten werden oben weiter angezeigt, damit Sie sie kopieren können, bevor Sie neu beginnen.",
            ],
            Msg::StartAgain => ["Start again", "Recommencer", "Neu beginnen"],
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
            Msg::FinishedTitle => [
                "You have finished this step",
                "Vous avez terminé cette étape",
                "Sie haben diesen Schritt abgeschlossen",
            ],
            Msg::FinishedBody => [
                "Your answers were sent and your sign-in went on. If you are not signed in yet, go back to the app or website and sign in again.",
                "Vos réponses ont été envoyées et votre connexion s’est poursuivie. Si vous n’êtes pas encore connecté, revenez à l’application ou au site et reconnectez-vous.",
                "Ihre Antworten wurden gesendet und Ihre Anmeldung wurde fortgesetzt. Wenn Sie noch nicht angemeldet sind, kehren Sie zur App oder Website zurück und melden Sie sich erneut an.",
            ],
            Msg::BackToApplication => [
                "Go back to the application",
                "Revenir à l’application",
                "Zurück zur Anwendung",
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
            Msg::TwoMinutesLeft => [
                "You have 2 minutes left to finish.",
                "Il vous reste 2 minutes pour terminer.",
                "Sie haben noch 2 Minuten Zeit.",
            ],
            Msg::ThirtySecondsLeft => [
                "You have 30 seconds left to finish.",
                "Il vous reste 30 secondes pour terminer.",
                "Sie haben noch 30 Sekunden Zeit.",
            ],
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
            Msg::DateDay => ["Day", "Jour", "Tag"],
            Msg::DateMonth => ["Month", "Mois", "Monat"],
            Msg::DateYear => ["Year", "Année", "Jahr"],
        }
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_text_exists_in_every_language() {
        let all = [
            Msg::Loading,
            Msg::Required,
            Msg::Optional,
            Msg::ChooseOption,
            Msg::ErrorSummaryTitle,
            Msg::ErrorPrefix,
            Msg::SummaryLine,
            Msg::LinkProblemTitle,
            Msg::LinkProblemBody,
            Msg::ExpiredTitle,
            Msg::ExpiredBody,
            Msg::ExpiredKeepAnswers,
            Msg::StartAgain,
            Msg::NotVerifiedTitle,
            Msg::NotVerifiedBody,
            Msg::AlreadyDoneTitle,
            Msg::AlreadyDoneBody,
            Msg::FinishedTitle,
            Msg::FinishedBody,
            Msg::BackToApplication,
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
            Msg::TwoMinutesLeft,
            Msg::ThirtySecondsLeft,
            Msg::OpensInNewTab,
            Msg::AtMostChars,
            Msg::AtLeastChars,
            Msg::NumberBetween,
            Msg::WholeNumberBetween,
            Msg::DateBetween,
            Msg::DateFrom,
            Msg::DateUntil,
            Msg::DateDay,
            Msg::DateMonth,
            Msg::DateYear,
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
}
