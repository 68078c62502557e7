//! The simulated tenant over HTTP: `/authorize` runs the Action, `/continue` applies Auth0's
//! rules one by one, and the answers end up on the user.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use jwt_compact::alg::{Hs256, Hs256Key};
use jwt_compact::{AlgorithmExt, Claims, Header, UntrustedToken};
use serde_json::{json, Map, Value};
use stopover_simulator::{app, Clock, Secret, SimulatorConfig};
use tower::ServiceExt;

const SECRET: &str = "integration test secret, more than 32 bytes";
const STOPOVER: &str = "http://127.0.0.1:8781/";
const START: i64 = 1_900_000_000;

struct Tenant {
    app: Router,
    now: Arc<AtomicI64>,
    secret: String,
}

struct Reply {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    body: String,
}

/// A login waiting at `/continue`: its state and the browser cookie it is bound to.
struct Pending {
    state: String,
    cookie: String,
    session_token: String,
}

impl Tenant {
    fn new() -> Self {
        Self::with(|_| {})
    }

    fn with(adjust: impl FnOnce(&mut SimulatorConfig)) -> Self {
        let now = Arc::new(AtomicI64::new(START));
        let clock_now = now.clone();
        let mut config = SimulatorConfig::new("127.0.0.1:8780", STOPOVER, Secret::new(SECRET));
        config.clock = Clock::from_fn(move || clock_now.load(Ordering::SeqCst));
        adjust(&mut config);
        Self {
            app: app(config),
            now,
            secret: SECRET.to_owned(),
        }
    }

    fn advance(&self, seconds: i64) {
        self.now.fetch_add(seconds, Ordering::SeqCst);
    }

    async fn send(&self, request: Request<Body>) -> Reply {
        let response = self.app.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        Reply {
            status,
            headers,
            body: String::from_utf8(bytes.to_vec()).unwrap(),
        }
    }

    async fn get(&self, uri: &str, cookie: Option<&str>) -> Reply {
        let mut request = Request::get(uri);
        if let Some(cookie) = cookie {
            request = request.header(header::COOKIE, cookie);
        }
        self.send(request.body(Body::empty()).unwrap()).await
    }

    async fn post_form(&self, uri: &str, cookie: &str, fields: &[(&str, &str)]) -> Reply {
        let body = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(fields)
            .finish();
        let request = Request::post(uri)
            .header(header::COOKIE, cookie)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .unwrap();
        self.send(request).await
    }

    /// Signs in as `user`, who needs a stopover, and returns where the Action sent them.
    async fn start_login(&self, user: &str) -> Pending {
        let reply = self.get(&format!("/authorize?user={user}"), None).await;
        assert_eq!(reply.status, StatusCode::FOUND);
        let location = reply.headers[header::LOCATION].to_str().unwrap();
        let query = location.strip_prefix(&format!("{STOPOVER}?")).unwrap();
        let param = |name: &str| {
            form_urlencoded::parse(query.as_bytes())
                .find(|(key, _)| key == name)
                .map(|(_, value)| value.into_owned())
                .unwrap()
        };
        let set_cookie = reply.headers[header::SET_COOKIE].to_str().unwrap();
        Pending {
            state: param("state"),
            session_token: param("session_token"),
            cookie: set_cookie.split(';').next().unwrap().to_owned(),
        }
    }

    /// A continue token as the signer mints it, with `changes` applied to its claims.
    fn continue_token(&self, sub: &str, state: &str, changes: Value) -> String {
        let now = self.now.load(Ordering::SeqCst);
        let mut custom = json!({
            "iss": "127.0.0.1:8780", "sub": sub, "state": state, "jti": "j-1",
            "form": {"id": "profile", "version": "1"},
            "answers": {"company": "Keller AG", "phone": "+4930901820", "newsletter": true},
        });
        for (key, value) in changes.as_object().unwrap() {
            custom[key] = value.clone();
        }
        let mut claims = Claims::new(custom);
        claims.issued_at = chrono::DateTime::from_timestamp(now, 0);
        claims.expiration = chrono::DateTime::from_timestamp(now + 120, 0);
        Hs256
            .token(
                &Header::empty().with_token_type("JWT"),
                &claims,
                &Hs256Key::new(&self.secret),
            )
            .unwrap()
    }

