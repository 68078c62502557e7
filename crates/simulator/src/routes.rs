//! The tenant's HTTP endpoints: the start page, `/authorize` and `/continue` (each running
//! the post-login Action under Node), the application's callback, and JSON views of the
//! stored users and of every login for tests.
//!
//! What Auth0 itself does around the Action is here: the login transaction and its
//! single-use `state` bound to the browser's cookie, its one-hour lifetime, applying the
//! Action's metadata changes, the error pages. What the Action decides is the Action's.

use std::net::{IpAddr, SocketAddr};

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{ConnectInfo, DefaultBodyLimit, FromRequestParts, Path, RawQuery, State};
use axum::http::header::{
    CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE, COOKIE, LOCATION, SET_COOKIE,
};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::json;
use tokio::task::JoinSet;

use crate::action::{self, ActionCall, ActionFailure, ActionOutcome, Hook};
use crate::app_state::AppState;
use crate::event::{event, RequestInfo, TransactionInfo};
use crate::management;
use crate::pages::{self, NextStep};
use crate::params::{Params, ParamsError, MAX_ENCODED_BYTES};
use crate::tenant::{random_id, Continued, Login, Outcome, Transaction};
use crate::users::TestUser;

/// The cookie that binds login transactions to one browser.
pub const BROWSER_COOKIE: &str = "simulator_session";

/// Every route of the simulated tenant.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/", get(start))
        .route("/authorize", get(authorize))
        .route(
            "/continue",
            get(continue_login)
                .post(continue_login)
                // A little over the largest body `/continue` reads, so a huge one reaches the
                // handler's own 413 page instead of a bare rejection.
                .layer(DefaultBodyLimit::max(MAX_ENCODED_BYTES + 1)),
        )
        .route("/callback", get(callback))
        .route("/_sim/users/{id}", get(stored_user))
        .route("/_sim/users/{id}/reset", post(reset_user))
        .route("/_sim/logins", get(logins))
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

/// The start page: each user, and what the Action will do at their next sign-in, found by
/// running it (a dry run whose result is thrown away).
async fn start(State(app): State<AppState>) -> Response {
    let users: Vec<TestUser> = app.tenant().users().cloned().collect();
    let now = app.config().clock.now();
    let mut runs = JoinSet::new();
    for (index, user) in users.iter().cloned().enumerate() {
        let app = app.clone();
        runs.spawn(async move { (index, dry_run(&app, &user, now).await) });
    }
    let mut next = vec![NextStep::Unknown(String::new()); users.len()];
    while let Some(run) = runs.join_next().await {
        if let Ok((index, step)) = run {
            if let Some(slot) = next.get_mut(index) {
                *slot = step;
            }
        }
    }
    let rows: Vec<_> = users.iter().zip(next).collect();
    html(StatusCode::OK, pages::start_page(&rows))
}

/// What `onExecutePostLogin` does for `user` now, without starting a login.
async fn dry_run(app: &AppState, user: &TestUser, now: i64) -> NextStep {
    let info = TransactionInfo::from_authorize(&Params::default(), user);
    let request = RequestInfo {
        method: "GET",
        ip: None,
        query: Params::default(),
        body: Params::default(),
        language: user.locale.clone(),
    };
    let call = ActionCall {
        hook: Hook::ExecutePostLogin,
        event: event(app.config(), user, &request, &info),
        now,
        state: "dry-run".to_owned(),
        tenant_host: app.config().issuer.clone(),
        can_redirect: None,
    };
    match action::run(&app.config().action, &call).await {
        Ok(outcome) => match (&outcome.denied, &outcome.redirect) {
            (Some(reason), _) => NextStep::Denied(reason.clone()),
            (None, Some(_)) => NextStep::Stopover(outcome.form_asked()),
            (None, None) => NextStep::Finish,
        },
        Err(failure) => NextStep::Unknown(failure.to_string()),
    }
}

async fn stylesheet() -> Response {
    (
        [(CONTENT_TYPE, "text/css; charset=utf-8")],
        pages::STYLESHEET,
    )
        .into_response()
}

