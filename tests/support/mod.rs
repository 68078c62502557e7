//! What the browser test binaries share: the real signer `cargo xtask test` starts, tokens as
//! an Auth0 Action mints them, and mounting components and acting on them as a person would.
//! Each binary uses part of it.
#![allow(dead_code)]

use chrono::DateTime;
use jwt_compact::alg::{Hs256, Hs256Key};
use jwt_compact::{AlgorithmExt, Claims, Header};
use leptos::prelude::*;
use serde_json::{json, Value};
use stopover_page::config::{PageConfig, DEFAULT_TOKEN_PARAMETER};
use stopover_page::form_page::FormPage;
use stopover_page::i18n::Lang;
use stopover_page::launch::{parse_query, Launch, LaunchError};
use stopover_page::session::{now_seconds, Session};
use stopover_page::HandoffMode;
use stopover_page::Stopover;
use stopover_protocol::FormDefinition;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement, HtmlInputElement};

pub const SIGNER_URL: Option<&str> = option_env!("STOPOVER_TEST_SIGNER_URL");
pub const SIGNER_SECRET: Option<&str> = option_env!("STOPOVER_TEST_SECRET");
pub const SIGNER_ISSUER: Option<&str> = option_env!("STOPOVER_TEST_ISSUER");

pub struct TestSigner {
    pub url: &'static str,
    pub secret: &'static str,
    pub issuer: &'static str,
}

impl TestSigner {
    pub fn config(&self) -> PageConfig {
        PageConfig {
            signer_url: self.url.to_owned(),
            ..PageConfig::default()
        }
    }
}

/// The real signer `cargo xtask test` starts; without it these tests fail, never pass.
pub fn signer() -> TestSigner {
    const HOW: &str =
        "run `cargo xtask test`: it starts a real signer and sets STOPOVER_TEST_SIGNER_URL, \
                       STOPOVER_TEST_SECRET and STOPOVER_TEST_ISSUER for the page tests";
    TestSigner {
        url: SIGNER_URL.unwrap_or_else(|| panic!("STOPOVER_TEST_SIGNER_URL is not set: {HOW}")),
        secret: SIGNER_SECRET.unwrap_or_else(|| panic!("STOPOVER_TEST_SECRET is not set: {HOW}")),
        issuer: SIGNER_ISSUER.unwrap_or_else(|| panic!("STOPOVER_TEST_ISSUER is not set: {HOW}")),
    }
}

/// A session token as an Auth0 Action's `encodeToken` makes it, expiring in `expires_in` s.
/// Each call is another person's (`sub` unless `payload` sets one), so two tokens minted in
/// the same second with the same claims are still two logins: the signer remembers each
/// token it has used, and the page asks about its token when it opens.
pub fn mint(secret: &str, payload: Value, expires_in: i64) -> String {
    static MINTED: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = MINTED.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let mut custom = json!({
        "sub": format!("auth0|page-test-{n}"),
        "iss": SIGNER_ISSUER.unwrap_or("127.0.0.1:8780"),
    });
    if let (Value::Object(custom), Value::Object(payload)) = (&mut custom, payload) {
        custom.extend(payload);
    }
    let now = now_seconds();
    let mut claims = Claims::new(custom);
    claims.issued_at = DateTime::from_timestamp(now, 0);
    claims.expiration = DateTime::from_timestamp(now + expires_in, 0);
    Hs256
        .token(
            &Header::empty().with_token_type("JWT"),
            &claims,
            &Hs256Key::new(secret.as_bytes()),
        )
        .unwrap()
}

pub fn launch_with(state: &str, token: &str) -> Launch {
    parse_query(
        &format!("?state={state}&session_token={token}"),
        DEFAULT_TOKEN_PARAMETER,
    )
    .unwrap()
}

/// A mounted component in its own element, removed when dropped.
pub struct Mounted {
    root: HtmlElement,
    _handle: Box<dyn std::any::Any>,
}

impl Drop for Mounted {
    fn drop(&mut self) {
        self.root.remove();
    }
}

impl Mounted {
    pub fn query(&self, selector: &str) -> Option<Element> {
        self.root.query_selector(selector).unwrap()
    }

    pub fn find(&self, selector: &str) -> Element {
        self.query(selector).unwrap_or_else(|| {
            panic!(
                "nothing matches `{selector}` in: {}",
                self.root.inner_html()
            )
        })
    }

    pub fn input(&self, selector: &str) -> HtmlInputElement {
        self.find(selector).unchecked_into()
    }

    pub fn text(&self) -> String {
        self.root.text_content().unwrap_or_default()
    }

    pub async fn click(&self, selector: &str) {
        self.find(selector).unchecked_into::<HtmlElement>().click();
        tick().await;
    }

    /// Waits up to ten seconds for `selector` (network round trips).
    pub async fn wait_for(&self, selector: &str) -> Element {
        for _ in 0..200 {
            if let Some(element) = self.query(selector) {
                return element;
            }
            sleep(50).await;
        }
        panic!("`{selector}` never appeared in: {}", self.root.inner_html());
    }
}

/// Mounts `view` as if in a new tab: nothing in `sessionStorage`.
pub fn mount<F, N>(view: F) -> Mounted
where
    F: FnOnce() -> N + 'static,
    N: IntoView + 'static,
{
    window()
        .session_storage()
        .unwrap()
        .unwrap()
        .clear()
        .unwrap();
    mount_in_same_tab(view)
}