    async fn stored_user(&self, id: &str) -> Value {
        serde_json::from_str(&self.get(&format!("/_sim/users/{id}"), None).await.body).unwrap()
    }
}

fn location(reply: &Reply) -> &str {
    reply.headers[header::LOCATION].to_str().unwrap()
}

#[tokio::test]
async fn start_page_offers_every_test_user_and_where_they_will_go() {
    let tenant = Tenant::new();
    let page = tenant.get("/", None).await;
    assert_eq!(page.status, StatusCode::OK);
    for name in [
        "Sign in as Amara Okafor",
        "Sign in as Bruno Keller",
        "Sign in as Chloé Dubois",
    ] {
        assert!(page.body.contains(name), "{name}");
    }
    assert!(page.body.contains("<code>profile</code>"));
    assert!(page.body.contains("<code>terms</code>"));
    assert!(!page.body.contains("<script"));
}

#[tokio::test]
async fn a_complete_profile_signs_in_without_a_stopover() {
    let tenant = Tenant::new();
    let reply = tenant.get("/authorize?user=amara", None).await;
    assert_eq!(reply.status, StatusCode::FOUND);
    assert!(location(&reply).starts_with("/callback?login="));
    let page = tenant.get(location(&reply), None).await;
    assert!(page.body.contains("You are signed in as Amara Okafor."));
    assert!(page.body.contains("No stopover was needed"));
}

#[tokio::test]
async fn authorize_redirects_with_a_session_token_then_state_and_a_lax_httponly_cookie() {
    let tenant = Tenant::new();
    let reply = tenant.get("/authorize?user=chloe", None).await;
    let location = location(&reply);
    assert!(location.starts_with("http://127.0.0.1:8781/?session_token="));
    assert!(location.contains("&state="));
    let cookie = reply.headers[header::SET_COOKIE].to_str().unwrap();
    assert!(cookie.starts_with("simulator_session="));
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"));

    let pending = tenant.start_login("chloe").await;
    let untrusted = UntrustedToken::new(&pending.session_token).unwrap();
    let claims = Hs256
        .validator::<Map<String, Value>>(&Hs256Key::new(SECRET))
        .validate(&untrusted)
        .unwrap()
        .into_parts()
        .1;
    assert_eq!(claims.custom["sub"], "auth0|chloe");
    assert_eq!(claims.custom["form"], "terms");
    assert_eq!(claims.custom["locale"], "fr");
    assert_eq!(
        claims.expiration.unwrap().timestamp() - claims.issued_at.unwrap().timestamp(),
        900
    );
}

#[tokio::test]
async fn session_token_expiry_is_configurable() {
    let tenant = Tenant::with(|config| config.session_token_ttl_secs = 5);
    let pending = tenant.start_login("bruno").await;
    let claims = UntrustedToken::new(&pending.session_token)
        .unwrap()
        .deserialize_claims_unchecked::<Map<String, Value>>()
        .unwrap();
    assert_eq!(claims.expiration.unwrap().timestamp(), START + 5);
}

#[tokio::test]
async fn a_good_continue_stores_the_answers_and_the_next_login_skips_the_stopover() {
    let tenant = Tenant::new();
    let pending = tenant.start_login("bruno").await;
    let token = tenant.continue_token("auth0|bruno", &pending.state, json!({}));
    let reply = tenant
        .post_form(
            &format!("/continue?state={}", pending.state),
            &pending.cookie,
            &[("state", &pending.state), ("session_token", &token)],
        )
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    let page = tenant.get(location(&reply), None).await;
    assert!(page.body.contains("Answers stored by the stopover"));
    assert!(page.body.contains("Keller AG"));

    let user = tenant.stored_user("bruno").await;
    assert_eq!(user["user_metadata"]["company"], "Keller AG");
    assert_eq!(user["user_metadata"]["phone"], "+4930901820");

    let again = tenant
        .get("/authorize?user=bruno", Some(&pending.cookie))
        .await;
    assert!(location(&again).starts_with("/callback?login="));
}

