//! The process's log: `tracing` lines as plain text on standard output (colour codes only for
//! a person at a terminal), filtered by `RUST_LOG` (default `info`).

use std::io::IsTerminal as _;

use tracing_subscriber::EnvFilter;

/// Installs the signer's log subscriber for the whole process.
pub fn init() {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        // Colour codes only for a person at a terminal; log files and collectors get plain
        // text (and writing them cost a measurable share of each request).
        .with_ansi(std::io::stdout().is_terminal())
        .init();
}
