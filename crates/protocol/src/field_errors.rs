//! Why an answer was refused: the per-field codes of a 422 (docs/contract.md#errors).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Per-field error codes, keyed by field id (an unknown key is reported under its own name).
pub type FieldErrors = BTreeMap<String, Vec<FieldErrorCode>>;

/// Why one answer was refused. The page maps each to a sentence in the person's language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldErrorCode {
    /// A required field has no answer.
    Required,
    /// Longer than the field's maximum length, in characters.
    TooLong,
    /// Shorter than the field's minimum length, in characters.
    TooShort,
    /// Not an e-mail address, phone number, URL, date or number of the right form.
    InvalidFormat,
    /// The JSON type is wrong for the field (a number for a text field, ...).
    InvalidType,
    /// Contains control characters.
    InvalidCharacters,
    /// Not one of the field's options.
    NotAnOption,
    /// A number or date outside the field's bounds, or not on its step.
    OutOfRange,
    /// Fewer choices than `min_selected`.
    TooFewSelected,
    /// More choices than `max_selected`.
    TooManySelected,
    /// A consent that was not accepted.
    MustAccept,
    /// No field has this id.
    UnknownField,
    /// A hidden or static field; its value comes from the definition, not the page.
    ReadOnly,
}

impl FieldErrorCode {
    /// Every code, in declaration order.
    pub const ALL: [Self; 13] = [
        Self::Required,
        Self::TooLong,
        Self::TooShort,
        Self::InvalidFormat,
        Self::InvalidType,
        Self::InvalidCharacters,
        Self::NotAnOption,
        Self::OutOfRange,
        Self::TooFewSelected,
        Self::TooManySelected,
        Self::MustAccept,
        Self::UnknownField,
        Self::ReadOnly,
    ];

    /// The code as it appears on the wire (`"too_long"`), for messages and logs.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Required => "required",
            Self::TooLong => "too_long",
            Self::TooShort => "too_short",
            Self::InvalidFormat => "invalid_format",
            Self::InvalidType => "invalid_type",
            Self::InvalidCharacters => "invalid_characters",
            Self::NotAnOption => "not_an_option",
            Self::OutOfRange => "out_of_range",
            Self::TooFewSelected => "too_few_selected",
            Self::TooManySelected => "too_many_selected",
            Self::MustAccept => "must_accept",
            Self::UnknownField => "unknown_field",
            Self::ReadOnly => "read_only",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The position of `code` in the declaration; a new code fails to compile here until it
    /// is placed, and then fails the test until `ALL` has it.
    fn position(code: FieldErrorCode) -> usize {
        use FieldErrorCode::*;
        match code {
            Required => 0,
            TooLong => 1,
            TooShort => 2,
            InvalidFormat => 3,
            InvalidType => 4,
            InvalidCharacters => 5,
            NotAnOption => 6,
            OutOfRange => 7,
            TooFewSelected => 8,
            TooManySelected => 9,
            MustAccept => 10,
            UnknownField => 11,
            ReadOnly => 12,
        }
    }

    #[test]
    fn all_holds_every_code_once_and_as_str_is_the_wire_name() {
        for (index, code) in FieldErrorCode::ALL.into_iter().enumerate() {
            assert_eq!(position(code), index);
            assert_eq!(
                serde_json::to_value(code).unwrap(),
                serde_json::json!(code.as_str())
            );
        }
    }
}
