//! One Auth0 tenant: its issuer, its key, where `/continue` is, how long its tokens may live
//! and where its continue tokens carry the answers.

use std::collections::BTreeMap;
use std::fmt;

use serde::Deserialize;
use stopover_protocol::claims::names;
use stopover_protocol::form::FormDefinition;
use stopover_protocol::launch::is_token_parameter_name;
use stopover_protocol::limits::{CONTINUE_TTL_DEFAULT, CONTINUE_TTL_MAX, CONTINUE_TTL_MIN};
use zeroize::Zeroizing;

use crate::hs256::TenantKey;

use super::host::{is_host, is_loopback_host, issuer_host};
use super::management::{check_management, ManagementClient, RawManagement};
use super::{ConfigProblem, FormDelivery};

pub use stopover_protocol::launch::DEFAULT_TOKEN_PARAMETER;
pub use stopover_protocol::limits::MIN_SECRET_BYTES;
/// The longest a session token may live (`exp` - `iat`): an Auth0 login transaction lives at
/// most an hour, so a token meant to outlive it is refused. A tenant may set less.
pub const MAX_SESSION_LIFETIME_SECS: u64 = 3600;
/// The shortest `max_session_lifetime_secs` a tenant may set: below it the continue token,
/// which must live 60 s, could outlive the session token it closes.
pub const MIN_SESSION_LIFETIME_SECS: u64 = 60;
/// Where the continue token carries the answers when nothing else is configured.
pub const DEFAULT_ANSWERS_CLAIM: &str = "answers";
/// Claims the continue token sets itself (or Auth0 reads): no answer may take their name,
/// whether as the answers claim or, with top-level answers, as a field id.
pub const RESERVED_CLAIMS: &[&str] = &[
    names::ISSUER,
    names::SUBJECT,
    "aud",
    names::EXPIRES,
    names::NOT_BEFORE,
    names::ISSUED_AT,
    "jti",
    names::STATE,
    names::FORM,
    "stored",
];

/// Where the continue token carries the answers, so that Actions written for a hand-made
/// redirect app (reading `other`, `formData` or top-level claims) read them unchanged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AnswersClaim {
    /// Under one claim: `answers` by default.
    Named(String),
    /// Each answer as a top-level claim, beside `iss`, `sub` and the others.
    TopLevel,
}

impl AnswersClaim {
    /// The configuration's spelling: a claim name, or `""` for top-level claims.
    pub(super) fn parse(text: &str) -> Option<Self> {
        if text.is_empty() {
            return Some(Self::TopLevel);
        }
        let name_ok = text.len() <= 64
            && text
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
            && !RESERVED_CLAIMS.contains(&text);
        name_ok.then(|| Self::Named(text.to_owned()))
    }
}

/// One Auth0 tenant the signer serves.
#[derive(Debug, Clone)]
pub struct Tenant {
    /// The tenant's host name, possibly with a port: the session token's `iss` however it is
    /// spelt (`host`, `https://host` or `https://host/`, see [`issuer_host`]).
    pub issuer: String,
    /// The HMAC key shared with the tenant's Action, prepared once at start-up (it wipes its
    /// bytes when dropped).
    pub key: TenantKey,
    /// Custom domains a token's `continue_host` may pick.
    pub continue_hosts: Vec<String>,
    /// The form field name `/continue` reads the continue token from.
    pub token_parameter: String,
    /// Lifetime of the continue token, 60..=600 seconds.
    pub ttl_seconds: u64,
    pub scheme: Scheme,
    /// Ids of the forms this tenant may use; the first is the default.
    pub forms: Vec<String>,
    /// `iss` of the continue token; the tenant's issuer when absent.
    pub continue_issuer: Option<String>,
    /// The Management API client that stores back-channel answers, when configured.
    pub management: Option<ManagementClient>,
    /// The longest session token lifetime (`exp` - `iat`) accepted, in seconds.
    pub max_session_lifetime_secs: i64,
    /// Where this tenant's continue tokens carry the answers, unless a form says otherwise.
    pub answers_claim: AnswersClaim,
    /// The languages its people speak: every text of its forms is written in each.
    pub languages: Vec<String>,
}