#[tokio::test]
async fn continue_accepts_get_with_the_token_in_the_query() {
    let tenant = Tenant::new();
    let pending = tenant.start_login("bruno").await;
    let token = tenant.continue_token("auth0|bruno", &pending.state, json!({}));
    let reply = tenant
        .get(
            &format!("/continue?state={}&session_token={token}", pending.state),
            Some(&pending.cookie),
        )
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
}

#[tokio::test]
async fn continue_accepts_the_state_from_the_form_body_alone() {
    let tenant = Tenant::new();
    let pending = tenant.start_login("bruno").await;
    let token = tenant.continue_token("auth0|bruno", &pending.state, json!({}));
    let reply = tenant
        .post_form(
            "/continue",
            &pending.cookie,
            &[("state", &pending.state), ("session_token", &token)],
        )
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
}

#[tokio::test]
async fn continue_reads_the_token_under_the_configured_parameter_name() {
    let tenant = Tenant::with(|config| config.token_parameter = "continue_token".to_owned());
    let pending = tenant.start_login("bruno").await;
    let token = tenant.continue_token("auth0|bruno", &pending.state, json!({}));
    let wrong_name = tenant
        .post_form(
            "/continue",
            &pending.cookie,
            &[("state", &pending.state), ("session_token", &token)],
        )
        .await;
    assert_eq!(wrong_name.status, StatusCode::BAD_REQUEST);
    assert!(wrong_name.body.contains("no `continue_token` parameter"));

    let pending = tenant.start_login("bruno").await;
    let token = tenant.continue_token("auth0|bruno", &pending.state, json!({}));
    let right_name = tenant
        .post_form(
            "/continue",
            &pending.cookie,
            &[("state", &pending.state), ("continue_token", &token)],
        )
        .await;
    assert_eq!(
        right_name.status,
        StatusCode::SEE_OTHER,
        "{}",
        right_name.body
    );
}

#[tokio::test]
async fn continue_without_state_is_an_invalid_request() {
    let tenant = Tenant::new();
    let pending = tenant.start_login("bruno").await;
    let token = tenant.continue_token("auth0|bruno", &pending.state, json!({}));
    let reply = tenant
        .post_form("/continue", &pending.cookie, &[("session_token", &token)])
        .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert!(reply
        .body
        .contains("<code>invalid_request</code>: Missing required parameter: state"));
}

#[tokio::test]
async fn continue_with_an_unknown_state_is_an_invalid_request() {
    let tenant = Tenant::new();
    let pending = tenant.start_login("bruno").await;
    let token = tenant.continue_token("auth0|bruno", "made-up", json!({}));
    let reply = tenant
        .post_form(
            "/continue?state=made-up",
            &pending.cookie,
            &[("session_token", &token)],
        )
        .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert!(reply.body.contains("invalid_request"));
    assert!(reply.body.contains("was not found"));
}

#[tokio::test]
async fn a_state_is_accepted_once() {
    let tenant = Tenant::new();
    let pending = tenant.start_login("bruno").await;
    let token = tenant.continue_token("auth0|bruno", &pending.state, json!({}));
    let fields = [
        ("state", pending.state.as_str()),
        ("session_token", token.as_str()),
    ];
    let first = tenant
        .post_form("/continue", &pending.cookie, &fields)
        .await;
    assert_eq!(first.status, StatusCode::SEE_OTHER);
    let second = tenant
        .post_form("/continue", &pending.cookie, &fields)
        .await;
    assert_eq!(second.status, StatusCode::BAD_REQUEST);
    assert!(second.body.contains("invalid_request"));
}

