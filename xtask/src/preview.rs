//! `cargo xtask preview [FILE]`: builds the page with preview mode, then `stopover-signer
//! preview` of FILE (`config/demo.toml` by default) on <http://127.0.0.1:8790/>, every form
//! without a login, reloaded as the file changes (docs/operators.md, "Writing forms").
//! Ctrl-C stops it.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::process::{cargo, execute};
use crate::setup::Tools;

/// Where the page with preview mode is built, beside (never in) the shipped `dist/`.
pub const PREVIEW_DIST: &str = "target/preview-dist";

/// Builds the page as it ships plus preview mode (the `preview` feature) into
/// [`PREVIEW_DIST`].
pub fn build_page(tools: &Tools, root: &Path) -> Result<(), String> {
    execute(
        tools
            .command("trunk")
            .current_dir(root)
            .args(["build", "--release", "--offline", "--features", "preview"])
            .args(["--dist", PREVIEW_DIST]),
    )
}

pub fn run(file: Option<&str>) -> Result<(), String> {
    let tools = crate::setup::run()?;
    let root = crate::workspace_root();
    // A file named on the command line is relative to where the command was run.
    let config = match file {
        Some(file) => std::env::current_dir()
            .map_err(|error| format!("cannot read the current directory: {error}"))?
            .join(file),
        None => root.join("config/demo.toml"),
    };
    execute(cargo(&root).arg("fetch"))?;
    build_page(&tools, &root)?;
    execute(cargo(&root).args(["build", "--package", "stopover-signer"]))?;
    let signer: PathBuf = root.join("target/debug/stopover-signer");
    execute(
        Command::new(signer)
            .current_dir(&root)
            .arg("preview")
            .arg("--config")
            .arg(&config)
            .args(["--dist", PREVIEW_DIST]),
    )
}
