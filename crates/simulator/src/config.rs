//! What a simulated tenant is configured with: its host name, the Action's secret and
//! settings, where the Action sends people, and the test users.

use std::fmt;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{json, Map, Value};

use crate::management::ManagementApiConfig;
use crate::users::TestUser;

/// The terms-of-service version the example Action requires; users who accepted another
/// version (or none) are sent to the `terms` form.
pub const CURRENT_TERMS_VERSION: &str = "2026-11";

/// The Action's default `expiresInSeconds` for `api.redirect.encodeToken`.
pub const DEFAULT_SESSION_TOKEN_TTL_SECS: u64 = 900;

/// The default `tokenParameterName` of `api.redirect.validateToken`.
pub const DEFAULT_TOKEN_PARAMETER: &str = "session_token";

/// Everything one simulated tenant needs.
#[derive(Clone, Debug)]
pub struct SimulatorConfig {
    /// The tenant's host name (may include `:port`): the `iss` of session tokens.
    pub issuer: String,
    /// The Stopover page the Action redirects to (`api.redirect.sendUserTo`).
    pub stopover_url: String,
    /// The secret shared with the signer; its UTF-8 bytes are the HMAC key.
    pub secret: Secret,
    /// The form parameter `/continue` reads the signer's token from.
    pub token_parameter: String,
    /// `expiresInSeconds` of the session tokens the Action encodes.
    pub session_token_ttl_secs: u64,
    /// The users one can sign in as, and the form each one starts with.
    pub users: Vec<TestUser>,
    /// Where the time comes from (tests move it).
    pub clock: Clock,
    /// The Management API's machine-to-machine client; without one, the API answers 404.
    pub management: Option<ManagementApiConfig>,
}

impl SimulatorConfig {
    /// A tenant with the default Action settings and the default test users.
    pub fn new(issuer: &str, stopover_url: &str, secret: Secret) -> Self {
        Self {
            issuer: issuer.to_owned(),
            stopover_url: stopover_url.to_owned(),
            secret,
            token_parameter: DEFAULT_TOKEN_PARAMETER.to_owned(),
            session_token_ttl_secs: DEFAULT_SESSION_TOKEN_TTL_SECS,
            users: default_users(),
            clock: Clock::system(),
            management: None,
        }
    }
}

/// The Action's secret. Its `Debug` output never shows the value.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The HMAC key bytes.
    pub fn as_bytes(&self) -> &[u8] {
        self.0.as_bytes()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secret({} bytes)", self.0.len())
    }
}

/// A source of Unix time in seconds.
#[derive(Clone)]
pub struct Clock(Arc<dyn Fn() -> i64 + Send + Sync>);

impl Clock {
    /// The system clock.
    pub fn system() -> Self {
        Self(Arc::new(|| {
            SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map(|elapsed| i64::try_from(elapsed.as_secs()).unwrap_or(i64::MAX))
                .unwrap_or(0)
        }))
    }

    /// A clock that reads the time from `now`.
    pub fn from_fn(now: impl Fn() -> i64 + Send + Sync + 'static) -> Self {
        Self(Arc::new(now))
    }

    /// Unix seconds.
    pub fn now(&self) -> i64 {
        (self.0)()
    }
}

impl fmt::Debug for Clock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Clock(now = {})", self.now())
    }
}

/// Three users, one per path through the example Action: a complete profile (no stopover),
/// a profile missing phone and company (`profile`), and terms accepted at an older version,
/// speaking French (`terms`).
pub fn default_users() -> Vec<TestUser> {
    vec![
        TestUser {
            user_id: "auth0|amara".to_owned(),
            name: "Amara Okafor".to_owned(),
            given_name: "Amara".to_owned(),
            email: "amara@example.com".to_owned(),
            locale: "en".to_owned(),
            user_metadata: object(json!({
                "company": "Okafor Logistics",
                "phone": "+442079460000",
                "country": "GB",
            })),
            app_metadata: object(json!({
                "terms_version": CURRENT_TERMS_VERSION,
                "account_ref": "ACC-1001",
            })),
        },
        TestUser {
            user_id: "auth0|bruno".to_owned(),
            name: "Bruno Keller".to_owned(),
            given_name: "Bruno".to_owned(),
            email: "bruno@example.com".to_owned(),
            locale: "en".to_owned(),
            user_metadata: object(json!({ "country": "DE" })),
            app_metadata: object(json!({
                "terms_version": CURRENT_TERMS_VERSION,
                "account_ref": "ACC-1002",
            })),
        },
        TestUser {
            user_id: "auth0|chloe".to_owned(),
            name: "Chloé Dubois".to_owned(),
            given_name: "Chloé".to_owned(),
            email: "chloe@example.com".to_owned(),
            locale: "fr".to_owned(),
            user_metadata: object(json!({
                "company": "Dubois & Fils",
                "phone": "+33142685300",
                "country": "FR",
            })),
            app_metadata: object(json!({ "terms_version": "2025-03", "account_ref": "ACC-1003" })),
        },
    ]
}

fn object(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}
