//! ChromeDriver on a free port and a headless Chromium session with a fresh profile; both end
//! when the test ends, passed or failed.

use std::future::Future;
use std::net::{SocketAddr, TcpListener};
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder};
use serde_json::json;
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
    pub async fn start() -> Self {
        assert!(
            std::path::Path::new(CHROMEDRIVER).exists(),
            "{CHROMEDRIVER} is missing: run `cargo xtask setup` (apt-get install chromium chromium-driver)"
        );
        let port = free_port();
        let child = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .expect("chromedriver starts");
        let driver = Self {
            child,
            url: format!("http://127.0.0.1:{port}"),
        };
        let address = SocketAddr::from(([127, 0, 0, 1], port));
        let deadline = Instant::now() + Duration::from_secs(20);
        while tokio::net::TcpStream::connect(address).await.is_err() {
            assert!(
                Instant::now() < deadline,
                "chromedriver did not listen on {address}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        driver
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
    pub async fn open() -> Self {
        let driver = ChromeDriver::start().await;
        let profile = tempfile::tempdir().expect("a temporary profile directory");
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
                    "--disable-quic",
                    "--lang=en-US",
                    format!("--window-size={DEFAULT_WIDTH},{DEFAULT_HEIGHT}"),
                    format!("--user-data-dir={}", profile.path().display()),
                ],
            },
        });
        let serde_json::Value::Object(capabilities) = capabilities else {
            unreachable!("a JSON object literal")
        };
        let client = ClientBuilder::rustls()
            .expect("rustls is available")
            .capabilities(capabilities)
            .connect(&driver.url)
            .await
            .expect("chromedriver starts a Chromium session");
        Self {
            client,
            _driver: driver,
            _profile: profile,
        }
    }
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