/// Every language's texts at hand, as the built page has the one it shows once it fetched
/// `texts/{tag}.json` (these tests mount components without that fetch).
pub fn register_languages() {
    for (lang, source) in [
        (Lang::AR, include_str!("../../src/i18n/texts/ar.json")),
        (Lang::DE, include_str!("../../src/i18n/texts/de.json")),
        (Lang::ES, include_str!("../../src/i18n/texts/es.json")),
        (Lang::FR, include_str!("../../src/i18n/texts/fr.json")),
        (Lang::IT, include_str!("../../src/i18n/texts/it.json")),
        (Lang::JA, include_str!("../../src/i18n/texts/ja.json")),
        (Lang::NL, include_str!("../../src/i18n/texts/nl.json")),
        (Lang::PL, include_str!("../../src/i18n/texts/pl.json")),
        (Lang::PT_BR, include_str!("../../src/i18n/texts/pt-BR.json")),
    ] {
        if !stopover_page::i18n::is_loaded(lang) {
            stopover_page::i18n::register_language(lang, source).unwrap();
        }
    }
    assert!(
        Lang::BUILT_IN
            .into_iter()
            .all(stopover_page::i18n::is_loaded),
        "a language file of src/i18n/texts is not registered here"
    );
}

/// Mounts `view` in the tab the last test page ran in, its `sessionStorage` kept: a reload,
/// or Back to the page.
pub fn mount_in_same_tab<F, N>(view: F) -> Mounted
where
    F: FnOnce() -> N + 'static,
    N: IntoView + 'static,
{
    register_languages();
    let root: HtmlElement = document().create_element("div").unwrap().unchecked_into();
    document().body().unwrap().append_child(&root).unwrap();
    let handle = leptos::mount::mount_to(root.clone(), view);
    Mounted {
        root,
        _handle: Box::new(handle),
    }
}

pub fn mount_form(form: FormDefinition, session: Session, lang: Lang) -> Mounted {
    let launch = launch_with("form-test", "header.claims.signature");
    mount_form_page(form, launch, session, PageConfig::default(), lang)
}

/// The form page with what `Stopover` provides above it, its `/continue` form left for a
/// click.
pub fn mount_form_page(
    form: FormDefinition,
    launch: Launch,
    session: Session,
    config: PageConfig,
    lang: Lang,
) -> Mounted {
    mount(move || {
        provide_context(lang);
        provide_context(launch);
        provide_context(session);
        provide_context(config);
        provide_context(HandoffMode::Manual);
        view! { <FormPage form /> }
    })
}

pub fn mount_app(launch: Result<Launch, LaunchError>, config: PageConfig) -> Mounted {
    mount(move || view! { <Stopover launch config handoff=HandoffMode::Manual /> })
}

/// The whole page opened again in the same tab (a reload, Back), `sessionStorage` kept.
pub fn reopen_app(launch: Result<Launch, LaunchError>, config: PageConfig) -> Mounted {
    mount_in_same_tab(move || view! { <Stopover launch config handoff=HandoffMode::Manual /> })
}

pub async fn tick() {
    for _ in 0..3 {
        leptos::task::tick().await;
    }
    sleep(0).await;
}

pub async fn sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        window()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
            .unwrap();
    });
    wasm_bindgen_futures::JsFuture::from(promise).await.unwrap();
}

pub async fn dispatch(target: &web_sys::EventTarget, kind: &str) {
    let init = web_sys::EventInit::new();
    init.set_bubbles(kind != "blur");
    let event = web_sys::Event::new_with_event_init_dict(kind, &init).unwrap();
    target.dispatch_event(&event).unwrap();
    tick().await;
}

/// Replaces the input's text as typing would, firing `input`.
pub async fn type_into(input: &HtmlInputElement, text: &str) {
    input.set_value(text);
    dispatch(input, "input").await;
}

/// Moves focus away, firing `blur`.
pub async fn leave(input: &HtmlInputElement) {
    dispatch(input, "blur").await;
}

/// Moves focus from `input` to `next` (`None`: out of the page), as the browser does, with
/// `focusout` (which bubbles and names where focus goes) and `blur`.
pub async fn move_focus(input: &HtmlInputElement, next: Option<&HtmlInputElement>) {
    let init = web_sys::FocusEventInit::new();
    init.set_bubbles(true);
    init.set_related_target(next.map(|next| next.as_ref()));
    let event = web_sys::FocusEvent::new_with_focus_event_init_dict("focusout", &init).unwrap();
    input.dispatch_event(&event).unwrap();
    if let Some(next) = next {
        next.focus().unwrap();
    }
    dispatch(input, "blur").await;
}

pub fn attr(element: &Element, name: &str) -> String {
    element.get_attribute(name).unwrap_or_else(|| {
        panic!(
            "<{}> has no `{name}`: {}",
            element.tag_name(),
            element.outer_html()
        )
    })
}

pub fn all(root: &Element, selector: &str) -> Vec<Element> {
    let list = root.query_selector_all(selector).unwrap();
    (0..list.length())
        .filter_map(|i| list.item(i))
        .map(|node| node.unchecked_into())
        .collect()
}
