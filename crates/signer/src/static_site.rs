//! Serving the built page from the signer: precompressed assets, the SPA fallback to
//! `index.html`, and the security headers of docs/contract.md#security-policy on every page
//! response: the strict policy of [`crate::page_policy`], the very headers `_headers` asks a
//! static host for.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::http::{header, HeaderName, HeaderValue};
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
        site.layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            no_store_for_html,
        ))
    }
}

/// `no-store` for `index.html`: it carries the query (state, token) only in the address bar,
/// but must never be served stale after a deploy.
fn no_store_for_html(response: &Response) -> Option<HeaderValue> {
    response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("text/html"))
        .then(|| HeaderValue::from_static("no-store"))
}
