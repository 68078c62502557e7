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

use jwt_compact::alg::Hs256Key;
use serde::Deserialize;
use stopover_protocol::claims::names;
use stopover_protocol::form::{DefinitionError, FieldKind, FormDefinition};
use stopover_protocol::limits::{CONTINUE_TTL_DEFAULT, CONTINUE_TTL_MAX, CONTINUE_TTL_MIN};
use zeroize::Zeroizing;

/// The shortest secret the signer accepts, in bytes (jwt-compact's `StrongKey` wants 64, more
/// than Auth0 secrets often have; RFC 7518 asks for at least the hash size, 32).
pub const MIN_SECRET_BYTES: usize = 32;
/// Default address to listen on.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8781";
/// Default address of the admin listener (`/readyz`, `/metrics`, `/healthz`): loopback only.
pub const DEFAULT_ADMIN_LISTEN: &str = "127.0.0.1:8782";
/// Default name of the form field (and Auth0 `tokenParameterName`) carrying the continue token.
pub const DEFAULT_TOKEN_PARAMETER: &str = "session_token";
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

/// A usable configuration. Build it with [`Config::from_toml`].
#[derive(Debug, Clone)]
pub struct Config {
    pub listen: SocketAddr,
    /// The admin listener: `/readyz`, `/metrics` and `/healthz`, never on `listen`.
    pub admin_listen: SocketAddr,
    /// How the listeners treat connections: timeouts, connection limit, proxies.
    pub server: ServerSettings,
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
    /// For each form with answers stored through the Management API (back channel), where
    /// each of those answers goes; forms absent here put every answer in the token.
    pub deliveries: BTreeMap<String, FormDelivery>,
    /// Forms that set their own `answers_claim`, by id.
    pub answers_claims: BTreeMap<String, AnswersClaim>,
}

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
    fn parse(text: &str) -> Option<Self> {
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

/// How the listeners treat connections and slow or abusive clients (`[server]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerSettings {
    /// Most connections open at once on the public listener; more wait to be accepted.
    pub max_connections: usize,
    /// Longest a client may take to send a request's headers, from the first byte of the
    /// request (from the connection's opening for its first request).
    pub header_read_timeout_ms: u64,
    /// Longest a kept-alive connection may wait idle for its next request.
    pub keep_alive_timeout_ms: u64,
    /// Longest a client may take to send a request's body once its headers are in; slower
    /// ones get 408. Below `limits.request_timeout_ms`.
    pub body_read_timeout_ms: u64,
    /// Reverse proxies in front of the signer whose `X-Forwarded-For` is trusted: 0 uses the
    /// socket's address; N takes the Nth address from the right of the header.
    pub trusted_proxy_hops: u8,
    /// Allows a non-loopback `admin_listen` (its answers tell why tokens were refused).
    pub allow_public_admin: bool,
}

impl Default for ServerSettings {
    fn default() -> Self {
        Self {
            max_connections: 512,
            header_read_timeout_ms: 10_000,
            keep_alive_timeout_ms: 75_000,
            body_read_timeout_ms: 5_000,
            trusted_proxy_hops: 0,
            allow_public_admin: false,
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
    /// The tenant's host name, possibly with a port: the session token's `iss` however it is
    /// spelt (`host`, `https://host` or `https://host/`, see [`issuer_host`]).
    pub issuer: String,
    /// The HMAC key shared with the tenant's Action, prepared once at start-up (it wipes its
    /// bytes when dropped).
    pub key: Hs256Key,
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

/// Where an answer goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Delivery {
    /// In the continue token's `answers` (the default).
    Token,
    /// Written to the user's `user_metadata` through the Management API.
    UserMetadata,
    /// Written to the user's `app_metadata` through the Management API.
    AppMetadata,
}

impl Delivery {
    /// The configuration's (and the `stored` claim's) spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Token => "token",
            Self::UserMetadata => "user_metadata",
            Self::AppMetadata => "app_metadata",
        }
    }

