//! Limits both sides enforce, and the `state` parameter parsed once at the edge.

use std::fmt;

/// Largest request body the signer reads.
pub const MAX_BODY_BYTES: usize = 16 * 1024;
/// Largest `state` accepted.
pub const MAX_STATE_BYTES: usize = 2048;
/// Largest session token the signer will parse.
pub const MAX_TOKEN_BYTES: usize = 8 * 1024;
/// Shortest continue token lifetime, in seconds (Auth0 wants `exp` >= 60 s ahead).
pub const CONTINUE_TTL_MIN: u64 = 60;
/// Longest continue token lifetime, in seconds.
pub const CONTINUE_TTL_MAX: u64 = 600;
/// Continue token lifetime when the tenant sets none, in seconds.
pub const CONTINUE_TTL_DEFAULT: u64 = 120;
/// Leeway for `iat`/`nbf` in the future, in seconds.
pub const CLOCK_LEEWAY_SECS: i64 = 30;

/// Auth0's `state` for one login transaction: 1..=2048 bytes of URL-safe printable ASCII
/// (RFC 3986 unreserved: letters, digits, `-`, `.`, `_`, `~`).
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct State(String);

/// Why a `state` was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum StateError {
    #[error("state is missing or empty")]
    Empty,
    #[error("state is longer than {MAX_STATE_BYTES} bytes")]
    TooLong,
    #[error("state has characters outside URL-safe printable ASCII")]
    InvalidCharacters,
}

impl State {
    /// Parses a `state` as it arrived, refusing what Auth0 never sends.
    pub fn parse(raw: &str) -> Result<Self, StateError> {
        if raw.is_empty() {
            return Err(StateError::Empty);
        }
        if raw.len() > MAX_STATE_BYTES {
            return Err(StateError::TooLong);
        }
        if !raw.bytes().all(is_unreserved) {
            return Err(StateError::InvalidCharacters);
        }
        Ok(Self(raw.to_owned()))
    }

    /// The state, to put in the continue token and URL.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Never prints the value: a state belongs to one login and stays out of logs.
impl fmt::Debug for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "State({} bytes)", self.0.len())
    }
}

fn is_unreserved(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~')
}

/// Longest answer of a `text` field, in characters, when the field sets no `max_length`.
pub const DEFAULT_MAX_TEXT_CHARS: u32 = 500;
/// Longest answer of a `textarea` field, in characters, when the field sets no `max_length`.
pub const DEFAULT_MAX_TEXTAREA_CHARS: u32 = 5000;
/// Longest id of a form or a field, in bytes (ids are ASCII).
pub const MAX_ID_CHARS: usize = 64;
/// How many `show_if` links are followed before a field counts as hidden (a guard against
/// cycles in definitions that were never checked).
pub const MAX_SHOW_IF_DEPTH: usize = 32;
