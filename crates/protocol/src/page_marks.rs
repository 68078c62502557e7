//! The `performance.mark` names the page sets at the moments others measure it by: the
//! benchmark's page-load driver waits for them (`crates/bench/src/page_load.rs`).

/// Set as the page's module starts (its `main`): downloaded, compiled and instantiated.
pub const STARTED_MARK: &str = "stopover:started";

/// Set once the form is rendered and can be used.
pub const FORM_READY_MARK: &str = "stopover:form-ready";
