//! The page's security policy, built in one place for every way the page is served.
//!
//! Two forms of one Content-Security-Policy, from the built `index.html` (the sha-256 of
//! trunk's inline loader) and what is known about where the page may connect and post:
//!
//! - [`PagePolicy::portable`], for the `<meta>` in `index.html`: a host that sends no headers
//!   serves only that, and an operator may point `stopover.json`'s `signer_url` at any origin
//!   without rebuilding, so `connect-src` and `form-action` allow `'self'`, any `https:`
//!   origin and loopback. Scripts stay strict: `'self'`, `'wasm-unsafe-eval'` and the loader's
//!   hash. A `<meta>` cannot carry `frame-ancestors`.
//! - [`PagePolicy::strict`], for response headers: `connect-src` is the page's origin plus the
//!   signer's from `stopover.json`, `form-action` the tenants' `/continue` origins and
//!   `form_action_extra_origins` from the signer's configuration, and framing is refused.
//!
//! The signer's static serving sends [`security_headers`] of the strict policy; the build and
//! the operator write the same headers to `_headers` ([`write_page_policy`], behind
//! `stopover-signer page-policy`).

use std::path::{Path, PathBuf};

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use sha2::{Digest as _, Sha256};

use crate::config::{is_origin, Config};

/// The page's configuration file beside `index.html` (the page reads `signer_url` from it).
pub const PAGE_CONFIG_FILE: &str = "stopover.json";
/// The headers file of Netlify and Cloudflare Pages, beside `index.html`.
pub const HEADERS_FILE: &str = "_headers";
/// Loopback origins of any port: the page and signer on one machine (demo, tests).
const LOOPBACK: [&str; 2] = ["http://127.0.0.1:*", "http://localhost:*"];
/// What starts the `<meta>` this module writes into `index.html`, and finds it again.
const META_START: &str = "<meta http-equiv=\"Content-Security-Policy\" content=\"";

/// The sources of one Content-Security-Policy for the page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PagePolicy {
    script_src: Vec<String>,
    style_src: Vec<String>,
    connect_src: Vec<String>,
    form_action: Vec<String>,
    /// `frame-ancestors 'none'`: only in a header (a `<meta>` cannot carry it).
    refuse_framing: bool,
}

/// Why the policy cannot be written.
#[derive(Debug, thiserror::Error)]
pub enum PagePolicyError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{0} has no inline loader script (is it trunk's build output?)")]
    NoLoader(PathBuf),
    #[error("{0} has no <head> to put the policy in")]
    NoHead(PathBuf),
}

/// What [`write_page_policy`] wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    /// The `<meta>` policy now in `index.html`.
    pub meta: PagePolicy,
    /// The policy in `_headers`.
    pub headers: PagePolicy,
}

impl PagePolicy {
    /// The policy for a `<meta>` (and for a host that knows nothing of the signer): scripts as
    /// strict as ever, connections and form posts to any `https:` origin or loopback.
    pub fn portable(index_html: &str) -> Self {
        let open = ["'self'", "https:"]
            .into_iter()
            .chain(LOOPBACK)
            .map(str::to_owned)
            .collect::<Vec<_>>();
        Self {
            script_src: script_sources(index_html),
            style_src: style_sources(index_html),
            connect_src: open.clone(),
            form_action: open,
            refuse_framing: false,
        }
    }

    /// The strict policy for headers: connections to the page's origin and the signer named
    /// by `stopover_json` (when it is another origin), form posts to the `/continue` origin
    /// of each tenant of `config` (issuer and continue hosts, with the tenant's scheme) and to
    /// `form_action_extra_origins`, no framing.
    pub fn strict(index_html: &str, stopover_json: Option<&[u8]>, config: &Config) -> Self {
        let mut connect_src = vec!["'self'".to_owned()];
        if let Some(origin) = stopover_json.and_then(signer_origin) {
            push_new(&mut connect_src, origin);
        }
        Self {
            script_src: script_sources(index_html),
            style_src: style_sources(index_html),
            connect_src,
            form_action: form_action(config),
            refuse_framing: true,
        }
    }

