//! Minting the continue token Auth0's `/continue` validates (docs/contract.md#continue-token),
//! the URL the page posts it to, and the body that hands both to the page
//! (docs/contract.md#continue).

use std::fmt;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use chrono::{DateTime, Utc};
use rand::RngCore as _;
use serde::ser::{Serialize, SerializeMap, Serializer};
use stopover_protocol::claims::names;
use stopover_protocol::launch::STATE_PARAMETER;
use stopover_protocol::{CleanAnswers, FormDefinition, FormRef, LoginState};

use crate::config::{AnswersClaim, Tenant};
use crate::management::StoredRecord;
use crate::verify::JWT_HEADER_B64;

/// Why a continue token could not be minted (a time out of chrono's range or a serialisation
/// failure; neither happens with a checked configuration and a sane clock).
#[derive(Debug, thiserror::Error)]
pub enum MintError {
    #[error("time out of range")]
    Time,
    #[error("cannot serialise the token: {0}")]
    Serialise(String),
}

/// A minted continue token: the fixed header, the claims and the signature, each base64url
/// without padding, joined by dots. Only [`mint_continue_token`] makes one, so nothing in it
/// ever needs escaping in JSON or a URL ([`continue_body`] copies it as it is). Its `Debug`
/// never prints it.
#[derive(Clone, PartialEq, Eq)]
pub struct ContinueToken(String);

impl ContinueToken {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ContinueToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ContinueToken({} bytes)", self.0.len())
    }
}

/// What the signer knows about the login step it is closing.
#[derive(Debug)]
pub struct MintRequest<'a> {
    pub tenant: &'a Tenant,
    /// The session token's `iss`, as the Action spelt it: the continue token's `iss` unless
    /// the tenant configures `continue_issuer`.
    pub issuer: &'a str,
    /// The session token's `sub`.
    pub subject: &'a str,
    pub state: &'a LoginState,
    /// The form as this login asked it ([`FormDefinition::for_login`]).
    pub form: &'a FormDefinition,
    pub answers: CleanAnswers,
    /// Where the token carries `answers`.
    pub answers_claim: &'a AnswersClaim,
    /// Unix seconds.
    pub now: i64,
}

/// A minted continue token: header `{"alg":"HS256","typ":"JWT"}`, claims `iss`, `sub`,
/// `state`, `iat`, `exp` (`iat` + the tenant's ttl), `jti`, `form` and the answers, under
/// the configured answers claim (`answers` by default) or as top-level claims.
pub fn mint_continue_token(request: MintRequest<'_>) -> Result<ContinueToken, MintError> {
    mint_continue_token_with_record(request, None)
}

/// The continue token's claims: `exp`, `iat`, its own, the answers where the configuration
/// puts them, and after a back-channel store the `stored` record.
struct ContinueTokenClaims<'a> {
    exp: i64,
    iat: i64,
    iss: &'a str,
    sub: &'a str,
    state: &'a str,
    jti: String,
    form: FormRef,
    answers: CleanAnswers,
    answers_claim: &'a AnswersClaim,
    stored: Option<&'a StoredRecord>,
}

impl Serialize for ContinueTokenClaims<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry(names::EXPIRES, &self.exp)?;
        map.serialize_entry(names::ISSUED_AT, &self.iat)?;
        map.serialize_entry(names::ISSUER, self.iss)?;
        map.serialize_entry(names::SUBJECT, self.sub)?;
        map.serialize_entry(names::STATE, self.state)?;
        map.serialize_entry("jti", &self.jti)?;
        map.serialize_entry(names::FORM, &self.form)?;
        match self.answers_claim {
            AnswersClaim::Named(name) => map.serialize_entry(name, &self.answers)?,
            // The configuration check refuses a field id that is a claim of the token's own.
            AnswersClaim::TopLevel => {
                for (field, answer) in &self.answers.0 {
                    map.serialize_entry(field, answer)?;
                }
            }
        }
        if let Some(stored) = self.stored {
            map.serialize_entry("stored", stored)?;
        }
        map.end()
    }
}

