//! The signer's configuration: one TOML file plus environment overrides, checked once at
//! start-up so that a running signer can only hold a usable configuration.
//!
//! Secrets never live in the file: each tenant names the environment variable or the file that
//! holds its secret. `env` is passed in as a function so tests never touch the process
//! environment.
//!
//! - [`tenant`]: the tenants (issuer, key, continue hosts, lifetimes, answers claim);
//! - [`delivery`]: where each answer goes (token or metadata), read off `[[forms]]`;
//! - [`management`]: the Management API client of a tenant;
//! - [`server`]: the listeners and the limits on connections;
//! - [`host`]: what a host name and an origin are;
//! - [`problems`]: every reason a configuration is refused.

mod delivery;
mod host;
mod management;
mod problems;
mod server;
mod tenant;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;

use serde::Deserialize;
use stopover_protocol::form::FormDefinition;

pub use delivery::{Delivery, FormDelivery, MetadataTarget, DEFAULT_METADATA_KEY};
pub use host::{is_loopback_host, is_origin, issuer_host};
pub use management::{ManagementClient, DEFAULT_ATTEMPT_TIMEOUT_MS, DEFAULT_RETRY_BUDGET_MS};
pub use problems::{ConfigError, ConfigProblem};
pub use server::ServerSettings;
pub use tenant::{
    AnswersClaim, Scheme, Secret, Tenant, DEFAULT_ANSWERS_CLAIM, DEFAULT_TOKEN_PARAMETER,
    MAX_SESSION_LIFETIME_SECS, MIN_SECRET_BYTES, MIN_SESSION_LIFETIME_SECS, RESERVED_CLAIMS,
};

use delivery::split_form;
use server::{check_admin_listen, check_server, RawServer};
use tenant::{check_tenant, RawTenant};

/// Default address to listen on.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8781";
/// Default address of the admin listener (`/readyz`, `/metrics`, `/healthz`): loopback only.
pub const DEFAULT_ADMIN_LISTEN: &str = "127.0.0.1:8782";
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

/// Request limits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Continue requests per minute per client IP.
    pub rate_limit_per_minute: u32,
    /// Longest a request may take before the signer answers 503.
    pub request_timeout_ms: u64,
    /// Most unexpired tokens the in-memory replay store remembers; when full it refuses
    /// (503) rather than forget one. See [`crate::replay::DEFAULT_MEMORY_CAPACITY`].
    pub replay_memory_capacity: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            rate_limit_per_minute: 60,
            request_timeout_ms: 10_000,
            replay_memory_capacity: crate::replay::DEFAULT_MEMORY_CAPACITY,
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
        Checked::read(text, env)?.into_config()
    }

    /// The forms of a configuration for `stopover-signer preview`, with every problem
    /// [`Config::from_toml`] finds except those of secrets that are not at hand (a form
    /// author's machine has no tenant secret): the forms are shown whatever the problems,
    /// the problems in their place.
    pub fn forms_for_preview(
        text: &str,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<FormsPreview, ConfigError> {
        let checked = Checked::read(text, env)?;
        let mut languages: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (forms, tenant_languages) in &checked.tenant_languages {
            for form in forms {
                let listed = languages.entry(form.clone()).or_default();
                for language in tenant_languages {
                    if !listed.contains(language) {
                        listed.push(language.clone());
                    }
                }
            }
        }
        Ok(FormsPreview {
            problems: checked
                .problems
                .into_iter()
                .filter(|problem| !problem.is_secret_out_of_reach())
                .collect(),
            forms: checked.forms,
            languages,
        })
    }
}

/// What `stopover-signer preview` shows of a configuration ([`Config::forms_for_preview`]).
#[derive(Debug, Clone)]
pub struct FormsPreview {
    /// The forms as defined, also when they have problems.
    pub forms: BTreeMap<String, FormDefinition>,
    /// For each form a tenant lists, the languages those tenants declare, in order.
    pub languages: BTreeMap<String, Vec<String>>,
    /// What `check-config` would report, secrets out of reach aside.
    pub problems: Vec<ConfigProblem>,
}

/// Everything read from a configuration file, with every problem found; a [`Config`] only
/// when there is none.
struct Checked {
    listen: Option<SocketAddr>,
    admin_listen: Option<SocketAddr>,
    server: ServerSettings,
    allowed_origins: Vec<String>,
    static_dir: Option<PathBuf>,
    form_action_extra_origins: Vec<String>,
    limits: Limits,
    replay: ReplayStoreConfig,
    tenants: Vec<Tenant>,
    forms: BTreeMap<String, FormDefinition>,
    deliveries: BTreeMap<String, FormDelivery>,
    answers_claims: BTreeMap<String, AnswersClaim>,
    /// Each tenant's form ids and declared languages, also for a tenant with problems.
    tenant_languages: Vec<(Vec<String>, Vec<String>)>,
    problems: Vec<ConfigProblem>,
}

impl Checked {
    fn into_config(self) -> Result<Config, ConfigError> {
        match (self.listen, self.admin_listen) {
            (Some(listen), Some(admin_listen)) if self.problems.is_empty() => Ok(Config {
                listen,
                admin_listen,
                server: self.server,
                allowed_origins: self.allowed_origins,
                static_dir: self.static_dir,
                form_action_extra_origins: self.form_action_extra_origins,
                limits: self.limits,
                replay: self.replay,
                tenants: self.tenants,
                forms: self.forms,
                deliveries: self.deliveries,
                answers_claims: self.answers_claims,
            }),
            _ => Err(ConfigError::Invalid(self.problems)),
        }
    }

    fn read(text: &str, env: &dyn Fn(&str) -> Option<String>) -> Result<Checked, ConfigError> {
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
        let mut tenant_languages = Vec::new();
        for raw_tenant in raw.tenants {
            tenant_languages.push((raw_tenant.forms.clone(), raw_tenant.languages.clone()));
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

        Ok(Checked {
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
            tenant_languages,
            problems,
        })
    }
}

impl Config {
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
            let steps = match form.steps.len() {
                0 => String::new(),
                count => format!(" in {count} steps"),
            };
            lines.push(format!(
                "form {} version {}: {} fields{steps}",
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
