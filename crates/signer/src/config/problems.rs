//! Every reason a configuration is refused, each saying exactly what to fix.

use std::net::SocketAddr;

use stopover_protocol::form::DefinitionError;
use stopover_protocol::limits::{CONTINUE_TTL_MAX, CONTINUE_TTL_MIN};

use super::delivery::MAX_METADATA_DEPTH;
use super::tenant::{
    MAX_SESSION_LIFETIME_SECS, MIN_SECRET_BYTES, MIN_SESSION_LIFETIME_SECS, RESERVED_CLAIMS,
};

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
    #[error("tenant `{issuer}` lists `{language}` in `languages`, but {problem}")]
    MissingLanguage {
        issuer: String,
        language: String,
        problem: DefinitionError,
    },
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

impl ConfigProblem {
    /// True for a tenant's secret (or management client secret) that is not set, cannot be
    /// read or is too short: what a form author's machine lacks, and a preview does without.
    pub fn is_secret_out_of_reach(&self) -> bool {
        matches!(
            self,
            Self::SecretEnvMissing { .. }
                | Self::SecretFile { .. }
                | Self::SecretTooShort { .. }
                | Self::ManagementSecretEnvMissing { .. }
                | Self::ManagementSecretFile { .. }
                | Self::ManagementSecretEmpty(_)
        )
    }
}

pub(super) fn list(problems: &[ConfigProblem]) -> String {
    problems
        .iter()
        .map(|problem| format!("  - {problem}"))
        .collect::<Vec<_>>()
        .join("\n")
}
