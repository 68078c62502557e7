//! One first load of the page in headless Chromium: the time from navigation start to the
//! `stopover:form-ready` mark the page sets once its form can be used, and the JS heap then;
//! on the way, when the module started (`stopover:started`) and the wasm and the definition
//! arrived.

use std::time::Duration;

use serde::Deserialize;

use stopover_protocol::page_marks::{FORM_READY_MARK, STARTED_MARK};

use crate::browser::Browser;
use crate::BenchError;

/// How long one load may take before it counts as failed.
pub const LOAD_TIMEOUT: Duration = Duration::from_secs(20);

/// What one load measured.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
pub struct Load {
    /// Navigation start to the mark, milliseconds.
    pub ready_ms: f64,
    /// `performance.memory.usedJSHeapSize` at the mark.
    pub heap_bytes: f64,
    /// Bytes the wasm module took over the network: more than zero on a first load (a cached
    /// module would be 0).
    pub wasm_transfer_bytes: f64,
    /// Navigation start to the end of the wasm download, milliseconds (-1 when not found).
    pub wasm_loaded_ms: f64,
    /// Navigation start to the module's start (`stopover:started`), ms (-1 when not found).
    pub started_ms: f64,
    /// Navigation start to the form definition's arrival (`GET /api/forms/{id}`), ms (-1 when
    /// not found).
    pub definition_loaded_ms: f64,
    /// Visible form controls (inputs, selects, text areas) on the page at the mark.
    pub controls: u32,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Outcome {
    Ready(Load),
    Failed { error: String },
}

/// Waits (in the page) for the mark, then reports it with the heap, the wasm transfer and the
/// control count; reports the page's text instead when the mark does not come in time.
const MEASURE_SCRIPT: &str = r#"
const [mark, startedMark, timeoutMs, done] = arguments;
let finished = false;
const read = () => {
  if (finished) return true;
  const entry = performance.getEntriesByName(mark, 'mark')[0];
  if (!entry) return false;
  finished = true;
  const resources = performance.getEntriesByType('resource');
  const wasm = resources.find((e) => e.name.endsWith('.wasm'));
  const definition = resources.find((e) => e.name.includes('/api/forms/'));
  const started = performance.getEntriesByName(startedMark, 'mark')[0];
  const controls = document.querySelectorAll(
    'input:not([type=hidden]), select, textarea').length;
  done({
    ready_ms: entry.startTime,
    heap_bytes: performance.memory ? performance.memory.usedJSHeapSize : -1,
    wasm_transfer_bytes: wasm ? wasm.transferSize : -1,
    wasm_loaded_ms: wasm ? wasm.responseEnd : -1,
    started_ms: started ? started.startTime : -1,
    definition_loaded_ms: definition ? definition.responseEnd : -1,
    controls,
  });
  return true;
};
if (!read()) {
  const observer = new PerformanceObserver(() => { if (read()) observer.disconnect(); });
  observer.observe({ type: 'mark' });
  setTimeout(() => {
    observer.disconnect();
    if (!read()) {
      finished = true;
      done({ error: (document.body ? document.body.innerText : '').slice(0, 300) });
    }
  }, timeoutMs);
}
"#;

/// Loads `url` afresh (from `about:blank`, cache disabled) and measures it.
pub async fn load_once(browser: &Browser, url: &str) -> Result<Load, BenchError> {
    let client = &browser.client;
    client
        .goto("about:blank")
        .await
        .map_err(|error| BenchError::new(format!("cannot open about:blank: {error}")))?;
    client
        .goto(url)
        .await
        .map_err(|error| BenchError::new(format!("cannot load the page: {error}")))?;
    let timeout_ms = u64::try_from(LOAD_TIMEOUT.as_millis()).unwrap_or(u64::MAX);
    let value = client
        .execute_async(
            MEASURE_SCRIPT,
            vec![
                FORM_READY_MARK.into(),
                STARTED_MARK.into(),
                timeout_ms.into(),
            ],
        )
        .await
        .map_err(|error| BenchError::new(format!("cannot read the page's marks: {error}")))?;
    match serde_json::from_value::<Outcome>(value) {
        Ok(Outcome::Ready(load)) => Ok(load),
        Ok(Outcome::Failed { error }) => Err(BenchError::new(format!(
            "the form was not ready within {LOAD_TIMEOUT:?}; the page shows: {error}"
        ))),
        Err(error) => Err(BenchError::new(format!(
            "unexpected measurement from the page: {error}"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ready_measurement_is_read() {
        let value = serde_json::json!({
            "ready_ms": 84.5, "heap_bytes": 1_234_567, "wasm_transfer_bytes": 612_000, "wasm_loaded_ms": 30.5, "started_ms": 45.0,
            "definition_loaded_ms": 60.0, "controls": 7
        });
        let Outcome::Ready(load) = serde_json::from_value(value).unwrap() else {
            panic!("not read as ready")
        };
        assert_eq!(load.ready_ms, 84.5);
        assert_eq!(load.controls, 7);
    }

    #[test]
    fn a_failed_load_carries_the_pages_text() {
        let value = serde_json::json!({ "error": "This sign-in has expired" });
        let Outcome::Failed { error } = serde_json::from_value(value).unwrap() else {
            panic!("not read as failed")
        };
        assert_eq!(error, "This sign-in has expired");
    }
}
