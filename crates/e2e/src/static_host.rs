//! The built page on a static host of its own origin, as an operator deploys it to a CDN: a
//! copy of `dist/` whose `stopover.json` alone is edited, served either by a plain file server
//! that sends no security headers, or by one that applies `_headers` as Netlify does.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::Request;
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::Router;
use tempfile::TempDir;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tower_http::services::ServeDir;

use crate::workspace_root;

/// How the host treats `_headers`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HeaderMode {
    /// A plain file server (`python3 -m http.server`, a bucket): no security header at all,
    /// `_headers` is just another file.
    Plain,
    /// Netlify / Cloudflare Pages: the rules of `_headers` are applied to the paths they
    /// match, and the file itself is not published.
    HeadersFile,
}

/// A copy of the built page in a temporary directory, to be edited as an operator would.
#[derive(Debug)]
pub struct Site {
    dir: TempDir,
}

impl Site {
    /// Copies the files of `dist` (the built page, as uploaded to a host).
    pub fn copy_of(dist: &Path) -> Self {
        let dir = tempfile::tempdir().expect("a temporary directory for the site");
        copy_dir(dist, dir.path());
        Self { dir }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Edits `stopover.json`'s `signer_url` only, keeping every other key.
    pub fn set_signer_url(&self, signer_url: &str) {
        self.set_page_setting("signer_url", signer_url);
    }

    /// Edits `stopover.json`'s `return_url` (where "Start again" leads) only.
    pub fn set_return_url(&self, return_url: &str) {
        self.set_page_setting("return_url", return_url);
    }

    /// Adds a language as the operator's guide says: its file as `texts/{tag}.json`, and its
    /// tag to `stopover.json`'s `languages`.
    pub fn add_language(&self, tag: &str, file: &str) {
        std::fs::write(self.path().join(format!("texts/{tag}.json")), file)
            .expect("the build has a texts/ directory");
        self.edit_page_settings(|json| {
            let languages = json["languages"].as_array().cloned().unwrap_or_default();
            json["languages"] = languages
                .into_iter()
                .chain([serde_json::Value::String(tag.to_owned())])
                .collect();
        });
    }

    fn set_page_setting(&self, key: &str, value: &str) {
        self.edit_page_settings(|json| json[key] = serde_json::Value::String(value.to_owned()));
    }

    fn edit_page_settings(&self, edit: impl FnOnce(&mut serde_json::Value)) {
        let path = self.path().join("stopover.json");
        let text = std::fs::read_to_string(&path).expect("the build has a stopover.json");
        let mut json: serde_json::Value =
            serde_json::from_str(&text).expect("stopover.json is JSON");
        edit(&mut json);
        std::fs::write(&path, serde_json::to_string_pretty(&json).expect("JSON"))
            .expect("stopover.json is writable");
    }

    /// Runs `stopover-signer page-policy --dist SITE --config CONFIG` (with `env`, where the
    /// configuration's secrets are), as the operator's guide says to after editing
    /// `stopover.json`; returns what it printed.
    pub async fn write_strict_policy(&self, config_toml: &str, env: &[(&str, String)]) -> String {
        // Outside the site: a configuration is never uploaded with the page.
        let config = tempfile::Builder::new()
            .suffix(".toml")
            .tempfile()
            .expect("a temporary configuration file");
        std::fs::write(config.path(), config_toml).expect("the configuration file is writable");
        let mut command = signer_command();
        command
            .arg("page-policy")
            .arg("--dist")
            .arg(self.path())
            .arg("--config")
            .arg(config.path())
            .envs(env.iter().map(|(name, value)| (*name, value.as_str())));
        let output = command
            .output()
            .await
            .expect("stopover-signer page-policy runs");
        let printed = String::from_utf8_lossy(&output.stdout).into_owned();
        assert!(
            output.status.success(),
            "page-policy failed: {printed}{}",
            String::from_utf8_lossy(&output.stderr)
        );
        printed
    }
}

/// The signer's command line: `STOPOVER_SIGNER_BIN` when set (`cargo xtask test` builds it),
/// else `cargo run --quiet --package stopover-signer --` in the workspace.
pub fn signer_command() -> tokio::process::Command {
    match std::env::var_os("STOPOVER_SIGNER_BIN") {
        Some(binary) => tokio::process::Command::new(binary),
        None => {
            let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
            let mut command = tokio::process::Command::new(cargo);
            command.current_dir(workspace_root()).args([
                "run",
                "--quiet",
                "--package",
                "stopover-signer",
                "--",
            ]);
            command
        }
    }
}

/// A static host serving a [`Site`] on a loopback origin of its own.
#[derive(Debug)]
pub struct StaticHost {
    pub addr: SocketAddr,
    not_found: Arc<Mutex<Vec<String>>>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl StaticHost {
    /// Serves `dir` on `listener` (bound beforehand, so the page's origin can be given to the
    /// signer and the simulator first).
    pub fn serve(listener: TcpListener, dir: &Path, mode: HeaderMode) -> Self {
        let addr = listener.local_addr().expect("a bound address");
        let files = ServeDir::new(dir);
        let router = match mode {
            HeaderMode::Plain => Router::new().fallback_service(files),
            HeaderMode::HeadersFile => {
                let text = std::fs::read_to_string(dir.join("_headers"))
                    .expect("the site has a _headers file");
                let rules = Arc::new(HeaderRules::parse(&text));
                Router::new()
                    .fallback_service(files)
                    .layer(middleware::from_fn(move |request: Request, next: Next| {
                        let rules = rules.clone();
                        async move { apply_rules(&rules, request, next).await }
                    }))
            }
        };
        // Every path a browser asked for (its requests carry `Sec-Fetch-Dest`, a test's own
        // do not) and was answered 404, as the host's access log would show it.
        let not_found = Arc::new(Mutex::new(Vec::new()));
        let record = not_found.clone();
        let router = router.layer(middleware::from_fn(move |request: Request, next: Next| {
            let record = record.clone();
            async move {
                let path = request.uri().path().to_owned();
                let browser = request.headers().contains_key("sec-fetch-dest");
                let response = next.run(request).await;
                if browser && response.status() == StatusCode::NOT_FOUND {
                    record.lock().expect("the record of 404s").push(path);
                }
                response
            }
        }));
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let shutdown = async {
                let _ = stopped.await;
            };
            if let Err(problem) = axum::serve(listener, router)
                .with_graceful_shutdown(shutdown)
                .await
            {
                eprintln!("the static host stopped: {problem}");
            }
        });
        Self {
            addr,
            not_found,
            stop: Some(stop),
            task: Some(task),
        }
    }

