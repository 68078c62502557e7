//! What a simulated tenant is configured with: its host name, the post-login Action it runs
//! (a JavaScript file, run under Node) and that Action's secrets, and the test users.

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{json, Map, Value};

use crate::users::TestUser;

/// The example Action of this repository, which the simulator runs unless told otherwise.
pub const DEFAULT_ACTION_FILE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../examples/auth0/stopover-action.js"
);

/// The script that runs one hook of an Action file with the Auth0 harness beside it.
pub const DEFAULT_ACTION_RUNNER: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../examples/auth0/run-action.js"
);

/// How long one Action call may take before the login fails (Auth0 allows 20 s per flow; the
/// simulator's Actions are small, and Node starts in well under a second).
pub const DEFAULT_ACTION_TIMEOUT: Duration = Duration::from_secs(10);

/// Everything one simulated tenant needs.
#[derive(Clone, Debug)]
pub struct SimulatorConfig {
    /// The tenant's host name (may include `:port`): the `iss` of session tokens.
    pub issuer: String,
    /// The Stopover page the Action redirects to: its `STOPOVER_URL` secret.
    pub stopover_url: String,
    /// The secret shared with the signer, the Action's `STOPOVER_SECRET`; its UTF-8 bytes
    /// are the HMAC key.
    pub secret: Secret,
    /// The post-login Action and how it is run.
    pub action: ActionRuntime,
    /// The Action's `STOPOVER_PLAN` secret: the JSON `stopover-signer action-plan` writes
    /// from the signer's configuration. Without it the example Action denies every login.
    pub action_plan: Option<String>,
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
            action: ActionRuntime::default(),
            action_plan: None,
            users: default_users(),
            clock: Clock::system(),
            management: None,
        }
    }
}

/// Scope needed to read a user.
pub const READ_USERS: &str = "read:users";
/// Scope needed to update a user.
pub const UPDATE_USERS: &str = "update:users";

/// The one machine-to-machine application allowed on the simulated Management API.
#[derive(Debug, Clone)]
pub struct ManagementApiConfig {
    pub client_id: String,
    pub client_secret: Secret,
    /// The scopes its tokens carry (the client grant).
    pub scopes: Vec<String>,
    /// `expires_in` of its tokens, seconds (Auth0's default is 86400).
    pub token_ttl_secs: i64,
}

impl ManagementApiConfig {
    /// A client with `read:users` and `update:users` and day-long tokens.
    pub fn new(client_id: &str, client_secret: Secret) -> Self {
        Self {
            client_id: client_id.to_owned(),
            client_secret,
            scopes: vec![READ_USERS.to_owned(), UPDATE_USERS.to_owned()],
            token_ttl_secs: 86_400,
        }
    }
}

/// Which Action file runs, and with what: `node RUNNER` reads one call on stdin and answers on
/// stdout (see `examples/auth0/run-action.js`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ActionRuntime {
    /// The Action's JavaScript file (exports `onExecutePostLogin`, `onContinuePostLogin`).
    pub file: PathBuf,
    /// The Node.js executable (a name looked up on `PATH`, or a path).
    pub node: PathBuf,
    /// The runner script.
    pub runner: PathBuf,
    /// How long one call may take; Node is killed after that.
    pub timeout: Duration,
}

impl Default for ActionRuntime {
    fn default() -> Self {
        Self {
            file: PathBuf::from(DEFAULT_ACTION_FILE),
            node: PathBuf::from("node"),
            runner: PathBuf::from(DEFAULT_ACTION_RUNNER),
            timeout: DEFAULT_ACTION_TIMEOUT,
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

    /// The secret's text, for the Action's `event.secrets` (never for a log).
    pub fn expose(&self) -> &str {
        &self.0
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

/// The document version `config/demo.toml` serves: what Amara, Bruno and Layla accepted.
const ACCEPTED_TERMS: &str = "2026-11";

/// Five users, one per path through the example Action: a complete profile (no stopover),
/// a profile missing phone and company (`profile`), terms accepted at an older version,
/// speaking French (`terms`), the profile again, speaking Arabic (the page right to left),
/// and a new person not onboarded yet (`onboarding`, in steps, two questions a login). Their
/// metadata is kept where the Action reads it: the accepted terms in
/// `app_metadata.consents.terms.version`, the profile and onboarding in `user_metadata`.
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
                "job_title": "Operations lead",
                "team_size": "medium",
            })),
            app_metadata: object(json!({
                "consents": accepted(ACCEPTED_TERMS),
                "account_ref": "ACC-1001",
            })),
        },
        TestUser {
            user_id: "auth0|bruno".to_owned(),
            name: "Bruno Keller".to_owned(),
            given_name: "Bruno".to_owned(),
            email: "bruno@example.com".to_owned(),
            locale: "en".to_owned(),
            user_metadata: object(json!({
                "country": "DE",
                "job_title": "Dispatcher",
                "team_size": "small",
            })),
            app_metadata: object(json!({
                "consents": accepted(ACCEPTED_TERMS),
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
                "job_title": "Gérante",
                "team_size": "small",
            })),
            app_metadata: object(json!({
                "consents": accepted("2025-03"),
                "account_ref": "ACC-1003",
            })),
        },
        TestUser {
            user_id: "auth0|layla".to_owned(),
            name: "Layla Haddad".to_owned(),
            given_name: "Layla".to_owned(),
            email: "layla@example.com".to_owned(),
            locale: "ar".to_owned(),
            user_metadata: object(json!({
                "country": "other",
                "job_title": "Buyer",
                "team_size": "large",
            })),
            app_metadata: object(json!({
                "consents": accepted(ACCEPTED_TERMS),
                "account_ref": "ACC-1004",
            })),
        },
        TestUser {
            user_id: "auth0|kenji".to_owned(),
            name: "Kenji Sato".to_owned(),
            given_name: "Kenji".to_owned(),
            email: "kenji@example.com".to_owned(),
            locale: "en".to_owned(),
            user_metadata: object(json!({
                "company": "Sato Freight",
                "phone": "+81312345678",
                "country": "JP",
            })),
            app_metadata: object(json!({
                "consents": accepted(ACCEPTED_TERMS),
                "account_ref": "ACC-1005",
            })),
        },
    ]
}

/// `app_metadata.consents` as the Action stores the terms and the privacy policy (the demo's
/// two documents) accepted at `version`.
fn accepted(version: &str) -> Value {
    let record = json!({ "version": version, "accepted_at": 1_764_547_200 });
    json!({ "terms": record, "privacy": record })
}

fn object(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}
