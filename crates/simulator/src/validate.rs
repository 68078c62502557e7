//! `api.redirect.validateToken`: the checks Auth0 makes on the token a stopover sends back to
//! `/continue`, in the order a person would want to hear about them.

use std::fmt;

use jwt_compact::alg::{Hs256, Hs256Key, Hs256Signature};
use jwt_compact::{Algorithm, AlgorithmSignature, UntrustedToken};
use serde_json::{Map, Value};
use stopover_protocol::limits::MAX_TOKEN_BYTES;

use crate::config::Secret;

/// How far ahead `exp` must be when the token reaches `/continue`, in seconds.
pub const MIN_SECONDS_TO_EXPIRY: i64 = 60;

/// A token that passed every check: the claims `onContinuePostLogin` reads.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidatedContinue {
    /// The `form` claim (`{"id", "version"}` from the signer), `null` when absent.
    pub form: Value,
    /// The `answers` claim, empty when absent.
    pub answers: Map<String, Value>,
    /// The `stored` claim (`{"user_metadata": [keys], "app_metadata": [keys]}`): what the
    /// signer already wrote through the Management API; absent when it wrote nothing.
    pub stored: Option<Map<String, Value>>,
}

/// Why `/continue` refused a token; the text is what the error page shows.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenRejection {
    #[error("The session token is missing: no `{0}` parameter was sent.")]
    Missing(String),
    #[error("The session token is malformed.")]
    Malformed,
    #[error("The session token must be signed with HS256.")]
    WrongAlgorithm,
    #[error("Invalid session token signature.")]
    BadSignature,
    #[error("The session token has expired.")]
    Expired,
    #[error("Missing or invalid standard claims: {0}.")]
    StandardClaims(ClaimProblem),
    #[error("The state in the session token does not match the state parameter.")]
    StateMismatch,
}

/// Which standard claim was missing or unacceptable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClaimProblem {
    Unreadable,
    MissingIssuedAt,
    MissingExpiry,
    ExpiresTooSoon,
    MissingSubject,
    OtherSubject,
    MissingIssuer,
    MissingState,
}

impl fmt::Display for ClaimProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Unreadable => "the claims cannot be read",
            Self::MissingIssuedAt => "`iat` is missing",
            Self::MissingExpiry => "`exp` is missing",
            Self::ExpiresTooSoon => "`exp` is less than 60 seconds ahead",
            Self::MissingSubject => "`sub` is missing",
            Self::OtherSubject => "`sub` is not the user of this login",
            Self::MissingIssuer => "`iss` is missing",
            Self::MissingState => "`state` is missing",
        })
    }
}

/// Checks `token` as `validateToken` does for the login transaction of `expected_sub` with
/// the `state` parameter `state`, at Unix time `now`.
pub fn validate_continue_token(
    token: &str,
    secret: &Secret,
    state: &str,
    expected_sub: &str,
    now: i64,
) -> Result<ValidatedContinue, TokenRejection> {
    use ClaimProblem as P;
    use TokenRejection::StandardClaims;

    if token.len() > MAX_TOKEN_BYTES {
        return Err(TokenRejection::Malformed);
    }
    let untrusted = UntrustedToken::new(token).map_err(|_| TokenRejection::Malformed)?;
    if untrusted.algorithm() != "HS256" {
        return Err(TokenRejection::WrongAlgorithm);
    }
    verify_signature(token, &untrusted, secret)?;
    // The signature is verified above, so these claims come from the key holder.
    let claims = untrusted
        .deserialize_claims_unchecked::<Map<String, Value>>()
        .map_err(|_| StandardClaims(P::Unreadable))?;

    let expires = claims
        .expiration
        .ok_or(StandardClaims(P::MissingExpiry))?
        .timestamp();
    if expires <= now {
        return Err(TokenRejection::Expired);
    }
    if expires < now.saturating_add(MIN_SECONDS_TO_EXPIRY) {
        return Err(StandardClaims(P::ExpiresTooSoon));
    }
    if claims.issued_at.is_none() {
        return Err(StandardClaims(P::MissingIssuedAt));
    }
    let custom = claims.custom;
    let sub = text_claim(&custom, "sub").ok_or(StandardClaims(P::MissingSubject))?;
    if sub != expected_sub {
        return Err(StandardClaims(P::OtherSubject));
    }
    text_claim(&custom, "iss").ok_or(StandardClaims(P::MissingIssuer))?;
    let token_state = text_claim(&custom, "state").ok_or(StandardClaims(P::MissingState))?;
    if token_state != state {
        return Err(TokenRejection::StateMismatch);
    }

    Ok(ValidatedContinue {
        form: custom.get("form").cloned().unwrap_or(Value::Null),
        answers: custom
            .get("answers")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default(),
        stored: custom.get("stored").and_then(Value::as_object).cloned(),
    })
}

