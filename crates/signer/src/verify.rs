//! Where the session token is verified: the signer's trust boundary.
//!
//! The checks run in the order RFC 8725 suggests, cheapest and least trusting first:
//! size -> structure -> header -> key choice -> MAC -> claims. The MAC is computed with the
//! tenant's prepared key and compared in constant time ([`crate::hs256`]); the claims are read
//! once, strictly, into the types the signer uses. jwt-compact's own verification is not used:
//! it ignores `crit` and other header parameters, parses claims before the MAC, accepts the
//! exact second of `exp`, can panic in `validate_maturity` on an extreme `nbf`, and has no
//! size limit.
//!
//! Every failure is one [`Rejection`]: the caller answers one opaque 401 and logs the reason,
//! never the token.

use std::fmt;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use chrono::{DateTime, Utc};
use jwt_compact::Claims;
use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde_json::{Map, Value};
use stopover_protocol::claims::names;
use stopover_protocol::limits::CLOCK_LEEWAY_SECS;
use stopover_protocol::{SessionClaims, SessionToken, SessionTokenError};

use crate::config::{issuer_host, Tenant};
use crate::hs256::SIGNATURE_BYTES;
use crate::strict_json::{parse_object, Key, Loose, LooseObject, ObjectError, SeenKeys};

/// The only algorithm accepted, spelled exactly.
pub const ALGORITHM: &str = "HS256";
/// The only token type accepted when `typ` is present.
pub const TOKEN_TYPE: &str = "JWT";
/// The header Auth0's `encodeToken` writes and the continue token carries,
/// `{"alg":"HS256","typ":"JWT"}`, in base64url: a session token whose header is exactly this
/// needs no header parsing (any other spelling of a header is decoded and checked).
pub const JWT_HEADER_B64: &str = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9";

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
    let mut parts = raw.split('.');
    let (Some(header_b64), Some(claims_b64), Some(signature_b64), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(Rejection::Structure);
    };
    if header_b64.is_empty() || claims_b64.is_empty() || signature_b64.is_empty() {
        return Err(Rejection::Structure);
    }
    // The header `encodeToken` writes is read once, as text; any other is decoded and read.
    let header_json = if header_b64 == JWT_HEADER_B64 {
        None
    } else {
        Some(decode_base64url(header_b64)?)
    };
    let claims_json = decode_base64url(claims_b64)?;
    let signature = decode_base64url(signature_b64)?;

    // Header: exactly `alg: HS256`, perhaps `typ: JWT`, nothing else.
    if let Some(header_json) = header_json {
        let header = parse_object(&header_json).map_err(|error| match error {
            ObjectError::Duplicate => Rejection::DuplicateKey,
            ObjectError::Json => Rejection::HeaderNotJson,
        })?;
        check_header(&header)?;
    }

    // Claims, read once (strictly: a repeated key anywhere is refused) and not yet trusted.
    let claims: ReadClaims<'_> =
        serde_json::from_slice(&claims_json).map_err(|error| match ObjectError::of(&error) {
            ObjectError::Duplicate => Rejection::DuplicateKey,
            ObjectError::Json => Rejection::ClaimsNotJson,
        })?;

    // Key choice: the unverified `iss` only selects among configured keys.
    let issuer = match &claims.iss {
        None => return Err(Rejection::MissingIssuer),
        Some(Loose::String(issuer)) => issuer,
        Some(_) => return Err(Rejection::ClaimType),
    };
    let host = issuer_host(issuer).ok_or(Rejection::UnknownIssuer)?;
    let tenant = tenants
        .iter()
        .find(|tenant| tenant.issuer == host)
        .ok_or(Rejection::UnknownIssuer)?;

    // MAC, with the tenant's prepared key, compared in constant time.
    if signature.len() != SIGNATURE_BYTES {
        return Err(Rejection::BadSignature);
    }
    let signed_data = &raw[..header_b64.len() + 1 + claims_b64.len()];
    if !tenant.key.verify(signed_data.as_bytes(), &signature) {
        return Err(Rejection::BadSignature);
    }

    // Claims, from here on authentic.
    let times = check_time_claims(&claims, now, tenant.max_session_lifetime_secs)?;
    let subject = match &claims.sub {
        None => return Err(Rejection::MissingSubject),
        Some(Loose::String(subject)) if !subject.is_empty() => subject,
        Some(Loose::String(_)) => return Err(Rejection::MissingSubject),
        Some(_) => return Err(Rejection::ClaimType),
    };
    let custom = SessionClaims {
        sub: subject.clone().into_owned(),
        iss: issuer.clone().into_owned(),
        ip: optional_string(&claims.ip)?,
        form: optional_string(&claims.form)?,
        prefill: match claims.prefill {
            None | Some(LooseObject::Null) => None,
            Some(LooseObject::Object(prefill)) => Some(prefill),
            Some(LooseObject::Other) => return Err(Rejection::ClaimType),
        },
        locale: optional_string(&claims.locale)?,
        continue_host: optional_string(&claims.continue_host)?,
        continue_uri: optional_string(&claims.continue_uri)?,
        // Shown by the page only; nothing the signer decides depends on it.
        previous_consents: None,
    };
    // A time outside chrono's range (only a far-past `nbf` gets this far) is a claim of the
    // wrong type.
    let time =
        |seconds: i64| DateTime::<Utc>::from_timestamp(seconds, 0).ok_or(Rejection::ClaimType);
    let mut typed = Claims::new(custom);
    typed.expiration = Some(time(times.expires_at)?);
    typed.issued_at = Some(time(times.issued_at)?);
    typed.not_before = times.not_before.map(time).transpose()?;
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
        expires_at: times.expires_at,
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

