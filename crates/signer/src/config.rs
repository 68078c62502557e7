//! The signer's configuration: one TOML file plus environment overrides, checked once at
//! start-up so that a running signer can only hold a usable configuration.
//!
//! Secrets never live in the file: each tenant names the environment variable or the file that
//! holds its secret. `env` is passed in as a function so tests never touch the process
//! environment.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;

use serde::Deserialize;
use stopover_protocol::form::{DefinitionError, FormDefinition};
use stopover_protocol::limits::{CONTINUE_TTL_DEFAULT, CONTINUE_TTL_MAX, CONTINUE_TTL_MIN};

/// The shortest secret the signer accepts, in bytes (jwt-compact's `StrongKey` wants 64, more
/// than Auth0 secrets often have; RFC 7518 asks for at least the hash size, 32).
pub const MIN_SECRET_BYTES: usize = 32;
/// Default address to listen on.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8781";
/// Default name of the form field (and Auth0 `tokenParameterName`) carrying the continue token.
pub const DEFAULT_TOKEN_PARAMETER: &str = "session_token";

/// A usable configuration. Build it with [`Config::from_toml`].
#[derive(Debug, Clone)]
pub struct Config {
    pub listen: SocketAddr,
    /// Exact `Origin` values allowed to call the API (`scheme://host[:port]`).
    pub allowed_origins: Vec<String>,
    /// Serve the built page from this directory when set.
    pub static_dir: Option<PathBuf>,
    /// Origins, beside the tenants' `/continue` hosts, the page's form post may end up at:
    /// Chrome applies CSP `form-action` to the redirects after `/continue` too, so the
    /// applications' callback origins belong here.
    pub form_action_extra_origins: Vec<String>,
    pub limits: Limits,
    pub replay: ReplayStoreConfig,
    pub tenants: Vec<Tenant>,
    /// Form definitions by id, each one passed [`FormDefinition::check`].
    pub forms: BTreeMap<String, FormDefinition>,
}

/// Request limits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Continue requests per minute per client IP.
    pub rate_limit_per_minute: u32,
    /// Longest a request may take before the signer answers 503.
    pub request_timeout_ms: u64,
    /// Most unexpired tokens the in-memory replay store remembers; when full it refuses
    /// (503) rather than forget one.
    pub replay_memory_capacity: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            rate_limit_per_minute: 60,
            request_timeout_ms: 10_000,
            replay_memory_capacity: 100_000,
        }
    }
}

/// Where used tokens are remembered.
#[derive(Clone, PartialEq, Eq)]
pub enum ReplayStoreConfig {
    /// In this process only (one instance).
    Memory,
    /// A Redis URL (`redis://` or `rediss://`), shared by several instances.
    Redis(String),
}

/// Prints no URL: it may carry a password.
impl fmt::Debug for ReplayStoreConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Memory => f.write_str("Memory"),
            Self::Redis(_) => f.write_str("Redis(..)"),
        }
    }
}

