//! Every text of the page itself, in English, French and German, and the choice of language.
//!
//! - [`Lang`]: which language, from the token's `locale` claim and the browser (`lang.rs`);
//! - [`Msg`]: the catalogue of the page's own texts (`messages.rs`);
//! - [`field_error`], [`error_sentence`]: what is said about a refused answer
//!   (`field_errors.rs`);
//! - [`format_number`], [`format_date`], [`format_countdown`], [`date_part_order`]: numbers,
//!   dates and time left as each language writes them (`format.rs`).

mod field_errors;
mod format;
mod lang;
mod messages;

pub use field_errors::{error_sentence, field_error};
pub use format::{
    date_part_order, format_countdown, format_date, format_number, parse_iso_date, DatePart,
};
pub use lang::Lang;
pub use messages::{summary_line, Msg};
