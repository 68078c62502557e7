//! What the page reads from the session token WITHOUT trusting it.
//!
//! The signature is the signer's business: the page has no secret. It only peeks at the claims
//! to pick the form and the language, prefill fields and show how long the person has left.
//! Nothing here grants anything; the signer checks everything again.

use std::collections::BTreeMap;

use base64ct::{Base64UrlUnpadded, Encoding};
use jwt_compact::UntrustedToken;
use serde::Deserialize;
use serde_json::{Map, Value};
use stopover_protocol::{FormId, PreviousConsent, UntrustedSessionClaims};

use crate::launch::SessionToken;

/// The claims the page uses, as read (not verified) from the session token.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Session {
    /// The form the Action asked for; `None`: the signer picks the issuer's form.
    pub form: Option<FormId>,
    /// The tenant that issued the token (`iss`), as written there.
    pub issuer: Option<String>,
    /// Field values to start with, keyed by prefill key. Its values are never logged.
    pub prefill: Map<String, Value>,
    /// The person's language (BCP 47), if the Action gave one.
    pub locale: Option<String>,
    /// Unix seconds after which the signer will refuse the token.
    pub expires_at: Option<i64>,
    /// Earlier acceptances this form renews, by consent field id: shown beside the new
    /// version ("You accepted version X on DATE"), nothing more.
    pub previous_consents: BTreeMap<String, PreviousConsent>,
}

/// The one registered claim the page reads, `exp` (Unix seconds, any JSON number).
#[derive(Deserialize)]
struct TimeClaims {
    #[serde(default)]
    exp: Option<f64>,
}

/// Why the token cannot even be read: the link is damaged.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SessionError {
    #[error("the session token is not a JWT")]
    Malformed,
    #[error("the session token's claims are not readable")]
    UnreadableClaims,
}

impl Session {
    /// Reads the claims of `token` without checking its signature: jwt-compact checks that it
    /// is a JWT (three base64url parts, a JSON header naming an algorithm), then the claims are
    /// read from its payload as JSON. Not through jwt-compact's `Claims<T>`: it flattens the
    /// custom claims beside the time claims, and serde's `flatten` buffers every value of the
    /// payload first, 18 kB of the page's wasm (5.9 kB brotli) for the same result.
    pub fn read_untrusted(token: &SessionToken) -> Result<Self, SessionError> {
        UntrustedToken::new(token.as_str()).map_err(|_| SessionError::Malformed)?;
        let payload = token
            .as_str()
            .split('.')
            .nth(1)
            .and_then(|part| Base64UrlUnpadded::decode_vec(part).ok())
            .ok_or(SessionError::Malformed)?;
        let claims = serde_json::from_slice::<UntrustedSessionClaims>(&payload)
            .map_err(|_| SessionError::UnreadableClaims)?;
        let times = serde_json::from_slice::<TimeClaims>(&payload)
            .map_err(|_| SessionError::UnreadableClaims)?;
        Ok(Self {
            form: claims.form.filter(|f| !f.is_empty()).map(FormId),
            issuer: claims.iss.filter(|iss| !iss.is_empty()),
            prefill: claims.prefill.unwrap_or_default(),
            locale: claims.locale.filter(|l| !l.is_empty()),
            // Whole seconds, as jwt-compact reads a fractional time claim.
            expires_at: times.exp.map(|exp| exp as i64),
            previous_consents: claims.previous_consents.unwrap_or_default(),
        })
    }

    /// Whole seconds left at `now` (Unix seconds); `None` when the token has no expiry.
    pub fn seconds_left(&self, now: i64) -> Option<i64> {
        self.expires_at.map(|exp| exp - now)
    }

    /// True once the token's `exp` has passed.
    pub fn is_expired(&self, now: i64) -> bool {
        self.seconds_left(now).is_some_and(|left| left <= 0)
    }
}

