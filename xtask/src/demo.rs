//! `cargo xtask demo`: the page, the signer and the tenant simulator on loopback, one URL.

use std::path::Path;
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use crate::process::{cargo, execute, random_secret, Service};
use crate::setup::Tools;

const SIMULATOR_ADDRESS: &str = "127.0.0.1:8780";
const SIGNER_ADDRESS: &str = "127.0.0.1:8781";
/// The signer's admin listener: `/healthz`, `/readyz`, `/metrics`.
const SIGNER_ADMIN_ADDRESS: &str = "127.0.0.1:8782";

pub fn run() -> Result<(), String> {
    let tools = crate::setup::run()?;
    let root = crate::workspace_root();
    execute(cargo(&root).arg("fetch"))?;
    build_page(&tools, &root)?;
    set_return_url(&root.join("dist"), &format!("http://{SIMULATOR_ADDRESS}/"))?;
    execute(cargo(&root).args([
        "build",
        "--release",
        "--package",
        "stopover-signer",
        "--package",
        "stopover-simulator",
    ]))?;

    // A fresh shared secret per run, as the Action's secret and the signer's would be.
    let secret = random_secret()?;
    // The Action's plan, written from the same configuration the signer serves, as an
    // operator pastes it into the Action's STOPOVER_PLAN secret.
    let plan = root.join("target/demo-action-plan.json");
    execute(
        Command::new(root.join("target/release/stopover-signer"))
            .current_dir(&root)
            .args(["action-plan", "--config", "config/demo.toml", "--out"])
            .arg(&plan)
            .env("STOPOVER_DEMO_SECRET", &secret),
    )?;
    let mut signer = Service::start(
        "the signer",
        Command::new(root.join("target/release/stopover-signer"))
            .current_dir(&root)
            .args(["serve", "--config", "config/demo.toml"])
            .env("STOPOVER_DEMO_SECRET", &secret)
            .env("STOPOVER_LISTEN", SIGNER_ADDRESS)
            .env("STOPOVER_ADMIN_LISTEN", SIGNER_ADMIN_ADDRESS),
    )?;
    let mut simulator = Service::start(
        "the tenant simulator",
        Command::new(root.join("target/release/stopover-simulator"))
            .current_dir(&root)
            .args(["--listen", SIMULATOR_ADDRESS, "--issuer", SIMULATOR_ADDRESS])
            .args(["--stopover-url", &format!("http://{SIGNER_ADDRESS}/")])
            .args(["--secret-env", "STOPOVER_DEMO_SECRET"])
            .arg("--action-plan")
            .arg(&plan)
            .env("STOPOVER_DEMO_SECRET", &secret),
    )?;
    signer.wait_for_port(port_of(SIGNER_ADDRESS), Duration::from_secs(30))?;
    simulator.wait_for_port(port_of(SIMULATOR_ADDRESS), Duration::from_secs(30))?;

    println!("\n  Stopover demo is running. Open:\n\n    http://{SIMULATOR_ADDRESS}/\n");
    println!("  (page and signer on http://{SIGNER_ADDRESS}/; Ctrl-C stops everything)");
    println!("  (signer metrics on http://{SIGNER_ADMIN_ADDRESS}/metrics)\n");

    let stop = Arc::new(AtomicBool::new(false));
    let on_interrupt = Arc::clone(&stop);
    ctrlc::set_handler(move || on_interrupt.store(true, Ordering::SeqCst))
        .map_err(|error| format!("cannot handle Ctrl-C: {error}"))?;
    let outcome = loop {
        if stop.load(Ordering::SeqCst) {
            break Ok(());
        }
        if let Some(reason) = signer.exited().or_else(|| simulator.exited()) {
            break Err(reason);
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    println!("demo: stopping");
    drop(simulator);
    drop(signer);
    outcome
}

/// Sets `return_url` in `dist/stopover.json`, as an operator points it at their application:
/// here the simulated tenant's start page, where "Start again" and "Go back to the
/// application" lead.
fn set_return_url(dist: &Path, url: &str) -> Result<(), String> {
    let path = dist.join("stopover.json");
    let text = std::fs::read_to_string(&path)
        .map_err(|error| format!("cannot read {}: {error}", path.display()))?;
    let mut settings: serde_json::Value = serde_json::from_str(&text)
        .map_err(|error| format!("{} is not JSON: {error}", path.display()))?;
    let serde_json::Value::Object(map) = &mut settings else {
        return Err(format!("{} is not a JSON object", path.display()));
    };
    map.insert("return_url".to_owned(), url.into());
    let text = serde_json::to_string_pretty(&settings).map_err(|error| error.to_string())?;
    std::fs::write(&path, text + "\n")
        .map_err(|error| format!("cannot write {}: {error}", path.display()))
}

/// Builds the page as it ships (release, wasm-opt) into `dist/`.
pub fn build_page(tools: &Tools, root: &Path) -> Result<(), String> {
    execute(
        tools
            .command("trunk")
            .current_dir(root)
            .args(["build", "--release", "--offline"]),
    )
}

fn port_of(address: &str) -> u16 {
    address
        .rsplit(':')
        .next()
        .and_then(|port| port.parse().ok())
        .unwrap_or(0)
}
