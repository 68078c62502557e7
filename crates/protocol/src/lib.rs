//! What every part of Stopover agrees on.
//!
//! The page (wasm32) and the signer (native) both depend on this crate, so a rule written here
//! cannot differ between them: form definitions ([`form`]), the checks a definition must pass
//! ([`form::FormDefinition::check`]), the one answer validation function
//! ([`answers::validate_answers`]), the token claims ([`claims`]), the signer's HTTP API types
//! ([`api`]) and the limits both sides enforce ([`limits`]).
#![forbid(unsafe_code)]
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

pub mod answers;
pub mod api;
pub mod characters;
mod check;
pub mod claims;
pub mod form;
pub mod formats;
pub mod launch;
pub mod limits;
pub mod text;
pub mod visibility;

pub use answers::{
    hidden_value, initial_value, validate_answers, AnswerValue, CleanAnswers, ConsentRecord,
    FieldErrorCode, FieldErrors,
};
pub use api::{ApiErrorBody, ApiErrorCode, ContinueRequest, ContinueResponse};
pub use claims::{ContinueClaims, FormRef, SessionClaims};
pub use form::{
    ConsentDocument, DefinitionError, Field, FieldKind, FieldOption, FormDefinition, FormId,
    ShowIf, TextFormat,
};
pub use launch::{LoginState, SessionToken, SessionTokenError, StateError};
pub use text::LocalizedText;
pub use visibility::is_visible;
