//! `cargo xtask setup`: installs what is missing, at the versions the constants below name (the
//! README's "The two commands" lists what it installs), and says what it did. Safe to run
//! again: it skips what is there.

use std::env;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::process::{cargo, execute, output_of};

/// trunk 0.22 needs a newer rustc than ours; 0.21 is the series that works.
const TRUNK_SERIES: &str = "0.21.";
const TRUNK_REQUIREMENT: &str = "^0.21";
const WASM_PACK_VERSION: &str = "0.15.1";
/// cargo-fuzz drives libFuzzer for the `fuzz/` targets; with `--sanitizer none` it builds on
/// stable Rust.
const CARGO_FUZZ_VERSION: &str = "0.13.2";
/// Debian's binaryen is too old for current Rust wasm; npm's package carries a new one.
const BINARYEN_PACKAGE: &str = "binaryen@132";
const AXE_CORE_PACKAGE: &str = "axe-core@4.11";
/// Debian packages: (binary that proves it is installed, package name).
const DEBIAN_PACKAGES: &[(&str, &str)] = &[
    ("/usr/bin/chromium", "chromium"),
    ("/usr/bin/chromedriver", "chromium-driver"),
    ("/usr/bin/redis-server", "redis-server"),
    ("/usr/bin/npm", "npm"),
    // `cargo xtask bench`: the load generator and the brotli figures.
    ("/usr/bin/wrk", "wrk"),
    ("/usr/bin/brotli", "brotli"),
];

/// What the other commands need from set-up: the PATH under which every tool is found.
#[derive(Debug)]
pub struct Tools {
    pub path: OsString,
}

impl Tools {
    /// A command for `program` that finds the installed tools on its PATH.
    pub fn command(&self, program: &str) -> Command {
        let mut command = Command::new(program);
        command.env("PATH", &self.path);
        command
    }
}

pub fn run() -> Result<Tools, String> {
    let root = crate::workspace_root();
    let tools = Tools {
        path: tool_path(&root)?,
    };
    // Installed tools must be visible to the checks that follow and to cargo's children.
    env::set_var("PATH", &tools.path);

    debian_packages()?;
    wasm_target()?;
    trunk(&root)?;
    wasm_bindgen_cli(&root)?;
    wasm_pack(&root)?;
    cargo_fuzz(&root)?;
    npm_tools(&root)?;
    println!("setup: everything is in place");
    Ok(tools)
}

fn tool_path(root: &Path) -> Result<OsString, String> {
    let cargo_bin = env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| env::var_os("HOME").map(|home| PathBuf::from(home).join(".cargo")))
        .map(|home| home.join("bin"));
    let node_bin = root.join("tools").join("node_modules").join(".bin");
    let existing = env::var_os("PATH").unwrap_or_default();
    let paths = cargo_bin
        .into_iter()
        .chain([node_bin])
        .chain(env::split_paths(&existing));
    env::join_paths(paths).map_err(|error| format!("cannot build PATH: {error}"))
}

fn debian_packages() -> Result<(), String> {
    let missing: Vec<&str> = DEBIAN_PACKAGES
        .iter()
        .filter(|(binary, _)| !Path::new(binary).exists())
        .map(|(_, package)| *package)
        .collect();
    if missing.is_empty() {
        println!("setup: chromium, chromedriver, redis-server, npm, wrk and brotli are installed");
        return Ok(());
    }
    let install = format!("apt-get install -y {}", missing.join(" "));
    let is_root = output_of("id", &["-u"]).as_deref() == Some("0");
    let is_debian = Path::new("/etc/debian_version").exists();
    if !(is_root && is_debian) {
        return Err(format!(
            "missing system packages: {}. Install them, then run this again:\n  sudo apt-get update\n  sudo {install}",
            missing.join(", ")
        ));
    }
    println!("setup: installing {} through apt", missing.join(", "));
    execute(Command::new("apt-get").args(["update", "-q"]))?;
    execute(
        Command::new("apt-get")
            .args(["install", "-y", "-q", "--no-install-recommends"])
            .args(&missing)
            .env("DEBIAN_FRONTEND", "noninteractive"),
    )
}

