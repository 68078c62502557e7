//! The forms these tests fill in, and how their texts are compared.

use serde_json::json;
use stopover_protocol::FormDefinition;

/// Collapses the no-break spaces French puts in numbers, so expectations read plainly.
pub fn spaces(text: &str) -> String {
    text.replace(['\u{a0}', '\u{202f}'], " ")
}

/// A form whose limits show up in its messages, in three languages.
pub fn bounds_form() -> FormDefinition {
    serde_json::from_value(json!({
        "id": "bounds", "version": "1", "title": "Limits", "submit_label": "Go",
        "fields": [
            {"id": "note", "kind": "textarea", "label": {"en": "Note", "fr": "Note", "de": "Notiz"},
             "max_length": 1000},
            {"id": "amount", "kind": "number", "label": {"en": "Amount", "fr": "Montant", "de": "Betrag"},
             "min": 0.5, "max": 1500.0},
            {"id": "day", "kind": "date", "label": {"en": "Day", "fr": "Jour", "de": "Tag"},
             "min": "1900-01-01", "max": "2012-12-31"}
        ]
    }))
    .unwrap()
}

/// A form with one field of every kind, in English and German.
pub fn every_kind_form() -> FormDefinition {
    serde_json::from_value(json!({
        "id": "every-kind",
        "version": "1",
        "title": {"en": "Your account", "de": "Ihr Konto"},
        "submit_label": {"en": "Save", "de": "Speichern"},
        "fields": [
            {"id": "intro", "kind": "static", "text": "Read this before you start."},
            {"id": "company", "kind": "text", "label": {"en": "Company", "de": "Firma"}, "required": true,
             "max_length": 40, "autocomplete": "organization", "prefill": "company",
             "help": "Where you work."},
            {"id": "email", "kind": "email", "label": "Email"},
            {"id": "phone", "kind": "tel", "label": "Phone"},
            {"id": "website", "kind": "url", "label": "Website"},
            {"id": "seats", "kind": "number", "label": "Seats", "min": 1.0, "max": 50.0, "step": 1.0, "default": 5},
            {"id": "birth", "kind": "date", "label": "Date of birth", "max": "2012-12-31"},
            {"id": "country", "kind": "select", "label": "Country", "prefill": "country", "options": [
                {"value": "DE", "label": "Germany"}, {"value": "FR", "label": "France"}]},
            {"id": "plan", "kind": "radio", "label": "Plan", "required": true, "options": [
                {"value": "free", "label": "Free"}, {"value": "paid", "label": "Paid"}]},
            {"id": "topics", "kind": "checkboxes", "label": "Topics", "options": [
                {"value": "news", "label": "News"}, {"value": "events", "label": "Events"}]},
            {"id": "about", "kind": "textarea", "label": "About you", "max_length": 200},
            {"id": "newsletter", "kind": "checkbox", "label": "Newsletter"},
            {"id": "newsletter_topics", "kind": "text", "label": "Newsletter topics",
             "show_if": {"field": "newsletter", "equals": true}},
            {"id": "terms", "kind": "consent", "label": "I accept the terms",
             "document": {"url": "https://example.com/terms", "version": "3", "title": "Terms of service"}},
            {"id": "account", "kind": "hidden", "prefill": "account"}
        ]
    }))
    .unwrap()
}