/// One Auth0 tenant the signer serves.
#[derive(Debug, Clone)]
pub struct Tenant {
    /// The session token's `iss`: a host name, possibly with a port.
    pub issuer: String,
    /// The HMAC key shared with the tenant's Action.
    pub secret: Secret,
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

/// Key material. Its `Debug` prints nothing of the value.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(Vec<u8>);

impl Secret {
    pub fn new(bytes: impl Into<Vec<u8>>) -> Self {
        Self(bytes.into())
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

/// Why a configuration was refused.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("the configuration is not valid TOML for the signer: {0}")]
    Syntax(String),
    #[error("the configuration has {} problem(s):\n{}", .0.len(), list(.0))]
    Invalid(Vec<ConfigProblem>),
}

/// One reason a configuration was refused; together they say exactly what to fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigProblem {
    #[error("listen address `{0}` is not an IP address and port")]
    Listen(String),
    #[error("no allowed origin: set `allowed_origins` (or STOPOVER_ALLOWED_ORIGINS)")]
    NoAllowedOrigin,
    #[error("allowed origin `{0}` is not of the form scheme://host[:port] (no path, no slash at the end)")]
    Origin(String),
    #[error("replay store `{0}` is neither \"memory\" nor a redis:// or rediss:// URL")]
    ReplayStore(String),
    #[error("limits: {0}")]
    Limit(&'static str),
    #[error("no tenant: add at least one [[tenants]]")]
    NoTenant,
    #[error("tenant `{0}`: issuer must be a host name with an optional port, not a URL")]
    Issuer(String),
    #[error("tenant `{0}` is configured twice")]
    DuplicateIssuer(String),
    #[error("tenant `{0}`: set exactly one of `secret_env` and `secret_file`")]
    SecretSource(String),
    #[error("tenant `{issuer}`: environment variable `{variable}` is not set")]
    SecretEnvMissing { issuer: String, variable: String },
    #[error("tenant `{issuer}`: cannot read secret file `{path}`: {reason}")]
    SecretFile {
        issuer: String,
        path: String,
        reason: String,
    },
    #[error(
        "tenant `{issuer}`: the secret is {length} bytes; at least {MIN_SECRET_BYTES} are required"
    )]
    SecretTooShort { issuer: String, length: usize },
    #[error(
        "tenant `{issuer}`: ttl_seconds {ttl} is outside {CONTINUE_TTL_MIN}..={CONTINUE_TTL_MAX}"
    )]
    Ttl { issuer: String, ttl: u64 },
    #[error("tenant `{0}`: scheme \"http\" is only allowed for a loopback issuer (127.0.0.1, localhost, [::1])")]
    HttpForPublicIssuer(String),
    #[error("tenant `{issuer}`: continue host `{host}` must be a host name with an optional port")]
    ContinueHost { issuer: String, host: String },
    #[error(
        "tenant `{issuer}`: token_parameter `{name}` must be 1 to 64 letters, digits, `_` or `-`"
    )]
    TokenParameter { issuer: String, name: String },
    #[error("tenant `{0}`: no forms; list at least one form id")]
    NoForms(String),
    #[error("tenant `{issuer}`: form `{form}` is not defined in [[forms]]")]
    UnknownForm { issuer: String, form: String },
    #[error("form `{0}` is defined twice")]
    DuplicateForm(String),
    #[error("{0}")]
    Form(DefinitionError),
}

fn list(problems: &[ConfigProblem]) -> String {
    problems
        .iter()
        .map(|problem| format!("  - {problem}"))
        .collect::<Vec<_>>()
        .join("\n")
}

