//! A tenant's Management API client, for back-channel delivery.

use serde::Deserialize;

use super::host::{is_host, is_loopback_host};
use super::tenant::{read_secret_file, Scheme, Secret};
use super::ConfigProblem;

/// A machine-to-machine application of the tenant, allowed `update:users` (and `read:users`
/// when a metadata key is nested) on the Management API.
#[derive(Debug, Clone)]
pub struct ManagementClient {
    /// The tenant's API host (its canonical domain, not a custom domain), may include a port.
    pub domain: String,
    pub client_id: String,
    pub client_secret: Secret,
    /// `audience` of the client-credentials grant; `https://{domain}/api/v2/` by default.
    pub audience: String,
    /// `http` only for a loopback domain (the tenant simulator).
    pub scheme: Scheme,
    /// Longest one HTTP call to the tenant may take.
    pub attempt_timeout_ms: u64,
    /// Longest storing may take, retries and waits for rate limits included; after that the
    /// signer answers 503 and mints nothing.
    pub retry_budget_ms: u64,
}

impl ManagementClient {
    /// `{scheme}://{domain}`, without a slash at the end.
    pub fn base_url(&self) -> String {
        format!("{}://{}", self.scheme.as_str(), self.domain)
    }
}

/// Default longest one Management API call may take.
pub const DEFAULT_ATTEMPT_TIMEOUT_MS: u64 = 2_000;
/// Default longest storing may take, retries included.
pub const DEFAULT_RETRY_BUDGET_MS: u64 = 5_000;
pub(super) fn check_management(
    issuer: &str,
    raw: RawManagement,
    env: &dyn Fn(&str) -> Option<String>,
    problems: &mut Vec<ConfigProblem>,
) -> Option<ManagementClient> {
    let before = problems.len();
    if !is_host(&raw.domain) {
        problems.push(ConfigProblem::ManagementDomain {
            issuer: issuer.to_owned(),
            domain: raw.domain.clone(),
        });
    }
    if raw.client_id.trim().is_empty() {
        problems.push(ConfigProblem::ManagementClientId(issuer.to_owned()));
    }
    let scheme = raw.scheme.unwrap_or(Scheme::Https);
    if scheme == Scheme::Http && !is_loopback_host(&raw.domain) {
        problems.push(ConfigProblem::ManagementHttpForPublicDomain(
            issuer.to_owned(),
        ));
    }
    let audience = raw
        .audience
        .unwrap_or_else(|| format!("https://{}/api/v2/", raw.domain));
    let audience_ok = audience
        .strip_prefix("https://")
        .or_else(|| {
            audience
                .strip_prefix("http://")
                .filter(|rest| is_loopback_host(rest.split('/').next().unwrap_or_default()))
        })
        .is_some_and(|rest| !rest.is_empty() && !rest.contains(char::is_whitespace));
    if !audience_ok {
        problems.push(ConfigProblem::ManagementAudience {
            issuer: issuer.to_owned(),
            audience: audience.clone(),
        });
    }
    let attempt_timeout_ms = raw.attempt_timeout_ms.unwrap_or(DEFAULT_ATTEMPT_TIMEOUT_MS);
    let retry_budget_ms = raw.retry_budget_ms.unwrap_or(DEFAULT_RETRY_BUDGET_MS);
    if !(100..=30_000).contains(&attempt_timeout_ms) {
        problems.push(ConfigProblem::ManagementTiming {
            issuer: issuer.to_owned(),
            problem: "attempt_timeout_ms must be within 100..=30000",
        });
    }
    if retry_budget_ms < attempt_timeout_ms {
        problems.push(ConfigProblem::ManagementTiming {
            issuer: issuer.to_owned(),
            problem: "retry_budget_ms must be at least attempt_timeout_ms",
        });
    }
    let client_secret = match (raw.client_secret_env, raw.client_secret_file) {
        (Some(variable), None) => match env(&variable) {
            Some(value) => Some(value.into_bytes()),
            None => {
                problems.push(ConfigProblem::ManagementSecretEnvMissing {
                    issuer: issuer.to_owned(),
                    variable,
                });
                None
            }
        },
        (None, Some(path)) => match read_secret_file(&path) {
            Ok(bytes) => Some(bytes),
            Err(reason) => {
                problems.push(ConfigProblem::ManagementSecretFile {
                    issuer: issuer.to_owned(),
                    path,
                    reason,
                });
                None
            }
        },
        _ => {
            problems.push(ConfigProblem::ManagementSecretSource(issuer.to_owned()));
            None
        }
    };
    if client_secret.as_ref().is_some_and(Vec::is_empty) {
        problems.push(ConfigProblem::ManagementSecretEmpty(issuer.to_owned()));
    }
    match client_secret {
        Some(secret) if problems.len() == before => Some(ManagementClient {
            domain: raw.domain,
            client_id: raw.client_id,
            client_secret: Secret::new(secret),
            audience,
            scheme,
            attempt_timeout_ms,
            retry_budget_ms,
        }),
        _ => None,
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawManagement {
    pub(super) domain: String,
    pub(super) client_id: String,
    pub(super) client_secret_env: Option<String>,
    pub(super) client_secret_file: Option<String>,
    pub(super) audience: Option<String>,
    pub(super) scheme: Option<Scheme>,
    pub(super) attempt_timeout_ms: Option<u64>,
    pub(super) retry_budget_ms: Option<u64>,
}
