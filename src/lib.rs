//! The Stopover page: the Leptos single-page app an Auth0 post-login Redirect Action sends a
//! person to in the middle of signing in (docs/architecture.md; what it reads and posts:
//! docs/contract.md#launch and docs/contract.md#handoff).
//!
//! Where things are:
//! - [`launch`]: `state` and the session token from the query, removed from the address bar;
//! - [`session`]: the token's claims, read without trusting them;
//! - [`config`]: `stopover.json`, the deploy-time signer URL, token parameter and brand;
//! - [`api`]: the calls to the signer and its errors;
//! - [`i18n`]: every text of the page in English, French and German;
//! - [`fields`]: one component per field kind;
//! - [`form`]: answers, validation, the error summary, submitting;
//! - [`handoff`]: the POST back to Auth0's `/continue`;
//! - [`states`]: broken link, expired, not verified, already done, unknown form, retryable
//!   failures;
//! - [`app`]: which of those to show.
#![forbid(unsafe_code)]
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

pub mod api;
pub mod app;
mod clock;
pub mod config;
pub mod fields;
pub mod form;
pub mod handoff;
pub mod i18n;
pub mod launch;
pub mod session;
pub mod states;

use leptos::prelude::*;

pub use app::{App, Stopover};
pub use handoff::HandoffMode;

/// Starts the page: captures the query (the app removes the launch values from the address
/// bar once `stopover.json` names the token's parameter), then mounts the app on `<body>`.
pub fn start() {
    console_error_panic_hook::set_once();
    let query = launch::LaunchQuery::capture();
    leptos::mount::mount_to_body(move || view! { <App query /> });
}
