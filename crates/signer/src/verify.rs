//! Where the session token is verified: the signer's trust boundary.
//!
//! The checks run in the order RFC 8725 suggests, cheapest and least trusting first:
//! size -> structure -> header -> key choice -> MAC -> claims. jwt-compact 0.8 does the
//! constant-time HMAC comparison; everything it leaves open is done here (it ignores `crit`
//! and other header parameters, parses claims before the MAC, accepts the exact second of
//! `exp`, can panic in `validate_maturity` on an extreme `nbf`, and has no size limit).
//!
//! Every failure is one [`Rejection`]: the caller answers one opaque 401 and logs the reason,
//! never the token.

use std::fmt;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use jwt_compact::alg::{Hs256, Hs256Signature};
use jwt_compact::{Algorithm as _, AlgorithmSignature as _, Claims, UntrustedToken};
use serde_json::{Map, Value};
use stopover_protocol::claims::names;
use stopover_protocol::limits::CLOCK_LEEWAY_SECS;
use stopover_protocol::{SessionClaims, SessionToken, SessionTokenError};

use crate::config::{issuer_host, Tenant};
use crate::strict_json::{parse_object, ObjectError};

/// The only algorithm accepted, spelled exactly.
pub const ALGORITHM: &str = "HS256";
/// The only token type accepted when `typ` is present.
pub const TOKEN_TYPE: &str = "JWT";
/// Length of an HS256 signature.
const SIGNATURE_BYTES: usize = 32;

/// Header parameters that ask for key material or special processing (RFC 7515, 7516, 7797,
/// RFC 8725 section 3.10). `kid` is refused too: the key is chosen by the configured issuer
/// alone, and Auth0's `encodeToken` never sets it.
pub const REFUSED_HEADER_PARAMETERS: &[&str] = &[
    "crit", "jku", "jwk", "kid", "x5u", "x5c", "x5t", "x5t#S256", "b64", "zip", "cty", "enc", "epk",
];

/// A session token that passed every check, and the tenant whose key signed it.
#[derive(Debug, Clone)]
pub struct VerifiedSession<'c> {
    pub tenant: &'c Tenant,
    pub claims: Claims<SessionClaims>,
    /// `exp`, Unix seconds.
    pub expires_at: i64,
}

/// Why a session token was refused. Logged, never shown to the client.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Rejection {
    Empty,
    TooLarge,
    /// Not exactly three non-empty parts.
    Structure,
    /// A part is not strict base64url without padding.
    Base64,
    HeaderNotJson,
    DuplicateKey,
    Algorithm,
    TokenType,
    RefusedHeaderParameter,
    UnexpectedHeaderParameter,
    ClaimsNotJson,
    UnknownIssuer,
    BadSignature,
    /// A claim has the wrong JSON type.
    ClaimType,
    MissingExpiry,
    Expired,
    LifetimeTooLong,
    MissingIssuedAt,
    IssuedInFuture,
    NotYetValid,
    MissingSubject,
    MissingIssuer,
    /// The `form` claim names a form the tenant may not use.
    FormNotAllowed,
}

