//! Serving the built page: security headers with the inline loader's hash, precompressed
//! assets, and the SPA fallback to index.html.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::PathBuf;
use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use common::*;
use sha2::{Digest as _, Sha256};
use stopover_signer::config::Config;
use stopover_signer::replay::MemoryStore;
use stopover_signer::{app, AppState, StartError};

const LOADER: &str =
    "import init from '/stopover-page-1234.js'; init('/stopover-page-1234_bg.wasm');";

/// A page directory like trunk's dist/, removed when dropped.
struct Dist(PathBuf);

impl Dist {
    fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("stopover-dist-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("index.html"),
            format!("<!DOCTYPE html><html><head><link rel=\"stylesheet\" href=\"/style.css\"><script type=\"module\">{LOADER}</script></head><body></body></html>"),
        )
        .unwrap();
        std::fs::write(dir.join("app.js"), "console.log('plain')").unwrap();
        std::fs::write(dir.join("app.js.br"), "BROTLI-BYTES").unwrap();
        std::fs::write(
            dir.join("stopover.json"),
            r#"{"signer_url":"https://signer.example.com"}"#,
        )
        .unwrap();
        Self(dir)
    }

    fn state(&self) -> Result<AppState, StartError> {
        let mut config: Config = config();
        config.static_dir = Some(self.0.clone());
        config.form_action_extra_origins = vec!["https://app.example.com".to_owned()];
        AppState::with_clock(config, Arc::new(MemoryStore::new(10)), Arc::new(|| NOW))
    }
}

impl Drop for Dist {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[tokio::test]
async fn index_html_has_the_security_headers_and_the_loader_hash() {
    let dist = Dist::new("index");
    let reply = send(
        app(dist.state().unwrap()),
        Request::get("/").body(Body::empty()).unwrap(),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.text.contains(LOADER));
    let csp = reply.headers["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    let hash = STANDARD.encode(Sha256::digest(LOADER.as_bytes()));
    assert!(
        csp.contains(&format!(
            "script-src 'self' 'wasm-unsafe-eval' 'sha256-{hash}'"
        )),
        "{csp}"
    );
    for directive in [
        "default-src 'none'",
        "style-src 'self'",
        "img-src 'self' data: https:",
        "connect-src 'self' https://signer.example.com",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "form-action 'self' https://tenant.example.com https://login.example.com https://other.example.com https://app.example.com",
    ] {
        assert!(csp.contains(directive), "{directive} missing from {csp}");
    }
    assert!(!csp.contains("unsafe-inline"));
    assert_eq!(reply.headers["referrer-policy"], "no-referrer");
    assert_eq!(reply.headers["x-content-type-options"], "nosniff");
    assert_eq!(reply.headers["x-frame-options"], "DENY");
    assert_eq!(reply.headers["cache-control"], "no-store");
}

#[tokio::test]
async fn any_page_path_falls_back_to_index_html() {
    let dist = Dist::new("fallback");
    let request = Request::get("/continue/step?state=abc&session_token=x")
        .body(Body::empty())
        .unwrap();
    let reply = send(app(dist.state().unwrap()), request).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.text.contains(LOADER));
    assert!(reply.headers.contains_key("content-security-policy"));
    assert_eq!(reply.headers["cache-control"], "no-store");
}

#[tokio::test]
async fn precompressed_asset_is_served_to_a_client_that_accepts_it() {
    let dist = Dist::new("brotli");
    let request = Request::get("/app.js")
        .header("accept-encoding", "br")
        .body(Body::empty())
        .unwrap();
    let reply = send(app(dist.state().unwrap()), request).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.headers["content-encoding"], "br");
    assert_eq!(reply.text, "BROTLI-BYTES");
    assert!(reply.headers.contains_key("content-security-policy"));
    assert!(
        reply.headers.get("cache-control").is_none(),
        "assets may be cached"
    );

    let plain = send(
        app(dist.state().unwrap()),
        Request::get("/app.js").body(Body::empty()).unwrap(),
    )
    .await;
    assert_eq!(plain.text, "console.log('plain')");
}

#[tokio::test]
async fn hashed_files_are_cached_for_a_year_and_the_deploy_configuration_is_revalidated() {
    let dist = Dist::new("cache");
    std::fs::write(
        dist.0.join("stopover-page-0123456789abcdef_bg.wasm"),
        "WASM",
    )
    .unwrap();
    let get = |path: &str| Request::get(path).body(Body::empty()).unwrap();
    let wasm = send(
        app(dist.state().unwrap()),
        get("/stopover-page-0123456789abcdef_bg.wasm"),
    )
    .await;
    assert_eq!(wasm.status, StatusCode::OK);
    assert_eq!(
        wasm.headers["cache-control"],
        "public, max-age=31536000, immutable"
    );
    let config = send(app(dist.state().unwrap()), get("/stopover.json")).await;
    assert_eq!(config.status, StatusCode::OK);
    assert_eq!(config.headers["cache-control"], "no-cache");
    std::fs::create_dir_all(dist.0.join("texts")).unwrap();
    std::fs::write(dist.0.join("texts/fr.json"), "{}").unwrap();
    let texts = send(app(dist.state().unwrap()), get("/texts/fr.json")).await;
    assert_eq!(texts.status, StatusCode::OK);
    assert_eq!(
        texts.headers["cache-control"], "no-cache",
        "a language file keeps its name from build to build"
    );
    let index = send(app(dist.state().unwrap()), get("/index.html")).await;
    assert_eq!(index.headers["cache-control"], "no-store");
}

#[tokio::test]
async fn api_routes_still_answer_json_beside_the_page() {
    let dist = Dist::new("api");
    let reply = send(
        app(dist.state().unwrap()),
        Request::get("/api/forms/terms")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.body["id"], "terms");
    let reply = send(
        app(dist.state().unwrap()),
        Request::get("/api/missing").body(Body::empty()).unwrap(),
    )
    .await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    assert_eq!(reply.body["error"], "not_found");
}

#[test]
fn missing_index_html_stops_the_start() {
    let dist = Dist::new("empty");
    std::fs::remove_file(dist.0.join("index.html")).unwrap();
    assert!(matches!(dist.state(), Err(StartError::StaticSite(_))));
}
