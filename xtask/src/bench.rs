//! `cargo xtask bench`: the signer and the page, measured side by side against the budgets of
//! `crates/bench/src/report.rs` (listed at the top of `BENCHMARKS.md`).
//!
//! Builds what is measured as it ships (the page with trunk in release, the signer and the
//! floor in release), runs the signer's criterion benchmarks, then `stopover-bench`, which
//! drives wrk, Redis and headless Chromium, prints the table and writes `BENCHMARKS.md`.

use std::path::{Path, PathBuf};

use crate::process::{cargo, execute};

/// Seconds per wrk run: twelve runs stay around a minute.
const WRK_SECONDS: &str = "5";
/// Measured page loads per form (at least 20, so the percentiles BENCHMARKS.md reports rest on enough loads).
const PAGE_LOADS: &str = "20";

pub fn run() -> Result<(), String> {
    let tools = crate::setup::run()?;
    let root = crate::workspace_root();
    execute(cargo(&root).arg("fetch"))?;
    crate::demo::build_page(&tools, &root)?;
    if std::env::args().nth(2).as_deref() == Some("page") {
        return run_page(&tools, &root);
    }
    execute(cargo(&root).args([
        "build",
        "--release",
        "--package",
        "stopover-signer",
        "--package",
        "stopover-bench",
    ]))?;
    // Criterion writes its estimates under target/criterion, where stopover-bench reads them;
    // the page build leaves its wasm with function names under target/wasm32-unknown-unknown.
    execute(cargo(&root).args(["bench", "--package", "stopover-signer", "--bench", "signer"]))?;

    let target = target_dir(&root);
    let release = target.join("release");
    execute(
        tools
            .command(&release.join("stopover-bench").to_string_lossy())
            .current_dir(&root)
            .arg("--root")
            .arg(&root)
            .arg("--signer")
            .arg(release.join("stopover-signer"))
            .arg("--floor")
            .arg(release.join("stopover-floor"))
            .arg("--target-dir")
            .arg(&target)
            .args(["--seconds", WRK_SECONDS, "--loads", PAGE_LOADS])
            .arg("--out")
            .arg(root.join("BENCHMARKS.md")),
    )
}

/// `cargo xtask bench page`: the page's bytes and first loads only (plain and as on a slow
/// phone), printed against the page's budgets; BENCHMARKS.md is left as it is.
fn run_page(tools: &crate::setup::Tools, root: &Path) -> Result<(), String> {
    execute(cargo(root).args([
        "build",
        "--release",
        "--package",
        "stopover-signer",
        "--package",
        "stopover-bench",
    ]))?;
    let target = target_dir(root);
    let release = target.join("release");
    execute(
        tools
            .command(&release.join("stopover-bench").to_string_lossy())
            .current_dir(root)
            .arg("--root")
            .arg(root)
            .arg("--signer")
            .arg(release.join("stopover-signer"))
            .arg("--floor")
            .arg(release.join("stopover-floor"))
            .arg("--target-dir")
            .arg(&target)
            .args(["--loads", PAGE_LOADS, "--page-only"])
            .arg("--out")
            .arg(root.join("BENCHMARKS.md")),
    )
}

/// Cargo's target directory: `CARGO_TARGET_DIR` when set (relative to the root), else
/// `<root>/target`.
fn target_dir(root: &Path) -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => root.join(dir),
        None => root.join("target"),
    }
}
