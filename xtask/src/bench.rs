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
/// Measured page loads per form: at least 20, so the percentiles BENCHMARKS.md reports rest on
/// enough loads.
const PAGE_LOADS: &str = "20";

/// What `cargo xtask bench` measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// The signer and the page; writes `BENCHMARKS.md`.
    All,
    /// `bench signer`: the signer alone (no page build); writes `target/bench-signer.md`.
    Signer,
    /// `bench page`: the page alone (bytes, first loads); prints its figures, writes nothing.
    Page,
}

impl Part {
    /// The part named after `bench` on the command line.
    pub fn from_arg(arg: Option<&str>) -> Result<Self, String> {
        match arg {
            None => Ok(Self::All),
            Some("signer") => Ok(Self::Signer),
            Some("page") => Ok(Self::Page),
            Some(other) => Err(format!(
                "unknown bench part `{other}`: `bench`, `bench signer` or `bench page`"
            )),
        }
    }
}

pub fn run(part: Part) -> Result<(), String> {
    let tools = crate::setup::run()?;
    let root = crate::workspace_root();
    execute(cargo(&root).arg("fetch"))?;
    if part != Part::Signer {
        crate::demo::build_page(&tools, &root)?;
    }
    execute(cargo(&root).args([
        "build",
        "--release",
        "--package",
        "stopover-signer",
        "--package",
        "stopover-bench",
    ]))?;
    if part != Part::Page {
        // Criterion writes its estimates under target/criterion, where stopover-bench reads
        // them; the page build leaves its wasm with function names under
        // target/wasm32-unknown-unknown.
        execute(cargo(&root).args(["bench", "--package", "stopover-signer", "--bench", "signer"]))?;
    }

    let target = target_dir(&root);
    let release = target.join("release");
    let (flag, out) = match part {
        Part::All => (None, root.join("BENCHMARKS.md")),
        Part::Signer => (Some("--signer-only"), target.join("bench-signer.md")),
        // Not written: a page-only run prints its figures.
        Part::Page => (Some("--page-only"), root.join("BENCHMARKS.md")),
    };
    let mut bench = tools.command(&release.join("stopover-bench").to_string_lossy());
    bench.args(flag);
    execute(
        bench
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
            .arg(out),
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
