//! The simulated tenant over HTTP, running the real example Action
//! (`examples/auth0/stopover-action.js`) under Node: `/authorize` runs `onExecutePostLogin`,
//! `/continue` applies Auth0's transaction rules and runs `onContinuePostLogin`, whose
//! `validateToken` and form checks decide, and the answers end up on the user.
//!
//! These tests need `node` (18 or later) on PATH, as `cargo xtask setup` provides.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use http_body_util::BodyExt;
use jwt_compact::alg::{Hs256, Hs256Key};
use jwt_compact::{AlgorithmExt, Claims, Header, UntrustedToken};
use serde_json::{json, Map, Value};
use stopover_simulator::{app, Clock, Secret, SimulatorConfig};
use tower::ServiceExt;

const SECRET: &str = "integration test secret, more than 32 bytes";
const STOPOVER: &str = "http://127.0.0.1:8781/";
const ISSUER: &str = "127.0.0.1:8780";
const START: i64 = 1_900_000_000;
/// The example Action's `SESSION_TOKEN_SECONDS`.
const ACTION_TOKEN_SECONDS: i64 = 600;
const TERMS_VERSION: &str = "2026-11";

/// Fails every test at once, saying why, when Node.js is missing.
fn require_node() {
    static CHECKED: OnceLock<()> = OnceLock::new();
    CHECKED.get_or_init(|| {
        let version = std::process::Command::new("node").arg("--version").output();
        match version {
            Ok(output) if output.status.success() => {}
            _ => panic!(
                "these tests run the example Auth0 Action under Node.js, and `node` is not on \
                 PATH: install Node.js 18 or later (`cargo xtask setup` does)"
            ),
        }
    });
}

/// `config/demo.toml`, whose tenant is [`ISSUER`].
fn demo_toml() -> String {
    std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../config/demo.toml"
    ))
    .unwrap()
}

