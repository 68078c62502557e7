//! The two values a login arrives with, parsed once at the edge: Auth0's `state` and the
//! session token, and the names of the parameters that carry them (see
//! `docs/contract.md#launch`). The page reads them from its address; the signer from the
//! continue request; both refuse the same things.

use std::fmt;

use crate::limits::{MAX_STATE_BYTES, MAX_TOKEN_BYTES};

/// The query parameter Auth0 appends with the login transaction's state, and the form field
/// `/continue` reads it from.
pub const STATE_PARAMETER: &str = "state";
/// Where the session token travels unless configured otherwise: the page's query parameter
/// (`stopover.json`'s `token_parameter`) and the field posted to `/continue` (the tenant's
/// `token_parameter`, Auth0's `tokenParameterName`).
pub const DEFAULT_TOKEN_PARAMETER: &str = "session_token";

/// Whether `name` can carry the session token: 1 to 64 letters, digits, `_` or `-`, and not
/// [`STATE_PARAMETER`]. The signer refuses any other tenant `token_parameter` at start-up; the
/// page reads the token under [`DEFAULT_TOKEN_PARAMETER`] when `stopover.json` names another.
pub fn is_token_parameter_name(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        && name != STATE_PARAMETER
}

/// Auth0's `state` for one login transaction: 1..=2048 bytes of URL-safe printable ASCII
/// (RFC 3986 unreserved: letters, digits, `-`, `.`, `_`, `~`).
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct LoginState(String);

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

impl LoginState {
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
impl fmt::Debug for LoginState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "LoginState({} bytes)", self.0.len())
    }
}

/// The session token exactly as received, not yet verified: present and within
/// [`MAX_TOKEN_BYTES`]. Its `Debug` never prints it.
#[derive(Clone, PartialEq, Eq)]
pub struct SessionToken(String);

/// Why a session token is refused before anything in it is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SessionTokenError {
    #[error("the session token is missing or empty")]
    Empty,
    #[error("the session token is longer than {MAX_TOKEN_BYTES} bytes")]
    TooLong,
}

impl SessionToken {
    pub fn parse(raw: &str) -> Result<Self, SessionTokenError> {
        Self::check(raw)?;
        Ok(Self(raw.to_owned()))
    }

    /// The rule [`SessionToken::parse`] applies, without keeping a copy: the signer checks a
    /// token's size this way before it decodes anything.
    pub fn check(raw: &str) -> Result<(), SessionTokenError> {
        if raw.is_empty() {
            return Err(SessionTokenError::Empty);
        }
        if raw.len() > MAX_TOKEN_BYTES {
            return Err(SessionTokenError::TooLong);
        }
        Ok(())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for SessionToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SessionToken({} bytes)", self.0.len())
    }
}

/// True for the RFC 3986 unreserved characters: letters, digits, `-`, `.`, `_`, `~`.
pub fn is_unreserved(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~')
}

/// `text` with every byte but the unreserved ones percent-encoded: safe as one path segment
/// or one query value.
pub fn percent_encode_unreserved(text: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if is_unreserved(byte) {
            out.push(char::from(byte));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(byte >> 4)]));
            out.push(char::from(HEX[usize::from(byte & 0x0F)]));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_unreserved_characters_stay_as_they_are() {
        assert_eq!(percent_encode_unreserved("aZ09-._~"), "aZ09-._~");
        assert_eq!(
            percent_encode_unreserved("a b/é?&="),
            "a%20b%2F%C3%A9%3F%26%3D"
        );
    }

    #[test]
    fn a_token_parameter_name_is_short_url_safe_and_not_state() {
        for name in ["session_token", "t", "stopover-token", &"a".repeat(64)] {
            assert!(is_token_parameter_name(name), "{name:?} refused");
        }
        for name in ["", "state", "a b", "tok.en", "jeton_é", &"a".repeat(65)] {
            assert!(!is_token_parameter_name(name), "{name:?} accepted");
        }
    }

    #[test]
    fn a_token_is_present_and_bounded() {
        assert_eq!(SessionToken::parse(""), Err(SessionTokenError::Empty));
        let long = "a".repeat(MAX_TOKEN_BYTES + 1);
        assert_eq!(SessionToken::parse(&long), Err(SessionTokenError::TooLong));
        let token = SessionToken::parse("secret.token.value").unwrap();
        assert_eq!(format!("{token:?}"), "SessionToken(18 bytes)");
    }

    #[test]
    fn a_state_is_unreserved_ascii_of_bounded_length() {
        assert!(LoginState::parse("hKFo2SBh-._~").is_ok());
        assert_eq!(LoginState::parse(""), Err(StateError::Empty));
        assert_eq!(LoginState::parse("a b"), Err(StateError::InvalidCharacters));
        let long = "a".repeat(MAX_STATE_BYTES + 1);
        assert_eq!(LoginState::parse(&long), Err(StateError::TooLong));
        assert_eq!(
            format!("{:?}", LoginState::parse("abc").unwrap()),
            "LoginState(3 bytes)"
        );
    }
}
