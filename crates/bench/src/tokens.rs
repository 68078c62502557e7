//! Request bodies for `POST /api/continue`, each with a fresh `state` and a session token
//! minted for it as an Auth0 Action's `api.redirect.encodeToken` would.
//!
//! The bodies go to a file the wrk script walks through, so every request passes the
//! signer's single-use check. The file holds tokens: it lives in a temporary directory and is
//! never printed.

use std::io::{BufWriter, Write as _};
use std::path::Path;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use chrono::{DateTime, Utc};
use jwt_compact::alg::{Hs256, Hs256Key};
use jwt_compact::{AlgorithmExt as _, Claims, Header};
use rand::RngCore as _;
use serde_json::{json, Map, Value};
use stopover_protocol::{validate_answers, ContinueRequest, LoginState, SessionClaims};
use stopover_signer::config::Config;
use stopover_signer::mint::{mint_continue_token, MintRequest};

use crate::BenchError;

/// The form every load-test request answers (the demo's profile form).
pub const LOAD_FORM: &str = "profile";
/// Auth0's default `expiresInSeconds`.
pub const SESSION_TOKEN_TTL_SECS: i64 = 900;

/// Mints session tokens for one tenant.
pub struct SessionMinter {
    issuer: String,
    key: Hs256Key,
}

impl std::fmt::Debug for SessionMinter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionMinter")
            .field("issuer", &self.issuer)
            .finish_non_exhaustive()
    }
}

impl SessionMinter {
    pub fn new(issuer: &str, secret: &[u8]) -> Self {
        Self {
            issuer: issuer.to_owned(),
            key: Hs256Key::new(secret),
        }
    }

    /// A session token for `subject` asking for `form`, issued at `now` (Unix seconds), with
    /// the prefill the demo's simulator sends.
    pub fn session_token(&self, subject: &str, form: &str, now: i64) -> Result<String, BenchError> {
        let mut claims = Claims::new(SessionClaims {
            sub: subject.to_owned(),
            iss: self.issuer.clone(),
            ip: Some("127.0.0.1".to_owned()),
            form: Some(form.to_owned()),
            prefill: Some(prefill()),
            locale: Some("en".to_owned()),
            continue_host: None,
            continue_uri: None,
            previous_consents: None,
        });
        claims.issued_at = Some(timestamp(now)?);
        claims.expiration = Some(timestamp(now.saturating_add(SESSION_TOKEN_TTL_SECS))?);
        let header = Header::empty().with_token_type("JWT");
        Hs256
            .token(&header, &claims, &self.key)
            .map_err(|error| BenchError::new(format!("cannot mint a session token: {error}")))
    }

    /// The JSON body of request number `index`: a fresh state, a fresh token, valid answers.
    /// One line (JSON strings escape their newlines).
    pub fn continue_body(&self, index: u64, now: i64) -> Result<String, BenchError> {
        let request = ContinueRequest {
            state: fresh_state(),
            session_token: self.session_token(&subject(index), LOAD_FORM, now)?,
            answers: match profile_answers() {
                Value::Object(answers) => answers,
                _ => return Err(BenchError::new("the load-test answers are not an object")),
            },
        };
        serde_json::to_string(&request)
            .map_err(|error| BenchError::new(format!("cannot write a request body: {error}")))
    }

    /// Writes `count` bodies, one a line, numbered from `first`.
    pub fn write_bodies(
        &self,
        path: &Path,
        first: u64,
        count: u64,
        now: i64,
    ) -> Result<(), BenchError> {
        let file = std::fs::File::create(path).map_err(|error| {
            BenchError::new(format!("cannot create {}: {error}", path.display()))
        })?;
        let mut out = BufWriter::new(file);
        for index in first..first.saturating_add(count) {
            let body = self.continue_body(index, now)?;
            writeln!(out, "{body}").map_err(|error| {
                BenchError::new(format!("cannot write {}: {error}", path.display()))
            })?;
        }
        out.flush()
            .map_err(|error| BenchError::new(format!("cannot write {}: {error}", path.display())))
    }
}

/// A new Auth0-like `state`: 32 random bytes, base64url (43 characters).
pub fn fresh_state() -> String {
    let mut bytes = [0_u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// A fixed-width user id, so every body (and every answer) has the same size.
pub fn subject(index: u64) -> String {
    format!("auth0|bench{index:010}")
}

/// Valid answers to the demo's profile form.
pub fn profile_answers() -> Value {
    json!({
        "company": "Example Ltd",
        "phone": "+44 7700 900123",
        "country": "GB",
        "birth_date": "1990-04-01",
        "newsletter": true,
        "topics": "Security engineering and Rust"
    })
}

/// The session token's `prefill` claim.
pub fn prefill() -> Map<String, Value> {
    let mut prefill = Map::new();
    prefill.insert("company".into(), json!("Example Ltd"));
    prefill.insert("country".into(), json!("GB"));
    prefill.insert("account_ref".into(), json!("acct-0001234"));
    prefill
}

/// The length of the continue token the signer mints for a load-test body under `config`:
/// what the floor must send back so its answer is as large as the signer's.
pub fn continue_token_bytes(config: &Config, now: i64) -> Result<usize, BenchError> {
    let tenant = config
        .tenants
        .first()
        .ok_or_else(|| BenchError::new("the bench configuration has no tenant"))?;
    let form = config.forms.get(LOAD_FORM).ok_or_else(|| {
        BenchError::new(format!("the bench configuration lacks form `{LOAD_FORM}`"))
    })?;
    let Value::Object(answers) = profile_answers() else {
        return Err(BenchError::new("the load-test answers are not an object"));
    };
    let clean = validate_answers(form, &answers, &prefill(), now).map_err(|errors| {
        BenchError::new(format!("the load-test answers are refused: {errors:?}"))
    })?;
    let state = LoginState::parse(&fresh_state())
        .map_err(|error| BenchError::new(format!("a fresh state is refused: {error:?}")))?;
    let token = mint_continue_token(MintRequest {
        tenant,
        issuer: &tenant.issuer,
        subject: &subject(0),
        state: &state,
        form,
        answers: clean,
        answers_claim: &tenant.answers_claim,
        now,
    })
    .map_err(|error| BenchError::new(format!("cannot mint a continue token: {error}")))?;
    Ok(token.as_str().len())
}

fn timestamp(seconds: i64) -> Result<DateTime<Utc>, BenchError> {
    DateTime::<Utc>::from_timestamp(seconds, 0)
        .ok_or_else(|| BenchError::new(format!("time {seconds} is out of range")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fresh_states_differ_and_are_valid_states() {
        let first = fresh_state();
        let second = fresh_state();
        assert_ne!(first, second);
        assert_eq!(first.len(), 43);
        assert!(LoginState::parse(&first).is_ok());
    }

    #[test]
    fn bodies_have_the_same_size_and_distinct_states_and_tokens() {
        let minter = SessionMinter::new("127.0.0.1:8780", &[7; 32]);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bodies.jsonl");
        minter.write_bodies(&path, 0, 50, 1_800_000_000).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 50);
        let requests: Vec<ContinueRequest> = lines
            .iter()
            .map(|line| serde_json::from_str(line).unwrap())
            .collect();
        let states: std::collections::BTreeSet<_> = requests.iter().map(|r| &r.state).collect();
        let tokens: std::collections::BTreeSet<_> =
            requests.iter().map(|r| &r.session_token).collect();
        assert_eq!(states.len(), 50);
        assert_eq!(tokens.len(), 50);
        assert!(lines.iter().all(|line| line.len() == lines[0].len()));
    }
}