/// Starts a login for `?user=SHORT_ID` (optionally `&prompt=`, `&ui_locales=`, `&protocol=`)
/// and runs `onExecutePostLogin`: a redirect opens a transaction waiting at `/continue`;
/// otherwise the login finishes (or is denied) at once.
async fn authorize(
    State(app): State<AppState>,
    ClientIp(ip): ClientIp,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let now = app.config().clock.now();
    let query = match Params::parse(query.as_deref()) {
        Ok(query) => query,
        Err(problem) => return unreadable(problem),
    };
    let Some(short_id) = query.get("user").map(str::to_owned) else {
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
    let Some(user) = app.tenant().user(&short_id).cloned() else {
        return error(StatusCode::BAD_REQUEST, "invalid_request", "Unknown user.");
    };

    let info = TransactionInfo::from_authorize(&query, &user);
    let request = RequestInfo {
        method: "GET",
        ip,
        query,
        body: Params::default(),
        language: user.locale.clone(),
    };
    let state = random_id();
    let call = ActionCall {
        hook: Hook::ExecutePostLogin,
        event: event(app.config(), &user, &request, &info),
        now,
        state: state.clone(),
        tenant_host: app.config().issuer.clone(),
        can_redirect: None,
    };
    let login = Login {
        id: random_id(),
        user: short_id,
        started_at: now,
        form_asked: None,
        outcome: Outcome::AtStopover,
    };
    let outcome = action::run(&app.config().action, &call).await;
    let next = Next {
        state,
        browser,
        info,
        now,
        finished: StatusCode::FOUND,
    };
    let mut response = conclude(&app, login, outcome, next);
    if let Some(cookie) = new_cookie.and_then(|cookie| HeaderValue::from_str(&cookie).ok()) {
        response.headers_mut().insert(SET_COOKIE, cookie);
    }
    response
}

/// Auth0's `/continue`: the `state` from the query or the form body must name a live
/// transaction of this browser (it is used up either way); then `onContinuePostLogin` runs
/// with the request's query and body, and its `validateToken` decides about the token.
async fn continue_login(
    State(app): State<AppState>,
    ClientIp(ip): ClientIp,
    method: Method,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let now = app.config().clock.now();
    let Ok(body) = body else {
        return unreadable(ParamsError::TooLarge);
    };
    let query = match Params::parse(query.as_deref()) {
        Ok(query) => query,
        Err(problem) => return unreadable(problem),
    };
    let form_body = if is_form(&headers) {
        match Params::parse_bytes(&body) {
            Ok(form_body) => form_body,
            Err(problem) => return unreadable(problem),
        }
    } else {
        Params::default()
    };
    let Some(state) = query
        .get("state")
        .or_else(|| form_body.get("state"))
        .filter(|state| !state.is_empty())
        .map(str::to_owned)
    else {
        return error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "Missing required parameter: state",
        );
    };
    let browser = browser_session(&headers);
    let taken = app
        .tenant()
        .take_transaction(&state, browser.as_deref(), now);
    let transaction = match taken {
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
    let Some(login) = app.tenant().login(&transaction.login).cloned() else {
        return error(StatusCode::BAD_REQUEST, "invalid_request", "Unknown login.");
    };

    let request = RequestInfo {
        method: if method == Method::POST {
            "POST"
        } else {
            "GET"
        },
        ip,
        query,
        body: form_body,
        language: transaction.user_at_start.locale.clone(),
    };
    // The state a second redirect from onContinuePostLogin would get.
    let next_state = random_id();
    let call = ActionCall {
        hook: Hook::ContinuePostLogin,
        event: event(
            app.config(),
            &transaction.user_at_start,
            &request,
            &transaction.info,
        ),
        now,
        state: next_state.clone(),
        tenant_host: app.config().issuer.clone(),
        can_redirect: None,
    };
    let outcome = action::run(&app.config().action, &call).await;
    let next = Next {
        state: next_state,
        browser: transaction.browser,
        info: transaction.info,
        now,
        finished: StatusCode::SEE_OTHER,
    };
    conclude(&app, login, outcome, next)
}

/// What a redirect by the Action continues with, and how a finished login is answered.
struct Next {
    /// The state `sendUserTo` appended.
    state: String,
    browser: String,
    info: TransactionInfo,
    now: i64,
    /// 302 after `/authorize`, 303 after a POST to `/continue`.
    finished: StatusCode,
}

/// Applies what the Action did, as Auth0 does once it returns: a failure or a denial ends
/// the login on an error page (storing nothing); otherwise the metadata changes are applied
/// to the user, and the login either waits at the stopover or finishes at the callback.
fn conclude(
    app: &AppState,
    mut login: Login,
    outcome: Result<ActionOutcome, ActionFailure>,
    next: Next,
) -> Response {
    let outcome = match outcome {
        Ok(outcome) => outcome,
        Err(failure) => {
            tracing::warn!(user = %login.user, kind = failure_kind(&failure), "the post-login Action failed");
            let description = failure.to_string();
            login.outcome = Outcome::Failed {
                error: description.clone(),
            };
            app.tenant().record(login);
            return error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "server_error",
                &description,
            );
        }
    };
    if let Some(form) = outcome.form_asked() {
        login.form_asked = Some(form);
    }
    if let Some(reason) = outcome.denied {
        tracing::info!(user = %login.user, "the post-login Action denied access");
        login.outcome = Outcome::Denied {
            reason: reason.clone(),
            validate_token_error: outcome.validate_token_error,
        };
        app.tenant().record(login);
        return error(StatusCode::FORBIDDEN, "access_denied", &reason);
    }

    let mut tenant = app.tenant();
    let Some(user) = tenant.user_mut(&login.user) else {
        return error(StatusCode::BAD_REQUEST, "invalid_request", "Unknown user.");
    };
    user.apply_metadata(&outcome.user_metadata, &outcome.app_metadata);
    let user_now = user.clone();
    let response = match outcome.redirect {
        Some(location) => {
            tracing::info!(user = %login.user, form = login.form_asked.as_deref().unwrap_or("-"), "redirecting to the stopover");
            tenant.open_transaction(
                next.state,
                Transaction {
                    user: login.user.clone(),
                    browser: next.browser,
                    created_at: next.now,
                    login: login.id.clone(),
                    user_at_start: user_now,
                    info: next.info,
                },
            );
            login.outcome = Outcome::AtStopover;
            redirect(StatusCode::FOUND, &location)
        }
        None => {
            tracing::info!(user = %login.user, "login finished");
            login.outcome = Outcome::SignedIn {
                continued: outcome.validated.as_ref().map(Continued::from_claims),
                id_token_claims: outcome.id_token_claims,
                access_token_claims: outcome.access_token_claims,
            };
            redirect(next.finished, &callback_location(&login.id))
        }
    };
    tenant.record(login);
    response
}