    /// This policy as a header value (or a `<meta>`'s `content`: without `frame-ancestors`
    /// when it is portable).
    pub fn to_header_value(&self) -> String {
        let mut directives = vec![
            "default-src 'none'".to_owned(),
            format!("script-src {}", self.script_src.join(" ")),
            format!("style-src {}", self.style_src.join(" ")),
            "img-src 'self' data: https:".to_owned(),
            format!("connect-src {}", self.connect_src.join(" ")),
            format!("form-action {}", self.form_action.join(" ")),
            "base-uri 'none'".to_owned(),
            "object-src 'none'".to_owned(),
        ];
        if self.refuse_framing {
            directives.push("frame-ancestors 'none'".to_owned());
        }
        directives.join("; ")
    }

    /// The origins (and source expressions) the page may fetch from.
    pub fn connect_src(&self) -> &[String] {
        &self.connect_src
    }

    /// Where the page may post a form.
    pub fn form_action(&self) -> &[String] {
        &self.form_action
    }

    /// The `'sha256-…'` sources of the page's inline scripts (trunk's loader).
    pub fn script_hashes(&self) -> impl Iterator<Item = &str> {
        self.script_src
            .iter()
            .map(String::as_str)
            .filter(|source| source.starts_with("'sha256-"))
    }
}

/// Every security header of a page response, `csp` included: what the signer's static
/// serving sends and what `_headers` asks a static host to send.
pub fn security_headers(csp: &str) -> Vec<(&'static str, String)> {
    vec![
        ("Content-Security-Policy", csp.to_owned()),
        ("Referrer-Policy", "no-referrer".to_owned()),
        ("X-Content-Type-Options", "nosniff".to_owned()),
        ("X-Frame-Options", "DENY".to_owned()),
        ("Cross-Origin-Opener-Policy", "same-origin".to_owned()),
    ]
}

/// A `_headers` file (Netlify / Cloudflare Pages format) applying [`security_headers`] of
/// `policy` to every path. `strict` says, in a comment, which policy it is.
pub fn headers_file(policy: &PagePolicy, strict: bool) -> String {
    let mut text = String::from(if strict {
        "# Written by `stopover-signer page-policy --config ...`: the strict policy for this\n\
         # signer configuration and stopover.json. Run it again after changing either.\n"
    } else {
        "# Written by the build (`stopover-signer page-policy` without --config): connect-src and\n\
         # form-action allow any https: origin. For the strict policy run\n\
         # `stopover-signer page-policy --dist DIR --config signer.toml` (docs/operators.md).\n"
    });
    text.push_str("/*\n");
    for (name, value) in security_headers(&policy.to_header_value()) {
        text.push_str(&format!("  {name}: {value}\n"));
    }
    text
}

/// `index_html` with `policy` as its `<meta>` Content-Security-Policy: an existing one written
/// here is replaced, otherwise it goes before `<title>` (before any script), else right
/// after `<head>`. `None` when there is no place for it.
pub fn with_meta(index_html: &str, policy: &PagePolicy) -> Option<String> {
    let meta = format!("{META_START}{}\">", policy.to_header_value());
    if let Some(start) = index_html.find(META_START) {
        let end = index_html[start..].find('>').map(|at| start + at + 1)?;
        return Some(format!(
            "{}{meta}{}",
            &index_html[..start],
            &index_html[end..]
        ));
    }
    let lower = index_html.to_ascii_lowercase();
    let at = match lower.find("<title") {
        Some(at) => at,
        None => {
            let head = lower.find("<head")?;
            head + lower[head..].find('>')? + 1
        }
    };
    Some(format!("{}{meta}{}", &index_html[..at], &index_html[at..]))
}