/// The time claims of a session token that passed [`check_time_claims`], Unix seconds.
struct TimeClaims {
    expires_at: i64,
    issued_at: i64,
    not_before: Option<i64>,
}

/// Checks `exp`, `iat` and `nbf` with integer arithmetic (no panic on extreme values). A
/// token may live (`exp` - `iat`) at most `max_lifetime` seconds: an Auth0 login transaction
/// lives at most an hour, and the replay store then remembers a token no longer than its
/// login can last.
fn check_time_claims(
    claims: &ReadClaims<'_>,
    now: i64,
    max_lifetime: i64,
) -> Result<TimeClaims, Rejection> {
    let expires_at = integer_claim(claims.exp.as_ref())?.ok_or(Rejection::MissingExpiry)?;
    // Strictly in the future: the exact second of `exp` is already too late.
    if expires_at <= now {
        return Err(Rejection::Expired);
    }
    let issued_at = integer_claim(claims.iat.as_ref())?.ok_or(Rejection::MissingIssuedAt)?;
    if issued_at > now.saturating_add(CLOCK_LEEWAY_SECS) {
        return Err(Rejection::IssuedInFuture);
    }
    // `iat` is at most `now` + leeway here, so the second bound holds even for an `iat` in
    // the far past.
    if expires_at.saturating_sub(issued_at) > max_lifetime || expires_at - now > max_lifetime {
        return Err(Rejection::LifetimeTooLong);
    }
    let not_before = integer_claim(claims.nbf.as_ref())?;
    if let Some(not_before) = not_before {
        if not_before > now.saturating_add(CLOCK_LEEWAY_SECS) {
            return Err(Rejection::NotYetValid);
        }
    }
    Ok(TimeClaims {
        expires_at,
        issued_at,
        not_before,
    })
}

/// A NumericDate claim. Auth0 writes whole seconds; anything else (a string, a fraction,
/// `null`) is refused rather than interpreted.
fn integer_claim(claim: Option<&Loose<'_>>) -> Result<Option<i64>, Rejection> {
    match claim {
        None => Ok(None),
        Some(Loose::Integer(seconds)) => Ok(Some(*seconds)),
        Some(_) => Err(Rejection::ClaimType),
    }
}

/// An optional text claim: absent or `null` is none, a string is itself, anything else is
/// refused.
fn optional_string(claim: &Option<Loose<'_>>) -> Result<Option<String>, Rejection> {
    match claim {
        None | Some(Loose::Null) => Ok(None),
        Some(Loose::String(text)) => Ok(Some(text.clone().into_owned())),
        Some(_) => Err(Rejection::ClaimType),
    }
}

/// The claims of a session token as read, before any is trusted: the ones Stopover reads,
/// each with whatever JSON type it had (judged in the order the checks run), strings
/// borrowed from the decoded claims where they have no escapes. Every other claim (Auth0's
/// `ip` aside, an Action's `nonce` and the like) is walked for repeated keys and dropped.
#[derive(Debug, Default)]
struct ReadClaims<'de> {
    iss: Option<Loose<'de>>,
    sub: Option<Loose<'de>>,
    exp: Option<Loose<'de>>,
    iat: Option<Loose<'de>>,
    nbf: Option<Loose<'de>>,
    ip: Option<Loose<'de>>,
    form: Option<Loose<'de>>,
    prefill: Option<LooseObject>,
    locale: Option<Loose<'de>>,
    continue_host: Option<Loose<'de>>,
    continue_uri: Option<Loose<'de>>,
}

impl<'de> Deserialize<'de> for ReadClaims<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(ReadClaimsVisitor)
    }
}

struct ReadClaimsVisitor;

impl<'de> Visitor<'de> for ReadClaimsVisitor {
    type Value = ReadClaims<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object of claims")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<ReadClaims<'de>, A::Error> {
        let mut claims = ReadClaims::default();
        let mut seen = SeenKeys::default();
        while let Some(Key(name)) = access.next_key()? {
            seen.insert(name.clone())?;
            let slot = match name.as_ref() {
                names::ISSUER => &mut claims.iss,
                names::SUBJECT => &mut claims.sub,
                names::EXPIRES => &mut claims.exp,
                names::ISSUED_AT => &mut claims.iat,
                names::NOT_BEFORE => &mut claims.nbf,
                names::IP => &mut claims.ip,
                names::FORM => &mut claims.form,
                names::PREFILL => {
                    claims.prefill = Some(access.next_value()?);
                    continue;
                }
                names::LOCALE => &mut claims.locale,
                names::CONTINUE_HOST => &mut claims.continue_host,
                names::CONTINUE_URI => &mut claims.continue_uri,
                _ => {
                    access.next_value::<Loose<'de>>()?;
                    continue;
                }
            };
            *slot = Some(access.next_value()?);
        }
        Ok(claims)
    }
}

/// Strict base64url: only the URL-safe alphabet, no padding, no stray trailing bits. The
/// engine refuses all three itself (`URL_SAFE_NO_PAD`: the URL-safe alphabet, padding
/// `RequireNone`, trailing bits not allowed); the hostile-token tests hold each refusal.
fn decode_base64url(part: &str) -> Result<Vec<u8>, Rejection> {
    URL_SAFE_NO_PAD.decode(part).map_err(|_| Rejection::Base64)
}
