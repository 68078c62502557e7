//! `stopover-signer preview`: every form of a configuration, served without a login for the
//! people who write them (docs/operators.md, "Writing forms").
//!
//! It serves the built page with a `stopover.json` of its own that turns on the page's preview
//! mode, the forms of the configuration at `GET /api/forms/{id}` as the signer serves them,
//! and `GET /preview/state`: a version, the problems `check-config` finds (a secret that is not
//! at hand aside) and the forms with their languages and steps. The file is read again when it
//! changes ([`PreviewState::refresh`], polled by [`watch`]); the version goes up and the page,
//! which polls it, reloads. Nothing is signed and nothing is sent to Auth0: the preview has
//! no key, no `/api/continue`, and the answers typed in it never leave the browser.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::{Duration, SystemTime};

use axum::extract::{Path as UrlPath, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use serde_json::Value;
use stopover_protocol::api::{ConfigurationPreview, PreviewForm, PREVIEW_STATE_PATH};
use stopover_protocol::FormDefinition;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::SetResponseHeaderLayer;

use crate::config::{Config, ConfigError};
use crate::error::{json_response, ApiError};
use crate::page_policy::PAGE_CONFIG_FILE;

/// The address `stopover-signer preview` listens on unless told otherwise.
pub const DEFAULT_PREVIEW_LISTEN: &str = "127.0.0.1:8790";
/// How often the configuration file is looked at for a change.
pub const POLL_INTERVAL: Duration = Duration::from_millis(500);

/// The configuration as last read, shared by the routes and the watcher. Cheap to clone.
#[derive(Clone)]
pub struct PreviewState {
    inner: Arc<Inner>,
    /// Origins (`scheme://host:port`) whose pages may read the forms and the state: none
    /// unless asked (the page tests' runner).
    allowed_origins: Arc<[HeaderValue]>,
}

impl std::fmt::Debug for PreviewState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PreviewState")
            .field("config_path", &self.inner.config_path)
            .field("dist", &self.inner.dist)
            .finish_non_exhaustive()
    }
}

/// Looks up an environment variable (the tenants' secrets, the overrides), as `check-config`.
type Env = Box<dyn Fn(&str) -> Option<String> + Send + Sync>;

struct Inner {
    config_path: PathBuf,
    dist: PathBuf,
    env: Env,
    current: RwLock<Arc<Snapshot>>,
    /// The file's modification time and length when last read.
    seen: Mutex<Option<(SystemTime, u64)>>,
}

/// One reading of the configuration file.
#[derive(Debug, Clone)]
pub struct Snapshot {
    /// Goes up by one at each reading after the first.
    pub version: u64,
    /// What `check-config` would say, each problem on its own, in its words.
    pub problems: Vec<String>,
    pub forms: BTreeMap<String, FormDefinition>,
    /// For each form, the languages declared by the tenants that list it.
    pub languages: BTreeMap<String, Vec<String>>,
}

impl PreviewState {
    /// Reads the configuration at `config_path` (secret variables looked up with `env`) for
    /// the page built into `dist`.
    pub fn new(
        config_path: PathBuf,
        dist: PathBuf,
        env: impl Fn(&str) -> Option<String> + Send + Sync + 'static,
    ) -> Self {
        let state = Self {
            inner: Arc::new(Inner {
                config_path,
                dist,
                env: Box::new(env),
                current: RwLock::new(Arc::new(Snapshot {
                    version: 0,
                    problems: Vec::new(),
                    forms: BTreeMap::new(),
                    languages: BTreeMap::new(),
                })),
                seen: Mutex::new(None),
            }),
            allowed_origins: Arc::from([]),
        };
        state.refresh();
        state
    }

    /// Lets pages of `origins` (exact `scheme://host:port`) read the forms and the state;
    /// values that cannot be a header are left out.
    pub fn with_allowed_origins(mut self, origins: &[String]) -> Self {
        self.allowed_origins = origins
            .iter()
            .filter_map(|origin| HeaderValue::from_str(origin).ok())
            .collect();
        self
    }