impl Rejection {
    /// A stable name for logs and metrics.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Empty => "empty",
            Self::TooLarge => "too_large",
            Self::Structure => "structure",
            Self::Base64 => "base64",
            Self::HeaderNotJson => "header_not_json",
            Self::DuplicateKey => "duplicate_key",
            Self::Algorithm => "algorithm",
            Self::TokenType => "token_type",
            Self::RefusedHeaderParameter => "refused_header_parameter",
            Self::UnexpectedHeaderParameter => "unexpected_header_parameter",
            Self::ClaimsNotJson => "claims_not_json",
            Self::UnknownIssuer => "unknown_issuer",
            Self::BadSignature => "bad_signature",
            Self::ClaimType => "claim_type",
            Self::MissingExpiry => "missing_exp",
            Self::Expired => "expired",
            Self::LifetimeTooLong => "lifetime_too_long",
            Self::MissingIssuedAt => "missing_iat",
            Self::IssuedInFuture => "iat_in_future",
            Self::NotYetValid => "nbf_in_future",
            Self::MissingSubject => "missing_sub",
            Self::MissingIssuer => "missing_iss",
            Self::FormNotAllowed => "form_not_allowed",
        }
    }
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Verifies `raw` against the configured `tenants` at `now` (Unix seconds).
pub fn verify_session_token<'c>(
    raw: &str,
    tenants: &'c [Tenant],
    now: i64,
) -> Result<VerifiedSession<'c>, Rejection> {
    // Size, before anything is decoded: the page's rule too.
    SessionToken::check(raw).map_err(|error| match error {
        SessionTokenError::Empty => Rejection::Empty,
        SessionTokenError::TooLong => Rejection::TooLarge,
    })?;

    // Structure: exactly three non-empty parts of strict base64url.
    let parts: Vec<&str> = raw.split('.').collect();
    let [header_b64, claims_b64, signature_b64] = parts[..] else {
        return Err(Rejection::Structure);
    };
    if header_b64.is_empty() || claims_b64.is_empty() || signature_b64.is_empty() {
        return Err(Rejection::Structure);
    }
    let header_json = decode_base64url(header_b64)?;
    let claims_json = decode_base64url(claims_b64)?;
    decode_base64url(signature_b64)?;

    // Header.
    let header = parse_object(&header_json).map_err(|error| match error {
        ObjectError::Duplicate => Rejection::DuplicateKey,
        ObjectError::Json => Rejection::HeaderNotJson,
    })?;
    check_header(&header)?;
    let untrusted = UntrustedToken::new(raw).map_err(|_| Rejection::Structure)?;
    if untrusted.algorithm() != ALGORITHM {
        return Err(Rejection::Algorithm);
    }

    // Key choice: the unverified `iss` only selects among configured keys.
    let claims = parse_object(&claims_json).map_err(|error| match error {
        ObjectError::Duplicate => Rejection::DuplicateKey,
        ObjectError::Json => Rejection::ClaimsNotJson,
    })?;
    let issuer = match claims.get(names::ISSUER) {
        None => return Err(Rejection::MissingIssuer),
        Some(Value::String(issuer)) => issuer,
        Some(_) => return Err(Rejection::ClaimType),
    };
    let host = issuer_host(issuer).ok_or(Rejection::UnknownIssuer)?;
    let tenant = tenants
        .iter()
        .find(|tenant| tenant.issuer == host)
        .ok_or(Rejection::UnknownIssuer)?;

    // MAC, compared in constant time by jwt-compact.
    // jwt-compact's `try_from_slice` panics on a wrong length, so the length is checked here.
    let signature_bytes = untrusted.signature_bytes();
    if signature_bytes.len() != SIGNATURE_BYTES {
        return Err(Rejection::BadSignature);
    }
    let signature =
        Hs256Signature::try_from_slice(signature_bytes).map_err(|_| Rejection::BadSignature)?;
    let signed_data = &raw[..header_b64.len() + 1 + claims_b64.len()];
    if !Hs256.verify_signature(&signature, &tenant.key, signed_data.as_bytes()) {
        return Err(Rejection::BadSignature);
    }

    // Claims, from here on authentic.
    let expires_at = check_time_claims(&claims, now, tenant.max_session_lifetime_secs)?;
    match claims.get(names::SUBJECT) {
        None => return Err(Rejection::MissingSubject),
        Some(Value::String(subject)) if !subject.is_empty() => {}
        Some(Value::String(_)) => return Err(Rejection::MissingSubject),
        Some(_) => return Err(Rejection::ClaimType),
    }
    let typed: Claims<SessionClaims> =
        serde_json::from_value(Value::Object(claims)).map_err(|_| Rejection::ClaimType)?;
    if typed
        .custom
        .form
        .as_ref()
        .is_some_and(|form| !tenant.forms.contains(form))
    {
        return Err(Rejection::FormNotAllowed);
    }
    Ok(VerifiedSession {
        tenant,
        claims: typed,
        expires_at,
    })
}

fn check_header(header: &Map<String, Value>) -> Result<(), Rejection> {
    for (name, value) in header {
        match name.as_str() {
            "alg" => {
                if value.as_str() != Some(ALGORITHM) {
                    return Err(Rejection::Algorithm);
                }
            }
            "typ" => {
                if value.as_str() != Some(TOKEN_TYPE) {
                    return Err(Rejection::TokenType);
                }
            }
            name if REFUSED_HEADER_PARAMETERS.contains(&name) => {
                return Err(Rejection::RefusedHeaderParameter)
            }
            _ => return Err(Rejection::UnexpectedHeaderParameter),
        }
    }
    if header.contains_key("alg") {
        Ok(())
    } else {
        Err(Rejection::Algorithm)
    }
}

/// Checks `exp`, `iat` and `nbf` with integer arithmetic (no panic on extreme values) and
/// returns `exp`. A token may live (`exp` - `iat`) at most `max_lifetime` seconds: an Auth0
/// login transaction lives at most an hour, and the replay store then remembers a token no
/// longer than its login can last.
fn check_time_claims(
    claims: &Map<String, Value>,
    now: i64,
    max_lifetime: i64,
) -> Result<i64, Rejection> {
    let expires_at = integer_claim(claims, names::EXPIRES)?.ok_or(Rejection::MissingExpiry)?;
    // Strictly in the future: the exact second of `exp` is already too late.
    if expires_at <= now {
        return Err(Rejection::Expired);
    }
    let issued_at = integer_claim(claims, names::ISSUED_AT)?.ok_or(Rejection::MissingIssuedAt)?;
    if issued_at > now.saturating_add(CLOCK_LEEWAY_SECS) {
        return Err(Rejection::IssuedInFuture);
    }
    // `iat` is at most `now` + leeway here, so the second bound holds even for an `iat` in
    // the far past.
    if expires_at.saturating_sub(issued_at) > max_lifetime || expires_at - now > max_lifetime {
        return Err(Rejection::LifetimeTooLong);
    }
    if let Some(not_before) = integer_claim(claims, names::NOT_BEFORE)? {
        if not_before > now.saturating_add(CLOCK_LEEWAY_SECS) {
            return Err(Rejection::NotYetValid);
        }
    }
    Ok(expires_at)
}

/// A NumericDate claim. Auth0 writes whole seconds; anything else (a string, a fraction,
/// `null`) is refused rather than interpreted.
fn integer_claim(claims: &Map<String, Value>, name: &str) -> Result<Option<i64>, Rejection> {
    match claims.get(name) {
        None => Ok(None),
        Some(value) => value.as_i64().map(Some).ok_or(Rejection::ClaimType),
    }
}

/// Strict base64url: only the URL-safe alphabet, no padding, no stray trailing bits.
fn decode_base64url(part: &str) -> Result<Vec<u8>, Rejection> {
    if !part
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return Err(Rejection::Base64);
    }
    URL_SAFE_NO_PAD.decode(part).map_err(|_| Rejection::Base64)
}