    fn parse(text: &str) -> Option<Self> {
        [Self::Token, Self::UserMetadata, Self::AppMetadata]
            .into_iter()
            .find(|delivery| delivery.as_str() == text)
    }
}

/// Where one answer is written: a metadata object and a path of keys in it (`["consents",
/// "terms"]` for `consents.terms`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetadataTarget {
    /// [`Delivery::UserMetadata`] or [`Delivery::AppMetadata`], never `Token`.
    pub delivery: Delivery,
    pub path: Vec<String>,
}

/// The back-channel fields of one form: field id -> where its answer is written. Fields
/// not listed travel in the token.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FormDelivery {
    pub targets: BTreeMap<String, MetadataTarget>,
}

impl FormDelivery {
    /// True when a target's path is nested, so the signer must read the current value of
    /// its top-level key before writing (Auth0 merges metadata at the top level only).
    pub fn needs_read(&self) -> bool {
        self.targets.values().any(|target| target.path.len() > 1)
    }
}

/// Default `metadata_key`: the field's id as a top-level key.
pub const DEFAULT_METADATA_KEY: &str = "{field}";
/// Default longest one Management API call may take.
pub const DEFAULT_ATTEMPT_TIMEOUT_MS: u64 = 2_000;
/// Default longest storing may take, retries included.
pub const DEFAULT_RETRY_BUDGET_MS: u64 = 5_000;
/// Most keys in a metadata path.
const MAX_METADATA_DEPTH: usize = 4;

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
    #[error("admin_listen address `{0}` is not an IP address and port")]
    AdminListen(String),
    #[error("admin_listen `{0}` is not a loopback address: /metrics and /readyz tell why tokens were refused; keep it on 127.0.0.1 or [::1], or set [server] allow_public_admin = true behind a firewall")]
    PublicAdmin(SocketAddr),
    #[error(
        "admin_listen `{0}` is the public listen address; give the admin listener its own port"
    )]
    AdminSameAsListen(SocketAddr),
    #[error("server: {0}")]
    Server(&'static str),
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
    #[error("tenant `{0}`: issuer must be a host name with an optional port, or https://host/")]
    Issuer(String),
    #[error("tenant `{0}` is configured twice")]
    DuplicateIssuer(String),
    #[error("tenants `{0}` and `{1}` share a secret: give each tenant its own, so a token of one can never pass for the other")]
    SharedSecret(String, String),
    #[error("tenant `{issuer}`: max_session_lifetime_secs {value} is outside {MIN_SESSION_LIFETIME_SECS}..={MAX_SESSION_LIFETIME_SECS} (an Auth0 login lives at most an hour)")]
    SessionLifetime { issuer: String, value: u64 },
    #[error("{owner}: answers_claim `{value}` must be \"\" (top-level claims) or 1 to 64 letters, digits, `_` or `-`, and not a claim the token sets itself ({})", RESERVED_CLAIMS.join(", "))]
    AnswersClaim { owner: String, value: String },
    #[error("tenant `{issuer}`: form `{form}` puts answers at the top level, and its field `{field}` would replace the token's own `{field}` claim")]
    AnswerCollidesWithClaim {
        issuer: String,
        form: String,
        field: String,
    },
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
    #[error("tenant `{0}`: [tenants.management] needs exactly one of `client_secret_env` and `client_secret_file`")]
    ManagementSecretSource(String),
    #[error("tenant `{issuer}`: environment variable `{variable}` (the management client secret) is not set")]
    ManagementSecretEnvMissing { issuer: String, variable: String },
    #[error("tenant `{issuer}`: cannot read management client secret file `{path}`: {reason}")]
    ManagementSecretFile {
        issuer: String,
        path: String,
        reason: String,
    },
    #[error("tenant `{0}`: the management client secret is empty")]
    ManagementSecretEmpty(String),
    #[error("tenant `{issuer}`: management domain `{domain}` must be a host name with an optional port, not a URL")]
    ManagementDomain { issuer: String, domain: String },
    #[error("tenant `{0}`: management client_id is empty")]
    ManagementClientId(String),
    #[error("tenant `{issuer}`: management audience `{audience}` must be an https:// (or, for a loopback domain, http://) URL")]
    ManagementAudience { issuer: String, audience: String },
    #[error("tenant `{0}`: management scheme \"http\" is only allowed for a loopback domain (127.0.0.1, localhost, [::1])")]
    ManagementHttpForPublicDomain(String),
    #[error("tenant `{issuer}`: management {problem}")]
    ManagementTiming {
        issuer: String,
        problem: &'static str,
    },
    #[error("form `{form}`{}: delivery `{value}` is not one of \"token\", \"user_metadata\", \"app_metadata\"", field.as_ref().map(|f| format!(", field `{f}`")).unwrap_or_default())]
    Delivery {
        form: String,
        field: Option<String>,
        value: String,
    },
    #[error("form `{form}`{}: `{key}` must be a string", field.as_ref().map(|f| format!(", field `{f}`")).unwrap_or_default())]
    DeliveryKeyType {
        form: String,
        field: Option<String>,
        key: &'static str,
    },
    #[error("form `{form}`{}: `{key}` must be true or false", field.as_ref().map(|f| format!(", field `{f}`")).unwrap_or_default())]
    FlagType {
        form: String,
        field: Option<String>,
        key: &'static str,
    },
    #[error("form `{form}`, field `{field}`: the person types or picks this answer, and applications read app_metadata as data the person cannot edit; store it in user_metadata, or set app_metadata_opt_in = true on the field (or form) if that is what you mean")]
    PersonValueInAppMetadata { form: String, field: String },
    #[error("form `{form}`, field `{field}`: metadata_key `{key}` must be 1 to {MAX_METADATA_DEPTH} dot-separated names of letters, digits, `_` or `-` (`{{field}}` stands for the field's id)")]
    MetadataKey {
        form: String,
        field: String,
        key: String,
    },
    #[error("form `{form}`, field `{field}`: a {kind} field takes no answer, so it cannot have a delivery")]
    DeliveryWithoutAnswer {
        form: String,
        field: String,
        kind: &'static str,
    },
    #[error("form `{form}`: fields `{first}` and `{second}` are both stored at {delivery}.{key} (or one inside the other)")]
    MetadataKeyClash {
        form: String,
        first: String,
        second: String,
        delivery: &'static str,
        key: String,
    },
    #[error("tenant `{issuer}`: form `{form}` stores answers in {delivery} but the tenant has no [tenants.management] client")]
    DeliveryWithoutManagement {
        issuer: String,
        form: String,
        delivery: &'static str,
    },
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
    /// `secret_env` and the overrides `STOPOVER_LISTEN`, `STOPOVER_ADMIN_LISTEN`,
    /// `STOPOVER_ALLOWED_ORIGINS`
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
        let mut deliveries = BTreeMap::new();
        let mut answers_claims = BTreeMap::new();
        for raw_form in raw.forms {
            let (form, delivery, answers_claim) = split_form(raw_form, &mut problems)?;
            if let Some(delivery) = delivery {
                deliveries.insert(form.id.0.clone(), delivery);
            }
            if let Some(text) = answers_claim {
                match AnswersClaim::parse(&text) {
                    Some(claim) => {
                        answers_claims.insert(form.id.0.clone(), claim);
                    }
                    None => problems.push(ConfigProblem::AnswersClaim {
                        owner: format!("form `{}`", form.id.0),
                        value: text,
                    }),
                }
            }
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
        let mut tenants: Vec<Tenant> = Vec::new();
        for raw_tenant in raw.tenants {
            let host = issuer_host(&raw_tenant.issuer).unwrap_or(&raw_tenant.issuer);
            if !issuers.insert(host.to_owned()) {
                problems.push(ConfigProblem::DuplicateIssuer(host.to_owned()));
            }
            if let Some(tenant) = check_tenant(raw_tenant, &forms, &deliveries, env, &mut problems)
            {
                if let Some(other) = tenants
                    .iter()
                    .find(|other| other.key.as_ref() == tenant.key.as_ref())
                {
                    problems.push(ConfigProblem::SharedSecret(
                        other.issuer.clone(),
                        tenant.issuer.clone(),
                    ));
                }
                tenants.push(tenant);
            }
        }
        for tenant in &tenants {
            for form_id in &tenant.forms {
                let claim = answers_claims.get(form_id).unwrap_or(&tenant.answers_claim);
                let Some(form) = forms.get(form_id) else {
                    continue;
                };
                if *claim != AnswersClaim::TopLevel {
                    continue;
                }
                for field in &form.fields {
                    if RESERVED_CLAIMS.contains(&field.id.as_str()) {
                        problems.push(ConfigProblem::AnswerCollidesWithClaim {
                            issuer: tenant.issuer.clone(),
                            form: form_id.clone(),
                            field: field.id.clone(),
                        });
                    }
                }
            }
        }

        for tenant in &tenants {
            let too_slow = tenant
                .management
                .as_ref()
                .is_some_and(|m| m.retry_budget_ms >= limits.request_timeout_ms);
            if too_slow {
                problems.push(ConfigProblem::ManagementTiming {
                    issuer: tenant.issuer.clone(),
                    problem: "retry_budget_ms must be below limits.request_timeout_ms, so a failed store still answers 503 itself",
                });
            }
        }

        let server = check_server(raw.server, limits.request_timeout_ms, &mut problems);
        let admin_listen = check_admin_listen(
            env("STOPOVER_ADMIN_LISTEN").or(raw.admin_listen),
            listen,
            &server,
            &mut problems,
        );

        match (listen, admin_listen) {
            (Some(listen), Some(admin_listen)) if problems.is_empty() => Ok(Config {
                listen,
                admin_listen,
                server,
                allowed_origins,
                static_dir,
                form_action_extra_origins,
                limits,
                replay,
                tenants,
                forms,
                deliveries,
                answers_claims,
            }),
            _ => Err(ConfigError::Invalid(problems)),
        }
    }

    /// Where `tenant`'s continue token for form `form_id` carries the answers: the form's
    /// `answers_claim`, else the tenant's.
    pub fn answers_claim<'a>(&'a self, tenant: &'a Tenant, form_id: &str) -> &'a AnswersClaim {
        self.answers_claims
            .get(form_id)
            .unwrap_or(&tenant.answers_claim)
    }

    /// Where the answers of form `form_id` go when some go through the back channel.
    pub fn delivery(&self, form_id: &str) -> Option<&FormDelivery> {
        self.deliveries.get(form_id)
    }

    /// The tenant of `issuer`, spelt `host`, `https://host` or `https://host/`.
    pub fn tenant(&self, issuer: &str) -> Option<&Tenant> {
        let host = issuer_host(issuer)?;
        self.tenants.iter().find(|tenant| tenant.issuer == host)
    }

    /// A few lines for `check-config`: what this configuration serves, without secrets.
    pub fn summary(&self) -> String {
        let mut lines = vec![
            format!("listen: {}", self.listen),
            format!(
                "admin listen: {} (/healthz, /readyz, /metrics){}",
                self.admin_listen,
                if self.admin_listen.ip().is_loopback() {
                    ""
                } else {
                    " NOT LOOPBACK: keep it behind a firewall"
                }
            ),
            format!(
                "server: at most {} connections, {} ms to send headers, {} ms to send a body, {} ms idle keep-alive, {}",
                self.server.max_connections,
                self.server.header_read_timeout_ms,
                self.server.body_read_timeout_ms,
                self.server.keep_alive_timeout_ms,
                match self.server.trusted_proxy_hops {
                    0 => "client IP from the socket (X-Forwarded-For ignored)".to_owned(),
                    hops => format!("client IP from X-Forwarded-For through {hops} trusted proxy hop(s)"),
                }
            ),
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
                "tenant {}: continue at {}://{}/continue{}, token parameter `{}`, ttl {} s, session tokens up to {} s, answers in {}, forms {}, secret {} bytes",
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
                tenant.max_session_lifetime_secs,
                match &tenant.answers_claim {
                    AnswersClaim::Named(name) => format!("`{name}`"),
                    AnswersClaim::TopLevel => "top-level claims".to_owned(),
                },
                tenant.forms.join(", "),
                tenant.key.as_ref().len(),
            ));
            if let Some(management) = &tenant.management {
                lines.push(format!(
                    "tenant {}: back channel through {}/api/v2/ as client {}, audience {}, {} ms per call, {} ms in all",
                    tenant.issuer,
                    management.base_url(),
                    management.client_id,
                    management.audience,
                    management.attempt_timeout_ms,
                    management.retry_budget_ms,
                ));
            }
        }
        for form in self.forms.values() {
            lines.push(format!(
                "form {} version {}: {} fields",
                form.id.0,
                form.version,
                form.fields.len()
            ));
            if let Some(delivery) = self.deliveries.get(&form.id.0) {
                for (field, target) in &delivery.targets {
                    lines.push(format!(
                        "form {} field {}: stored at {}.{}",
                        form.id.0,
                        field,
                        target.delivery.as_str(),
                        target.path.join(".")
                    ));
                }
            }
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
            key: Hs256Key::new(secret.expose()),
            continue_hosts: raw.continue_hosts,
            token_parameter,
            ttl_seconds,
            scheme,
            forms: raw.forms,
            continue_issuer: raw.continue_issuer,
            management,
            // Checked against MAX_SESSION_LIFETIME_SECS above, so it fits.
            max_session_lifetime_secs: i64::try_from(max_session_lifetime_secs).unwrap_or(i64::MAX),
            answers_claim,
        }),
        _ => None,
    }
}

