//! `stopover-simulator`: run the simulated tenant alone.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use stopover_simulator::config::{DEFAULT_ACTION_FILE, DEFAULT_ACTION_RUNNER};
use stopover_simulator::{ManagementApiConfig, Secret, SimulatorConfig};
use tracing_subscriber::EnvFilter;

/// A local stand-in for an Auth0 tenant whose post-login Action sends people to Stopover.
#[derive(Debug, Parser)]
#[command(version)]
struct Args {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8780")]
    listen: SocketAddr,
    /// The Stopover page the Action redirects to.
    #[arg(long, default_value = "http://127.0.0.1:8781/")]
    stopover_url: String,
    /// The tenant's host name: the `iss` of session tokens.
    #[arg(long, default_value = "127.0.0.1:8780")]
    issuer: String,
    /// Environment variable holding the secret shared with the signer (32 bytes or more).
    #[arg(long, default_value = "STOPOVER_DEMO_SECRET")]
    secret_env: String,
    /// The post-login Action to run (a JavaScript file exporting `onExecutePostLogin` and
    /// `onContinuePostLogin`); its secrets are STOPOVER_SECRET, STOPOVER_URL and
    /// STOPOVER_PLAN.
    #[arg(long, default_value = DEFAULT_ACTION_FILE)]
    action: PathBuf,
    /// The Action's plan, its STOPOVER_PLAN secret: the file `stopover-signer action-plan
    /// --config ... --out FILE` wrote from the signer's configuration.
    #[arg(long)]
    action_plan: Option<PathBuf>,
    /// The Node.js executable that runs the Action.
    #[arg(long, default_value = "node")]
    node: PathBuf,
    /// The script that runs one hook of the Action with the Auth0 harness.
    #[arg(long, default_value = DEFAULT_ACTION_RUNNER)]
    action_runner: PathBuf,
    /// Enables the Management API for this machine-to-machine client id (back-channel
    /// delivery); its secret is read from `--management-secret-env`.
    #[arg(long)]
    management_client_id: Option<String>,
    /// Environment variable holding the management client's secret.
    #[arg(long, default_value = "STOPOVER_DEMO_MANAGEMENT_SECRET")]
    management_secret_env: String,
}

/// The signer refuses shorter secrets; refusing them here too keeps the pair consistent.
use stopover_protocol::limits::MIN_SECRET_BYTES;

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()))
        .init();
    let args = Args::parse();

    let secret = match std::env::var(&args.secret_env) {
        Ok(secret) if secret.len() >= MIN_SECRET_BYTES => Secret::new(secret),
        Ok(_) => {
            eprintln!(
                "stopover-simulator: the secret in ${} is shorter than {MIN_SECRET_BYTES} bytes",
                args.secret_env
            );
            return ExitCode::FAILURE;
        }
        Err(_) => {
            eprintln!(
                "stopover-simulator: set ${} to the secret shared with the signer",
                args.secret_env
            );
            return ExitCode::FAILURE;
        }
    };
    let mut config = SimulatorConfig::new(&args.issuer, &args.stopover_url, secret);
    for (what, file) in [
        ("--action", &args.action),
        ("--action-runner", &args.action_runner),
    ] {
        if !file.is_file() {
            eprintln!(
                "stopover-simulator: {what} {} is not a file",
                file.display()
            );
            return ExitCode::FAILURE;
        }
    }
    if let Some(path) = &args.action_plan {
        match std::fs::read_to_string(path) {
            Ok(plan) => config.action_plan = Some(plan.trim().to_owned()),
            Err(problem) => {
                eprintln!(
                    "stopover-simulator: --action-plan {}: {problem}",
                    path.display()
                );
                return ExitCode::FAILURE;
            }
        }
    }
    config.action.file = args.action;
    config.action.node = args.node;
    config.action.runner = args.action_runner;
    if let Some(client_id) = &args.management_client_id {
        let Ok(secret) = std::env::var(&args.management_secret_env) else {
            eprintln!(
                "stopover-simulator: set ${} to the management client's secret",
                args.management_secret_env
            );
            return ExitCode::FAILURE;
        };
        config.management = Some(ManagementApiConfig::new(client_id, Secret::new(secret)));
    }

    let listener = match tokio::net::TcpListener::bind(args.listen).await {
        Ok(listener) => listener,
        Err(problem) => {
            eprintln!(
                "stopover-simulator: cannot listen on {}: {problem}",
                args.listen
            );
            return ExitCode::FAILURE;
        }
    };
    println!("Tenant simulator: http://{}/", args.listen);
    let shutdown = async {
        // If the signal handler cannot be installed, run until killed.
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    match stopover_simulator::serve(config, listener, shutdown).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(problem) => {
            eprintln!("stopover-simulator: {problem}");
            ExitCode::FAILURE
        }
    }
}
