//! `cargo xtask preview [FILE]`: builds the page, then `stopover-signer preview` of FILE
//! (`config/demo.toml` by default) on <http://127.0.0.1:8790/>, every form without a login,
//! reloaded as the file changes (docs/operators.md, "Writing forms"). Ctrl-C stops it.

use std::path::PathBuf;
use std::process::Command;

use crate::process::{cargo, execute};

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
    crate::demo::build_page(&tools, &root)?;
    execute(cargo(&root).args(["build", "--package", "stopover-signer"]))?;
    let signer: PathBuf = root.join("target/debug/stopover-signer");
    execute(
        Command::new(signer)
            .current_dir(&root)
            .arg("preview")
            .arg("--config")
            .arg(&config)
            .args(["--dist", "dist"]),
    )
}
