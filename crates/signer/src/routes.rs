//! The HTTP API of docs/contract.md#api.

use std::sync::Arc;

use axum::extract::rejection::QueryRejection;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post};
use axum::Router;
use serde::Deserialize;
use serde_json::Map;
use stopover_protocol::api::{CONTINUE_PATH, FORMS_PATH, SESSION_PATH};
use stopover_protocol::limits::MAX_BODY_BYTES;
use stopover_protocol::{validate_answers, ContinueRequest, LoginState, SessionCheck, StateError};

use crate::config::FormDelivery;
use crate::edge::{self, Minted};
use crate::error::{json_response, ApiError, JSON_CONTENT_TYPE};
use crate::mint::{
    continue_body, continue_url, mint_continue_token, mint_continue_token_with_record,
    ContinueToken, MintRequest,
};
use crate::replay::{Consumption, ReplayKey, ReplayStore};
use crate::request_body::StrictJson;
use crate::verify::{verify_session_token, VerifiedSession};
use crate::AppState;

/// The whole service: API routes, health and metrics, the page when configured, and the
/// layers every request passes through.
pub fn app(state: AppState) -> Router {
    let api = Router::new()
        .route(FORMS_PATH, get(form_for_issuer))
        .route(&format!("{FORMS_PATH}/{{id}}"), get(form_definition))
        .route(
            CONTINUE_PATH,
            post(continue_login).layer(DefaultBodyLimit::max(MAX_BODY_BYTES)),
        )
        .route(
            SESSION_PATH,
            post(check_session).layer(DefaultBodyLimit::max(MAX_BODY_BYTES)),
        )
        .route("/api/{*rest}", any(api_not_found))
        // CORS, and so the answer to a preflight `OPTIONS`, comes first, in `edge::around`.
        .method_not_allowed_fallback(method_not_allowed);
    // Readiness and metrics live on the admin listener only ([`admin_app`]): the rejection
    // counts would tell an attacker why a token was refused. Here they are 404 whatever the
    // method, even when the page answers unknown paths, so a probe aimed at the wrong port
    // fails instead of reading the page as "ready".
    let operations = Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", any(not_found))
        .route("/metrics", any(not_found))
        .method_not_allowed_fallback(method_not_allowed);
    let router = Router::new().merge(api).merge(operations);
    let router = match state.static_site() {
        Some(site) => router.fallback_service(site.service()),
        None => router.fallback(not_found),
    };
    edge::around(router, state)
}

/// `GET /api/forms/{id}`: the form definition, every language included.
async fn form_definition(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let form = state.config().forms.get(&id).ok_or(ApiError::UnknownForm)?;
    Ok(json_response(StatusCode::OK, form))
}

/// The query of `GET /api/forms?issuer=ISS`.
#[derive(Debug, Deserialize)]
struct IssuerQuery {
    issuer: String,
}

/// `GET /api/forms?issuer=ISS`: the form a session token of that issuer answers when its
/// `form` claim names none (see [`crate::config::Tenant::form_for`]), so the page never keeps a default of
/// its own. The issuer may be spelt as in the token (`host`, `https://host/`).
async fn form_for_issuer(
    State(state): State<AppState>,
    query: Result<Query<IssuerQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(query) =
        query.map_err(|_| ApiError::BadRequest("The query must name an `issuer`."))?;
    let config = state.config();
    let form = config
        .tenant(&query.issuer)
        .and_then(|tenant| tenant.form_for(None))
        .and_then(|id| config.forms.get(id))
        .ok_or(ApiError::UnknownForm)?;
    Ok(json_response(StatusCode::OK, form))
}

