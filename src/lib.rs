//! The Stopover page: the Leptos single-page app an Auth0 post-login Redirect Action sends a
//! person to in the middle of signing in (docs/architecture.md; what it reads and posts:
//! docs/contract.md#launch and docs/contract.md#handoff).
//!
//! Where things are:
//! - [`launch`]: `state` and the session token from the query, removed from the address bar;
//! - [`session`]: the token's claims, read without trusting them;
//! - [`config`]: `stopover.json`, the deploy-time signer URL, token parameter and brand;
//! - `preload`: the requests `index.html`'s start-up script made while the module downloaded;
//! - [`api`]: the calls to the signer and its errors; [`retry`]: when a failed call may be
//!   tried again;
//! - [`i18n`]: every text of the page in English, French and German, and the choice of
//!   language;
//! - [`form_page`]: the form rendered; [`form_state`]: its answers and the errors shown;
//!   [`fields`]: one component per field kind, [`field_ids`] their element ids;
//!   [`error_summary`]: the summary of problems; [`submit`]: sending the answers;
//! - [`continue_form`]: the form that posts back to Auth0's `/continue`;
//! - [`tab_memory`]: the login and draft answers this tab keeps across a reload;
//! - [`states`]: broken link, expired, not verified, already done, unknown form, retryable
//!   failures;
//! - [`app`]: which of those to show, and the context the components below it read;
//! - [`preview`]: preview mode for form authors (`stopover-signer preview`), no login; built
//!   with the `preview` feature only.
#![forbid(unsafe_code)]
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

pub mod api;
pub mod app;
mod clock;
pub mod config;
pub mod continue_form;
pub mod error_summary;
pub mod field_ids;
pub mod fields;
pub mod form_page;
pub mod form_state;
pub mod i18n;
pub mod launch;
mod preload;
pub mod preview;
pub mod retry;
pub mod session;
pub mod states;
pub mod submit;
pub mod tab_memory;
pub mod title;

use leptos::prelude::*;

pub use app::{App, Stopover};
pub use continue_form::HandoffMode;

/// Starts the page: captures the query (the app removes the launch values from the address
/// bar once `stopover.json` names the token's parameter), then mounts the app on `<body>`,
/// which replaces `index.html`'s "Loading…" skeleton once it can speak the person's language.
pub fn start() {
    if let Some(performance) = leptos::prelude::window().performance() {
        // Only a measurement (crates/bench): a browser without User Timing loses nothing else.
        let _ = performance.mark(stopover_protocol::page_marks::STARTED_MARK);
    }
    console_error_panic_hook::set_once();
    let query = launch::LaunchQuery::capture();
    leptos::mount::mount_to_body(move || view! { <App query /> });
    tab_memory::reload_when_restored_after_finishing();
}
