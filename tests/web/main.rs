//! The page in a real browser (`wasm-pack test --headless --chrome`), used as a person would:
//! components are mounted into a fresh element, driven through DOM events, and judged by what
//! is on the screen. The submit path runs against the real signer that `cargo xtask test`
//! starts (its URL, secret and issuer arrive as compile-time environment variables).
//!
//! One test binary, a module per thing under test.
#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use wasm_bindgen_test::wasm_bindgen_test_configure;

wasm_bindgen_test_configure!(run_in_browser);

#[path = "../support/mod.rs"]
mod support;

mod feedback;
mod form;
mod forms;
mod handoff;
mod keyboard;
mod languages;
mod over_time;
// Preview mode is built only with the `preview` feature (`cargo xtask test` turns it on).
#[cfg(feature = "preview")]
mod preview;
mod start_up;
mod states;
mod steps;
mod submit;
mod tab_memory;
