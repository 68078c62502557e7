//! The harness of Stopover's end-to-end browser tests (the tests themselves are in `tests/`).
//!
//! Everything is real and on loopback: the signer (`stopover_signer::serve`) serving the built
//! page from `dist/`, the tenant simulator (`stopover_simulator::serve`), and Debian's Chromium
//! driven through `/usr/bin/chromedriver`.
//!
//! - [`stack`]: the two servers, in process, on ports chosen by the system, optionally with
//!   back-channel delivery (the simulator's Management API and a signer client for it);
//! - [`browser`]: ChromeDriver and a headless Chromium session, ended whatever the test does;
//! - [`page`]: what a person does on the page (fill, tick, press keys), waits, the axe-core
//!   audit and screenshots;
//! - [`static_host`]: the built page copied to a static host of its own origin, plain or
//!   applying `_headers` as Netlify does.
//!
//! This crate exists only to test: a failed expectation here is a failed test, so the harness
//! may panic with a message saying what was expected.
#![forbid(unsafe_code)]
#![allow(clippy::expect_used, clippy::unwrap_used)]

pub mod browser;
pub mod page;
pub mod stack;
pub mod static_host;

use std::path::PathBuf;

/// The workspace root (two levels above this crate).
pub fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("the workspace root exists")
}
