//! The tenant's HTTP endpoints: the start page, `/authorize`, `/continue`, the application's
//! callback, and a JSON view of the stored users for tests.

use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex, MutexGuard};

use axum::body::Bytes;
use axum::extract::{ConnectInfo, FromRequestParts, Path, RawQuery, State};
use axum::http::header::{
    CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE, COOKIE, LOCATION, SET_COOKIE,
};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::json;

use crate::action::{encode_session_token, required_form, store_answers};
use crate::config::SimulatorConfig;
use crate::management::{self, ManagementState};
use crate::pages;
use crate::tenant::{random_id, CompletedLogin, Tenant};
use crate::validate::{validate_continue_token, TokenRejection};

/// The cookie that binds login transactions to one browser.
pub const BROWSER_COOKIE: &str = "simulator_session";

/// Shared by every handler.
#[derive(Debug, Clone)]
pub struct AppState {
    config: Arc<SimulatorConfig>,
    tenant: Arc<Mutex<Tenant>>,
    management: Arc<Mutex<ManagementState>>,
}

impl AppState {
    pub fn new(config: SimulatorConfig) -> Self {
        let tenant = Tenant::new(config.users.clone());
        Self {
            config: Arc::new(config),
            tenant: Arc::new(Mutex::new(tenant)),
            management: Arc::new(Mutex::new(ManagementState::default())),
        }
    }

    pub(crate) fn config(&self) -> &SimulatorConfig {
        &self.config
    }

    /// The Management API's tokens, faults and counts (same poisoning argument as `tenant`).
    pub(crate) fn management(&self) -> MutexGuard<'_, ManagementState> {
        self.management
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The tenant's data. A handler that panicked while holding the lock left it in a state
    /// that is still consistent (every change is one map operation), so poisoning is ignored.
    pub(crate) fn tenant(&self) -> MutexGuard<'_, Tenant> {
        self.tenant
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// Every route of the simulated tenant.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/", get(start))
        .route("/authorize", get(authorize))
        .route("/continue", get(continue_login).post(continue_login))
        .route("/callback", get(callback))
        .route("/_sim/users/{id}", get(stored_user))
        .route("/oauth/token", post(management::token))
        .route(
            "/api/v2/users/{id}",
            get(management::get_user).patch(management::patch_user),
        )
        .route(
            "/_sim/management/faults",
            post(management::add_faults).delete(management::clear_faults),
        )
        .route("/_sim/management/stats", get(management::stats))
        .route("/_sim/management/revoke", post(management::revoke))
        .route(pages::STYLESHEET_PATH, get(stylesheet))
        .with_state(state)
}

async fn start(State(app): State<AppState>) -> Response {
    let tenant = app.tenant();
    let users: Vec<_> = tenant
        .users()
        .map(|user| (user, required_form(user)))
        .collect();
    html(StatusCode::OK, pages::start_page(&users))
}

async fn stylesheet() -> Response {
    (
        [(CONTENT_TYPE, "text/css; charset=utf-8")],
        pages::STYLESHEET,
    )
        .into_response()
}

/// Starts a login for `?user=SHORT_ID`, runs the Action, and either redirects to the
/// stopover (with `session_token`, then `state` as Auth0 appends it) or finishes at once.
async fn authorize(
    State(app): State<AppState>,
    ClientIp(ip): ClientIp,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let now = app.config.clock.now();
    let Some(short_id) = param(query.as_deref(), "user") else {
        return error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "Missing required parameter: user",
        );
    };
    let (browser, new_cookie) = match browser_session(&headers) {
        Some(browser) => (browser, None),
        None => {
            let browser = random_id();
            let cookie = format!("{BROWSER_COOKIE}={browser}; Path=/; HttpOnly; SameSite=Lax");
            (browser, Some(cookie))
        }
    };

    let mut tenant = app.tenant();
    let Some(user) = tenant.user(&short_id).cloned() else {
        return error(StatusCode::BAD_REQUEST, "invalid_request", "Unknown user.");
    };
    let location = match required_form(&user) {
        None => {
            let login = tenant.complete(CompletedLogin {
                user: short_id,
                form: None,
                answers: None,
                stored: None,
            });
            tracing::info!(user = %user.user_id, "login finished without a stopover");
            callback_location(&login)
        }
        Some(form) => {
            let state = tenant.start_transaction(&short_id, &browser, now);
            let token = match encode_session_token(
                &app.config,
                &user,
                form,
                ip.map(|ip| ip.to_string()),
                now,
            ) {
                Ok(token) => token,
                Err(problem) => {
                    tracing::error!(%problem, "cannot encode a session token");
                    return error(
                        StatusCode::INTERNAL_SERVER_ERROR,
                        "server_error",
                        "The Action could not encode the session token.",
                    );
                }
            };
            tracing::info!(user = %user.user_id, form, "redirecting to the stopover");
            stopover_location(&app.config.stopover_url, &token, &state)
        }
    };
    drop(tenant);

    let mut response = redirect(StatusCode::FOUND, &location);
    if let Some(cookie) = new_cookie.and_then(|cookie| HeaderValue::from_str(&cookie).ok()) {
        response.headers_mut().insert(SET_COOKIE, cookie);
    }
    response
}