/// The Action's plan the signer writes from `toml` (`stopover-signer action-plan`).
fn demo_plan(toml: &str) -> String {
    let config = stopover_signer::config::Config::from_toml(toml, &|name| {
        (name == "STOPOVER_DEMO_SECRET").then(|| SECRET.to_owned())
    })
    .unwrap();
    serde_json::to_string(&stopover_signer::action_plan::action_plan(&config, None).unwrap())
        .unwrap()
}

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
        require_node();
        let now = Arc::new(AtomicI64::new(START));
        let clock_now = now.clone();
        let mut config = SimulatorConfig::new(ISSUER, STOPOVER, Secret::new(SECRET));
        config.action_plan = Some(demo_plan(&demo_toml()));
        config.clock = Clock::from_fn(move || clock_now.load(Ordering::SeqCst));
        adjust(&mut config);
        Self {
            app: app(config),
            now,
            secret: SECRET.to_owned(),
        }
    }

    /// A tenant running the Action in `source` instead of the example.
    fn with_action(directory: &Path, source: &str) -> Self {
        let file = directory.join("action.js");
        std::fs::write(&file, source).unwrap();
        Self::with(|config| config.action.file = file)
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

    async fn post_raw(&self, uri: &str, cookie: &str, body: impl Into<Body>) -> Reply {
        let request = Request::post(uri)
            .header(header::COOKIE, cookie)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(body.into())
            .unwrap();
        self.send(request).await
    }

    async fn post_form(&self, uri: &str, cookie: &str, fields: &[(&str, &str)]) -> Reply {
        let body = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(fields)
            .finish();
        self.post_raw(uri, cookie, body).await
    }

    /// Signs in as `user`, who needs a stopover, and returns where the Action sent them.
    async fn start_login(&self, user: &str) -> Pending {
        let reply = self.get(&format!("/authorize?user={user}"), None).await;
        assert_eq!(reply.status, StatusCode::FOUND, "{}", reply.body);
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

    /// A continue token as the signer mints it for Bruno's profile form, with `changes`
    /// applied to its claims (`null` removes one).
    fn continue_token(&self, sub: &str, state: &str, changes: Value) -> String {
        let now = self.now.load(Ordering::SeqCst);
        let mut custom = json!({
            "iss": ISSUER, "sub": sub, "state": state, "jti": "j-1",
            "form": {"id": "profile", "version": "1"},
            "answers": {"company": "Keller AG", "phone": "+4930901820", "newsletter": true},
        });
        for (key, value) in changes.as_object().unwrap() {
            if value.is_null() {
                custom.as_object_mut().unwrap().remove(key);
            } else {
                custom[key] = value.clone();
            }
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

    /// Posts `token` with the pending login's state and cookie.
    async fn resume(&self, pending: &Pending, token: &str) -> Reply {
        self.post_form(
            &format!("/continue?state={}", pending.state),
            &pending.cookie,
            &[("state", &pending.state), ("session_token", token)],
        )
        .await
    }

    async fn stored_user(&self, id: &str) -> Value {
        serde_json::from_str(&self.get(&format!("/_sim/users/{id}"), None).await.body).unwrap()
    }

    /// The user's logins as `/_sim/logins?user=` shows them, oldest first.
    async fn logins(&self, user: &str) -> Vec<Value> {
        let reply = self.get(&format!("/_sim/logins?user={user}"), None).await;
        assert_eq!(reply.status, StatusCode::OK);
        serde_json::from_str(&reply.body).unwrap()
    }

    async fn last_login(&self, user: &str) -> Value {
        self.logins(user).await.pop().expect("a login")
    }
}

fn location(reply: &Reply) -> &str {
    reply.headers[header::LOCATION].to_str().unwrap()
}

/// The claims of a token, as text in their order and as an object.
fn claims_of(token: &str) -> (String, Map<String, Value>) {
    let text = String::from_utf8(
        URL_SAFE_NO_PAD
            .decode(token.split('.').nth(1).unwrap())
            .unwrap(),
    )
    .unwrap();
    let object = serde_json::from_str(&text).unwrap();
    (text, object)
}

#[tokio::test]
async fn the_start_page_shows_where_the_action_will_send_each_user() {
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
    let row = |name: &str| {
        let at = page.body.find(&format!("<h2>{name}</h2>")).unwrap();
        page.body[at..].split("</li>").next().unwrap().to_owned()
    };
    assert!(row("Amara Okafor").contains("finishes at once"));
    assert!(row("Bruno Keller").contains("<code>profile</code>"));
    assert!(row("Chloé Dubois").contains("<code>terms</code>"));
    assert!(row("Kenji Sato").contains("<code>onboarding</code>"));
    assert!(!page.body.contains("<script"));
    assert!(
        tenant.logins("bruno").await.is_empty(),
        "a dry run is not a login"
    );
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
    let login = tenant.last_login("amara").await;
    assert_eq!(login["status"], "signed_in");
    assert_eq!(login["form_asked"], Value::Null);
}

#[tokio::test]
async fn a_new_terms_version_in_the_signers_toml_asks_amara_again_through_the_plan() {
    let newer = demo_toml().replace("version = \"2026-11\"", "version = \"2027-02\"");
    let tenant = Tenant::with(|config| config.action_plan = Some(demo_plan(&newer)));
    let reply = tenant.get("/authorize?user=amara", None).await;
    assert_eq!(reply.status, StatusCode::FOUND);
    assert!(
        location(&reply).starts_with(STOPOVER),
        "{}",
        location(&reply)
    );
    assert_eq!(tenant.last_login("amara").await["form_asked"], "terms");
}

#[tokio::test]
async fn without_a_plan_the_action_denies_the_login() {
    let tenant = Tenant::with(|config| config.action_plan = None);
    let reply = tenant.get("/authorize?user=amara", None).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert!(
        reply.body.contains("not available right now"),
        "{}",
        reply.body
    );
    assert_eq!(tenant.last_login("amara").await["status"], "denied");
}

#[tokio::test]
async fn authorize_redirects_with_the_actions_session_token_then_state_and_a_lax_httponly_cookie() {
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
    assert_eq!(untrusted.algorithm(), "HS256");
    let claims = Hs256
        .validator::<Map<String, Value>>(&Hs256Key::new(SECRET))
        .validate(&untrusted)
        .unwrap()
        .into_parts()
        .1;
    assert_eq!(claims.issued_at.unwrap().timestamp(), START);
    assert_eq!(
        claims.expiration.unwrap().timestamp(),
        START + ACTION_TOKEN_SECONDS
    );
    let (text, claims) = claims_of(&pending.session_token);
    assert!(
        text.starts_with(r#"{"sub":"auth0|chloe","iss":"127.0.0.1:8780","iat":"#),
        "the standard claims come first: {text}"
    );
    assert_eq!(claims["form"], "terms");
    assert_eq!(claims["locale"], "fr");
    assert_eq!(claims["prefill"]["email"], "chloe@example.com");
    assert_eq!(claims["prefill"]["account_ref"], "ACC-1003");
    assert!(claims["nonce"].as_str().unwrap().len() >= 16);
}

#[tokio::test]
async fn two_logins_in_the_same_second_get_distinct_session_tokens() {
    let tenant = Tenant::new();
    let first = tenant.start_login("bruno").await;
    let second = tenant.start_login("bruno").await;
    assert_ne!(first.session_token, second.session_token);
    assert_ne!(
        claims_of(&first.session_token).1["nonce"],
        claims_of(&second.session_token).1["nonce"]
    );
}

#[tokio::test]
async fn ui_locales_reach_the_action_as_the_transactions_locale() {
    let tenant = Tenant::new();
    let reply = tenant
        .get("/authorize?user=bruno&ui_locales=de", None)
        .await;
    let token = location(&reply)
        .split("session_token=")
        .nth(1)
        .unwrap()
        .split('&')
        .next()
        .unwrap();
    assert_eq!(claims_of(token).1["locale"], "de");
}

#[tokio::test]
async fn each_login_records_the_form_the_action_asked_for() {
    let tenant = Tenant::new();
    tenant.start_login("bruno").await;
    tenant.start_login("chloe").await;
    let bruno = tenant.last_login("bruno").await;
    assert_eq!(bruno["form_asked"], "profile");
    assert_eq!(bruno["status"], "at_stopover");
    assert_eq!(bruno["user"], "bruno");
    assert_eq!(tenant.last_login("chloe").await["form_asked"], "terms");
}

#[tokio::test]
async fn a_good_continue_stores_the_answers_and_the_next_login_skips_the_stopover() {
    let tenant = Tenant::new();
    let pending = tenant.start_login("bruno").await;
    let token = tenant.continue_token("auth0|bruno", &pending.state, json!({}));
    let reply = tenant.resume(&pending, &token).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    let page = tenant.get(location(&reply), None).await;
    assert!(page.body.contains("Answers stored by the stopover"));
    assert!(page
        .body
        .contains("The Action asked for the <code>profile</code> form."));
    assert!(page.body.contains("Keller AG"));

    let user = tenant.stored_user("bruno").await;
    assert_eq!(user["user_metadata"]["company"], "Keller AG");
    assert_eq!(user["user_metadata"]["phone"], "+4930901820");
    let login = tenant.last_login("bruno").await;
    assert_eq!(login["status"], "signed_in");
    assert_eq!(login["continued"]["form"]["id"], "profile");

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
    let first = tenant.resume(&pending, &token).await;
    assert_eq!(first.status, StatusCode::SEE_OTHER);
    let second = tenant.resume(&pending, &token).await;
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
    let reply = tenant.resume(&pending, &token).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert!(reply.body.contains("The login transaction has expired"));
}

/// Posts `token` for a fresh login of Bruno, checks the Action denied access and stored
/// nothing, and returns why `validateToken` refused (from `/_sim/logins`).
async fn refused(tenant: &Tenant, token: impl Fn(&str) -> String) -> String {
    let pending = tenant.start_login("bruno").await;
    let reply = tenant.resume(&pending, &token(&pending.state)).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN, "{}", reply.body);
    assert!(reply.body.contains("<code>access_denied</code>"));
    assert!(
        reply.body.contains("We could not confirm your answers"),
        "the Action's reason is shown: {}",
        reply.body
    );
    assert_eq!(
        tenant.stored_user("bruno").await["user_metadata"].get("company"),
        None,
        "a refused token stores nothing"
    );
    let login = tenant.last_login("bruno").await;
    assert_eq!(login["status"], "denied");
    login["validate_token_error"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn continue_without_a_token_is_refused() {
    let tenant = Tenant::new();
    let pending = tenant.start_login("bruno").await;
    let reply = tenant
        .post_form("/continue", &pending.cookie, &[("state", &pending.state)])
        .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert_eq!(
        tenant.last_login("bruno").await["validate_token_error"],
        "Missing session_token"
    );
}

#[tokio::test]
async fn a_token_signed_with_another_secret_is_refused() {
    let mut other = Tenant::new();
    other.secret = "another secret that is 32 bytes or more".to_owned();
    let tenant = Tenant::new();
    let why = refused(&tenant, |state| {
        other.continue_token("auth0|bruno", state, json!({}))
    })
    .await;
    assert_eq!(why, "Invalid token signature");
}

#[tokio::test]
async fn a_tampered_token_is_refused() {
    let tenant = Tenant::new();
    let why = refused(&tenant, |state| {
        let token = tenant.continue_token("auth0|bruno", state, json!({}));
        let mut characters: Vec<char> = token.chars().collect();
        let middle = token.find('.').unwrap() + 5;
        characters[middle] = if characters[middle] == 'A' { 'B' } else { 'A' };
        characters.into_iter().collect()
    })
    .await;
    assert!(
        why == "Invalid token signature" || why == "Invalid token",
        "{why}"
    );
}

#[tokio::test]
async fn short_and_garbage_signatures_are_refused_without_harm() {
    let tenant = Tenant::new();
    for signature in ["", "AA", "!!!!", &"A".repeat(44), "ZZZZ%"] {
        let why = refused(&tenant, |state| {
            let token = tenant.continue_token("auth0|bruno", state, json!({}));
            let signed = &token[..token.rfind('.').unwrap()];
            format!("{signed}.{signature}")
        })
        .await;
        assert_eq!(why, "Invalid token signature", "{signature:?}");
    }
}

#[tokio::test]
async fn garbage_tokens_are_refused() {
    let tenant = Tenant::new();
    for garbage in ["x", "a.b.c", "...", "é.é.é", "eyJhbGciOiJub25lIn0.e30."] {
        let why = refused(&tenant, |_| garbage.to_owned()).await;
        assert!(why.starts_with("Invalid token"), "{garbage}: {why}");
    }
}

#[tokio::test]
async fn the_session_token_itself_is_not_a_continue_token() {
    // The session token has no `state` claim: sending it back unchanged must fail.
    let tenant = Tenant::new();
    let pending = tenant.start_login("bruno").await;
    let reply = tenant.resume(&pending, &pending.session_token).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert_eq!(
        tenant.last_login("bruno").await["validate_token_error"],
        "Missing or invalid standard claims"
    );
}

#[tokio::test]
async fn a_token_for_another_state_is_refused() {
    let tenant = Tenant::new();
    let why = refused(&tenant, |_| {
        tenant.continue_token("auth0|bruno", "another-state", json!({}))
    })
    .await;
    assert_eq!(why, "State mismatch");
}

#[tokio::test]
async fn a_token_for_another_user_is_refused() {
    let tenant = Tenant::new();
    let why = refused(&tenant, |state| {
        tenant.continue_token("auth0|amara", state, json!({}))
    })
    .await;
    assert_eq!(why, "Missing or invalid standard claims");
}

#[tokio::test]
async fn a_token_without_iss_or_state_is_refused() {
    let tenant = Tenant::new();
    for claim in ["iss", "state", "sub"] {
        let why = refused(&tenant, |state| {
            tenant.continue_token("auth0|bruno", state, json!({ claim: null }))
        })
        .await;
        assert_eq!(why, "Missing or invalid standard claims", "{claim}");
    }
}

#[tokio::test]
async fn an_expired_token_is_refused() {
    let tenant = Tenant::new();
    let pending = tenant.start_login("bruno").await;
    let token = tenant.continue_token("auth0|bruno", &pending.state, json!({}));
    tenant.advance(121);
    let reply = tenant.resume(&pending, &token).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert_eq!(
        tenant.last_login("bruno").await["validate_token_error"],
        "Token expired"
    );
}

#[tokio::test]
async fn a_token_expiring_within_sixty_seconds_is_refused() {
    let tenant = Tenant::new();
    let pending = tenant.start_login("bruno").await;
    let token = tenant.continue_token("auth0|bruno", &pending.state, json!({}));
    tenant.advance(61);
    let reply = tenant.resume(&pending, &token).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert_eq!(
        tenant.last_login("bruno").await["validate_token_error"],
        "Missing or invalid standard claims"
    );
}

#[tokio::test]
async fn a_refused_token_uses_up_the_state() {
    let tenant = Tenant::new();
    let pending = tenant.start_login("bruno").await;
    let wrong = tenant.continue_token("auth0|bruno", "other", json!({}));
    let good = tenant.continue_token("auth0|bruno", &pending.state, json!({}));
    let first = tenant.resume(&pending, &wrong).await;
    assert!(first.body.contains("access_denied"));
    let retry = tenant.resume(&pending, &good).await;
    assert!(retry.body.contains("invalid_request"));
}

#[tokio::test]
async fn accepting_the_terms_is_stored_and_ends_the_terms_stopover() {
    let tenant = Tenant::new();
    let pending = tenant.start_login("chloe").await;
    let consent = json!({"accepted": true, "version": TERMS_VERSION, "accepted_at": START});
    let token = tenant.continue_token(
        "auth0|chloe",
        &pending.state,
        json!({
            "form": {"id": "terms", "version": TERMS_VERSION},
            "answers": {"terms": consent, "privacy": consent},
        }),
    );
    let reply = tenant.resume(&pending, &token).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    let user = tenant.stored_user("chloe").await;
    assert_eq!(
        user["app_metadata"]["consents"]["terms"]["version"],
        TERMS_VERSION
    );
    assert_eq!(user["app_metadata"]["account_ref"], "ACC-1003");
    let again = tenant
        .get("/authorize?user=chloe", Some(&pending.cookie))
        .await;
    assert!(location(&again).starts_with("/callback?login="));
}

/// Posts `changes` to the continue token of a fresh login of Chloé (who needs the terms) and
/// checks the Action refused them as answers to another step.
async fn refused_as_another_step(tenant: &Tenant, changes: Value) {
    let pending = tenant.start_login("chloe").await;
    let token = tenant.continue_token("auth0|chloe", &pending.state, changes.clone());
    let reply = tenant.resume(&pending, &token).await;
    assert_eq!(
        reply.status,
        StatusCode::FORBIDDEN,
        "{changes}: {}",
        reply.body
    );
    assert!(
        reply.body.contains("another step of signing in"),
        "{changes}: {}",
        reply.body
    );
    let chloe = tenant.stored_user("chloe").await;
    assert_eq!(
        chloe["app_metadata"]["consents"]["terms"]["version"], "2025-03",
        "{changes}: the terms are still not accepted"
    );
    assert_eq!(chloe["user_metadata"]["company"], "Dubois & Fils");
    let login = tenant.last_login("chloe").await;
    assert_eq!(login["status"], "denied");
    assert_eq!(login["form_asked"], "terms");
    assert_eq!(login["validate_token_error"], Value::Null);
}

#[tokio::test]
async fn answers_to_another_form_than_the_login_asked_for_are_refused() {
    let tenant = Tenant::new();
    // Profile answers with the state of a login that needs the terms: the terms bypass.
    refused_as_another_step(&tenant, json!({"answers": {"company": "Evil Corp"}})).await;
    // The right form at an older version.
    let old = json!({"accepted": true, "version": "2025-03", "accepted_at": START});
    refused_as_another_step(
        &tenant,
        json!({"form": {"id": "terms", "version": "2025-03"}, "answers": {"terms": old}}),
    )
    .await;
    // The current form, with the terms consent of an older version.
    refused_as_another_step(
        &tenant,
        json!({"form": {"id": "terms", "version": TERMS_VERSION}, "answers": {"terms": old}}),
    )
    .await;
}

#[tokio::test]
async fn silent_authentication_is_denied_with_interaction_required() {
    let tenant = Tenant::new();
    let reply = tenant.get("/authorize?user=bruno&prompt=none", None).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert!(reply
        .body
        .contains("<code>access_denied</code>: interaction_required"));
    assert_eq!(tenant.last_login("bruno").await["status"], "denied");
}

#[tokio::test]
async fn a_non_interactive_login_is_let_through_without_a_stopover() {
    let tenant = Tenant::new();
    let reply = tenant
        .get("/authorize?user=bruno&protocol=oauth2-refresh-token", None)
        .await;
    assert!(location(&reply).starts_with("/callback?login="));
}

#[tokio::test]
async fn huge_and_non_utf8_requests_are_4xx_pages() {
    let tenant = Tenant::new();
    let pending = tenant.start_login("bruno").await;
    let huge = format!(
        "state={}&session_token={}",
        pending.state,
        "a".repeat(64 * 1024)
    );
    let reply = tenant.post_raw("/continue", &pending.cookie, huge).await;
    assert_eq!(reply.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(reply.body.contains("invalid_request"));

    let mut not_utf8 = format!("state={}&session_token=", pending.state).into_bytes();
    not_utf8.extend_from_slice(b"\xff\xfe\xfd");
    let reply = tenant
        .post_raw("/continue", &pending.cookie, not_utf8)
        .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert!(reply.body.contains("not valid UTF-8"));

    let reply = tenant.get("/authorize?user=%FF", None).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    let reply = tenant
        .get(&format!("/continue?state={}", "s".repeat(20_000)), None)
        .await;
    assert_eq!(reply.status, StatusCode::PAYLOAD_TOO_LARGE);

    // None of this used up the pending login.
    let token = tenant.continue_token("auth0|bruno", &pending.state, json!({}));
    assert_eq!(
        tenant.resume(&pending, &token).await.status,
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn the_action_file_is_configurable_and_its_custom_claims_and_metadata_apply() {
    let directory = tempfile::tempdir().unwrap();
    let tenant = Tenant::with_action(
        directory.path(),
        r#"exports.onExecutePostLogin = async (event, api) => {
             console.log('the Action may log; stdout stays clean');
             api.idToken.setCustomClaim('https://example.com/<plan>', 'gold');
             api.user.setUserMetadata('visits', 1);
             api.user.setUserMetadata('country', null);
             api.user.setAppMetadata('seen_by', event.request.hostname);
           };"#,
    );
    let reply = tenant.get("/authorize?user=bruno", None).await;
    assert_eq!(reply.status, StatusCode::FOUND, "{}", reply.body);
    let page = tenant.get(location(&reply), None).await;
    assert!(page.body.contains("Custom claims in the ID token"));
    assert!(page.body.contains("https://example.com/&lt;plan&gt;"));
    let bruno = tenant.stored_user("bruno").await;
    assert_eq!(bruno["user_metadata"]["visits"], 1);
    assert_eq!(bruno["user_metadata"].get("country"), None);
    assert_eq!(bruno["app_metadata"]["seen_by"], ISSUER);
    assert_eq!(
        tenant.last_login("bruno").await["id_token_claims"]["https://example.com/<plan>"],
        "gold"
    );
}

/// The error page `/authorize?user=bruno` shows with `tenant`, which must be a 500.
async fn failed_login(tenant: &Tenant) -> String {
    let reply = tenant.get("/authorize?user=bruno", None).await;
    assert_eq!(
        reply.status,
        StatusCode::INTERNAL_SERVER_ERROR,
        "{}",
        reply.body
    );
    assert!(reply.body.contains("<code>server_error</code>"));
    assert_eq!(tenant.last_login("bruno").await["status"], "failed");
    reply.body
}

#[tokio::test]
async fn an_action_that_throws_or_cannot_load_fails_the_login_on_an_error_page() {
    let directory = tempfile::tempdir().unwrap();
    let throws = Tenant::with_action(
        directory.path(),
        "exports.onExecutePostLogin = async () => { throw new Error('no database'); };",
    );
    assert!(failed_login(&throws)
        .await
        .contains("The Action threw: no database"));
    let broken = Tenant::with_action(directory.path(), "exports.onExecutePostLogin = (;");
    assert!(failed_login(&broken)
        .await
        .contains("The Action cannot be loaded"));
    assert_eq!(
        broken.stored_user("bruno").await["user_metadata"]["country"],
        "DE",
        "nothing changed"
    );
}

#[tokio::test]
async fn an_action_that_never_returns_times_out() {
    let directory = tempfile::tempdir().unwrap();
    let file = directory.path().join("action.js");
    std::fs::write(
        &file,
        "exports.onExecutePostLogin = () => new Promise(() => setInterval(() => {}, 1000));",
    )
    .unwrap();
    let tenant = Tenant::with(|config| {
        config.action.file = file;
        config.action.timeout = Duration::from_secs(2);
    });
    assert!(failed_login(&tenant)
        .await
        .contains("did not finish within 2 seconds"));
}

#[tokio::test]
async fn a_missing_node_or_a_runner_without_an_answer_is_an_error_page_not_a_panic() {
    let missing = Tenant::with(|config| config.action.node = PathBuf::from("/nonexistent/node"));
    assert!(failed_login(&missing)
        .await
        .contains("Node.js (/nonexistent/node) cannot be started"));
    // The start page still answers, saying why it cannot tell.
    let page = missing.get("/", None).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("The Action could not be run"));

    let directory = tempfile::tempdir().unwrap();
    for (name, source, expected) in [
        (
            "garbage.js",
            "process.stdout.write('not json');",
            "cannot be read",
        ),
        ("silent.js", "process.exit(3);", "stopped without an answer"),
        (
            "crash.js",
            "throw new Error('runner bug');",
            "stopped without an answer",
        ),
    ] {
        let runner = directory.path().join(name);
        std::fs::write(&runner, source).unwrap();
        let tenant = Tenant::with(|config| config.action.runner = runner);
        assert!(failed_login(&tenant).await.contains(expected), "{name}");
    }
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

#[tokio::test]
async fn resetting_a_user_forgets_what_sign_ins_stored_so_the_stopover_comes_back() {
    let tenant = Tenant::new();
    let start = tenant.get("/", None).await;
    assert!(
        start.body.contains(
            r#"<form class="reset" method="post" action="/_sim/users/bruno/reset"><button class="button secondary" type="submit">Reset Bruno Keller</button></form>"#
        ),
        "the start page has a Reset button per user"
    );
    let pending = tenant.start_login("bruno").await;
    let token = tenant.continue_token("auth0|bruno", &pending.state, json!({}));
    tenant.resume(&pending, &token).await;
    assert_eq!(
        tenant.stored_user("bruno").await["user_metadata"]["company"],
        "Keller AG"
    );

    let reset = tenant.post_form("/_sim/users/bruno/reset", "", &[]).await;
    assert_eq!(reset.status, StatusCode::SEE_OTHER);
    assert_eq!(location(&reset), "/");
    let user = tenant.stored_user("bruno").await;
    assert!(user["user_metadata"].get("company").is_none(), "{user}");
    let again = tenant.get("/authorize?user=bruno", None).await;
    assert!(
        location(&again).starts_with(STOPOVER),
        "the stopover comes back: {}",
        location(&again)
    );
    let unknown = tenant.post_form("/_sim/users/nobody/reset", "", &[]).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
}