impl Tenant {
    /// The form a session token is answered with: the one its `form` claim names, else the
    /// tenant's first. The one rule for the page (`GET /api/forms?issuer=`) and the signer.
    pub fn form_for<'a>(&'a self, requested: Option<&'a str>) -> Option<&'a str> {
        requested.or_else(|| self.forms.first().map(String::as_str))
    }

    /// The host `/continue` is posted to: `requested` (a token's `continue_host`, or the host
    /// of its `continue_uri`) when the tenant lists it, else the tenant's own host.
    pub fn continue_host<'a>(&'a self, requested: Option<&str>) -> &'a str {
        requested
            .and_then(|host| self.continue_hosts.iter().find(|listed| *listed == host))
            .unwrap_or(&self.issuer)
    }
}

/// The scheme of the tenant's `/continue` URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Scheme {
    Https,
    /// Only for a loopback issuer (the tenant simulator).
    Http,
}

impl Scheme {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Https => "https",
            Self::Http => "http",
        }
    }
}

/// Key material, wiped from memory when dropped. Its `Debug` prints nothing of the value.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(Zeroizing<Vec<u8>>);

impl Secret {
    pub fn new(bytes: impl Into<Vec<u8>>) -> Self {
        Self(Zeroizing::new(bytes.into()))
    }

    pub fn expose(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(..)")
    }
}

pub(super) fn check_tenant(
    raw: RawTenant,
    forms: &BTreeMap<String, FormDefinition>,
    deliveries: &BTreeMap<String, FormDelivery>,
    env: &dyn Fn(&str) -> Option<String>,
    problems: &mut Vec<ConfigProblem>,
) -> Option<Tenant> {
    let before = problems.len();
    let issuer = match issuer_host(&raw.issuer) {
        Some(host) => host.to_owned(),
        None => {
            problems.push(ConfigProblem::Issuer(raw.issuer.clone()));
            raw.issuer
        }
    };
    let max_session_lifetime_secs = raw
        .max_session_lifetime_secs
        .unwrap_or(MAX_SESSION_LIFETIME_SECS);
    if !(MIN_SESSION_LIFETIME_SECS..=MAX_SESSION_LIFETIME_SECS).contains(&max_session_lifetime_secs)
    {
        problems.push(ConfigProblem::SessionLifetime {
            issuer: issuer.clone(),
            value: max_session_lifetime_secs,
        });
    }
    let answers_claim_text = raw
        .answers_claim
        .unwrap_or_else(|| DEFAULT_ANSWERS_CLAIM.to_owned());
    let answers_claim = AnswersClaim::parse(&answers_claim_text);
    if answers_claim.is_none() {
        problems.push(ConfigProblem::AnswersClaim {
            owner: format!("tenant `{issuer}`"),
            value: answers_claim_text,
        });
    }
    for host in &raw.continue_hosts {
        if !is_host(host) {
            problems.push(ConfigProblem::ContinueHost {
                issuer: issuer.clone(),
                host: host.clone(),
            });
        }
    }
    let secret = read_secret(
        &issuer,
        raw.secret_env.as_deref(),
        raw.secret_file.as_deref(),
        env,
        problems,
    );
    let ttl_seconds = raw.ttl_seconds.unwrap_or(CONTINUE_TTL_DEFAULT);
    if !(CONTINUE_TTL_MIN..=CONTINUE_TTL_MAX).contains(&ttl_seconds) {
        problems.push(ConfigProblem::Ttl {
            issuer: issuer.clone(),
            ttl: ttl_seconds,
        });
    }
    let scheme = raw.scheme.unwrap_or(Scheme::Https);
    if scheme == Scheme::Http
        && (!is_loopback_host(&issuer)
            || !raw.continue_hosts.iter().all(|host| is_loopback_host(host)))
    {
        problems.push(ConfigProblem::HttpForPublicIssuer(issuer.clone()));
    }
    let token_parameter = raw
        .token_parameter
        .unwrap_or_else(|| DEFAULT_TOKEN_PARAMETER.to_owned());
    if !is_token_parameter_name(&token_parameter) {
        problems.push(ConfigProblem::TokenParameter {
            issuer: issuer.clone(),
            name: token_parameter.clone(),
        });
    }
    if raw.forms.is_empty() {
        problems.push(ConfigProblem::NoForms(issuer.clone()));
    }
    for form in &raw.forms {
        match forms.get(form) {
            None => problems.push(ConfigProblem::UnknownForm {
                issuer: issuer.clone(),
                form: form.clone(),
            }),
            // Every text of the tenant's forms in every language its people speak.
            Some(definition) => {
                for language in &raw.languages {
                    for problem in definition.missing_language(language) {
                        problems.push(ConfigProblem::MissingLanguage {
                            issuer: issuer.clone(),
                            language: language.clone(),
                            problem,
                        });
                    }
                }
            }
        }
    }
    if let Some(continue_issuer) = &raw.continue_issuer {
        if continue_issuer.trim().is_empty() {
            problems.push(ConfigProblem::Issuer(issuer.clone()));
        }
    }
    let management = raw
        .management
        .and_then(|management| check_management(&issuer, management, env, problems));
    if management.is_none() {
        for form in &raw.forms {
            let stored = deliveries
                .get(form)
                .and_then(|delivery| delivery.targets.values().next());
            if let Some(target) = stored {
                problems.push(ConfigProblem::DeliveryWithoutManagement {
                    issuer: issuer.clone(),
                    form: form.clone(),
                    delivery: target.delivery.as_str(),
                });
            }
        }
    }
    match (secret, answers_claim) {
        (Some(secret), Some(answers_claim)) if problems.len() == before => Some(Tenant {
            issuer,
            key: TenantKey::new(secret.expose()),
            continue_hosts: raw.continue_hosts,
            token_parameter,
            ttl_seconds,
            scheme,
            forms: raw.forms,
            languages: raw.languages,
            continue_issuer: raw.continue_issuer,
            management,
            // Checked against MAX_SESSION_LIFETIME_SECS above, so it fits.
            max_session_lifetime_secs: i64::try_from(max_session_lifetime_secs).unwrap_or(i64::MAX),
            answers_claim,
        }),
        _ => None,
    }
}