#[tokio::test]
async fn continue_from_a_browser_without_the_transaction_cookie_is_refused() {
    let tenant = Tenant::new();
    let pending = tenant.start_login("bruno").await;
    let token = tenant.continue_token("auth0|bruno", &pending.state, json!({}));
    let fields = [
        ("state", pending.state.as_str()),
        ("session_token", token.as_str()),
    ];
    let stranger = tenant
        .post_form("/continue", "simulator_session=someone-else", &fields)
        .await;
    assert_eq!(stranger.status, StatusCode::BAD_REQUEST);
    assert!(stranger.body.contains("couldn&#39;t find your session"));
    let owner = tenant
        .post_form("/continue", &pending.cookie, &fields)
        .await;
    assert_eq!(owner.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn a_transaction_older_than_one_hour_is_refused() {
    let tenant = Tenant::new();
    let pending = tenant.start_login("bruno").await;
    tenant.advance(3601);
    let token = tenant.continue_token("auth0|bruno", &pending.state, json!({}));
    let reply = tenant
        .post_form(
            "/continue",
            &pending.cookie,
            &[("state", &pending.state), ("session_token", &token)],
        )
        .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert!(reply.body.contains("The login transaction has expired"));
}

/// Posts `token` for a fresh login of Bruno and returns the error page.
async fn rejected(tenant: &Tenant, token: impl Fn(&str) -> String) -> Reply {
    let pending = tenant.start_login("bruno").await;
    let token = token(&pending.state);
    let reply = tenant
        .post_form(
            "/continue",
            &pending.cookie,
            &[("state", &pending.state), ("session_token", &token)],
        )
        .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}", reply.body);
    assert!(reply.body.contains("<code>access_denied</code>"));
    assert_eq!(
        tenant.stored_user("bruno").await["user_metadata"].get("company"),
        None,
        "a refused token stores nothing"
    );
    reply
}

#[tokio::test]
async fn continue_without_a_token_is_refused() {
    let tenant = Tenant::new();
    let pending = tenant.start_login("bruno").await;
    let reply = tenant
        .post_form("/continue", &pending.cookie, &[("state", &pending.state)])
        .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert!(reply.body.contains("The session token is missing"));
}

#[tokio::test]
async fn a_token_signed_with_another_secret_is_refused() {
    let mut other = Tenant::new();
    other.secret = "another secret that is 32 bytes or more".to_owned();
    let tenant = Tenant::new();
    let reply = rejected(&tenant, |state| {
        other.continue_token("auth0|bruno", state, json!({}))
    })
    .await;
    assert!(reply.body.contains("Invalid session token signature."));
}

#[tokio::test]
async fn a_tampered_token_is_refused() {
    let tenant = Tenant::new();
    let reply = rejected(&tenant, |state| {
        let token = tenant.continue_token("auth0|bruno", state, json!({}));
        let mut characters: Vec<char> = token.chars().collect();
        let middle = token.find('.').unwrap() + 5;
        characters[middle] = if characters[middle] == 'A' { 'B' } else { 'A' };
        characters.into_iter().collect()
    })
    .await;
    assert!(reply.body.contains("signature") || reply.body.contains("malformed"));
}

#[tokio::test]
async fn the_session_token_itself_is_not_a_continue_token() {
    // The session token has no `state` claim: sending it back unchanged must fail.
    let tenant = Tenant::new();
    let pending = tenant.start_login("bruno").await;
    let reply = tenant
        .post_form(
            "/continue",
            &pending.cookie,
            &[
                ("state", &pending.state),
                ("session_token", &pending.session_token),
            ],
        )
        .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert!(reply
        .body
        .contains("Missing or invalid standard claims: `state` is missing."));
}

#[tokio::test]
async fn a_token_for_another_state_is_refused() {
    let tenant = Tenant::new();
    let reply = rejected(&tenant, |_| {
        tenant.continue_token("auth0|bruno", "another-state", json!({}))
    })
    .await;
    assert!(reply.body.contains("does not match the state parameter"));
}

#[tokio::test]
async fn a_token_for_another_user_is_refused() {
    let tenant = Tenant::new();
    let reply = rejected(&tenant, |state| {
        tenant.continue_token("auth0|amara", state, json!({}))
    })
    .await;
    assert!(reply.body.contains("`sub` is not the user of this login"));
}

#[tokio::test]
async fn a_token_without_iss_is_refused() {
    let tenant = Tenant::new();
    let reply = rejected(&tenant, |state| {
        tenant.continue_token("auth0|bruno", state, json!({"iss": null}))
    })
    .await;
    assert!(reply
        .body
        .contains("Missing or invalid standard claims: `iss` is missing."));
}

#[tokio::test]
async fn an_expired_token_is_refused() {
    let tenant = Tenant::new();
    let pending = tenant.start_login("bruno").await;
    let token = tenant.continue_token("auth0|bruno", &pending.state, json!({}));
    tenant.advance(121);
    let reply = tenant
        .post_form(
            "/continue",
            &pending.cookie,
            &[("state", &pending.state), ("session_token", &token)],
        )
        .await;
    assert!(reply.body.contains("The session token has expired."));
}

#[tokio::test]
async fn a_token_expiring_within_sixty_seconds_is_refused() {
    let tenant = Tenant::new();
    let pending = tenant.start_login("bruno").await;
    let token = tenant.continue_token("auth0|bruno", &pending.state, json!({}));
    tenant.advance(61);
    let reply = tenant
        .post_form(
            "/continue",
            &pending.cookie,
            &[("state", &pending.state), ("session_token", &token)],
        )
        .await;
    assert!(reply.body.contains("`exp` is less than 60 seconds ahead"));
}

#[tokio::test]
async fn a_refused_token_uses_up_the_state() {
    let tenant = Tenant::new();
    let pending = tenant.start_login("bruno").await;
    let wrong = tenant.continue_token("auth0|bruno", "other", json!({}));
    let good = tenant.continue_token("auth0|bruno", &pending.state, json!({}));
    let first = tenant
        .post_form(
            "/continue",
            &pending.cookie,
            &[("state", &pending.state), ("session_token", &wrong)],
        )
        .await;
    assert!(first.body.contains("access_denied"));
    let retry = tenant
        .post_form(
            "/continue",
            &pending.cookie,
            &[("state", &pending.state), ("session_token", &good)],
        )
        .await;
    assert!(retry.body.contains("invalid_request"));
}

#[tokio::test]
async fn accepting_the_terms_is_stored_and_ends_the_terms_stopover() {
    let tenant = Tenant::new();
    let pending = tenant.start_login("chloe").await;
    let token = tenant.continue_token(
        "auth0|chloe",
        &pending.state,
        json!({
            "form": {"id": "terms", "version": "1"},
            "answers": {"terms": {"accepted": true, "version": "2026-11", "accepted_at": START}},
        }),
    );
    let reply = tenant
        .post_form(
            "/continue",
            &pending.cookie,
            &[("state", &pending.state), ("session_token", &token)],
        )
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    let user = tenant.stored_user("chloe").await;
    assert_eq!(user["app_metadata"]["terms_version"], "2026-11");
    let again = tenant
        .get("/authorize?user=chloe", Some(&pending.cookie))
        .await;
    assert!(location(&again).starts_with("/callback?login="));
}

#[tokio::test]
async fn unknown_users_are_reported() {
    let tenant = Tenant::new();
    assert_eq!(
        tenant.get("/_sim/users/nobody", None).await.status,
        StatusCode::NOT_FOUND
    );
    let reply = tenant.get("/authorize?user=nobody", None).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert!(reply.body.contains("invalid_request"));
}