/// Auth0's `/continue`: the `state` from the query or the form body must name a live
/// transaction of this browser; the token (form body or query, under the configured
/// parameter name) must pass `validateToken`. Then `onContinuePostLogin` stores the answers.
async fn continue_login(
    State(app): State<AppState>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let now = app.config.clock.now();
    let form_body = is_form(&headers).then(|| String::from_utf8_lossy(&body).into_owned());
    let lookup =
        |name: &str| param(query.as_deref(), name).or_else(|| param(form_body.as_deref(), name));

    let Some(state) = lookup("state").filter(|state| !state.is_empty()) else {
        return error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "Missing required parameter: state",
        );
    };
    let browser = browser_session(&headers);
    let mut tenant = app.tenant();
    let transaction = match tenant.take_transaction(&state, browser.as_deref(), now) {
        Ok(transaction) => transaction,
        Err(problem) => {
            tracing::info!(%problem, "continue refused");
            return error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                &problem.to_string(),
            );
        }
    };
    let Some(user) = tenant.user_mut(&transaction.user) else {
        return error(StatusCode::BAD_REQUEST, "invalid_request", "Unknown user.");
    };

    let parameter = &app.config.token_parameter;
    let validated = lookup(parameter)
        .ok_or_else(|| TokenRejection::Missing(parameter.clone()))
        .and_then(|token| {
            validate_continue_token(&token, &app.config.secret, &state, &user.user_id, now)
        });
    let validated = match validated {
        Ok(validated) => validated,
        Err(rejection) => {
            tracing::info!(user = %user.user_id, %rejection, "continue token refused");
            return error(
                StatusCode::BAD_REQUEST,
                "access_denied",
                &rejection.to_string(),
            );
        }
    };

    store_answers(user, &validated, now);
    tracing::info!(user = %user.user_id, "login finished after a stopover");
    let login = tenant.complete(CompletedLogin {
        user: transaction.user,
        form: Some(validated.form),
        answers: Some(validated.answers),
        stored: validated.stored,
    });
    redirect(StatusCode::SEE_OTHER, &callback_location(&login))
}

/// The application's callback: the "signed in" page of one finished login.
async fn callback(State(app): State<AppState>, RawQuery(query): RawQuery) -> Response {
    let tenant = app.tenant();
    let found = param(query.as_deref(), "login").and_then(|id| {
        let login = tenant.login(&id)?;
        Some((tenant.user(&login.user)?, login))
    });
    match found {
        Some((user, login)) => html(StatusCode::OK, pages::signed_in_page(user, login)),
        None => error(StatusCode::NOT_FOUND, "invalid_request", "Unknown login."),
    }
}

/// A stored user as JSON, for tests and the curious.
async fn stored_user(State(app): State<AppState>, Path(id): Path<String>) -> Response {
    match app.tenant().user(&id) {
        Some(user) => Json(user).into_response(),
        None => (
            StatusCode::NOT_FOUND,
            Json(json!({"error": "unknown_user"})),
        )
            .into_response(),
    }
}

/// The peer's address, when the server was started with connect info.
struct ClientIp(Option<IpAddr>);

impl<S: Send + Sync> FromRequestParts<S> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Self(
            parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|info| info.0.ip()),
        ))
    }
}

/// `{stopover_url}?session_token=TOKEN&state=STATE` (or `&...` when it has a query already).
fn stopover_location(stopover_url: &str, token: &str, state: &str) -> String {
    let query = form_urlencoded::Serializer::new(String::new())
        .append_pair("session_token", token)
        .append_pair("state", state)
        .finish();
    let separator = if stopover_url.contains('?') { '&' } else { '?' };
    format!("{stopover_url}{separator}{query}")
}

fn callback_location(login: &str) -> String {
    format!("/callback?login={login}")
}

/// The first value of `name` in a URL-encoded query or form body.
fn param(encoded: Option<&str>, name: &str) -> Option<String> {
    form_urlencoded::parse(encoded?.as_bytes())
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.into_owned())
}

fn is_form(headers: &HeaderMap) -> bool {
    headers
        .get(CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("application/x-www-form-urlencoded"))
}

fn browser_session(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == BROWSER_COOKIE)
        .map(|(_, value)| value.to_owned())
        .filter(|value| !value.is_empty())
}

fn html(status: StatusCode, page: String) -> Response {
    (
        status,
        [
            (CONTENT_TYPE, "text/html; charset=utf-8"),
            (CACHE_CONTROL, "no-store"),
            (
                CONTENT_SECURITY_POLICY,
                "default-src 'none'; style-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
            ),
        ],
        page,
    )
        .into_response()
}

fn error(status: StatusCode, code: &str, description: &str) -> Response {
    html(status, pages::error_page(code, description))
}

fn redirect(status: StatusCode, location: &str) -> Response {
    let mut response = status.into_response();
    match HeaderValue::from_str(location) {
        Ok(value) => {
            response.headers_mut().insert(LOCATION, value);
            response
                .headers_mut()
                .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
            response
        }
        Err(_) => error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "server_error",
            "The redirect address is not valid.",
        ),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn the_stopover_location_carries_the_token_then_the_state() {
        assert_eq!(
            stopover_location("http://127.0.0.1:8781/", "a.b.c", "s1"),
            "http://127.0.0.1:8781/?session_token=a.b.c&state=s1"
        );
        assert_eq!(
            stopover_location("https://x.example/p?brand=1", "t", "s"),
            "https://x.example/p?brand=1&session_token=t&state=s"
        );
    }

    #[test]
    fn the_browser_cookie_is_found_among_others() {
        let mut headers = HeaderMap::new();
        headers.insert(
            COOKIE,
            HeaderValue::from_static("a=1; simulator_session=xyz; b=2"),
        );
        assert_eq!(browser_session(&headers).as_deref(), Some("xyz"));
        assert_eq!(browser_session(&HeaderMap::new()), None);
    }
}
