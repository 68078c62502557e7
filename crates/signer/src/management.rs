//! Back-channel delivery: answers written to the user through the Auth0 Management API
//! instead of travelling in the continue token.
//!
//! For each tenant with a `[tenants.management]` client: an access token from the
//! client-credentials grant ([`token_cache`]), then `PATCH /api/v2/users/{id}` of the
//! metadata (preceded by a `GET` when a metadata key is nested, because Auth0 merges
//! metadata at the top level only and would otherwise drop the nested siblings). Failures are
//! retried within the tenant's budget ([`retry`]); what is finally refused is a
//! [`BackChannelError`] and the request answers 503 with nothing minted.
//!
//! Nothing here logs a token, a secret, a user id or a stored value.

pub mod retry;
pub mod token_cache;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::http::{header, HeaderMap, Method, Request, StatusCode};
use http_body_util::{BodyExt as _, Full, Limited};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use percent_encoding::{utf8_percent_encode, NON_ALPHANUMERIC};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use stopover_protocol::CleanAnswers;

use crate::config::{Config, Delivery, FormDelivery, ManagementClient, Tenant};
use crate::Clock;
use retry::{rate_limit_wait, RetryPolicy, Retryable};
use token_cache::{AccessToken, FetchedToken, TokenCache};

/// Largest answer body read from the tenant.
const MAX_RESPONSE_BYTES: usize = 256 * 1024;

/// What was stored where: metadata object -> the top-level keys written, for the continue
/// token's `stored` claim (`{"user_metadata": ["phone"], "app_metadata": ["consents"]}`). It
/// names keys, never values, so the Action knows which keys not to overwrite.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct StoredRecord(pub BTreeMap<&'static str, BTreeSet<String>>);

