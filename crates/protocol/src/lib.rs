//! What every part of Stopover agrees on.
//!
//! The page (wasm32) and the signer (native) both depend on this crate, so a rule written here
//! cannot differ between them. What it holds, and where (one file per idea):
//!
//! - form definitions ([`form`]), read from their JSON without serde's derive on the page
//!   ([`FormDefinition::from_json`], `form_json.rs`), and the checks a definition must pass
//!   ([`FormDefinition::check`], `definition_check.rs`);
//! - the one answer validation function ([`validate_answers`], `validate_answers.rs`), the
//!   rules of each field kind for one answer (`clean_answer.rs`), `show_if`
//!   ([`is_visible`], `visibility.rs`), what a field starts with ([`initial_value`],
//!   `prefill.rs`), the clean answers ([`CleanAnswers`], `answer_values.rs`) and why an answer
//!   is refused ([`FieldErrorCode`], `field_errors.rs`);
//! - the token claims ([`claims`]), the launch values `state` and the session token
//!   ([`launch`]), the limits both sides enforce ([`limits`]);
//! - the signer's HTTP API: paths and bodies ([`api`]), error codes with their status and
//!   message ([`ApiErrorCode`], `api_error.rs`);
//! - the performance marks the page sets for whoever measures it ([`page_marks`]).
//!
//! The modules a caller names by path are public; the others are private and their items
//! re-exported here.
#![forbid(unsafe_code)]
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

pub mod api;
pub mod claims;
pub mod form;
pub mod launch;
pub mod limits;
pub mod page_marks;

mod answer_values;
mod api_error;
mod characters;
mod clean_answer;
mod definition_check;
mod field_errors;
mod form_json;
mod formats;
mod prefill;
mod progressive;
mod steps;
mod text;
mod validate_answers;
mod visibility;

pub use answer_values::{AnswerValue, CleanAnswers, ConsentRecord};
pub use api::{ContinueRequest, ContinueResponse, SessionCheck};
pub use api_error::{ApiErrorBody, ApiErrorCode};
pub use claims::{
    ContinueClaims, FormRef, PreviousConsent, SessionClaims, SessionClaimsOf,
    UntrustedSessionClaims,
};
pub use field_errors::{FieldErrorCode, FieldErrors};
pub use form::{
    ConsentDocument, DefinitionError, Field, FieldKind, FieldOption, FormDefinition, FormId,
    ShowIf, TextFormat,
};
pub use launch::{LoginState, SessionToken, SessionTokenError, StateError};
pub use prefill::{hidden_value, initial_value};
pub use steps::{shown_steps, step_errors, Step};
pub use text::LocalizedText;
pub use validate_answers::validate_answers;
pub use visibility::is_visible;
