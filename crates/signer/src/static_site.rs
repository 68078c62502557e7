//! Serving the built page from the signer: precompressed assets, the SPA fallback to
//! `index.html`, and the security headers of SPEC section 5 on every page response.

use std::path::{Path, PathBuf};

use axum::extract::Request;
use axum::http::{header, HeaderName, HeaderValue};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::Router;
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use sha2::{Digest as _, Sha256};
use tower_http::services::{ServeDir, ServeFile};

use crate::config::{is_origin, Config};

/// The page's directory and the headers computed for it at start-up.
#[derive(Debug, Clone)]
pub struct StaticSite {
    dir: PathBuf,
    csp: HeaderValue,
}

/// Why the page cannot be served.
#[derive(Debug, thiserror::Error)]
pub enum StaticSiteError {
    #[error("cannot read {path}: {source}")]
    Index {
        path: String,
        source: std::io::Error,
    },
    #[error("the Content-Security-Policy is not a valid header value")]
    Header,
}

impl StaticSite {
    /// Reads `dir/index.html` (its inline scripts are hashed into the CSP) and
    /// `dir/stopover.json` (a signer on another origin is added to `connect-src`).
    pub fn load(dir: &Path, config: &Config) -> Result<Self, StaticSiteError> {
        let index_path = dir.join("index.html");
        let index =
            std::fs::read_to_string(&index_path).map_err(|source| StaticSiteError::Index {
                path: index_path.display().to_string(),
                source,
            })?;
        let signer_origin = std::fs::read(dir.join("stopover.json"))
            .ok()
            .and_then(|bytes| signer_origin(&bytes));
        let csp = content_security_policy(&index, signer_origin.as_deref(), config);
        let csp = HeaderValue::from_str(&csp).map_err(|_| StaticSiteError::Header)?;
        Ok(Self {
            dir: dir.to_owned(),
            csp,
        })
    }

    /// The Content-Security-Policy sent with every page response.
    pub fn csp(&self) -> &HeaderValue {
        &self.csp
    }

    /// Files from the directory (`.br`/`.gz` siblings when the client accepts them), any
    /// other path answered with `index.html`, all with the security headers.
    pub fn service(&self) -> Router {
        let index = self.dir.join("index.html");
        let files = ServeDir::new(&self.dir)
            .precompressed_br()
            .precompressed_gzip()
            .fallback(
                ServeFile::new(index)
                    .precompressed_br()
                    .precompressed_gzip(),
            );
        let csp = self.csp.clone();
        Router::new()
            .fallback_service(files)
            .layer(middleware::from_fn(move |request: Request, next: Next| {
                let csp = csp.clone();
                async move { with_security_headers(next.run(request).await, csp) }
            }))
    }
}

fn with_security_headers(mut response: Response, csp: HeaderValue) -> Response {
    let is_html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("text/html"));
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_SECURITY_POLICY, csp);
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        HeaderName::from_static("cross-origin-opener-policy"),
        HeaderValue::from_static("same-origin"),
    );
    if is_html {
        // index.html carries the query (state, token) only in the address bar, but must
        // never be served stale after a deploy.
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

/// The page's policy: scripts only from this origin plus the hashed inline loader, wasm
/// compilation, no framing, no base URI, and form posts only to the configured `/continue`
/// hosts.
pub fn content_security_policy(
    index_html: &str,
    signer_origin: Option<&str>,
    config: &Config,
) -> String {
    let mut script_src = vec!["'self'".to_owned(), "'wasm-unsafe-eval'".to_owned()];
    script_src.extend(inline_hashes(index_html, "script"));
    let mut style_src = vec!["'self'".to_owned()];
    style_src.extend(inline_hashes(index_html, "style"));
    let mut connect_src = vec!["'self'".to_owned()];
    connect_src.extend(signer_origin.map(str::to_owned));
    let mut form_action = vec!["'self'".to_owned()];
    for tenant in &config.tenants {
        for host in std::iter::once(&tenant.issuer).chain(&tenant.continue_hosts) {
            let target = format!("{}://{}", tenant.scheme.as_str(), host);
            if !form_action.contains(&target) {
                form_action.push(target);
            }
        }
    }
    for origin in &config.form_action_extra_origins {
        if !form_action.contains(origin) {
            form_action.push(origin.clone());
        }
    }
    [
        "default-src 'self'".to_owned(),
        format!("script-src {}", script_src.join(" ")),
        format!("style-src {}", style_src.join(" ")),
        "img-src 'self' data: https:".to_owned(),
        format!("connect-src {}", connect_src.join(" ")),
        "object-src 'none'".to_owned(),
        "frame-ancestors 'none'".to_owned(),
        "base-uri 'none'".to_owned(),
        format!("form-action {}", form_action.join(" ")),
    ]
    .join("; ")
}

/// `'sha256-…'` of each inline `<tag>` block (those without `src`), exactly as the browser
/// hashes it: the bytes between the opening and the closing tag.
fn inline_hashes(html: &str, tag: &str) -> Vec<String> {
    let open = format!("<{tag}");
    let close = format!("</{tag}>");
    let lower = html.to_ascii_lowercase();
    let mut hashes = Vec::new();
    let mut from = 0;
    while let Some(start) = lower[from..].find(&open).map(|at| at + from) {
        let Some(tag_end) = lower[start..].find('>').map(|at| at + start) else {
            break;
        };
        let Some(end) = lower[tag_end..].find(&close).map(|at| at + tag_end) else {
            break;
        };
        let attributes = &lower[start + open.len()..tag_end];
        let is_tag =
            attributes.is_empty() || attributes.starts_with(|c: char| c.is_ascii_whitespace());
        if is_tag && !attributes.contains("src=") {
            let content = &html[tag_end + 1..end];
            hashes.push(format!(
                "'sha256-{}'",
                STANDARD.encode(Sha256::digest(content.as_bytes()))
            ));
        }
        from = end + close.len();
    }
    hashes
}

/// The origin of `signer_url` in the page's `stopover.json`, when it names another origin.
fn signer_origin(json: &[u8]) -> Option<String> {
    let value: serde_json::Value = serde_json::from_slice(json).ok()?;
    let url = value.get("signer_url")?.as_str()?;
    let scheme_end = url.find("://")? + 3;
    let origin_end = url[scheme_end..]
        .find('/')
        .map_or(url.len(), |at| at + scheme_end);
    let origin = &url[..origin_end];
    is_origin(origin).then(|| origin.to_owned())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn inline_script_hash_matches_the_browser_rule() {
        // sha256 of `alert(1)`, base64: the value CSP documentation examples use.
        let html = "<html><head><script type=\"module\">alert(1)</script><script src=\"/x.js\"></script></head></html>";
        assert_eq!(
            inline_hashes(html, "script"),
            vec!["'sha256-bhHHL3z2vDgxUt0W3dWQOrprscmda2Y5pLsLg4GF+pI='"]
        );
    }

    #[test]
    fn signer_origin_is_taken_from_stopover_json() {
        assert_eq!(
            signer_origin(br#"{"signer_url":"https://sign.example.com/base"}"#).as_deref(),
            Some("https://sign.example.com")
        );
        assert_eq!(signer_origin(br#"{"signer_url":""}"#), None);
        assert_eq!(
            signer_origin(br#"{"signer_url":"javascript:alert(1)"}"#),
            None
        );
    }
}