fn check_management(
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

/// Takes the signer's own keys (`delivery`, `metadata_key`, `answers_claim`) off a
/// `[[forms]]` table and its fields, and reads the rest as a [`FormDefinition`] (which refuses unknown keys). The
/// definition served to the page therefore never shows where answers are stored.
fn split_form(
    mut table: toml::Table,
    problems: &mut Vec<ConfigProblem>,
) -> Result<(FormDefinition, Option<FormDelivery>, Option<String>), ConfigError> {
    let form_id = table
        .get("id")
        .and_then(toml::Value::as_str)
        .unwrap_or("?")
        .to_owned();
    let form_delivery = take_text(&mut table, "delivery", &form_id, None, problems);
    let answers_claim = take_text(&mut table, "answers_claim", &form_id, None, problems);
    let form_key = take_text(&mut table, "metadata_key", &form_id, None, problems);
    let form_opt_in = take_flag(&mut table, APP_METADATA_OPT_IN, &form_id, None, problems);
    let mut field_settings = Vec::new();
    if let Some(toml::Value::Array(fields)) = table.get_mut("fields") {
        for field in fields.iter_mut() {
            let Some(field) = field.as_table_mut() else {
                continue;
            };
            let field_id = field
                .get("id")
                .and_then(toml::Value::as_str)
                .unwrap_or("?")
                .to_owned();
            let delivery = take_text(field, "delivery", &form_id, Some(&field_id), problems);
            let key = take_text(field, "metadata_key", &form_id, Some(&field_id), problems);
            let opt_in = take_flag(
                field,
                APP_METADATA_OPT_IN,
                &form_id,
                Some(&field_id),
                problems,
            );
            field_settings.push((field_id, delivery, key, opt_in));
        }
    }
    let form: FormDefinition = toml::Value::Table(table)
        .try_into()
        .map_err(|error| ConfigError::Syntax(format!("form `{form_id}`: {error}")))?;

    let parse = |value: &str, field: Option<&str>, problems: &mut Vec<ConfigProblem>| {
        Delivery::parse(value).or_else(|| {
            problems.push(ConfigProblem::Delivery {
                form: form_id.clone(),
                field: field.map(str::to_owned),
                value: value.to_owned(),
            });
            None
        })
    };
    let default_delivery = match &form_delivery {
        Some(value) => parse(value, None, problems),
        None => Some(Delivery::Token),
    };
    let mut targets = BTreeMap::new();
    for (field_id, delivery, key, opt_in) in field_settings {
        let own_delivery = delivery.is_some();
        let delivery = match &delivery {
            Some(value) => parse(value, Some(&field_id), problems),
            None => default_delivery,
        };
        let Some(delivery) = delivery.filter(|d| *d != Delivery::Token) else {
            continue;
        };
        let Some(field) = form.field(&field_id) else {
            continue;
        };
        if matches!(field.kind, FieldKind::Static { .. }) {
            // A form-wide delivery skips static text; a delivery on the field is a mistake.
            if own_delivery {
                problems.push(ConfigProblem::DeliveryWithoutAnswer {
                    form: form_id.clone(),
                    field: field_id.clone(),
                    kind: "static",
                });
            }
            continue;
        }
        let opted_in = opt_in.or(form_opt_in).unwrap_or(false);
        if delivery == Delivery::AppMetadata && is_chosen_by_person(&field.kind) && !opted_in {
            problems.push(ConfigProblem::PersonValueInAppMetadata {
                form: form_id.clone(),
                field: field_id.clone(),
            });
        }
        let template = key
            .or_else(|| form_key.clone())
            .unwrap_or_else(|| DEFAULT_METADATA_KEY.to_owned());
        let Some(path) = metadata_path(&template, &field_id) else {
            problems.push(ConfigProblem::MetadataKey {
                form: form_id.clone(),
                field: field_id.clone(),
                key: template,
            });
            continue;
        };
        targets.insert(field_id, MetadataTarget { delivery, path });
    }
    check_clashes(&form_id, &targets, problems);
    let delivery = (!targets.is_empty()).then_some(FormDelivery { targets });
    Ok((form, delivery, answers_claim))
}

/// The setting that lets answers the person types or picks be written to `app_metadata`.
const APP_METADATA_OPT_IN: &str = "app_metadata_opt_in";

/// Answers whose value the person types or picks freely. Applications read `app_metadata` as
/// data the person cannot edit, so writing these there needs [`APP_METADATA_OPT_IN`]; a
/// consent record (its version and time set by the signer), a checkbox's yes or no and a
/// hidden value (from the token) do not.
fn is_chosen_by_person(kind: &FieldKind) -> bool {
    !matches!(
        kind,
        FieldKind::Consent { .. }
            | FieldKind::Checkbox
            | FieldKind::Hidden { .. }
            | FieldKind::Static { .. }
    )
}

/// Removes `key` from `table` and returns its boolean; anything else is a problem.
fn take_flag(
    table: &mut toml::Table,
    key: &'static str,
    form: &str,
    field: Option<&str>,
    problems: &mut Vec<ConfigProblem>,
) -> Option<bool> {
    match table.remove(key)? {
        toml::Value::Boolean(flag) => Some(flag),
        _ => {
            problems.push(ConfigProblem::FlagType {
                form: form.to_owned(),
                field: field.map(str::to_owned),
                key,
            });
            None
        }
    }
}

/// Removes `key` from `table` and returns its text; a non-string is a problem.
fn take_text(
    table: &mut toml::Table,
    key: &'static str,
    form: &str,
    field: Option<&str>,
    problems: &mut Vec<ConfigProblem>,
) -> Option<String> {
    match table.remove(key)? {
        toml::Value::String(text) => Some(text),
        _ => {
            problems.push(ConfigProblem::DeliveryKeyType {
                form: form.to_owned(),
                field: field.map(str::to_owned),
                key,
            });
            None
        }
    }
}

/// `consents.{field}` for field `terms` -> `["consents", "terms"]`; `None` when a segment is
/// empty, has other characters than letters, digits, `_` and `-`, or the path is too deep.
fn metadata_path(template: &str, field_id: &str) -> Option<Vec<String>> {
    let path: Vec<String> = template
        .replace("{field}", field_id)
        .split('.')
        .map(str::to_owned)
        .collect();
    let segment_ok = |segment: &String| {
        !segment.is_empty()
            && segment.len() <= 64
            && segment
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    };
    (path.len() <= MAX_METADATA_DEPTH && path.iter().all(segment_ok)).then_some(path)
}

/// Two fields may not write the same place, nor one inside the other's value.
fn check_clashes(
    form: &str,
    targets: &BTreeMap<String, MetadataTarget>,
    problems: &mut Vec<ConfigProblem>,
) {
    let entries: Vec<_> = targets.iter().collect();
    for (index, (first, a)) in entries.iter().enumerate() {
        for (second, b) in &entries[index + 1..] {
            let overlap = a.delivery == b.delivery
                && (a.path.starts_with(&b.path) || b.path.starts_with(&a.path));
            if overlap {
                let shorter = if a.path.len() <= b.path.len() { a } else { b };
                problems.push(ConfigProblem::MetadataKeyClash {
                    form: form.to_owned(),
                    first: (*first).clone(),
                    second: (*second).clone(),
                    delivery: a.delivery.as_str(),
                    key: shorter.path.join("."),
                });
            }
        }
    }
}

/// A secret file's bytes without the final newline an editor or `echo` adds.
fn read_secret_file(path: &str) -> Result<Vec<u8>, String> {
    let mut bytes = std::fs::read(path).map_err(|error| error.kind().to_string())?;
    while bytes.last().is_some_and(|b| *b == b'\n' || *b == b'\r') {
        bytes.pop();
    }
    Ok(bytes)
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
    Some(Secret::new(bytes))
}

/// `host` or `host:port`: lowercase letters, digits, `-` and `.` (or a bracketed IPv6
/// literal), no scheme, no path.
fn is_host(value: &str) -> bool {
    let host = split_host(value);
    let port = &value[host.len()..];
    let port_ok = port.is_empty()
        || port.strip_prefix(':').is_some_and(|digits| {
            digits.bytes().all(|b| b.is_ascii_digit())
                && digits.parse::<u16>().is_ok_and(|port| port > 0)
        });
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

/// The tenant host an issuer names: `host`, `https://host` and `https://host/` are one tenant
/// (Auth0's `encodeToken` writes the bare host; Actions often override it with the URL form).
/// `None` when what remains is not a host name with an optional port.
pub fn issuer_host(issuer: &str) -> Option<&str> {
    let host = match issuer.strip_prefix("https://") {
        Some(rest) => rest.strip_suffix('/').unwrap_or(rest),
        None => issuer,
    };
    is_host(host).then_some(host)
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
    admin_listen: Option<String>,
    #[serde(default)]
    server: RawServer,
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
    /// Read as tables first: the delivery keys are taken off before the definition is read.
    #[serde(default)]
    forms: Vec<toml::Table>,
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
    management: Option<RawManagement>,
    max_session_lifetime_secs: Option<u64>,
    answers_claim: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawManagement {
    domain: String,
    client_id: String,
    client_secret_env: Option<String>,
    client_secret_file: Option<String>,
    audience: Option<String>,
    scheme: Option<Scheme>,
    attempt_timeout_ms: Option<u64>,
    retry_budget_ms: Option<u64>,
}

#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawServer {
    max_connections: Option<usize>,
    header_read_timeout_ms: Option<u64>,
    keep_alive_timeout_ms: Option<u64>,
    body_read_timeout_ms: Option<u64>,
    trusted_proxy_hops: Option<u8>,
    allow_public_admin: Option<bool>,
}

/// `[server]` with defaults, each value within its bounds. The body timeout defaults to
/// 5 s, or half the request timeout when that is shorter, so it always fires first.
fn check_server(
    raw: RawServer,
    request_timeout_ms: u64,
    problems: &mut Vec<ConfigProblem>,
) -> ServerSettings {
    let defaults = ServerSettings::default();
    let server = ServerSettings {
        max_connections: raw.max_connections.unwrap_or(defaults.max_connections),
        header_read_timeout_ms: raw
            .header_read_timeout_ms
            .unwrap_or(defaults.header_read_timeout_ms),
        keep_alive_timeout_ms: raw
            .keep_alive_timeout_ms
            .unwrap_or(defaults.keep_alive_timeout_ms),
        body_read_timeout_ms: raw.body_read_timeout_ms.unwrap_or(
            defaults
                .body_read_timeout_ms
                .min(request_timeout_ms / 2)
                .max(1),
        ),
        trusted_proxy_hops: raw
            .trusted_proxy_hops
            .unwrap_or(defaults.trusted_proxy_hops),
        allow_public_admin: raw
            .allow_public_admin
            .unwrap_or(defaults.allow_public_admin),
    };
    if !(1..=100_000).contains(&server.max_connections) {
        problems.push(ConfigProblem::Server(
            "max_connections must be within 1..=100000",
        ));
    }
    if !(100..=120_000).contains(&server.header_read_timeout_ms) {
        problems.push(ConfigProblem::Server(
            "header_read_timeout_ms must be within 100..=120000",
        ));
    }
    if !(100..=600_000).contains(&server.keep_alive_timeout_ms) {
        problems.push(ConfigProblem::Server(
            "keep_alive_timeout_ms must be within 100..=600000",
        ));
    }
    if raw.body_read_timeout_ms.is_some_and(|ms| ms < 100) {
        problems.push(ConfigProblem::Server(
            "body_read_timeout_ms must be at least 100",
        ));
    }
    if server.body_read_timeout_ms >= request_timeout_ms {
        problems.push(ConfigProblem::Server(
            "body_read_timeout_ms must be below limits.request_timeout_ms, so a slow client gets 408 and not 503",
        ));
    }
    if server.trusted_proxy_hops > 10 {
        problems.push(ConfigProblem::Server(
            "trusted_proxy_hops must be within 0..=10",
        ));
    }
    server
}

/// The admin address: parsed, loopback unless explicitly allowed, not the public address.
fn check_admin_listen(
    text: Option<String>,
    listen: Option<SocketAddr>,
    server: &ServerSettings,
    problems: &mut Vec<ConfigProblem>,
) -> Option<SocketAddr> {
    let text = text.unwrap_or_else(|| DEFAULT_ADMIN_LISTEN.to_owned());
    let Ok(admin) = text.parse::<SocketAddr>() else {
        problems.push(ConfigProblem::AdminListen(text));
        return None;
    };
    if !admin.ip().is_loopback() && !server.allow_public_admin {
        problems.push(ConfigProblem::PublicAdmin(admin));
    }
    if let Some(listen) = listen {
        let same_ip = admin.ip() == listen.ip()
            || admin.ip().is_unspecified()
            || listen.ip().is_unspecified();
        if admin.port() != 0 && admin.port() == listen.port() && same_ip {
            problems.push(ConfigProblem::AdminSameAsListen(admin));
        }
    }
    Some(admin)
}
