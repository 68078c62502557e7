//! `cargo xtask setup | demo | test | bench | preview`: the project's commands, with nothing to install first
//! but Rust itself.
#![forbid(unsafe_code)]

mod bench;
mod demo;
mod preview;
mod process;
mod setup;
mod test;

use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str = "\
usage: cargo xtask <command>

commands:
  setup   install what is missing (wasm target, trunk, wasm-bindgen-cli, wasm-pack,
          wasm-opt, axe-core, Chromium, ChromeDriver, redis-server); skips what is there
  demo    setup, build the page, start the signer and the tenant simulator on loopback,
          print the one URL to open; Ctrl-C stops everything
  test    setup, then every test layer: native, page (headless Chromium), end-to-end
  bench   setup, build as shipped, measure the signer (wrk, criterion) and the page (bytes,
          first loads in headless Chromium, plain and as on a slow phone); prints the table
          and writes BENCHMARKS.md
  bench signer
          the signer part only (wrk, criterion; no page build); prints it and writes
          target/bench-signer.md
  bench page
          the page part only (bytes, first loads); prints it, writes nothing
  preview [FILE]
          setup, build the page, serve every form of FILE (config/demo.toml by default)
          without a login on http://127.0.0.1:8790/, reloading as the file changes";

fn main() -> ExitCode {
    let command = std::env::args().nth(1).unwrap_or_default();
    let outcome = match command.as_str() {
        "setup" => setup::run().map(|_| ()),
        "demo" => demo::run(),
        "test" => test::run(),
        "preview" => preview::run(std::env::args().nth(2).as_deref()),
        "bench" => bench::Part::from_arg(std::env::args().nth(2).as_deref()).and_then(bench::run),
        "help" | "--help" | "-h" => {
            println!("{USAGE}");
            Ok(())
        }
        other => Err(format!("unknown command `{other}`\n\n{USAGE}")),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask: {message}");
            ExitCode::FAILURE
        }
    }
}

/// The workspace root: xtask lives one level below it.
fn workspace_root() -> PathBuf {
    let manifest_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest_dir
        .parent()
        .map(PathBuf::from)
        .unwrap_or(manifest_dir)
}