/// Writes the policy into the built page in `dist`: the portable `<meta>` into `index.html`,
/// and `_headers` with the strict policy for `config` (with `dist/stopover.json`'s signer),
/// or, without a configuration, the portable policy plus `frame-ancestors 'none'`. Running it
/// again replaces what it wrote.
pub fn write_page_policy(dist: &Path, config: Option<&Config>) -> Result<Written, PagePolicyError> {
    let index_path = dist.join("index.html");
    let index = std::fs::read_to_string(&index_path).map_err(|source| PagePolicyError::Read {
        path: index_path.clone(),
        source,
    })?;
    let meta = PagePolicy::portable(&index);
    if meta.script_hashes().next().is_none() {
        return Err(PagePolicyError::NoLoader(index_path));
    }
    let headers = match config {
        Some(config) => {
            let json_path = dist.join(PAGE_CONFIG_FILE);
            let json = match std::fs::read(&json_path) {
                Ok(json) => Some(json),
                Err(error) if error.kind() == std::io::ErrorKind::NotFound => None,
                Err(source) => {
                    return Err(PagePolicyError::Read {
                        path: json_path,
                        source,
                    })
                }
            };
            PagePolicy::strict(&index, json.as_deref(), config)
        }
        None => PagePolicy {
            refuse_framing: true,
            ..meta.clone()
        },
    };
    let new_index =
        with_meta(&index, &meta).ok_or_else(|| PagePolicyError::NoHead(index_path.clone()))?;
    write(&index_path, &new_index)?;
    write(
        &dist.join(HEADERS_FILE),
        &headers_file(&headers, config.is_some()),
    )?;
    Ok(Written { meta, headers })
}

/// The tenants' `/continue` origins and the extra origins, each once, after `'self'`.
fn form_action(config: &Config) -> Vec<String> {
    let mut sources = vec!["'self'".to_owned()];
    for tenant in &config.tenants {
        for host in std::iter::once(&tenant.issuer).chain(&tenant.continue_hosts) {
            push_new(
                &mut sources,
                format!("{}://{}", tenant.scheme.as_str(), host),
            );
        }
    }
    for origin in &config.form_action_extra_origins {
        push_new(&mut sources, origin.clone());
    }
    sources
}

fn script_sources(index_html: &str) -> Vec<String> {
    let mut sources = vec!["'self'".to_owned(), "'wasm-unsafe-eval'".to_owned()];
    sources.extend(inline_hashes(index_html, "script"));
    sources
}

fn style_sources(index_html: &str) -> Vec<String> {
    let mut sources = vec!["'self'".to_owned()];
    sources.extend(inline_hashes(index_html, "style"));
    sources
}

fn push_new(sources: &mut Vec<String>, source: String) {
    if !sources.contains(&source) {
        sources.push(source);
    }
}