/// `POST /api/continue`: verify, validate, check single use, mint.
///
/// The body is JSON, at most [`MAX_BODY_BYTES`], read once and strictly (an answer given twice
/// under one key is refused, never silently the last) by [`StrictJson`].
async fn continue_login(
    State(state): State<AppState>,
    StrictJson(request): StrictJson<ContinueRequest>,
) -> Result<Response, ApiError> {
    let now = state.now();
    let login_state = parse_login_state(&request.state)?;
    let config = state.config();
    let session = verify(&request.session_token, config, now)?;
    let tenant = session.tenant;
    let claims = &session.claims.custom;
    // `verify` checked that a `form` claim names one of the tenant's forms, and the
    // configuration check that every tenant has at least one known form.
    let form = tenant
        .form_for(claims.form.as_deref())
        .and_then(|id| config.forms.get(id))
        .ok_or(ApiError::Internal)?;

    let no_prefill = Map::new();
    let prefill = claims.prefill.as_ref().unwrap_or(&no_prefill);
    // What this login asked: with a per-login cap, an answer to another question is refused.
    let form = &*form.for_login(prefill);
    let mut answers =
        validate_answers(form, &request.answers, prefill, now).map_err(ApiError::InvalidAnswers)?;
    if let Some(locale) = claims.locale.as_deref() {
        answers.record_consent_languages(form, locale);
    }
    // The token alone, whatever state comes with it: one session token, one continue token.
    let used = UsedToken {
        key: ReplayKey::new(&tenant.issuer, &claims.sub, &request.session_token),
        expires_at: session.expires_at,
    };
    let mint = MintRequest {
        tenant,
        issuer: &claims.iss,
        subject: &claims.sub,
        state: &login_state,
        form,
        answers,
        answers_claim: config.answers_claim(tenant, &form.id.0),
        now,
    };
    let token = match config.delivery(&form.id.0) {
        None => mint_then_consume(&state, mint, used).await?,
        Some(delivery) => store_then_mint(&state, mint, delivery, used).await?,
    };
    state.metrics().record_minted();

    let continue_url = continue_url(tenant, claims.requested_continue_host(), &login_state);
    let body = continue_body(&continue_url, &login_state, &tenant.token_parameter, &token)
        .map_err(|error| {
            tracing::error!(%error, "cannot write the continue response");
            ApiError::Internal
        })?;
    let mut response = (
        StatusCode::OK,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static(JSON_CONTENT_TYPE),
        )],
        body,
    )
        .into_response();
    // Logged on the request's one access line (`edge::observe`).
    response.extensions_mut().insert(Minted {
        issuer: tenant.issuer.clone(),
        form: form.id.0.clone(),
    });
    Ok(response)
}

/// `POST /api/session`: could this login still be completed? The checks of `/api/continue`
/// up to the answers, and whether the token was used, consuming nothing: 204 when it could,
/// else the error `/api/continue` would give (400, 401, 409, 503). The page asks when it
/// opens, so a link that can never be accepted is said before the person fills the form.
async fn check_session(
    State(state): State<AppState>,
    StrictJson(request): StrictJson<SessionCheck>,
) -> Result<Response, ApiError> {
    let now = state.now();
    parse_login_state(&request.state)?;
    let config = state.config();
    let session = verify(&request.session_token, config, now)?;
    let claims = &session.claims.custom;
    let key = ReplayKey::new(&session.tenant.issuer, &claims.sub, &request.session_token);
    match state.store().is_used(key, now).await {
        Ok(false) => Ok(StatusCode::NO_CONTENT.into_response()),
        Ok(true) => Err(ApiError::AlreadyUsed),
        Err(error) => {
            tracing::warn!(%error, "replay store unavailable; cannot say whether the token was used");
            Err(ApiError::Unavailable)
        }
    }
}

/// Auth0's `state` as the request gives it, or the 400 that says what is wrong with it.
fn parse_login_state(raw: &str) -> Result<LoginState, ApiError> {
    LoginState::parse(raw).map_err(|error| {
        ApiError::BadRequest(match error {
            StateError::Empty => "`state` is missing or empty.",
            StateError::TooLong => "`state` is too long.",
            StateError::InvalidCharacters => "`state` has characters that are not allowed.",
        })
    })
}

/// The session token verified against the configured tenants, or the one opaque 401 (the
/// access line's `outcome` says which check refused it).
fn verify<'c>(
    token: &str,
    config: &'c crate::config::Config,
    now: i64,
) -> Result<VerifiedSession<'c>, ApiError> {
    verify_session_token(token, &config.tenants, now).map_err(ApiError::InvalidToken)
}

/// The session token being used up: its replay key, and until when it must be remembered.
#[derive(Debug, Clone, Copy)]
struct UsedToken {
    key: ReplayKey,
    /// The session token's `exp`, Unix seconds.
    expires_at: i64,
}

/// Answers delivered in the token only: mint, then mark the token used. Consumed only once a
/// token exists, so a refused answer leaves the session token usable.
async fn mint_then_consume(
    state: &AppState,
    mint: MintRequest<'_>,
    used: UsedToken,
) -> Result<ContinueToken, ApiError> {
    let now = mint.now;
    let token = mint_continue_token(mint).map_err(|error| {
        tracing::error!(%error, "cannot mint a continue token");
        ApiError::Internal
    })?;
    consume(state, used, now).await?;
    Ok(token)
}