/// Which failure, for the log (the runner's own text may quote the Action's values).
fn failure_kind(failure: &ActionFailure) -> &'static str {
    match failure {
        ActionFailure::NodeMissing { .. } => "node_missing",
        ActionFailure::Timeout(_) => "timeout",
        ActionFailure::Crashed(_) => "crashed",
        ActionFailure::BadOutput => "bad_output",
        ActionFailure::Failed(_) => "threw",
    }
}

/// The application's callback: the "signed in" page of one finished login.
async fn callback(State(app): State<AppState>, RawQuery(query): RawQuery) -> Response {
    let query = match Params::parse(query.as_deref()) {
        Ok(query) => query,
        Err(problem) => return unreadable(problem),
    };
    let tenant = app.tenant();
    let found = query.get("login").and_then(|id| {
        let login = tenant
            .login(id)
            .filter(|login| matches!(login.outcome, Outcome::SignedIn { .. }))?;
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

/// The start page's "Reset" button: the user as configured again (what sign-ins stored on it
/// forgotten), then back to the start page.
async fn reset_user(State(app): State<AppState>, Path(id): Path<String>) -> Response {
    let original = app
        .config()
        .users
        .iter()
        .find(|user| user.short_id() == id)
        .cloned();
    match original {
        Some(original) if app.tenant().reset_user(&original) => {
            (StatusCode::SEE_OTHER, [(LOCATION, "/")]).into_response()
        }
        _ => (
            StatusCode::NOT_FOUND,
            Json(json!({"error": "unknown_user"})),
        )
            .into_response(),
    }
}

/// Every login so far, oldest first, as JSON: the form the Action asked for and how each
/// ended (`?user=SHORT_ID` keeps one user's).
async fn logins(State(app): State<AppState>, RawQuery(query): RawQuery) -> Response {
    let user = Params::parse(query.as_deref())
        .ok()
        .and_then(|query| query.get("user").map(str::to_owned));
    let tenant = app.tenant();
    let logins: Vec<&Login> = tenant
        .logins()
        .iter()
        .filter(|login| user.as_ref().is_none_or(|user| &login.user == user))
        .collect();
    Json(logins).into_response()
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

fn callback_location(login: &str) -> String {
    format!("/callback?login={login}")
}

/// The 4xx page of a query or body that cannot be read.
fn unreadable(problem: ParamsError) -> Response {
    let status = match problem {
        ParamsError::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
        ParamsError::NotUtf8 => StatusCode::BAD_REQUEST,
    };
    error(status, "invalid_request", &problem.to_string())
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
