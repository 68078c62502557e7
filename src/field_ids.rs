//! The element ids of a field's parts: its control, its choices or a date's boxes, its help
//! text and its error.
//! Labels, `aria-describedby` and the error summary's links all point at these.

use stopover_protocol::{Field, FieldKind};

use crate::i18n::{date_part_order, DatePart, Lang};

/// The id of a field's control (or, for a group, of its first choice; for a date, of its
/// first box in `lang`'s order): what a label's `for` and an error summary link point at.
pub fn focus_target_id(field: &Field, lang: Lang) -> String {
    match field.kind {
        FieldKind::Radio { .. } | FieldKind::Checkboxes { .. } => option_id(&field.id, 0),
        FieldKind::Date { .. } => date_part_id(&field.id, date_part_order(lang)[0]),
        _ => control_id(&field.id),
    }
}

/// `field-ID`: the control of a single-control field, the fieldset of a group.
pub fn control_id(field_id: &str) -> String {
    format!("field-{field_id}")
}

/// `field-ID-N`: the N-th choice of a radio or checkbox group.
pub fn option_id(field_id: &str, index: usize) -> String {
    format!("field-{field_id}-{index}")
}

/// `field-ID-day`, `field-ID-month`, `field-ID-year`: the boxes of a date.
pub fn date_part_id(field_id: &str, part: DatePart) -> String {
    format!("field-{field_id}-{}", part.name())
}

/// `field-ID-help`: the help text under the label.
pub fn help_id(field_id: &str) -> String {
    format!("field-{field_id}-help")
}

/// `field-ID-error`: the inline error, while one is shown.
pub fn error_id(field_id: &str) -> String {
    format!("field-{field_id}-error")
}
