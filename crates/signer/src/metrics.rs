//! Prometheus metrics, rendered by hand: requests by route and status, tokens minted,
//! rejections by reason, and a latency histogram.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Duration;

/// Upper bounds of the latency buckets, in seconds.
const LATENCY_BUCKETS: [f64; 10] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0, 5.0];

/// The route labels requests are counted under (`edge::route_label`'s fixed set).
pub const ROUTES: [&str; 9] = [
    "/api/forms",
    "/api/forms/{id}",
    "/api/continue",
    "/api/session",
    "/api/other",
    "/healthz",
    "/readyz",
    "/metrics",
    "page",
];
/// The statuses the signer answers, counted without a lock; any other goes to a map behind
/// one. Sorted (binary search).
const STATUSES: [u16; 19] = [
    200, 204, 206, 304, 400, 401, 403, 404, 405, 408, 409, 412, 413, 415, 416, 422, 429, 500, 503,
];

/// Counters shared by every request. Labels come from a fixed set (route patterns, status
/// codes, reason names), so memory stays bounded. What every request touches is atomic (a
/// counter per known route and status, one latency bucket), so two requests never wait for
/// each other here.
#[derive(Debug, Default)]
pub struct Metrics {
    /// Requests by [`ROUTES`] and [`STATUSES`] index.
    requests: [[AtomicU64; STATUSES.len()]; ROUTES.len()],
    /// Requests of any other route or status.
    other_requests: Mutex<BTreeMap<(&'static str, u16), u64>>,
    rejections: Mutex<BTreeMap<&'static str, u64>>,
    minted: AtomicU64,
    /// Connections open now, by listener (`public`, `admin`).
    connections_open: Mutex<BTreeMap<&'static str, u64>>,
    /// Connections the signer closed because the client was too slow, by reason.
    connections_cut: Mutex<BTreeMap<&'static str, u64>>,
    /// Requests by the first bucket whose bound they are within (the last: above every
    /// bound); [`Metrics::render`] adds them up into Prometheus's cumulative buckets.
    latency_buckets: [AtomicU64; LATENCY_BUCKETS.len() + 1],
    latency_count: AtomicU64,
    latency_sum_micros: AtomicU64,
}

impl Metrics {
    pub fn record_request(&self, route: &'static str, status: u16, elapsed: Duration) {
        let route_index = ROUTES.iter().position(|known| *known == route);
        match (route_index, STATUSES.binary_search(&status)) {
            (Some(route), Ok(status)) => {
                self.requests[route][status].fetch_add(1, Ordering::Relaxed);
            }
            _ => {
                *lock(&self.other_requests)
                    .entry((route, status))
                    .or_default() += 1
            }
        }
        let seconds = elapsed.as_secs_f64();
        let bucket = LATENCY_BUCKETS
            .iter()
            .position(|bound| seconds <= *bound)
            .unwrap_or(LATENCY_BUCKETS.len());
        self.latency_buckets[bucket].fetch_add(1, Ordering::Relaxed);
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
        let mut requests = lock(&self.other_requests).clone();
        for (route, counts) in ROUTES.iter().zip(&self.requests) {
            for (status, count) in STATUSES.iter().zip(counts) {
                let count = count.load(Ordering::Relaxed);
                if count > 0 {
                    *requests.entry((route, *status)).or_default() += count;
                }
            }
        }
        for ((route, status), count) in &requests {
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
        let mut cumulative = 0;
        for (bound, count) in LATENCY_BUCKETS.iter().zip(&self.latency_buckets) {
            cumulative += count.load(Ordering::Relaxed);
            let _ = writeln!(
                out,
                "stopover_request_duration_seconds_bucket{{le=\"{bound}\"}} {cumulative}"
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
        metrics.record_request("/api/continue", 504, Duration::from_secs(9));
        metrics.record_request("/healthz", 200, Duration::from_micros(10));
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
        assert!(text.contains("stopover_requests_total{route=\"/api/continue\",status=\"504\"} 1"));
        assert!(text.contains("stopover_requests_total{route=\"/healthz\",status=\"200\"} 1"));
        assert!(text.contains("stopover_request_duration_seconds_bucket{le=\"0.001\"} 1"));
        assert!(text.contains("stopover_request_duration_seconds_bucket{le=\"0.005\"} 2"));
        assert!(text.contains("stopover_request_duration_seconds_bucket{le=\"0.05\"} 3"));
        assert!(text.contains("stopover_request_duration_seconds_bucket{le=\"5\"} 3"));
        assert!(text.contains("stopover_request_duration_seconds_bucket{le=\"+Inf\"} 4"));
        assert!(text.contains("stopover_request_duration_seconds_count 4"));
        // Sorted by route, then status, whichever table counted them.
        let continue_200 = text.find(
            "status=\"200\"} 1\nstopover_requests_total{route=\"/api/continue\",status=\"401\"}",
        );
        assert!(continue_200.is_some(), "{text}");
    }
}
