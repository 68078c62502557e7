//! The element ids of a field's parts: its control, its choices, its help text and its error.
//! Labels, `aria-describedby` and the error summary's links all point at these.

use stopover_protocol::{Field, FieldKind};

/// The id of a field's control (or, for a group, of its first choice): what a label's `for`
/// and an error summary link point at.
pub fn focus_target_id(field: &Field) -> String {
    match field.kind {
        FieldKind::Radio { .. } | FieldKind::Checkboxes { .. } => option_id(&field.id, 0),
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

/// `field-ID-help`: the help text under the label.
pub fn help_id(field_id: &str) -> String {
    format!("field-{field_id}-help")
}

/// `field-ID-error`: the inline error, while one is shown.
pub fn error_id(field_id: &str) -> String {
    format!("field-{field_id}-error")
}
