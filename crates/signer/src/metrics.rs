//! Prometheus metrics, rendered by hand: requests by route and status, tokens minted,
//! rejections by reason, and a latency histogram.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Duration;

/// Upper bounds of the latency buckets, in seconds.
const LATENCY_BUCKETS: [f64; 10] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0, 5.0];

/// Counters shared by every request. Labels come from a fixed set (route patterns, status
/// codes, reason names), so memory stays bounded.
#[derive(Debug, Default)]
pub struct Metrics {
    requests: Mutex<BTreeMap<(&'static str, u16), u64>>,
    rejections: Mutex<BTreeMap<&'static str, u64>>,
    minted: AtomicU64,
    /// Connections open now, by listener (`public`, `admin`).
    connections_open: Mutex<BTreeMap<&'static str, u64>>,
    /// Connections the signer closed because the client was too slow, by reason.
    connections_cut: Mutex<BTreeMap<&'static str, u64>>,
    latency_buckets: [AtomicU64; LATENCY_BUCKETS.len()],
    latency_count: AtomicU64,
    latency_sum_micros: AtomicU64,
}

impl Metrics {
    pub fn record_request(&self, route: &'static str, status: u16, elapsed: Duration) {
        *lock(&self.requests).entry((route, status)).or_default() += 1;
        let seconds = elapsed.as_secs_f64();
        for (bound, count) in LATENCY_BUCKETS.iter().zip(&self.latency_buckets) {
            if seconds <= *bound {
                count.fetch_add(1, Ordering::Relaxed);
            }
        }
        self.latency_count.fetch_add(1, Ordering::Relaxed);
        let micros = u64::try_from(elapsed.as_micros()).unwrap_or(u64::MAX);
        self.latency_sum_micros.fetch_add(micros, Ordering::Relaxed);
    }

    pub fn record_rejection(&self, reason: &'static str) {
        *lock(&self.rejections).entry(reason).or_default() += 1;
    }

    pub fn record_minted(&self) {
        self.minted.fetch_add(1, Ordering::Relaxed);
    }

    pub fn connection_opened(&self, listener: &'static str) {
        *lock(&self.connections_open).entry(listener).or_default() += 1;
    }

    pub fn connection_closed(&self, listener: &'static str) {
        let mut open = lock(&self.connections_open);
        let count = open.entry(listener).or_default();
        *count = count.saturating_sub(1);
    }

    /// A connection closed for slowness (`idle`, `slow_headers`, `stalled`).
    pub fn record_connection_cut(&self, reason: &'static str) {
        *lock(&self.connections_cut).entry(reason).or_default() += 1;
    }

    /// The Prometheus text exposition format (version 0.0.4).
    pub fn render(&self) -> String {
        let mut out = String::new();
        out.push_str("# HELP stopover_requests_total HTTP requests by route and status.\n");
        out.push_str("# TYPE stopover_requests_total counter\n");
        for ((route, status), count) in lock(&self.requests).iter() {
            let _ = writeln!(
                out,
                "stopover_requests_total{{route=\"{route}\",status=\"{status}\"}} {count}"
            );
        }
        out.push_str("# HELP stopover_tokens_minted_total Continue tokens minted.\n");
        out.push_str("# TYPE stopover_tokens_minted_total counter\n");
        let _ = writeln!(
            out,
            "stopover_tokens_minted_total {}",
            self.minted.load(Ordering::Relaxed)
        );
        out.push_str("# HELP stopover_rejections_total Refused requests by reason.\n");
        out.push_str("# TYPE stopover_rejections_total counter\n");
        for (reason, count) in lock(&self.rejections).iter() {
            let _ = writeln!(
                out,
                "stopover_rejections_total{{reason=\"{reason}\"}} {count}"
            );
        }
        out.push_str("# HELP stopover_connections_open Connections open now, by listener.\n");
        out.push_str("# TYPE stopover_connections_open gauge\n");
        for (listener, count) in lock(&self.connections_open).iter() {
            let _ = writeln!(
                out,
                "stopover_connections_open{{listener=\"{listener}\"}} {count}"
            );
        }
        out.push_str(
            "# HELP stopover_connections_cut_total Connections closed because the client was too slow or idle, by reason.\n",
        );
        out.push_str("# TYPE stopover_connections_cut_total counter\n");
        for (reason, count) in lock(&self.connections_cut).iter() {
            let _ = writeln!(
                out,
                "stopover_connections_cut_total{{reason=\"{reason}\"}} {count}"
            );
        }
        out.push_str("# HELP stopover_request_duration_seconds Time to answer a request.\n");
        out.push_str("# TYPE stopover_request_duration_seconds histogram\n");
        for (bound, count) in LATENCY_BUCKETS.iter().zip(&self.latency_buckets) {
            let _ = writeln!(
                out,
                "stopover_request_duration_seconds_bucket{{le=\"{bound}\"}} {}",
                count.load(Ordering::Relaxed)
            );
        }
        let total = self.latency_count.load(Ordering::Relaxed);
        let _ = writeln!(
            out,
            "stopover_request_duration_seconds_bucket{{le=\"+Inf\"}} {total}"
        );
        let sum = self.latency_sum_micros.load(Ordering::Relaxed) as f64 / 1e6;
        let _ = writeln!(out, "stopover_request_duration_seconds_sum {sum}");
        let _ = writeln!(out, "stopover_request_duration_seconds_count {total}");
        out
    }
}

/// Counters stay meaningful after a panic elsewhere, so a poisoned lock is used anyway.
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn render_lists_counters_and_cumulative_buckets() {
        let metrics = Metrics::default();
        metrics.record_request("/api/continue", 200, Duration::from_millis(3));
        metrics.record_request("/api/continue", 401, Duration::from_millis(30));
        metrics.record_rejection("expired");
        metrics.record_minted();
        metrics.connection_opened("public");
        metrics.connection_opened("public");
        metrics.connection_closed("public");
        metrics.record_connection_cut("slow_headers");
        let text = metrics.render();
        assert!(text.contains("stopover_connections_open{listener=\"public\"} 1"));
        assert!(text.contains("stopover_connections_cut_total{reason=\"slow_headers\"} 1"));
        assert!(text.contains("stopover_requests_total{route=\"/api/continue\",status=\"200\"} 1"));
        assert!(text.contains("stopover_requests_total{route=\"/api/continue\",status=\"401\"} 1"));
        assert!(text.contains("stopover_rejections_total{reason=\"expired\"} 1"));
        assert!(text.contains("stopover_tokens_minted_total 1"));
        assert!(text.contains("stopover_request_duration_seconds_bucket{le=\"0.005\"} 1"));
        assert!(text.contains("stopover_request_duration_seconds_bucket{le=\"0.05\"} 2"));
        assert!(text.contains("stopover_request_duration_seconds_bucket{le=\"+Inf\"} 2"));
        assert!(text.contains("stopover_request_duration_seconds_count 2"));
    }
}