/// Why storing failed; every variant means: mint nothing, answer 503.
#[derive(Debug, thiserror::Error)]
pub enum BackChannelError {
    #[error("the tenant has no management client")]
    NotConfigured,
    #[error("gave up after {attempts} attempt(s) in {elapsed_ms} ms; last failure: {last:?}")]
    GaveUp {
        attempts: u32,
        elapsed_ms: u128,
        last: Retryable,
    },
    #[error("{call} was refused with status {status}")]
    Refused { call: &'static str, status: u16 },
    #[error("{call} answered something unreadable")]
    Unreadable { call: &'static str },
}

/// Cannot build the HTTPS client (no trusted root certificates on this machine).
#[derive(Debug, thiserror::Error)]
#[error("cannot set up HTTPS for the Management API: {0}")]
pub struct ManagementSetupError(String);

/// The Management API clients of every tenant that has one.
pub struct ManagementApi {
    http: Client<HttpsConnector<HttpConnector>, Full<Bytes>>,
    /// Token caches by tenant issuer.
    caches: HashMap<String, TokenCache>,
    clock: Clock,
}

impl std::fmt::Debug for ManagementApi {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ManagementApi")
            .field("tenants", &self.caches.keys().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

/// One call's failure, before the retry decision.
#[derive(Debug)]
enum CallError {
    Retry(Retryable),
    /// 401 from the API: the token was refused.
    Unauthorized,
    Fatal(BackChannelError),
}

impl ManagementApi {
    /// The clients for `config`, or `None` when no tenant has a management client.
    pub fn new(config: &Config, clock: Clock) -> Result<Option<Self>, ManagementSetupError> {
        let caches: HashMap<_, _> = config
            .tenants
            .iter()
            .filter(|tenant| tenant.management.is_some())
            .map(|tenant| (tenant.issuer.clone(), TokenCache::new()))
            .collect();
        if caches.is_empty() {
            return Ok(None);
        }
        let connector = hyper_rustls::HttpsConnectorBuilder::new()
            .with_provider_and_native_roots(rustls::crypto::aws_lc_rs::default_provider())
            .map_err(|error| ManagementSetupError(error.to_string()))?
            .https_or_http()
            .enable_http1()
            .build();
        let http = Client::builder(TokioExecutor::new()).build(connector);
        Ok(Some(Self {
            http,
            caches,
            clock,
        }))
    }

    /// Writes the back-channel answers of `answers` for `user_id` and says what went where.
    /// Answers absent from `answers` (fields hidden by `show_if`) are not written.
    pub async fn store(
        &self,
        tenant: &Tenant,
        user_id: &str,
        delivery: &FormDelivery,
        answers: &CleanAnswers,
    ) -> Result<StoredRecord, BackChannelError> {
        let client = tenant
            .management
            .as_ref()
            .ok_or(BackChannelError::NotConfigured)?;
        let cache = self
            .caches
            .get(&tenant.issuer)
            .ok_or(BackChannelError::NotConfigured)?;
        let writes = writes(delivery, answers)?;
        if writes.is_empty() {
            return Ok(StoredRecord::default());
        }
        let record = StoredRecord(
            writes
                .iter()
                .map(|(object, entries)| {
                    (
                        object.as_str(),
                        entries.iter().map(|(path, _)| path[0].clone()).collect(),
                    )
                })
                .collect(),
        );

        let policy = RetryPolicy::within(Duration::from_millis(client.retry_budget_ms));
        let started = Instant::now();
        let mut attempts = 0;
        let mut token_refused = false;
        loop {
            attempts += 1;
            match self
                .attempt(client, cache, user_id, &writes, started, policy.budget)
                .await
            {
                Ok(()) => return Ok(record),
                Err((CallError::Unauthorized, token)) if !token_refused => {
                    // Once per request: a token revoked or signed with a rotated key.
                    token_refused = true;
                    if let Some(token) = token {
                        cache.invalidate(&token).await;
                    }
                }
                Err((CallError::Unauthorized, _)) => {
                    return Err(BackChannelError::Refused {
                        call: "the Management API",
                        status: 401,
                    })
                }
                Err((CallError::Fatal(error), _)) => return Err(error),
                Err((CallError::Retry(failure), _)) => {
                    let elapsed = started.elapsed();
                    match policy.next_wait(attempts, failure, elapsed) {
                        Some(wait) => {
                            tracing::info!(
                                issuer = %tenant.issuer,
                                ?failure,
                                wait_ms = wait.as_millis() as u64,
                                "Management API call failed; retrying"
                            );
                            tokio::time::sleep(wait).await;
                        }
                        None => {
                            return Err(BackChannelError::GaveUp {
                                attempts,
                                elapsed_ms: elapsed.as_millis(),
                                last: failure,
                            })
                        }
                    }
                }
            }
        }
    }

    /// One try: token, then (for nested keys) the current metadata, then the PATCH. On
    /// failure, also returns the token used, so a 401 can invalidate it.
    async fn attempt(
        &self,
        client: &ManagementClient,
        cache: &TokenCache,
        user_id: &str,
        writes: &Writes,
        started: Instant,
        budget: Duration,
    ) -> Result<(), (CallError, Option<AccessToken>)> {
        let deadline = || {
            budget
                .saturating_sub(started.elapsed())
                .min(Duration::from_millis(client.attempt_timeout_ms))
        };
        let clock = self.clock.clone();
        let now = move || clock();
        let token = cache
            .get(&now, || self.fetch_token(client, deadline()))
            .await
            .map_err(|error| (error, None))?;
        let user_url = format!(
            "{}/api/v2/users/{}",
            client.base_url(),
            utf8_percent_encode(user_id, NON_ALPHANUMERIC)
        );
        let needs_read = writes
            .values()
            .any(|entries| entries.iter().any(|(path, _)| path.len() > 1));
        let current = if needs_read {
            let (status, _, body) = self
                .call(Method::GET, &user_url, Some(&token), None, deadline())
                .await
                .map_err(|error| (error, Some(token.clone())))?;
            check_status("GET /api/v2/users/{id}", status, &HeaderMap::new(), 0)
                .map_err(|error| (error, Some(token.clone())))?;
            serde_json::from_slice::<Value>(&body).map_err(|_| {
                (
                    CallError::Fatal(BackChannelError::Unreadable {
                        call: "GET /api/v2/users/{id}",
                    }),
                    Some(token.clone()),
                )
            })?
        } else {
            Value::Null
        };
        let patch = patch_body(writes, &current);
        let (status, headers, _) = self
            .call(
                Method::PATCH,
                &user_url,
                Some(&token),
                Some(patch),
                deadline(),
            )
            .await
            .map_err(|error| (error, Some(token.clone())))?;
        check_status("PATCH /api/v2/users/{id}", status, &headers, (self.clock)())
            .map_err(|error| (error, Some(token)))
    }

    /// `POST /oauth/token` with the client-credentials grant.
    async fn fetch_token(
        &self,
        client: &ManagementClient,
        timeout: Duration,
    ) -> Result<FetchedToken, CallError> {
        #[derive(Deserialize)]
        struct TokenAnswer {
            access_token: String,
            expires_in: i64,
        }
        let secret = String::from_utf8_lossy(client.client_secret.expose()).into_owned();
        let body = json!({
            "grant_type": "client_credentials",
            "client_id": client.client_id,
            "client_secret": secret,
            "audience": client.audience,
        });
        let url = format!("{}/oauth/token", client.base_url());
        let (status, headers, bytes) = self
            .call(Method::POST, &url, None, Some(body), timeout)
            .await?;
        match check_status("POST /oauth/token", status, &headers, (self.clock)()) {
            Ok(()) => {}
            // A 401 from the token endpoint is a wrong client id or secret: not retryable.
            Err(CallError::Unauthorized) => {
                return Err(CallError::Fatal(BackChannelError::Refused {
                    call: "POST /oauth/token",
                    status: 401,
                }))
            }
            Err(other) => return Err(other),
        }
        let answer: TokenAnswer = serde_json::from_slice(&bytes).map_err(|_| {
            CallError::Fatal(BackChannelError::Unreadable {
                call: "POST /oauth/token",
            })
        })?;
        Ok(FetchedToken {
            token: AccessToken::new(answer.access_token),
            expires_in_secs: answer.expires_in,
        })
    }

    /// One HTTP call with a JSON body, within `timeout`.
    async fn call(
        &self,
        method: Method,
        url: &str,
        token: Option<&AccessToken>,
        body: Option<Value>,
        timeout: Duration,
    ) -> Result<(StatusCode, HeaderMap, Bytes), CallError> {
        let mut request = Request::builder()
            .method(method)
            .uri(url)
            .header(header::ACCEPT, "application/json");
        if let Some(token) = token {
            request = request.header(header::AUTHORIZATION, format!("Bearer {}", token.expose()));
        }
        let bytes = match &body {
            Some(body) => {
                request = request.header(header::CONTENT_TYPE, "application/json");
                Bytes::from(body.to_string())
            }
            None => Bytes::new(),
        };
        let request = request.body(Full::new(bytes)).map_err(|_| {
            CallError::Fatal(BackChannelError::Unreadable {
                call: "building a request",
            })
        })?;
        let exchange = async {
            let response = self
                .http
                .request(request)
                .await
                .map_err(|_| CallError::Retry(Retryable::Transport))?;
            let (parts, body) = response.into_parts();
            let bytes = Limited::new(body, MAX_RESPONSE_BYTES)
                .collect()
                .await
                .map_err(|_| CallError::Retry(Retryable::Transport))?
                .to_bytes();
            Ok((parts.status, parts.headers, bytes))
        };
        tokio::time::timeout(timeout, exchange)
            .await
            .map_err(|_| CallError::Retry(Retryable::Timeout))?
    }
}

/// Metadata object -> (path, value) pairs to write.
type Writes = BTreeMap<Delivery, Vec<(Vec<String>, Value)>>;

/// The (path, value) pairs of the answers `delivery` sends to the back channel.
fn writes(delivery: &FormDelivery, answers: &CleanAnswers) -> Result<Writes, BackChannelError> {
    let mut writes = Writes::new();
    for (field, target) in &delivery.targets {
        let Some(answer) = answers.0.get(field) else {
            continue;
        };
        let value = serde_json::to_value(answer)
            .map_err(|_| BackChannelError::Unreadable { call: "an answer" })?;
        writes
            .entry(target.delivery)
            .or_default()
            .push((target.path.clone(), value));
    }
    Ok(writes)
}

/// The PATCH body: `{"user_metadata": {...}, "app_metadata": {...}}` with each top-level key
/// written whole. A nested path starts from the key's current value in `current` (the user
/// as `GET` returned it), so sibling entries already stored (`consents.privacy` beside a new
/// `consents.terms`) survive Auth0's top-level merge.
fn patch_body(writes: &Writes, current: &Value) -> Value {
    let mut body = Map::new();
    for (delivery, entries) in writes {
        let name = delivery.as_str();
        let mut object = Map::new();
        for (path, value) in entries {
            let top = &path[0];
            if path.len() == 1 {
                object.insert(top.clone(), value.clone());
                continue;
            }
            let slot = object.entry(top.clone()).or_insert_with(|| {
                current
                    .get(name)
                    .and_then(|metadata| metadata.get(top))
                    .filter(|existing| existing.is_object())
                    .cloned()
                    .unwrap_or_else(|| Value::Object(Map::new()))
            });
            insert_at(slot, &path[1..], value.clone());
        }
        body.insert(name.to_owned(), Value::Object(object));
    }
    Value::Object(body)
}

/// Sets `value` at `path` inside `target`, turning non-objects on the way into objects.
fn insert_at(target: &mut Value, path: &[String], value: Value) {
    let Some((first, rest)) = path.split_first() else {
        *target = value;
        return;
    };
    if !target.is_object() {
        *target = Value::Object(Map::new());
    }
    if let Value::Object(map) = target {
        let child = map
            .entry(first.clone())
            .or_insert_with(|| Value::Object(Map::new()));
        insert_at(child, rest, value);
    }
}

/// 2xx passes; 429 and 5xx are retryable; 401 asks for a new token; other statuses are final.
fn check_status(
    call: &'static str,
    status: StatusCode,
    headers: &HeaderMap,
    now: i64,
) -> Result<(), CallError> {
    if status.is_success() {
        return Ok(());
    }
    if status == StatusCode::TOO_MANY_REQUESTS {
        let header_text = |name: &str| headers.get(name).and_then(|value| value.to_str().ok());
        return Err(CallError::Retry(Retryable::RateLimited {
            wait: rate_limit_wait(
                header_text("x-ratelimit-reset"),
                header_text("retry-after"),
                now,
            ),
        }));
    }
    if status.is_server_error() {
        return Err(CallError::Retry(Retryable::ServerError(status.as_u16())));
    }
    if status == StatusCode::UNAUTHORIZED {
        return Err(CallError::Unauthorized);
    }
    Err(CallError::Fatal(BackChannelError::Refused {
        call,
        status: status.as_u16(),
    }))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::config::MetadataTarget;
    use stopover_protocol::{AnswerValue, ConsentRecord};

    fn target(delivery: Delivery, path: &str) -> MetadataTarget {
        MetadataTarget {
            delivery,
            path: path.split('.').map(str::to_owned).collect(),
        }
    }

    fn answers() -> CleanAnswers {
        CleanAnswers(BTreeMap::from([
            ("phone".to_owned(), AnswerValue::Text("+4930901820".into())),
            (
                "terms".to_owned(),
                AnswerValue::Consent(ConsentRecord {
                    accepted: true,
                    version: "2026-11".into(),
                    accepted_at: 7,
                    document: None,
                    language: None,
                }),
            ),
            ("company".to_owned(), AnswerValue::Text("Keller".into())),
        ]))
    }

    fn delivery() -> FormDelivery {
        FormDelivery {
            targets: BTreeMap::from([
                ("phone".to_owned(), target(Delivery::UserMetadata, "phone")),
                (
                    "terms".to_owned(),
                    target(Delivery::AppMetadata, "consents.terms"),
                ),
                (
                    "newsletter".to_owned(),
                    target(Delivery::UserMetadata, "newsletter"),
                ),
            ]),
        }
    }

    #[test]
    fn the_patch_keeps_nested_siblings_already_stored() {
        let writes = writes(&delivery(), &answers()).unwrap();
        let current = json!({
            "app_metadata": {"consents": {"privacy": {"version": "1"}}, "plan": "gold"},
        });
        let body = patch_body(&writes, &current);
        assert_eq!(
            body,
            json!({
                "user_metadata": {"phone": "+4930901820"},
                "app_metadata": {"consents": {
                    "privacy": {"version": "1"},
                    "terms": {"accepted": true, "version": "2026-11", "accepted_at": 7},
                }},
            })
        );
    }

    #[test]
    fn answers_not_given_and_token_fields_are_not_written() {
        let writes = writes(&delivery(), &answers()).unwrap();
        let body = patch_body(&writes, &Value::Null);
        assert!(body["user_metadata"].get("newsletter").is_none());
        assert!(body["user_metadata"].get("company").is_none());
    }

    #[test]
    fn a_non_object_in_the_way_is_replaced_by_an_object() {
        let writes = writes(&delivery(), &answers()).unwrap();
        let body = patch_body(&writes, &json!({"app_metadata": {"consents": "yes"}}));
        assert_eq!(
            body["app_metadata"]["consents"]["terms"]["version"],
            "2026-11"
        );
    }

    #[test]
    fn statuses_are_sorted_into_retry_refresh_and_final() {
        let mut headers = HeaderMap::new();
        headers.insert("x-ratelimit-reset", "1003".parse().unwrap());
        assert!(matches!(
            check_status("c", StatusCode::TOO_MANY_REQUESTS, &headers, 1000),
            Err(CallError::Retry(Retryable::RateLimited { wait: Some(wait) })) if wait == Duration::from_secs(3)
        ));
        assert!(matches!(
            check_status("c", StatusCode::BAD_GATEWAY, &headers, 0),
            Err(CallError::Retry(Retryable::ServerError(502)))
        ));
        assert!(matches!(
            check_status("c", StatusCode::UNAUTHORIZED, &headers, 0),
            Err(CallError::Unauthorized)
        ));
        assert!(matches!(
            check_status("c", StatusCode::FORBIDDEN, &headers, 0),
            Err(CallError::Fatal(BackChannelError::Refused {
                status: 403,
                ..
            }))
        ));
        assert!(check_status("c", StatusCode::OK, &headers, 0).is_ok());
    }
}
