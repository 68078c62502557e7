//! ChromeDriver on a free port and a headless Chromium session with a fresh profile; both end
//! when the test ends, passed or failed.

use std::future::Future;
use std::net::{SocketAddr, TcpListener};
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder};
use serde_json::{json, Map, Value};
use tempfile::TempDir;

pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
pub const CHROMIUM: &str = "/usr/bin/chromium";

/// The window the tests browse with unless they resize it.
pub const DEFAULT_WIDTH: u32 = 1280;
pub const DEFAULT_HEIGHT: u32 = 900;

/// A running ChromeDriver, in its own process group: dropping it kills the group (ChromeDriver
/// and the Chromium it started), so a failed test leaves nothing behind.
#[derive(Debug)]
pub struct ChromeDriver {
    child: Child,
    pub url: String,
}

impl ChromeDriver {
    /// Starts ChromeDriver on a free loopback port; panics (failing the test) when it cannot.
    pub async fn start() -> Self {
        match Self::launch().await {
            Ok(driver) => driver,
            Err(problem) => panic!("{problem}"),
        }
    }

    /// Starts ChromeDriver on a free loopback port and waits (at most 20 s) until it listens.
    pub async fn launch() -> Result<Self, String> {
        if !std::path::Path::new(CHROMEDRIVER).exists() {
            return Err(format!(
                "{CHROMEDRIVER} is missing: run `cargo xtask setup` (apt-get install chromium chromium-driver)"
            ));
        }
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .map(|address| address.port())
            .map_err(|error| format!("no free port for ChromeDriver: {error}"))?;
        let child = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .map_err(|error| format!("cannot start {CHROMEDRIVER}: {error}"))?;
        // From here on dropping `driver` ends ChromeDriver, whatever fails.
        let driver = Self {
            child,
            url: format!("http://127.0.0.1:{port}"),
        };
        let address = SocketAddr::from(([127, 0, 0, 1], port));
        let deadline = Instant::now() + Duration::from_secs(20);
        while tokio::net::TcpStream::connect(address).await.is_err() {
            if Instant::now() > deadline {
                return Err(format!("ChromeDriver did not listen on {address}"));
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Ok(driver)
    }
}

impl Drop for ChromeDriver {
    fn drop(&mut self) {
        // The group id is the child's pid (process_group(0)); `kill -KILL -- -PGID` ends
        // ChromeDriver and every browser process it started, and nothing else.
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill")
            .args(["-KILL", "--", &group])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A headless Chromium session. Use [`with_browser`] so it is closed even when the test fails.
#[derive(Debug)]
pub struct Browser {
    pub client: Client,
    // Dropped after the client: the profile directory outlives the session.
    _driver: ChromeDriver,
    _profile: TempDir,
}

impl Browser {
    /// A session for the tests; panics (failing the test) when Chromium cannot start.
    pub async fn open() -> Self {
        match Self::open_with(&[]).await {
            Ok(browser) => browser,
            Err(problem) => panic!("{problem}"),
        }
    }

    /// A session with a fresh profile and `extra_args` beside the flags Chromium needs here.
    pub async fn open_with(extra_args: &[&str]) -> Result<Self, String> {
        let driver = ChromeDriver::launch().await?;
        let profile = tempfile::tempdir()
            .map_err(|error| format!("no temporary profile directory: {error}"))?;
        let client = ClientBuilder::rustls()
            .map_err(|error| format!("no TLS for the WebDriver client: {error}"))?
            .capabilities(chromium_capabilities(profile.path(), extra_args))
            .connect(&driver.url)
            .await
            .map_err(|error| format!("ChromeDriver did not start Chromium: {error}"))?;
        Ok(Self {
            client,
            _driver: driver,
            _profile: profile,
        })
    }
}

/// The WebDriver capabilities of a headless Debian Chromium on this kind of machine (run as
/// root, without a GPU or a network beyond loopback): the flags it needs to start there
/// (`--no-sandbox`, `--disable-gpu`, `--disable-dev-shm-usage`), the ones that stop it trying
/// hosts it cannot reach (background networking, component updates, sync, QUIC), English, the
/// default window, a fresh profile, and `extra_args`.
pub fn chromium_capabilities(profile: &Path, extra_args: &[&str]) -> Map<String, Value> {
    let mut args: Vec<String> = [
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-quic",
        "--lang=en-US",
    ]
    .into_iter()
    .chain(extra_args.iter().copied())
    .map(str::to_owned)
    .collect();
    args.push(format!("--window-size={DEFAULT_WIDTH},{DEFAULT_HEIGHT}"));
    args.push(format!("--user-data-dir={}", profile.display()));
    let mut capabilities = Map::new();
    capabilities.insert("browserName".to_owned(), json!("chrome"));
    capabilities.insert(
        "goog:chromeOptions".to_owned(),
        json!({ "binary": CHROMIUM, "args": args }),
    );
    capabilities
}

/// Runs `test` with a fresh browser, closes the session, and then passes on the test's panic,
/// if any, so a failing assertion still ends Chromium cleanly.
pub async fn with_browser<F, Fut>(test: F)
where
    F: FnOnce(Client) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let browser = Browser::open().await;
    let outcome = tokio::spawn(test(browser.client.clone())).await;
    let _ = tokio::time::timeout(Duration::from_secs(10), browser.client.clone().close()).await;
    drop(browser);
    if let Err(failure) = outcome {
        match failure.try_into_panic() {
            Ok(panic) => std::panic::resume_unwind(panic),
            Err(failure) => panic!("the test task did not finish: {failure}"),
        }
    }
}

/// A port that was free a moment ago (for ChromeDriver, which takes a port number).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|address| address.port())
        .expect("a free loopback port")
}
