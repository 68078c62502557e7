//! Stopover's benchmarks, behind `cargo xtask bench`: measurements anyone can rerun, read
//! against the budgets of [`report`] (the table at the top of `BENCHMARKS.md`).
//!
//! - [`floor`]: the floor server, a minimal axum handler that parses the same JSON as
//!   `POST /api/continue` and answers a same-sized JSON with no crypto and no checks;
//! - [`tokens`]: request bodies with a fresh `state` and a freshly minted session token each;
//! - [`wrk`]: the load generator's Lua script and the reading of its output;
//! - [`bench_config`]: the signer configuration the benchmarks run with, including the
//!   generated forms of 5, 20 and 50 fields;
//! - [`browser`] and [`page_load`]: headless Chromium through ChromeDriver, timing the page
//!   from navigation start to its `stopover:form-ready` mark;
//! - [`sizes`]: the first-load bytes of the built page, raw, gzip and brotli;
//! - [`stats`]: median and spread; [`report`]: the table and `BENCHMARKS.md`;
//! - [`runner`]: starts the servers, runs every measurement, writes the report.
#![forbid(unsafe_code)]
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

pub mod bench_config;
pub mod browser;
pub mod floor;
pub mod page_load;
pub mod report;
pub mod runner;
pub mod sizes;
pub mod stats;
pub mod tokens;
pub mod wrk;

/// Why a benchmark could not run; the message says what failed and how to fix it.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct BenchError(pub String);

impl BenchError {
    pub fn new(message: impl Into<String>) -> Self {
        Self(message.into())
    }
}