fn write(path: &Path, text: &str) -> Result<(), PagePolicyError> {
    std::fs::write(path, text).map_err(|source| PagePolicyError::Write {
        path: path.to_owned(),
        source,
    })
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
        .find(['/', '?', '#'])
        .map_or(url.len(), |at| at + scheme_end);
    let origin = &url[..origin_end];
    is_origin(origin).then(|| origin.to_owned())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    /// A page as trunk builds it: a stylesheet link, a module preload, the inline loader.
    const INDEX: &str = "<!doctype html><html><head><meta charset=utf-8><title>Sign in</title>\
        <link rel=stylesheet href=./main-1.css><script type=module>alert(1)</script>\
        <script src=\"/x.js\"></script></head><body></body></html>";
    /// sha256 of `alert(1)`, base64: the value CSP documentation examples use.
    const LOADER_HASH: &str = "'sha256-bhHHL3z2vDgxUt0W3dWQOrprscmda2Y5pLsLg4GF+pI='";

    fn config(extra: &str) -> Config {
        let text = format!(
            r#"
allowed_origins = ["https://page.example.com"]
{extra}
[[tenants]]
issuer = "tenant.eu.auth0.com"
secret_env = "SECRET"
continue_hosts = ["login.example.com"]
forms = ["f"]

[[tenants]]
issuer = "127.0.0.1:8780"
secret_env = "LOOPBACK_SECRET"
scheme = "http"
forms = ["f"]

[[forms]]
id = "f"
version = "1"
title = "T"
submit_label = "Go"
[[forms.fields]]
id = "a"
kind = "text"
label = "A"
"#
        );
        // Each tenant has its own secret: a shared one is refused.
        let env = |name: &str| match name {
            "SECRET" => Some("s".repeat(32)),
            "LOOPBACK_SECRET" => Some("l".repeat(32)),
            _ => None,
        };
        Config::from_toml(&text, &env).unwrap()
    }

    fn directive<'p>(policy: &'p str, name: &str) -> &'p str {
        policy
            .split("; ")
            .find(|directive| directive.split(' ').next() == Some(name))
            .unwrap_or_else(|| panic!("no {name} in {policy}"))
    }

    #[test]
    fn the_loader_is_hashed_as_the_browser_hashes_it() {
        assert_eq!(inline_hashes(INDEX, "script"), vec![LOADER_HASH]);
        let policy = PagePolicy::portable(INDEX);
        assert_eq!(policy.script_hashes().collect::<Vec<_>>(), [LOADER_HASH]);
        assert_eq!(
            directive(&policy.to_header_value(), "script-src"),
            format!("script-src 'self' 'wasm-unsafe-eval' {LOADER_HASH}")
        );
    }

    #[test]
    fn the_meta_policy_keeps_scripts_strict_and_lets_stopover_json_name_any_signer() {
        let policy = PagePolicy::portable(INDEX).to_header_value();
        assert_eq!(
            directive(&policy, "connect-src"),
            "connect-src 'self' https: http://127.0.0.1:* http://localhost:*"
        );
        assert_eq!(
            directive(&policy, "form-action"),
            "form-action 'self' https: http://127.0.0.1:* http://localhost:*"
        );
        assert!(
            !policy.contains("frame-ancestors"),
            "a <meta> cannot carry frame-ancestors: {policy}"
        );
        assert_eq!(directive(&policy, "default-src"), "default-src 'none'");
        assert_eq!(directive(&policy, "base-uri"), "base-uri 'none'");
    }

    #[test]
    fn the_header_policy_names_only_the_signer_and_the_configured_continue_origins() {
        let config = config(r#"form_action_extra_origins = ["https://app.example.com"]"#);
        let json = br#"{"signer_url": "https://signer.example.com/base/"}"#;
        let policy = PagePolicy::strict(INDEX, Some(json), &config).to_header_value();
        assert_eq!(
            directive(&policy, "connect-src"),
            "connect-src 'self' https://signer.example.com"
        );
        assert_eq!(
            directive(&policy, "form-action"),
            "form-action 'self' https://tenant.eu.auth0.com https://login.example.com \
             http://127.0.0.1:8780 https://app.example.com"
        );
        assert_eq!(
            directive(&policy, "frame-ancestors"),
            "frame-ancestors 'none'"
        );
        assert_eq!(
            directive(&policy, "script-src"),
            format!("script-src 'self' 'wasm-unsafe-eval' {LOADER_HASH}")
        );
    }

    #[test]
    fn a_same_origin_signer_adds_nothing_to_connect_src() {
        let config = config("");
        for json in [
            &br#"{"signer_url": ""}"#[..],
            br#"{"signer_url": "/signer"}"#,
            br#"{"signer_url": "javascript:alert(1)"}"#,
            b"not json",
        ] {
            let policy = PagePolicy::strict(INDEX, Some(json), &config);
            assert_eq!(policy.connect_src(), ["'self'"]);
        }
        assert_eq!(
            PagePolicy::strict(INDEX, None, &config).connect_src(),
            ["'self'"]
        );
    }

    #[test]
    fn the_headers_file_applies_every_security_header_to_every_path() {
        let config = config("");
        let policy = PagePolicy::strict(INDEX, None, &config);
        let file = headers_file(&policy, true);
        let lines: Vec<&str> = file.lines().filter(|line| !line.starts_with('#')).collect();
        assert_eq!(lines[0], "/*");
        assert_eq!(
            lines[1],
            format!("  Content-Security-Policy: {}", policy.to_header_value())
        );
        assert!(lines.contains(&"  Referrer-Policy: no-referrer"));
        assert!(lines.contains(&"  X-Content-Type-Options: nosniff"));
        assert!(lines.contains(&"  X-Frame-Options: DENY"));
    }

    #[test]
    fn the_meta_goes_before_the_title_and_replaces_an_earlier_one() {
        let policy = PagePolicy::portable(INDEX);
        let once = with_meta(INDEX, &policy).unwrap();
        let meta = format!("{META_START}{}\">", policy.to_header_value());
        assert!(once.contains(&format!("{meta}<title>")), "{once}");
        let twice = with_meta(&once, &policy).unwrap();
        assert_eq!(twice, once, "running again changes nothing");
        assert_eq!(
            inline_hashes(&once, "script"),
            [LOADER_HASH],
            "the loader is untouched"
        );
        assert_eq!(with_meta("<p>no head</p>", &policy), None);
    }

    #[test]
    fn writing_without_a_configuration_gives_the_portable_policy_and_refuses_framing() {
        let dist = tempdir();
        std::fs::write(dist.join("index.html"), INDEX).unwrap();
        let written = write_page_policy(&dist, None).unwrap();
        let index = std::fs::read_to_string(dist.join("index.html")).unwrap();
        assert!(index.contains(&written.meta.to_header_value()));
        let headers = std::fs::read_to_string(dist.join(HEADERS_FILE)).unwrap();
        let csp = written.headers.to_header_value();
        assert!(headers.contains(&format!("Content-Security-Policy: {csp}")));
        assert!(csp.contains("connect-src 'self' https:"), "{csp}");
        assert!(csp.ends_with("frame-ancestors 'none'"), "{csp}");
        std::fs::remove_dir_all(dist).unwrap();
    }

    #[test]
    fn writing_with_a_configuration_gives_the_strict_header_policy_and_the_same_meta() {
        let dist = tempdir();
        std::fs::write(dist.join("index.html"), INDEX).unwrap();
        std::fs::write(
            dist.join(PAGE_CONFIG_FILE),
            r#"{"signer_url": "http://127.0.0.1:9001"}"#,
        )
        .unwrap();
        let plain = write_page_policy(&dist, None).unwrap();
        let strict = write_page_policy(&dist, Some(&config(""))).unwrap();
        assert_eq!(strict.meta, plain.meta, "the <meta> stays portable");
        let index = std::fs::read_to_string(dist.join("index.html")).unwrap();
        assert_eq!(index.matches(META_START).count(), 1);
        let headers = std::fs::read_to_string(dist.join(HEADERS_FILE)).unwrap();
        assert!(headers.contains("connect-src 'self' http://127.0.0.1:9001;"));
        assert!(!directive(&strict.headers.to_header_value(), "connect-src").contains("https:"));
        std::fs::remove_dir_all(dist).unwrap();
    }

    #[test]
    fn a_page_without_a_loader_is_refused() {
        let dist = tempdir();
        std::fs::write(dist.join("index.html"), "<html><head></head></html>").unwrap();
        assert!(matches!(
            write_page_policy(&dist, None),
            Err(PagePolicyError::NoLoader(_))
        ));
        std::fs::remove_dir_all(dist).unwrap();
    }

    fn tempdir() -> PathBuf {
        let mut name = [0u8; 8];
        rand::RngCore::fill_bytes(&mut rand::rng(), &mut name);
        let dir = std::env::temp_dir().join(format!(
            "stopover-page-policy-{}",
            name.iter().map(|b| format!("{b:02x}")).collect::<String>()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }
}