/// The current time in Unix seconds, from the browser's clock.
pub fn now_seconds() -> i64 {
    // A millisecond count since 1970 fits an i64 for millions of years; truncation is intended.
    (js_sys::Date::now() / 1000.0) as i64
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::DateTime;
    use jwt_compact::alg::{Hs256, Hs256Key};
    use jwt_compact::{AlgorithmExt, Claims, Header};
    use serde_json::json;

    fn token_with(custom: Value, exp: Option<i64>) -> SessionToken {
        let mut claims = Claims::new(custom);
        claims.expiration = exp.and_then(|e| DateTime::from_timestamp(e, 0));
        let raw = Hs256
            .token(&Header::empty(), &claims, &Hs256Key::new(b"some secret"))
            .unwrap();
        SessionToken::parse(&raw).unwrap()
    }

    #[test]
    fn page_claims_are_read_without_the_secret() {
        let token = token_with(
            json!({"sub": "auth0|1", "iss": "t.example", "form": "terms", "locale": "fr-CA",
                   "prefill": {"company": "ACME"}}),
            Some(2_000_000_000),
        );
        let session = Session::read_untrusted(&token).unwrap();
        assert_eq!(session.form, Some(FormId("terms".into())));
        assert_eq!(session.issuer.as_deref(), Some("t.example"));
        assert_eq!(session.locale.as_deref(), Some("fr-CA"));
        assert_eq!(session.prefill.get("company"), Some(&json!("ACME")));
        assert_eq!(session.expires_at, Some(2_000_000_000));
    }

    /// What jwt-compact's own reader of the same claims makes of `token`.
    fn as_jwt_compact_reads_it(
        token: &SessionToken,
    ) -> Option<(UntrustedSessionClaims, Option<i64>)> {
        let claims = UntrustedToken::new(token.as_str())
            .ok()?
            .deserialize_claims_unchecked::<UntrustedSessionClaims>()
            .ok()?;
        Some((claims.custom, claims.expiration.map(|exp| exp.timestamp())))
    }

    #[test]
    fn the_claims_are_those_jwt_compact_reads() {
        let tokens = [
            token_with(
                json!({"sub": "auth0|1", "iss": "t.example", "ip": "192.0.2.1", "form": "terms",
                       "locale": "fr-CA", "prefill": {"company": "ACME", "age": 40},
                       "continue_uri": "https://login.example.com/continue",
                       "previous_consents": {"tos": {"version": "3", "accepted_at": 1_700_000_000}},
                       "iat": 1_999_999_000, "aud": "unknown claims are ignored"}),
                Some(2_000_000_000),
            ),
            token_with(json!({"sub": "x"}), None),
            token_with(json!({"form": "", "locale": ""}), Some(0)),
        ];
        for token in tokens {
            let (claims, exp) = as_jwt_compact_reads_it(&token).unwrap();
            let session = Session::read_untrusted(&token).unwrap();
            assert_eq!(
                session.form,
                claims.form.filter(|f| !f.is_empty()).map(FormId)
            );
            assert_eq!(session.issuer, claims.iss);
            assert_eq!(session.locale, claims.locale.filter(|l| !l.is_empty()));
            assert_eq!(session.prefill, claims.prefill.unwrap_or_default());
            assert_eq!(
                session.previous_consents,
                claims.previous_consents.unwrap_or_default()
            );
            assert_eq!(session.expires_at, exp);
        }
    }

    #[test]
    fn a_fractional_expiry_is_read_in_whole_seconds_as_jwt_compact_reads_it() {
        // {"alg":"HS256"} . {"exp":1000.9,"form":"terms"} . "sig"
        let payload = Base64UrlUnpadded::encode_string(br#"{"exp":1000.9,"form":"terms"}"#);
        let token = SessionToken::parse(&format!("eyJhbGciOiJIUzI1NiJ9.{payload}.c2ln")).unwrap();
        let session = Session::read_untrusted(&token).unwrap();
        assert_eq!(session.expires_at, Some(1000));
        assert_eq!(as_jwt_compact_reads_it(&token).unwrap().1, Some(1000));
    }

    #[test]
    fn a_claim_of_the_wrong_type_makes_the_claims_unreadable() {
        for claims in [
            r#"{"form":5}"#,
            r#"{"exp":"soon"}"#,
            r#"{"prefill":[1]}"#,
            "[1]",
        ] {
            let payload = Base64UrlUnpadded::encode_string(claims.as_bytes());
            let raw = format!("eyJhbGciOiJIUzI1NiJ9.{payload}.c2ln");
            let token = SessionToken::parse(&raw).unwrap();
            assert_eq!(
                Session::read_untrusted(&token),
                Err(SessionError::UnreadableClaims),
                "{claims}"
            );
            assert_eq!(as_jwt_compact_reads_it(&token), None, "{claims}");
        }
    }

    #[test]
    fn absent_claims_fall_back_to_defaults() {
        let session = Session::read_untrusted(&token_with(json!({"sub": "x"}), None)).unwrap();
        assert_eq!(session, Session::default());
    }

    #[test]
    fn a_token_is_expired_once_exp_has_passed() {
        let session = Session::read_untrusted(&token_with(json!({}), Some(1000))).unwrap();
        assert!(!session.is_expired(999));
        assert!(session.is_expired(1000));
        assert_eq!(session.seconds_left(940), Some(60));
    }

    #[test]
    fn garbage_is_reported_as_malformed() {
        let token = SessionToken::parse("not-a-jwt").unwrap();
        assert_eq!(
            Session::read_untrusted(&token),
            Err(SessionError::Malformed)
        );
    }

    #[test]
    fn a_token_with_non_json_claims_is_unreadable() {
        // header {"alg":"HS256"} . "hello" . signature
        let token = SessionToken::parse("eyJhbGciOiJIUzI1NiJ9.aGVsbG8.c2ln").unwrap();
        assert_eq!(
            Session::read_untrusted(&token),
            Err(SessionError::UnreadableClaims)
        );
    }
}
