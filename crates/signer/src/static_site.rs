//! Serving the built page from the signer: precompressed assets, the SPA fallback to
//! `index.html`, and the security headers of docs/contract.md#security-policy on every page
//! response: the strict policy of [`crate::page_policy`], the very headers `_headers` asks a
//! static host for.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::extract::Request;
use axum::http::{header, HeaderName, HeaderValue};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::Router;
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::SetResponseHeaderLayer;

use crate::config::Config;
use crate::page_policy::{security_headers, PagePolicy, PAGE_CONFIG_FILE};

/// The page's directory and the headers computed for it at start-up.
#[derive(Debug, Clone)]
pub struct StaticSite {
    dir: PathBuf,
    csp: HeaderValue,
    headers: Arc<[(HeaderName, HeaderValue)]>,
}

/// Why the page cannot be served.
#[derive(Debug, thiserror::Error)]
pub enum StaticSiteError {
    #[error("cannot read {path}: {source}")]
    Index {
        path: String,
        source: std::io::Error,
    },
    #[error("the security header `{0}` is not a valid header")]
    Header(&'static str),
}

impl StaticSite {
    /// Reads `dir/index.html` (its inline scripts are hashed into the CSP) and
    /// `dir/stopover.json` (a signer on another origin is added to `connect-src`), and builds
    /// the strict policy for `config`.
    pub fn load(dir: &Path, config: &Config) -> Result<Self, StaticSiteError> {
        let index_path = dir.join("index.html");
        let index =
            std::fs::read_to_string(&index_path).map_err(|source| StaticSiteError::Index {
                path: index_path.display().to_string(),
                source,
            })?;
        let stopover_json = std::fs::read(dir.join(PAGE_CONFIG_FILE)).ok();
        let policy = PagePolicy::strict(&index, stopover_json.as_deref(), config);
        let headers = security_headers(&policy.to_header_value())
            .into_iter()
            .map(|(name, value)| {
                let header_name = HeaderName::from_bytes(name.as_bytes())
                    .map_err(|_| StaticSiteError::Header(name))?;
                let value =
                    HeaderValue::from_str(&value).map_err(|_| StaticSiteError::Header(name))?;
                Ok((header_name, value))
            })
            .collect::<Result<Arc<[_]>, StaticSiteError>>()?;
        let csp = headers
            .iter()
            .find(|(name, _)| name == header::CONTENT_SECURITY_POLICY)
            .map(|(_, value)| value.clone())
            .ok_or(StaticSiteError::Header("Content-Security-Policy"))?;
        Ok(Self {
            dir: dir.to_owned(),
            csp,
            headers,
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
        let mut site = Router::new().fallback_service(files);
        for (name, value) in self.headers.iter() {
            site = site.layer(SetResponseHeaderLayer::overriding(
                name.clone(),
                value.clone(),
            ));
        }
        site.layer(middleware::from_fn(cache_control))
    }
}

/// How long a browser may keep a response, by what it is: trunk's content-hashed files
/// (`main-<hash>.css`, `stopover-page-<hash>.js`, `…_bg.wasm`) never change under their name,
/// so a year and `immutable`; `index.html` (and the SPA fallback) `no-store`, so a deploy is
/// seen at once; `stopover.json` (edited at deploy time) and the language files `texts/*.json`
/// (the same names in every build) `no-cache`; anything else as the host's default.
async fn cache_control(request: Request, next: Next) -> Response {
    let path = request.uri().path();
    let hashed = is_content_hashed(path);
    // `stopover.json` is edited at deploy time, and the page's language files change with
    // each build under the same names: both are checked again on every load.
    let deploy_config = path.rsplit('/').next() == Some(PAGE_CONFIG_FILE)
        || (path.starts_with("/texts/") && path.ends_with(".json"));
    let mut response = next.run(request).await;
    let is_html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("text/html"));
    let policy = if is_html {
        "no-store"
    } else if hashed && response.status().is_success() {
        "public, max-age=31536000, immutable"
    } else if deploy_config {
        "no-cache"
    } else {
        return response;
    };
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static(policy));
    response
}

/// True for a file name trunk gave a content hash: `<name>-<hash>` then `.js`, `.css` or
/// `_bg.wasm`, the hash a 64-bit number in hex without leading zeros (12 to 16 digits in all
/// but one case in 65,536).
fn is_content_hashed(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or_default();
    let stem = ["_bg.wasm", ".js", ".css"]
        .iter()
        .find_map(|extension| name.strip_suffix(extension));
    let Some((_, hash)) = stem.and_then(|stem| stem.rsplit_once('-')) else {
        return false;
    };
    (12..=16).contains(&hash.len()) && hash.bytes().all(|b| b.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests {
    use super::is_content_hashed;

    #[test]
    fn only_trunks_hashed_files_count_as_immutable() {
        assert!(is_content_hashed("/stopover-page-3dd335083218ba32_bg.wasm"));
        assert!(is_content_hashed("/stopover-page-3dd335083218ba32.js"));
        assert!(is_content_hashed("/main-a0002256e2c4db17.css"));
        assert!(is_content_hashed("/stopover-page-fbf557803d1eb1d.js"));
        assert!(!is_content_hashed("/stopover.json"));
        assert!(!is_content_hashed("/index.html"));
        assert!(!is_content_hashed("/main.css"));
        assert!(!is_content_hashed("/x-notahexhash1234.js"));
    }
}