/// As [`mint_continue_token`], with a `stored` claim naming the metadata keys the signer
/// wrote through the Management API (`request.answers` then holds only the answers that
/// travel in the token).
pub fn mint_continue_token_with_record(
    request: MintRequest<'_>,
    stored: Option<&StoredRecord>,
) -> Result<ContinueToken, MintError> {
    let tenant = request.tenant;
    let ttl = i64::try_from(tenant.ttl_seconds).map_err(|_| MintError::Time)?;
    let issued_at = request.now;
    let expires_at = request.now.saturating_add(ttl);
    // Times a JWT library can read back (chrono's range), as before.
    for time in [issued_at, expires_at] {
        DateTime::<Utc>::from_timestamp(time, 0).ok_or(MintError::Time)?;
    }
    let claims = ContinueTokenClaims {
        exp: expires_at,
        iat: issued_at,
        iss: tenant.continue_issuer.as_deref().unwrap_or(request.issuer),
        sub: request.subject,
        state: request.state.as_str(),
        jti: random_id(),
        form: FormRef {
            id: request.form.id.0.clone(),
            version: request.form.version.clone(),
            // A form with a per-login cap, as this login asked it, holds just the questions
            // it asked.
            asked: request.form.max_fields_per_login.map(|_| {
                let questions = request.form.fields.iter();
                questions
                    .filter(|field| field.kind.takes_answer())
                    .map(|field| field.id.clone())
                    .collect()
            }),
        },
        answers: request.answers,
        answers_claim: request.answers_claim,
        stored,
    };
    // Room for the claims of a usual form at once (serde_json's `to_vec` starts at 128 bytes
    // and grows by copying).
    let mut json = Vec::with_capacity(CLAIMS_CAPACITY);
    serde_json::to_writer(&mut json, &claims)
        .map_err(|error| MintError::Serialise(error.to_string()))?;
    // header.claims.signature, each base64url without padding, written into one string.
    let mut token = String::with_capacity(JWT_HEADER_B64.len() + json.len() * 4 / 3 + 64);
    token.push_str(JWT_HEADER_B64);
    token.push('.');
    URL_SAFE_NO_PAD.encode_string(&json, &mut token);
    let signature = tenant.key.sign(token.as_bytes());
    token.push('.');
    URL_SAFE_NO_PAD.encode_string(signature, &mut token);
    Ok(ContinueToken(token))
}

/// The bytes first set aside for a continue token's claims as JSON: the demo's profile form
/// takes 407.
const CLAIMS_CAPACITY: usize = 1024;

/// `{scheme}://{host}/continue?state={state}`: `host` is the tenant's bare host name, or the
/// host the token asks for (`continue_host` or `continue_uri`) when (and only when) the tenant
/// lists it. The state goes in as it is: a [`LoginState`] holds only the RFC 3986 unreserved
/// characters that percent-encoding leaves alone (a test holds the two rules together).
pub fn continue_url(tenant: &Tenant, requested_host: Option<&str>, state: &LoginState) -> String {
    let host = tenant.continue_host(requested_host);
    format!(
        "{}://{}/continue?state={}",
        tenant.scheme.as_str(),
        host,
        state.as_str()
    )
}

