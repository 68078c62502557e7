//! ChromeDriver and a headless Chromium session with a fresh profile and the HTTP cache
//! disabled, so every load is a first load. Dropping [`Browser`] ends ChromeDriver and every
//! browser process it started.

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::os::unix::process::CommandExt as _;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::wd::WebDriverCompatibleCommand;
use fantoccini::{Client, ClientBuilder};
use serde_json::{json, Value};
use tempfile::TempDir;

use crate::BenchError;

pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
pub const CHROMIUM: &str = "/usr/bin/chromium";

/// A Chromium session driven through its own ChromeDriver.
#[derive(Debug)]
pub struct Browser {
    pub client: Client,
    // Dropped after the client; the profile outlives the browser.
    _driver: DriverProcess,
    _profile: TempDir,
}

impl Browser {
    /// Starts ChromeDriver on a free loopback port and opens a session (bounded: 20 s for
    /// ChromeDriver to listen).
    pub async fn open() -> Result<Self, BenchError> {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .map(|address| address.port())
            .map_err(|error| BenchError::new(format!("no free port for ChromeDriver: {error}")))?;
        let driver = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .map_err(|error| {
                BenchError::new(format!(
                    "cannot start {CHROMEDRIVER} (cargo xtask setup installs it): {error}"
                ))
            })?;
        // From here on dropping `driver` ends ChromeDriver, whatever fails.
        let driver = DriverProcess(driver);
        let profile = tempfile::tempdir()
            .map_err(|error| BenchError::new(format!("no temporary profile directory: {error}")))?;
        let address = SocketAddr::from(([127, 0, 0, 1], port));
        let deadline = Instant::now() + Duration::from_secs(20);
        while TcpStream::connect(address).is_err() {
            if Instant::now() > deadline {
                return Err(BenchError::new(format!(
                    "ChromeDriver did not listen on {address}"
                )));
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let capabilities = json!({
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": CHROMIUM,
                "args": [
                    "--headless=new",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-dev-shm-usage",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-sync",
                    "--no-first-run",
                    "--disable-extensions",
                    "--enable-precise-memory-info",
                    "--lang=en-US",
                    "--window-size=1280,900",
                    format!("--user-data-dir={}", profile.path().display()),
                ],
            },
        });
        let Value::Object(capabilities) = capabilities else {
            return Err(BenchError::new("capabilities are not a JSON object"));
        };
        let client = ClientBuilder::rustls()
            .map_err(|error| BenchError::new(format!("no TLS for the WebDriver client: {error}")))?
            .capabilities(capabilities)
            .connect(&format!("http://{address}"))
            .await
            .map_err(|error| {
                BenchError::new(format!("ChromeDriver did not start Chromium: {error}"))
            })?;
        let browser = Self {
            client,
            _driver: driver,
            _profile: profile,
        };
        // Every load a first load: DevTools' "Disable cache" (no HTTP cache, and so no
        // cached compiled wasm either).
        browser.devtools("Network.enable", json!({})).await?;
        browser
            .devtools("Network.setCacheDisabled", json!({ "cacheDisabled": true }))
            .await?;
        Ok(browser)
    }

    /// Sends one Chrome DevTools Protocol command through ChromeDriver.
    pub async fn devtools(
        &self,
        command: &'static str,
        params: Value,
    ) -> Result<Value, BenchError> {
        self.client
            .issue_cmd(DevToolsCommand { command, params })
            .await
            .map_err(|error| BenchError::new(format!("DevTools command {command} failed: {error}")))
    }

    /// Closes the session (bounded) and ends ChromeDriver.
    pub async fn close(self) {
        let _ = tokio::time::timeout(Duration::from_secs(10), self.client.clone().close()).await;
    }
}

/// The ChromeDriver process, started as its own process-group leader: dropping it kills the
/// group, that is ChromeDriver and the browsers it started, and nothing else.
#[derive(Debug)]
struct DriverProcess(Child);

impl Drop for DriverProcess {
    fn drop(&mut self) {
        let group = format!("-{}", self.0.id());
        let _ = Command::new("kill")
            .args(["-KILL", "--", &group])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// ChromeDriver's `POST /session/{id}/goog/cdp/execute`.
#[derive(Debug)]
struct DevToolsCommand {
    command: &'static str,
    params: Value,
}

impl WebDriverCompatibleCommand for DevToolsCommand {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!(
            "session/{}/goog/cdp/execute",
            session_id.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _request_url: &url::Url) -> (http::Method, Option<String>) {
        (
            http::Method::POST,
            Some(json!({ "cmd": self.command, "params": self.params }).to_string()),
        )
    }
}