    /// The configuration as last read.
    pub fn snapshot(&self) -> Arc<Snapshot> {
        self.inner
            .current
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Reads the file again when its modification time or length changed since the last
    /// reading (or it appeared or vanished). True when it was read.
    pub fn refresh(&self) -> bool {
        let stamp = std::fs::metadata(&self.inner.config_path)
            .ok()
            .and_then(|meta| Some((meta.modified().ok()?, meta.len())));
        {
            let mut seen = self
                .inner
                .seen
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            let first = self.snapshot().version == 0 && seen.is_none();
            if !first && *seen == stamp {
                return false;
            }
            *seen = stamp;
        }
        let (problems, forms, languages) = read(&self.inner.config_path, &*self.inner.env);
        let mut current = self
            .inner
            .current
            .write()
            .unwrap_or_else(PoisonError::into_inner);
        let version = current.version + 1;
        tracing::info!(
            version,
            forms = forms.len(),
            problems = problems.len(),
            "configuration read"
        );
        *current = Arc::new(Snapshot {
            version,
            problems,
            forms,
            languages,
        });
        true
    }

    /// `stopover.json` for the preview: the built page's own (its brand, languages and
    /// texts), with `preview` on and the signer on the page's origin.
    fn page_config(&self) -> Value {
        let built = std::fs::read(self.inner.dist.join(PAGE_CONFIG_FILE))
            .ok()
            .and_then(|bytes| serde_json::from_slice::<Value>(&bytes).ok());
        let mut config = match built {
            Some(Value::Object(map)) => map,
            _ => serde_json::Map::new(),
        };
        config.insert("preview".to_owned(), Value::Bool(true));
        config.insert("signer_url".to_owned(), Value::String(String::new()));
        Value::Object(config)
    }
}

/// A reading: the problems, the forms, and the forms' languages.
type Reading = (
    Vec<String>,
    BTreeMap<String, FormDefinition>,
    BTreeMap<String, Vec<String>>,
);

/// Reads the configuration at `path`: its problems as `check-config` words them, and its
/// forms, also when it has problems.
fn read(path: &Path, env: &dyn Fn(&str) -> Option<String>) -> Reading {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(error) => {
            let problem = format!("cannot read {}: {error}", path.display());
            return (vec![problem], BTreeMap::new(), BTreeMap::new());
        }
    };
    match Config::forms_for_preview(&text, env) {
        Ok(preview) => (
            preview.problems.iter().map(ToString::to_string).collect(),
            preview.forms,
            preview.languages,
        ),
        Err(ConfigError::Invalid(problems)) => (
            problems.iter().map(ToString::to_string).collect(),
            BTreeMap::new(),
            BTreeMap::new(),
        ),
        Err(error @ ConfigError::Syntax(_)) => {
            (vec![error.to_string()], BTreeMap::new(), BTreeMap::new())
        }
    }
}

/// The preview's routes: the page from `dist` (never cached, so a rebuilt page shows on the
/// next reload), its `stopover.json`, the forms and the preview's state.
pub fn preview_app(state: PreviewState) -> Router {
    let dist = state.inner.dist.clone();
    let page = ServeDir::new(&dist).fallback(ServeFile::new(dist.join("index.html")));
    let cors = CorsLayer::new()
        .allow_origin(AllowOrigin::list(state.allowed_origins.iter().cloned()))
        .allow_methods([Method::GET]);
    Router::new()
        .route(PREVIEW_STATE_PATH, get(preview_state))
        .route("/api/forms/{id}", get(form_definition))
        .route(&format!("/{PAGE_CONFIG_FILE}"), get(page_config))
        .fallback_service(page)
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
        .layer(cors)
        .with_state(state)
}

/// True when the page in `dist` was built with preview mode (the page's `preview` feature):
/// its wasm module then asks for [`PREVIEW_STATE_PATH`], and the shipped page's never does.
pub fn page_has_preview_mode(dist: &Path) -> bool {
    let Ok(entries) = std::fs::read_dir(dist) else {
        return false;
    };
    entries
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| {
            path.extension()
                .is_some_and(|extension| extension == "wasm")
        })
        .filter_map(|path| std::fs::read(path).ok())
        .any(|module| {
            module
                .windows(PREVIEW_STATE_PATH.len())
                .any(|window| window == PREVIEW_STATE_PATH.as_bytes())
        })
}

/// Reads the configuration again whenever it changes, every [`POLL_INTERVAL`] (or
/// `interval`), for as long as the runtime runs.
pub fn watch(state: PreviewState, interval: Duration) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(interval);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            let state = state.clone();
            // File system calls block; a slow disk must not hold up the requests.
            let _ = tokio::task::spawn_blocking(move || state.refresh()).await;
        }
    })
}

async fn preview_state(State(state): State<PreviewState>) -> Response {
    let snapshot = state.snapshot();
    let forms = snapshot
        .forms
        .values()
        .map(|form| {
            let languages = match snapshot.languages.get(&form.id.0) {
                Some(listed) if !listed.is_empty() => listed.clone(),
                _ => form.title.languages().map(str::to_owned).collect(),
            };
            PreviewForm {
                id: form.id.0.clone(),
                title: form
                    .title
                    .get(languages.first().map_or("en", String::as_str))
                    .to_owned(),
                languages,
                steps: form.steps.iter().map(|step| step.id.clone()).collect(),
            }
        })
        .collect();
    json_response(
        StatusCode::OK,
        &ConfigurationPreview {
            version: snapshot.version,
            problems: snapshot.problems.clone(),
            forms,
        },
    )
}

async fn form_definition(
    State(state): State<PreviewState>,
    UrlPath(id): UrlPath<String>,
) -> Result<Response, ApiError> {
    let snapshot = state.snapshot();
    let form = snapshot.forms.get(&id).ok_or(ApiError::UnknownForm)?;
    Ok(json_response(StatusCode::OK, form))
}

async fn page_config(State(state): State<PreviewState>) -> Response {
    json_response(StatusCode::OK, &state.page_config())
}