/// The 200 body of `POST /api/continue`: [`ContinueResponse`] exactly as serde_json writes it
/// (a test holds the two together byte for byte: keys in `BTreeMap` order), with the state and
/// the token copied as they are. Neither can need escaping (a [`LoginState`] is RFC 3986
/// unreserved characters, a [`ContinueToken`] base64url and dots), and passing the token's
/// several hundred bytes through serde_json's escaper was 7.6k instructions a request, 4 % of
/// all of it (BENCHMARKS.md).
pub fn continue_body(
    continue_url: &str,
    state: &LoginState,
    token_parameter: &str,
    token: &ContinueToken,
) -> Result<Vec<u8>, MintError> {
    let (state, token) = (state.as_str(), token.as_str());
    let mut body = Vec::with_capacity(
        continue_url.len() + token_parameter.len() + state.len() + token.len() + 64,
    );
    let serialise = |error: serde_json::Error| MintError::Serialise(error.to_string());
    body.extend_from_slice(b"{\"continue_url\":");
    serde_json::to_writer(&mut body, continue_url).map_err(serialise)?;
    body.extend_from_slice(b",\"fields\":{");
    let mut entries = [(STATE_PARAMETER, state), (token_parameter, token)];
    entries.sort_unstable_by_key(|(key, _)| *key);
    for (n, (key, value)) in entries.into_iter().enumerate() {
        if n > 0 {
            body.push(b',');
        }
        serde_json::to_writer(&mut body, key).map_err(serialise)?;
        body.extend_from_slice(b":\"");
        body.extend_from_slice(value.as_bytes());
        body.push(b'"');
    }
    body.extend_from_slice(b"}}");
    Ok(body)
}

/// 128 random bits, base64url.
fn random_id() -> String {
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use std::collections::BTreeMap;

    use stopover_protocol::launch::percent_encode_unreserved;
    use stopover_protocol::ContinueResponse;

    use super::*;
    use crate::config::Config;

    const DEMO_CONFIG: &str = include_str!("../../../config/demo.toml");

    #[test]
    fn a_login_state_needs_no_percent_encoding_in_the_continue_url() {
        // Every byte a state may hold, and each byte it may not: refused, or left alone.
        for byte in 0..=u8::MAX {
            let text = String::from_utf8_lossy(&[b'a', byte]).into_owned();
            if let Ok(state) = LoginState::parse(&text) {
                assert_eq!(percent_encode_unreserved(state.as_str()), state.as_str());
            }
        }
        let env = |name: &str| (name == "STOPOVER_DEMO_SECRET").then(|| "s".repeat(48));
        let config = Config::from_toml(DEMO_CONFIG, &env).unwrap();
        let tenant = &config.tenants[0];
        let state = LoginState::parse("aZ09-._~").unwrap();
        assert!(continue_url(tenant, None, &state).ends_with("/continue?state=aZ09-._~"));
    }

    #[test]
    fn the_continue_body_is_the_continue_response_as_serde_json_writes_it() {
        let env = |name: &str| (name == "STOPOVER_DEMO_SECRET").then(|| "s".repeat(48));
        let mut config = Config::from_toml(DEMO_CONFIG, &env).unwrap();
        let state = LoginState::parse("hKFo2SBh-c3Rh._dGU~").unwrap();
        // Names before, after and around `state`, so both orders of the keys are written.
        for parameter in [
            "session_token",
            "token",
            "a",
            "stat",
            "statf",
            "STATE",
            "z-9_",
        ] {
            config.tenants[0].token_parameter = parameter.to_owned();
            let tenant = &config.tenants[0];
            let token = mint_continue_token(MintRequest {
                tenant,
                issuer: &tenant.issuer,
                subject: "auth0|\"quoted\"",
                state: &state,
                form: &config.forms["profile"],
                answers: CleanAnswers::default(),
                answers_claim: &tenant.answers_claim,
                now: 1_800_000_000,
            })
            .unwrap();
            assert!(
                token
                    .as_str()
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.'),
                "a continue token is base64url and dots, nothing to escape"
            );
            // A URL with characters JSON escapes, as the configuration could spell one.
            let url = "https://login.example.com/continue?state=\"\\\u{7f}\u{1}é";
            let body = continue_body(url, &state, parameter, &token).unwrap();
            let expected = serde_json::to_vec(&ContinueResponse {
                continue_url: url.to_owned(),
                fields: BTreeMap::from([
                    ("state".to_owned(), state.as_str().to_owned()),
                    (parameter.to_owned(), token.as_str().to_owned()),
                ]),
            })
            .unwrap();
            assert_eq!(
                String::from_utf8(body).unwrap(),
                String::from_utf8(expected).unwrap(),
                "token parameter {parameter}"
            );
        }
    }
}