/// The HMAC-SHA256 of `header.payload` with the secret, before any claim is looked at.
fn verify_signature(
    token: &str,
    untrusted: &UntrustedToken<'_>,
    secret: &Secret,
) -> Result<(), TokenRejection> {
    let (signed_data, _) = token.rsplit_once('.').ok_or(TokenRejection::Malformed)?;
    let signature = Hs256Signature::try_from_slice(untrusted.signature_bytes())
        .map_err(|_| TokenRejection::BadSignature)?;
    let key = Hs256Key::new(secret.as_bytes());
    if Hs256.verify_signature(&signature, &key, signed_data.as_bytes()) {
        Ok(())
    } else {
        Err(TokenRejection::BadSignature)
    }
}

fn text_claim<'a>(claims: &'a Map<String, Value>, name: &str) -> Option<&'a str> {
    claims
        .get(name)
        .and_then(Value::as_str)
        .filter(|text| !text.is_empty())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine as _;
    use hmac::{Hmac, Mac};
    use serde_json::json;
    use sha2::Sha256;

    const SECRET: &str = "the simulator's test secret, 32+ bytes long";
    const STATE: &str = "state-123";
    const SUB: &str = "auth0|bruno";
    const NOW: i64 = 1_800_000_000;

    /// A token built by hand: any header, any claims, signed with `secret`.
    fn hand_made(header: &Value, claims: &Value, secret: &str) -> String {
        let signed = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
        mac.update(signed.as_bytes());
        let signature = URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes());
        format!("{signed}.{signature}")
    }

    fn good_claims() -> Value {
        json!({
            "iss": "127.0.0.1:8780", "sub": SUB, "state": STATE,
            "iat": NOW, "exp": NOW + 120, "jti": "j1",
            "form": {"id": "profile", "version": "3"},
            "answers": {"company": "Keller AG"},
        })
    }

    fn with(mut claims: Value, name: &str, value: Value) -> Value {
        claims[name] = value;
        claims
    }

    fn without(mut claims: Value, name: &str) -> Value {
        claims.as_object_mut().unwrap().remove(name);
        claims
    }

    fn check(token: &str) -> Result<ValidatedContinue, TokenRejection> {
        validate_continue_token(token, &Secret::new(SECRET), STATE, SUB, NOW)
    }

    fn hs256() -> Value {
        json!({"alg": "HS256", "typ": "JWT"})
    }

    #[test]
    fn a_good_token_gives_its_form_and_answers() {
        let validated = check(&hand_made(&hs256(), &good_claims(), SECRET)).unwrap();
        assert_eq!(validated.form, json!({"id": "profile", "version": "3"}));
        assert_eq!(validated.answers["company"], "Keller AG");
    }

    #[test]
    fn a_token_made_with_jwt_compact_is_accepted() {
        use jwt_compact::{AlgorithmExt, Claims, Header};
        let mut claims = Claims::new(without(without(good_claims(), "iat"), "exp"));
        claims.issued_at = chrono::DateTime::from_timestamp(NOW, 0);
        claims.expiration = chrono::DateTime::from_timestamp(NOW + 61, 0);
        let token = Hs256
            .token(
                &Header::empty().with_token_type("JWT"),
                &claims,
                &Hs256Key::new(SECRET),
            )
            .unwrap();
        assert!(check(&token).is_ok());
    }

    #[test]
    fn a_token_signed_with_another_secret_is_rejected() {
        let token = hand_made(
            &hs256(),
            &good_claims(),
            "another secret of thirty-two bytes!",
        );
        assert_eq!(check(&token), Err(TokenRejection::BadSignature));
    }

    #[test]
    fn a_tampered_payload_is_rejected() {
        let token = hand_made(&hs256(), &good_claims(), SECRET);
        let mut parts: Vec<&str> = token.split('.').collect();
        let forged = URL_SAFE_NO_PAD
            .encode(with(good_claims(), "answers", json!({"company": "Evil"})).to_string());
        parts[1] = &forged;
        assert_eq!(check(&parts.join(".")), Err(TokenRejection::BadSignature));
    }

    #[test]
    fn a_signature_is_checked_before_the_claims() {
        let token = hand_made(
            &hs256(),
            &with(good_claims(), "exp", json!("soon")),
            "wrong key",
        );
        assert_eq!(check(&token), Err(TokenRejection::BadSignature));
    }

    #[test]
    fn other_algorithms_are_rejected() {
        for alg in ["none", "HS512", "RS256"] {
            let token = hand_made(&json!({"alg": alg}), &good_claims(), SECRET);
            assert_eq!(check(&token), Err(TokenRejection::WrongAlgorithm), "{alg}");
        }
    }

    #[test]
    fn garbage_is_malformed() {
        for token in ["", "abc", "a.b", "a.b.c", &"x".repeat(MAX_TOKEN_BYTES + 1)] {
            assert_eq!(check(token), Err(TokenRejection::Malformed), "{token}");
        }
    }

    #[test]
    fn an_expired_token_is_rejected() {
        let token = hand_made(
            &hs256(),
            &with(good_claims(), "exp", json!(NOW - 1)),
            SECRET,
        );
        assert_eq!(check(&token), Err(TokenRejection::Expired));
        let token = hand_made(&hs256(), &with(good_claims(), "exp", json!(NOW)), SECRET);
        assert_eq!(check(&token), Err(TokenRejection::Expired));
    }

    #[test]
    fn exp_less_than_sixty_seconds_ahead_is_rejected() {
        let token = hand_made(
            &hs256(),
            &with(good_claims(), "exp", json!(NOW + 59)),
            SECRET,
        );
        assert_eq!(
            check(&token),
            Err(TokenRejection::StandardClaims(ClaimProblem::ExpiresTooSoon))
        );
        let token = hand_made(
            &hs256(),
            &with(good_claims(), "exp", json!(NOW + 60)),
            SECRET,
        );
        assert!(check(&token).is_ok());
    }

    #[test]
    fn each_missing_standard_claim_is_rejected() {
        let cases = [
            ("iat", ClaimProblem::MissingIssuedAt),
            ("exp", ClaimProblem::MissingExpiry),
            ("sub", ClaimProblem::MissingSubject),
            ("iss", ClaimProblem::MissingIssuer),
            ("state", ClaimProblem::MissingState),
        ];
        for (claim, problem) in cases {
            let token = hand_made(&hs256(), &without(good_claims(), claim), SECRET);
            assert_eq!(
                check(&token),
                Err(TokenRejection::StandardClaims(problem)),
                "{claim}"
            );
        }
    }

    #[test]
    fn an_unreadable_time_claim_is_rejected_as_invalid_standard_claims() {
        let token = hand_made(&hs256(), &with(good_claims(), "iat", json!("now")), SECRET);
        assert_eq!(
            check(&token),
            Err(TokenRejection::StandardClaims(ClaimProblem::Unreadable))
        );
    }

    #[test]
    fn a_token_for_another_user_is_rejected() {
        let token = hand_made(
            &hs256(),
            &with(good_claims(), "sub", json!("auth0|amara")),
            SECRET,
        );
        assert_eq!(
            check(&token),
            Err(TokenRejection::StandardClaims(ClaimProblem::OtherSubject))
        );
    }

    #[test]
    fn a_token_for_another_state_is_rejected() {
        let token = hand_made(
            &hs256(),
            &with(good_claims(), "state", json!("other")),
            SECRET,
        );
        assert_eq!(check(&token), Err(TokenRejection::StateMismatch));
    }

    #[test]
    fn the_rejection_text_names_auth0s_message() {
        let text = TokenRejection::StandardClaims(ClaimProblem::MissingIssuer).to_string();
        assert_eq!(
            text,
            "Missing or invalid standard claims: `iss` is missing."
        );
    }
}
