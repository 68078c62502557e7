//! Limits every part enforces.

/// Largest request body the signer reads.
pub const MAX_BODY_BYTES: usize = 16 * 1024;
/// Largest `state` accepted.
pub const MAX_STATE_BYTES: usize = 2048;
/// Largest session token the page keeps and the signer will parse.
pub const MAX_TOKEN_BYTES: usize = 8 * 1024;
/// The shortest HS256 secret accepted, in bytes (RFC 7518 asks for at least the hash size;
/// jwt-compact's `StrongKey` wants 64, more than Auth0 secrets often have).
pub const MIN_SECRET_BYTES: usize = 32;
/// Shortest continue token lifetime, in seconds (Auth0 wants `exp` >= 60 s ahead).
pub const CONTINUE_TTL_MIN: u64 = 60;
/// Longest continue token lifetime, in seconds.
pub const CONTINUE_TTL_MAX: u64 = 600;
/// Continue token lifetime when the tenant sets none, in seconds.
pub const CONTINUE_TTL_DEFAULT: u64 = 120;
/// Leeway for `iat`/`nbf` in the future, in seconds.
pub const CLOCK_LEEWAY_SECS: i64 = 30;

/// Longest answer of a `text` field, in characters, when the field sets no `max_length`.
pub const DEFAULT_MAX_TEXT_CHARS: u32 = 500;
/// Longest answer of a `textarea` field, in characters, when the field sets no `max_length`.
pub const DEFAULT_MAX_TEXTAREA_CHARS: u32 = 5000;
/// Longest id of a form or a field, in bytes (ids are ASCII).
pub const MAX_ID_CHARS: usize = 64;
/// How many `show_if` links are followed before a field counts as hidden (a guard against
/// cycles in definitions that were never checked).
pub const MAX_SHOW_IF_DEPTH: usize = 32;
/// The longest a consent's `expires_after_days` may be (ten years): beyond it, leave it out.
pub const MAX_CONSENT_EXPIRY_DAYS: u32 = 3650;