fn wasm_target() -> Result<(), String> {
    let installed = output_of("rustup", &["target", "list", "--installed"]).unwrap_or_default();
    if installed
        .lines()
        .any(|line| line == "wasm32-unknown-unknown")
    {
        println!("setup: the wasm32-unknown-unknown target is installed");
        return Ok(());
    }
    println!("setup: adding the wasm32-unknown-unknown target");
    execute(Command::new("rustup").args(["target", "add", "wasm32-unknown-unknown"]))
}

fn trunk(root: &Path) -> Result<(), String> {
    let version = output_of("trunk", &["--version"]).unwrap_or_default();
    if version.starts_with(&format!("trunk {TRUNK_SERIES}")) {
        println!("setup: {version} is installed");
        return Ok(());
    }
    println!("setup: installing trunk {TRUNK_REQUIREMENT} (about 8 minutes on 2 cores)");
    execute(cargo(root).args([
        "install",
        "--locked",
        "trunk",
        "--version",
        TRUNK_REQUIREMENT,
    ]))
}

/// trunk and wasm-pack use a wasm-bindgen CLI only when its version equals the library's in
/// Cargo.lock; otherwise they try to download one, which fails here.
fn wasm_bindgen_cli(root: &Path) -> Result<(), String> {
    let wanted = locked_version(root, "wasm-bindgen")?;
    let version = output_of("wasm-bindgen", &["--version"]).unwrap_or_default();
    if version == format!("wasm-bindgen {wanted}") {
        println!("setup: {version} is installed (matches Cargo.lock)");
        return Ok(());
    }
    println!("setup: installing wasm-bindgen-cli {wanted} to match Cargo.lock");
    // Without --locked: its lock file names a crate version the registry lacks.
    execute(cargo(root).args(["install", "wasm-bindgen-cli", "--version", &wanted]))
}

fn wasm_pack(root: &Path) -> Result<(), String> {
    if let Some(version) = output_of("wasm-pack", &["--version"]) {
        println!("setup: {version} is installed");
        return Ok(());
    }
    println!("setup: installing wasm-pack {WASM_PACK_VERSION}");
    execute(cargo(root).args(["install", "wasm-pack", "--version", WASM_PACK_VERSION]))
}

fn cargo_fuzz(root: &Path) -> Result<(), String> {
    let version = output_of("cargo-fuzz", &["--version"]).unwrap_or_default();
    if version == format!("cargo-fuzz {CARGO_FUZZ_VERSION}") {
        println!("setup: {version} is installed");
        return Ok(());
    }
    println!("setup: installing cargo-fuzz {CARGO_FUZZ_VERSION} (about 2 minutes on 2 cores)");
    execute(cargo(root).args([
        "install",
        "--locked",
        "cargo-fuzz",
        "--version",
        CARGO_FUZZ_VERSION,
    ]))
}

/// wasm-opt (for trunk's release build) and axe-core (for the accessibility audit), into the
/// git-ignored `tools/` folder.
fn npm_tools(root: &Path) -> Result<(), String> {
    let tools = root.join("tools");
    let node_modules = tools.join("node_modules");
    let have_wasm_opt = node_modules.join(".bin").join("wasm-opt").exists();
    let have_axe = node_modules.join("axe-core").join("axe.min.js").exists();
    if have_wasm_opt && have_axe {
        println!("setup: wasm-opt and axe-core are installed in tools/");
        return Ok(());
    }
    std::fs::create_dir_all(&tools).map_err(|error| format!("cannot create tools/: {error}"))?;
    println!("setup: installing {BINARYEN_PACKAGE} and {AXE_CORE_PACKAGE} into tools/");
    execute(
        Command::new("npm")
            .current_dir(&tools)
            .args(["install", "--no-audit", "--no-fund", "--prefix", "."])
            .args([BINARYEN_PACKAGE, AXE_CORE_PACKAGE]),
    )
}

/// The version of `package` that Cargo.lock pins.
pub fn locked_version(root: &Path, package: &str) -> Result<String, String> {
    let lock = std::fs::read_to_string(root.join("Cargo.lock"))
        .map_err(|error| format!("cannot read Cargo.lock: {error}"))?;
    let name_line = format!("name = \"{package}\"");
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line == name_line {
            if let Some(version) = lines
                .next()
                .and_then(|next| next.strip_prefix("version = \""))
                .and_then(|rest| rest.strip_suffix('"'))
            {
                return Ok(version.to_owned());
            }
        }
    }
    Err(format!("Cargo.lock does not pin {package}"))
}
