//! Minting the continue token Auth0's `/continue` validates (docs/contract.md#continue-token),
//! and the URL the page posts it to (docs/contract.md#continue).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use chrono::{DateTime, Utc};
use rand::RngCore as _;
use serde::ser::{Serialize, SerializeMap, Serializer};
use stopover_protocol::claims::names;
use stopover_protocol::launch::percent_encode_unreserved;
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
pub fn mint_continue_token(request: MintRequest<'_>) -> Result<String, MintError> {
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
) -> Result<String, MintError> {
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
    let json =
        serde_json::to_vec(&claims).map_err(|error| MintError::Serialise(error.to_string()))?;
    // header.claims.signature, each base64url without padding, written into one string.
    let mut token = String::with_capacity(JWT_HEADER_B64.len() + json.len() * 4 / 3 + 64);
    token.push_str(JWT_HEADER_B64);
    token.push('.');
    URL_SAFE_NO_PAD.encode_string(&json, &mut token);
    let signature = tenant.key.sign(token.as_bytes());
    token.push('.');
    URL_SAFE_NO_PAD.encode_string(signature, &mut token);
    Ok(token)
}

/// `{scheme}://{host}/continue?state={state}`: `host` is the tenant's bare host name, or the
/// host the token asks for (`continue_host` or `continue_uri`) when (and only when) the tenant
/// lists it.
pub fn continue_url(tenant: &Tenant, requested_host: Option<&str>, state: &LoginState) -> String {
    let host = tenant.continue_host(requested_host);
    format!(
        "{}://{}/continue?state={}",
        tenant.scheme.as_str(),
        host,
        percent_encode_unreserved(state.as_str())
    )
}

/// 128 random bits, base64url.
fn random_id() -> String {
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}
