//! ChromeDriver and a headless Chromium session with a fresh profile and the HTTP cache
//! disabled, so every load is a first load. Dropping [`Browser`] ends ChromeDriver and every
//! browser process it started.

use std::time::Duration;

use fantoccini::wd::WebDriverCompatibleCommand;
use fantoccini::Client;
use serde_json::{json, Value};

use crate::BenchError;

/// A network and CPU profile for DevTools emulation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DeviceProfile {
    /// Added to every request's round trip, ms.
    pub latency_ms: f64,
    pub download_bits_per_second: f64,
    pub upload_bits_per_second: f64,
    /// How many times slower the CPU runs (DevTools' "4x slowdown" is 4).
    pub cpu_slowdown: f64,
}

/// The slow phone of the page's second time figure: 150 ms latency, 1.6 Mbps down (DevTools'
/// "Slow 4G"/Lighthouse mobile values, with its 750 kbps up) and a 4x CPU slowdown.
pub const SLOW_PHONE: DeviceProfile = DeviceProfile {
    latency_ms: 150.0,
    download_bits_per_second: 1_600_000.0,
    upload_bits_per_second: 750_000.0,
    cpu_slowdown: 4.0,
};

/// A Chromium session driven through its own ChromeDriver (the end-to-end tests' harness,
/// with the JS heap measurable and no extensions).
#[derive(Debug)]
pub struct Browser {
    pub client: Client,
    session: stopover_e2e::browser::Browser,
}

impl Browser {
    /// Starts ChromeDriver on a free loopback port and opens a session with the HTTP cache off.
    pub async fn open() -> Result<Self, BenchError> {
        let session = stopover_e2e::browser::Browser::open_with(&[
            "--disable-extensions",
            "--enable-precise-memory-info",
        ])
        .await
        .map_err(BenchError::new)?;
        let browser = Self {
            client: session.client.clone(),
            session,
        };
        // Every load a first load: DevTools' "Disable cache" (no HTTP cache, and so no
        // cached compiled wasm either).
        browser.devtools("Network.enable", json!({})).await?;
        browser
            .devtools("Network.setCacheDisabled", json!({ "cacheDisabled": true }))
            .await?;
        Ok(browser)
    }

    /// From now on, loads as on a slow phone ([`SLOW_PHONE`]): DevTools' network conditions
    /// (latency added to every request, download and upload throughput capped) and CPU
    /// throttling.
    pub async fn emulate_slow_phone(&self) -> Result<(), BenchError> {
        let phone = SLOW_PHONE;
        self.devtools(
            "Network.emulateNetworkConditions",
            json!({
                "offline": false,
                "latency": phone.latency_ms,
                "downloadThroughput": phone.download_bits_per_second / 8.0,
                "uploadThroughput": phone.upload_bits_per_second / 8.0,
            }),
        )
        .await?;
        self.devtools(
            "Emulation.setCPUThrottlingRate",
            json!({ "rate": phone.cpu_slowdown }),
        )
        .await?;
        Ok(())
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
        drop(self.session);
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