impl Config {
    /// Parses and checks a configuration. `env` looks up environment variables: the tenants'
    /// `secret_env` and the overrides `STOPOVER_LISTEN`, `STOPOVER_ALLOWED_ORIGINS`
    /// (comma-separated), `STOPOVER_STATIC_DIR` and `STOPOVER_REPLAY_STORE`.
    ///
    /// Every problem is reported, not only the first.
    pub fn from_toml(
        text: &str,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Config, ConfigError> {
        let raw: RawConfig =
            toml::from_str(text).map_err(|error| ConfigError::Syntax(error.to_string()))?;
        let mut problems = Vec::new();

        let listen_text = env("STOPOVER_LISTEN")
            .or(raw.listen)
            .unwrap_or_else(|| DEFAULT_LISTEN.to_owned());
        let listen = listen_text.parse::<SocketAddr>().ok();
        if listen.is_none() {
            problems.push(ConfigProblem::Listen(listen_text));
        }

        let allowed_origins = match env("STOPOVER_ALLOWED_ORIGINS") {
            Some(list) => list
                .split(',')
                .map(str::trim)
                .filter(|o| !o.is_empty())
                .map(str::to_owned)
                .collect(),
            None => raw.allowed_origins,
        };
        if allowed_origins.is_empty() {
            problems.push(ConfigProblem::NoAllowedOrigin);
        }
        for origin in &allowed_origins {
            if !is_origin(origin) {
                problems.push(ConfigProblem::Origin(origin.clone()));
            }
        }

        for origin in &raw.form_action_extra_origins {
            if !is_origin(origin) {
                problems.push(ConfigProblem::Origin(origin.clone()));
            }
        }
        let form_action_extra_origins = raw.form_action_extra_origins;

        let static_dir = env("STOPOVER_STATIC_DIR")
            .map(PathBuf::from)
            .or(raw.static_dir)
            .filter(|dir| !dir.as_os_str().is_empty());

        let store = env("STOPOVER_REPLAY_STORE")
            .or(raw.replay.store)
            .unwrap_or_else(|| "memory".to_owned());
        let replay = if store == "memory" {
            ReplayStoreConfig::Memory
        } else if store.starts_with("redis://") || store.starts_with("rediss://") {
            ReplayStoreConfig::Redis(store)
        } else {
            // Only the scheme is echoed: the URL may carry a password.
            let shown = store
                .split("://")
                .next()
                .unwrap_or_default()
                .chars()
                .take(20)
                .collect();
            problems.push(ConfigProblem::ReplayStore(shown));
            ReplayStoreConfig::Memory
        };

        let defaults = Limits::default();
        let limits = Limits {
            rate_limit_per_minute: raw
                .limits
                .rate_limit_per_minute
                .unwrap_or(defaults.rate_limit_per_minute),
            request_timeout_ms: raw
                .limits
                .request_timeout_ms
                .unwrap_or(defaults.request_timeout_ms),
            replay_memory_capacity: raw
                .limits
                .replay_memory_capacity
                .unwrap_or(defaults.replay_memory_capacity),
        };
        if limits.rate_limit_per_minute == 0 {
            problems.push(ConfigProblem::Limit(
                "rate_limit_per_minute must be at least 1",
            ));
        }
        if !(100..=120_000).contains(&limits.request_timeout_ms) {
            problems.push(ConfigProblem::Limit(
                "request_timeout_ms must be within 100..=120000",
            ));
        }
        if limits.replay_memory_capacity == 0 {
            problems.push(ConfigProblem::Limit(
                "replay_memory_capacity must be at least 1",
            ));
        }

        let mut forms = BTreeMap::new();
        for form in raw.forms {
            if let Err(errors) = form.check() {
                problems.extend(errors.into_iter().map(ConfigProblem::Form));
            }
            let id = form.id.0.clone();
            if forms.insert(id.clone(), form).is_some() {
                problems.push(ConfigProblem::DuplicateForm(id));
            }
        }

        if raw.tenants.is_empty() {
            problems.push(ConfigProblem::NoTenant);
        }
        let mut issuers = BTreeSet::new();
        let mut tenants = Vec::new();
        for raw_tenant in raw.tenants {
            if !issuers.insert(raw_tenant.issuer.clone()) {
                problems.push(ConfigProblem::DuplicateIssuer(raw_tenant.issuer.clone()));
            }
            if let Some(tenant) = check_tenant(raw_tenant, &forms, env, &mut problems) {
                tenants.push(tenant);
            }
        }

        match listen {
            Some(listen) if problems.is_empty() => Ok(Config {
                listen,
                allowed_origins,
                static_dir,
                form_action_extra_origins,
                limits,
                replay,
                tenants,
                forms,
            }),
            _ => Err(ConfigError::Invalid(problems)),
        }
    }

    /// The tenant whose issuer is exactly `issuer`.
    pub fn tenant(&self, issuer: &str) -> Option<&Tenant> {
        self.tenants.iter().find(|tenant| tenant.issuer == issuer)
    }

    /// A few lines for `check-config`: what this configuration serves, without secrets.
    pub fn summary(&self) -> String {
        let mut lines = vec![
            format!("listen: {}", self.listen),
            format!("allowed origins: {}", self.allowed_origins.join(", ")),
            format!(
                "static dir: {}",
                self.static_dir.as_ref().map_or_else(
                    || "(none: API only)".to_owned(),
                    |dir| dir.display().to_string()
                )
            ),
            format!(
                "replay store: {}",
                match self.replay {
                    ReplayStoreConfig::Memory => "memory (one instance)",
                    ReplayStoreConfig::Redis(_) => "redis",
                }
            ),
            format!(
                "limits: {} continue requests/minute per IP, {} ms request timeout",
                self.limits.rate_limit_per_minute, self.limits.request_timeout_ms
            ),
        ];
        for tenant in &self.tenants {
            lines.push(format!(
                "tenant {}: continue at {}://{}/continue{}, token parameter `{}`, ttl {} s, forms {}, secret {} bytes",
                tenant.issuer,
                tenant.scheme.as_str(),
                tenant.issuer,
                if tenant.continue_hosts.is_empty() {
                    String::new()
                } else {
                    format!(" (or {})", tenant.continue_hosts.join(", "))
                },
                tenant.token_parameter,
                tenant.ttl_seconds,
                tenant.forms.join(", "),
                tenant.secret.expose().len(),
            ));
        }
        for form in self.forms.values() {
            lines.push(format!(
                "form {} version {}: {} fields",
                form.id.0,
                form.version,
                form.fields.len()
            ));
        }
        lines.join("\n")
    }
}

/// True for `127.0.0.1`, `localhost` and `[::1]`, with or without a port.
pub fn is_loopback_host(host_and_port: &str) -> bool {
    let host = split_host(host_and_port);
    matches!(host, "127.0.0.1" | "localhost" | "[::1]")
}

fn check_tenant(
    raw: RawTenant,
    forms: &BTreeMap<String, FormDefinition>,
    env: &dyn Fn(&str) -> Option<String>,
    problems: &mut Vec<ConfigProblem>,
) -> Option<Tenant> {
    let issuer = raw.issuer;
    let before = problems.len();
    if !is_host(&issuer) {
        problems.push(ConfigProblem::Issuer(issuer.clone()));
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
    let parameter_ok = !token_parameter.is_empty()
        && token_parameter.len() <= 64
        && token_parameter
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    if !parameter_ok || token_parameter == "state" {
        problems.push(ConfigProblem::TokenParameter {
            issuer: issuer.clone(),
            name: token_parameter.clone(),
        });
    }
    if raw.forms.is_empty() {
        problems.push(ConfigProblem::NoForms(issuer.clone()));
    }
    for form in &raw.forms {
        if !forms.contains_key(form) {
            problems.push(ConfigProblem::UnknownForm {
                issuer: issuer.clone(),
                form: form.clone(),
            });
        }
    }
    if let Some(continue_issuer) = &raw.continue_issuer {
        if continue_issuer.trim().is_empty() {
            problems.push(ConfigProblem::Issuer(issuer.clone()));
        }
    }
    match secret {
        Some(secret) if problems.len() == before => Some(Tenant {
            issuer,
            secret,
            continue_hosts: raw.continue_hosts,
            token_parameter,
            ttl_seconds,
            scheme,
            forms: raw.forms,
            continue_issuer: raw.continue_issuer,
        }),
        _ => None,
    }
}

fn read_secret(
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
        (None, Some(path)) => match std::fs::read(path) {
            // A file written by `echo` or an editor ends with a newline that is not part of
            // the secret.
            Ok(mut bytes) => {
                while bytes.last().is_some_and(|b| *b == b'\n' || *b == b'\r') {
                    bytes.pop();
                }
                bytes
            }
            Err(error) => {
                problems.push(ConfigProblem::SecretFile {
                    issuer: issuer.to_owned(),
                    path: path.to_owned(),
                    reason: error.kind().to_string(),
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
    Some(Secret(bytes))
}

/// `host` or `host:port`: lowercase letters, digits, `-` and `.` (or a bracketed IPv6
/// literal), no scheme, no path.
fn is_host(value: &str) -> bool {
    let host = split_host(value);
    let port = &value[host.len()..];
    let port_ok = port.is_empty()
        || (port.len() >= 2
            && port.starts_with(':')
            && port[1..].bytes().all(|b| b.is_ascii_digit())
            && port.len() <= 6);
    let host_ok = if host.starts_with('[') {
        host.ends_with(']')
            && host.len() > 2
            && host[1..host.len() - 1]
                .bytes()
                .all(|b| b.is_ascii_hexdigit() || b == b':')
    } else {
        !host.is_empty()
            && host.len() <= 253
            && host
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.')
            && !host.starts_with(['.', '-'])
            && !host.ends_with(['.', '-'])
    };
    host_ok && port_ok
}

/// The host part of `host[:port]`.
fn split_host(value: &str) -> &str {
    if value.starts_with('[') {
        return value.find(']').map_or(value, |end| &value[..=end]);
    }
    value.split(':').next().unwrap_or(value)
}

/// `scheme://host[:port]` as browsers send it in `Origin`.
pub(crate) fn is_origin(value: &str) -> bool {
    ["https://", "http://"]
        .iter()
        .any(|scheme| value.strip_prefix(scheme).is_some_and(is_host))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    listen: Option<String>,
    #[serde(default)]
    allowed_origins: Vec<String>,
    static_dir: Option<PathBuf>,
    #[serde(default)]
    form_action_extra_origins: Vec<String>,
    #[serde(default)]
    limits: RawLimits,
    #[serde(default)]
    replay: RawReplay,
    #[serde(default)]
    tenants: Vec<RawTenant>,
    #[serde(default)]
    forms: Vec<FormDefinition>,
}

#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLimits {
    rate_limit_per_minute: Option<u32>,
    request_timeout_ms: Option<u64>,
    replay_memory_capacity: Option<usize>,
}

#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawReplay {
    store: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTenant {
    issuer: String,
    secret_env: Option<String>,
    secret_file: Option<String>,
    #[serde(default)]
    continue_hosts: Vec<String>,
    token_parameter: Option<String>,
    ttl_seconds: Option<u64>,
    scheme: Option<Scheme>,
    #[serde(default)]
    forms: Vec<String>,
    continue_issuer: Option<String>,
}