/// Some answers go through the Management API: claim the token, store, then mint.
///
/// Why the claim comes before the PATCH (the token path claims after minting): the replay
/// store's `SET NX` is the only lock shared by every signer instance, so taking it first is
/// what makes two submissions of one token (a double click, two tabs, two instances behind a
/// load balancer) unable to both write to the user. If storing fails the claim is released,
/// so the page's "try again" can use the same link; if the request is abandoned mid-store
/// (the request timeout fired, the client went away) the [`Claim`] guard releases it too. A
/// retry after an abandoned store writes the same keys again, which Auth0's merge makes
/// harmless; what can never happen is two continue tokens, or a second store after one
/// was minted, because a minted token's claim is kept.
async fn store_then_mint(
    state: &AppState,
    mut mint: MintRequest<'_>,
    delivery: &FormDelivery,
    used: UsedToken,
) -> Result<ContinueToken, ApiError> {
    // The configuration check refuses a back-channel form for a tenant without a client.
    let management = state.management().ok_or(ApiError::Internal)?;
    consume(state, used, mint.now).await?;
    let claim = Claim::new(state, used.key);
    let stored = match management
        .store(mint.tenant, mint.subject, delivery, &mint.answers)
        .await
    {
        Ok(stored) => stored,
        Err(error) => {
            tracing::warn!(issuer = %mint.tenant.issuer, form = %mint.form.id.0, %error, "back-channel store failed; nothing minted");
            claim.release().await;
            return Err(ApiError::Unavailable);
        }
    };
    // The stored values stay out of the token: only the record of where they went.
    mint.answers
        .0
        .retain(|field, _| !delivery.targets.contains_key(field));
    let token = mint_continue_token_with_record(mint, Some(&stored));
    // Stored is stored: even if minting failed, the claim is kept so nothing is stored twice.
    claim.keep();
    token.map_err(|error| {
        tracing::error!(%error, "cannot mint a continue token");
        ApiError::Internal
    })
}

/// Marks the token used: 409 when it already was, 503 (fail closed) when the store cannot say.
async fn consume(state: &AppState, used: UsedToken, now: i64) -> Result<(), ApiError> {
    match state.store().consume(used.key, used.expires_at, now).await {
        Ok(Consumption::First) => Ok(()),
        Ok(Consumption::AlreadyUsed) => Err(ApiError::AlreadyUsed),
        Err(error) => {
            tracing::warn!(%error, "replay store unavailable; nothing minted");
            Err(ApiError::Unavailable)
        }
    }
}

/// A claimed token whose store has not finished. Dropped without [`Claim::keep`] (the
/// request was abandoned), it releases the claim from a spawned task.
struct Claim {
    store: Option<Arc<dyn ReplayStore>>,
    key: ReplayKey,
}

impl Claim {
    fn new(state: &AppState, key: ReplayKey) -> Self {
        Self {
            store: Some(state.shared_store()),
            key,
        }
    }

    /// Nothing was stored: the token may be used again.
    async fn release(mut self) {
        if let Some(store) = self.store.take() {
            if let Err(error) = store.release(self.key).await {
                // The person then sees 409 on retry and starts the login again: safe.
                tracing::warn!(%error, "could not release a claimed token");
            }
        }
    }

    /// Something was stored: the token stays used.
    fn keep(mut self) {
        self.store = None;
    }
}

impl Drop for Claim {
    fn drop(&mut self) {
        if let Some(store) = self.store.take() {
            let key = self.key;
            if let Ok(runtime) = tokio::runtime::Handle::try_current() {
                runtime.spawn(async move {
                    if let Err(error) = store.release(key).await {
                        tracing::warn!(%error, "could not release an abandoned claim");
                    }
                });
            }
        }
    }
}

/// The admin listener's service: `/healthz`, `/readyz` and `/metrics`, 404 for anything else.
pub fn admin_app(state: AppState) -> Router {
    let router = Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .method_not_allowed_fallback(method_not_allowed)
        .fallback(not_found);
    edge::around(router, state)
}

/// `GET /healthz`: the process is up.
async fn healthz() -> Response {
    json_response(StatusCode::OK, &serde_json::json!({ "status": "ok" }))
}

/// `GET /readyz`: the replay store answers.
async fn readyz(State(state): State<AppState>) -> Result<Response, ApiError> {
    state.store().ping().await.map_err(|error| {
        tracing::warn!(%error, "not ready: replay store unavailable");
        ApiError::Unavailable
    })?;
    Ok(json_response(
        StatusCode::OK,
        &serde_json::json!({ "status": "ready" }),
    ))
}

/// `GET /metrics`: Prometheus text.
async fn metrics(State(state): State<AppState>) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
        )],
        state.metrics().render(),
    )
        .into_response()
}

async fn api_not_found() -> ApiError {
    ApiError::NotFound
}

async fn not_found() -> ApiError {
    ApiError::NotFound
}

/// A known path asked with a method it does not take (axum adds `Allow`).
async fn method_not_allowed() -> ApiError {
    ApiError::MethodNotAllowed
}
