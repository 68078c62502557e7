//! Minting the continue token Auth0's `/continue` validates (SPEC section 2), and the URL the
//! page posts it to.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use chrono::{DateTime, Utc};
use jwt_compact::alg::{Hs256, Hs256Key};
use jwt_compact::{AlgorithmExt as _, Claims, Header};
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use rand::RngCore as _;
use serde::Serialize;
use stopover_protocol::{CleanAnswers, ContinueClaims, FormDefinition, FormRef, State};

use crate::config::Tenant;
use crate::management::StoredRecord;
use crate::verify::TOKEN_TYPE;

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
    /// The session token's `sub`.
    pub subject: &'a str,
    pub state: &'a State,
    pub form: &'a FormDefinition,
    pub answers: CleanAnswers,
    /// Unix seconds.
    pub now: i64,
}

/// A minted continue token: header `{"alg":"HS256","typ":"JWT"}`, claims `iss`, `sub`,
/// `state`, `iat`, `exp` (`iat` + the tenant's ttl), `jti`, `form` and `answers`.
pub fn mint_continue_token(request: MintRequest<'_>) -> Result<String, MintError> {
    mint_continue_token_with_record(request, None)
}

/// The continue claims and, after a back-channel store, the `stored` record.
#[derive(Serialize)]
struct ClaimsWithRecord<'a> {
    #[serde(flatten)]
    claims: ContinueClaims,
    #[serde(skip_serializing_if = "Option::is_none")]
    stored: Option<&'a StoredRecord>,
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
    let issued_at = DateTime::<Utc>::from_timestamp(request.now, 0).ok_or(MintError::Time)?;
    let expires_at = DateTime::<Utc>::from_timestamp(request.now.saturating_add(ttl), 0)
        .ok_or(MintError::Time)?;
    let mut claims = Claims::new(ClaimsWithRecord {
        claims: ContinueClaims {
            iss: tenant
                .continue_issuer
                .clone()
                .unwrap_or_else(|| tenant.issuer.clone()),
            sub: request.subject.to_owned(),
            state: request.state.as_str().to_owned(),
            jti: random_id(),
            form: FormRef {
                id: request.form.id.0.clone(),
                version: request.form.version.clone(),
            },
            answers: request.answers,
        },
        stored,
    });
    claims.issued_at = Some(issued_at);
    claims.expiration = Some(expires_at);
    let header = Header::empty().with_token_type(TOKEN_TYPE);
    Hs256
        .token(&header, &claims, &Hs256Key::new(tenant.secret.expose()))
        .map_err(|error| MintError::Serialise(error.to_string()))
}

/// `{scheme}://{host}/continue?state={state}`: `host` is the tenant's issuer, or the token's
/// `continue_host` when (and only when) the tenant lists it.
pub fn continue_url(tenant: &Tenant, requested_host: Option<&str>, state: &State) -> String {
    let host = requested_host
        .filter(|host| {
            tenant
                .continue_hosts
                .iter()
                .any(|configured| configured == host)
        })
        .unwrap_or(&tenant.issuer);
    format!(
        "{}://{}/continue?state={}",
        tenant.scheme.as_str(),
        host,
        utf8_percent_encode(state.as_str(), QUERY_VALUE)
    )
}

/// Everything but RFC 3986 unreserved characters is escaped.
const QUERY_VALUE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// 128 random bits, base64url.
fn random_id() -> String {
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}