/// A secret file's bytes without the final newline an editor or `echo` adds (it is not part
/// of the secret); the error is the I/O error's kind.
pub(super) fn read_secret_file(path: &str) -> Result<Vec<u8>, String> {
    let mut bytes = std::fs::read(path).map_err(|error| error.kind().to_string())?;
    while bytes.last().is_some_and(|b| *b == b'\n' || *b == b'\r') {
        bytes.pop();
    }
    Ok(bytes)
}

pub(super) fn read_secret(
    issuer: &str,
    secret_env: Option<&str>,
    secret_file: Option<&str>,
    env: &dyn Fn(&str) -> Option<String>,
    problems: &mut Vec<ConfigProblem>,
) -> Option<Secret> {
    let bytes = match (secret_env, secret_file) {
        (Some(variable), None) => match env(variable) {
            Some(value) => value.into_bytes(),
            None => {
                problems.push(ConfigProblem::SecretEnvMissing {
                    issuer: issuer.to_owned(),
                    variable: variable.to_owned(),
                });
                return None;
            }
        },
        (None, Some(path)) => match read_secret_file(path) {
            Ok(bytes) => bytes,
            Err(reason) => {
                problems.push(ConfigProblem::SecretFile {
                    issuer: issuer.to_owned(),
                    path: path.to_owned(),
                    reason,
                });
                return None;
            }
        },
        _ => {
            problems.push(ConfigProblem::SecretSource(issuer.to_owned()));
            return None;
        }
    };
    if bytes.len() < MIN_SECRET_BYTES {
        problems.push(ConfigProblem::SecretTooShort {
            issuer: issuer.to_owned(),
            length: bytes.len(),
        });
        return None;
    }
    Some(Secret::new(bytes))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawTenant {
    pub(super) issuer: String,
    pub(super) secret_env: Option<String>,
    pub(super) secret_file: Option<String>,
    #[serde(default)]
    pub(super) continue_hosts: Vec<String>,
    pub(super) token_parameter: Option<String>,
    pub(super) ttl_seconds: Option<u64>,
    pub(super) scheme: Option<Scheme>,
    #[serde(default)]
    pub(super) forms: Vec<String>,
    pub(super) continue_issuer: Option<String>,
    pub(super) management: Option<RawManagement>,
    pub(super) max_session_lifetime_secs: Option<u64>,
    pub(super) answers_claim: Option<String>,
    #[serde(default)]
    pub(super) languages: Vec<String>,
}