    /// `http://127.0.0.1:PORT`.
    pub fn origin(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The paths a browser has asked of the host and got 404 for so far, in order.
    pub fn not_found(&self) -> Vec<String> {
        self.not_found.lock().expect("the record of 404s").clone()
    }

    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let abort = task.abort_handle();
            if tokio::time::timeout(Duration::from_secs(10), task)
                .await
                .is_err()
            {
                abort.abort();
            }
        }
    }
}

/// The rules of a `_headers` file: a path pattern on its own line, then its headers indented
/// as `Name: value`; `#` starts a comment line. A pattern ending in `*` matches every path
/// with that prefix (Netlify's splat), any other only itself.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HeaderRules(Vec<(String, Vec<(String, String)>)>);

impl HeaderRules {
    pub fn parse(text: &str) -> Self {
        let mut rules: Vec<(String, Vec<(String, String)>)> = Vec::new();
        for line in text.lines() {
            let trimmed = line.trim();
            if trimmed.is_empty() || trimmed.starts_with('#') {
                continue;
            }
            if !line.starts_with(char::is_whitespace) {
                rules.push((trimmed.to_owned(), Vec::new()));
                continue;
            }
            let (name, value) = trimmed
                .split_once(':')
                .unwrap_or_else(|| panic!("_headers: `{trimmed}` is not `Name: value`"));
            let (_, headers) = rules
                .last_mut()
                .unwrap_or_else(|| panic!("_headers: `{trimmed}` comes before any path"));
            headers.push((name.trim().to_owned(), value.trim().to_owned()));
        }
        Self(rules)
    }

    /// The headers for `path`, in file order.
    pub fn for_path(&self, path: &str) -> Vec<(String, String)> {
        self.0
            .iter()
            .filter(|(pattern, _)| match pattern.strip_suffix('*') {
                Some(prefix) => path.starts_with(prefix),
                None => path == pattern,
            })
            .flat_map(|(_, headers)| headers.iter().cloned())
            .collect()
    }
}

async fn apply_rules(rules: &HeaderRules, request: Request, next: Next) -> Response {
    let path = request.uri().path().to_owned();
    if path == "/_headers" {
        return StatusCode::NOT_FOUND.into_response();
    }
    let mut response = next.run(request).await;
    for (name, value) in rules.for_path(&path) {
        let name = HeaderName::from_bytes(name.as_bytes()).expect("a valid header name");
        let value = HeaderValue::from_str(&value).expect("a valid header value");
        response.headers_mut().insert(name, value);
    }
    response
}

fn copy_dir(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from)
        .unwrap_or_else(|problem| panic!("cannot read {}: {problem}", from.display()))
    {
        let entry = entry.expect("a directory entry");
        let target: PathBuf = to.join(entry.file_name());
        if entry.file_type().expect("a file type").is_dir() {
            std::fs::create_dir_all(&target).expect("a directory");
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("a copied file");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_headers_file_is_read_as_netlify_reads_it() {
        let rules = HeaderRules::parse(
            "# a comment\n/*\n  X-Frame-Options: DENY\n  Content-Security-Policy: a; b: c\n\n/index.html\n  Cache-Control: no-store\n",
        );
        assert_eq!(
            rules.for_path("/pkg/app.wasm"),
            [
                ("X-Frame-Options".to_owned(), "DENY".to_owned()),
                ("Content-Security-Policy".to_owned(), "a; b: c".to_owned()),
            ]
        );
        assert_eq!(rules.for_path("/index.html").len(), 3);
    }

    #[test]
    fn the_origin_of_a_url_is_its_scheme_host_and_port() {
        assert_eq!(
            crate::stack::origin_of("http://127.0.0.1:8080/a?b"),
            "http://127.0.0.1:8080"
        );
        assert_eq!(
            crate::stack::origin_of("https://x.example"),
            "https://x.example"
        );
    }
}
