//! `stopover-signer`: run the signer, check a configuration, preview its forms, generate a
//! secret, write the page's security policy into a built page, or write the Action's plan.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use clap::{Parser, Subcommand};
use rand::RngCore as _;
use stopover_signer::action_plan::action_plan;
use stopover_signer::config::Config;
use stopover_signer::page_policy::{write_page_policy, HEADERS_FILE};
use stopover_signer::Listeners;

/// mimalloc instead of the system allocator: each request allocates a few dozen small blocks
/// (the body, the claims, the answers, the minted token, the response), and glibc's malloc
/// and free were the largest single cost per request (`crates/bench/NOTES.md`). Build with
/// `--no-default-features` for the system allocator.
#[cfg(feature = "mimalloc")]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Debug, Parser)]
#[command(
    name = "stopover-signer",
    version,
    about = "Stopover's signing endpoint"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the signer.
    Serve {
        /// The TOML configuration file.
        #[arg(long)]
        config: PathBuf,
        /// Listen on this address instead of the configured one.
        #[arg(long)]
        listen: Option<SocketAddr>,
    },
    /// Check a configuration (secrets included) and print a summary; exit 1 with every
    /// problem otherwise.
    CheckConfig {
        #[arg(long)]
        config: PathBuf,
    },
    /// Print a strong random secret for the Action's secrets and the signer's environment.
    GenSecret,
    /// Write the page's Content-Security-Policy into a built page: a <meta> in index.html
    /// that works on any host, and a `_headers` file (Netlify / Cloudflare Pages). With
    /// --config, `_headers` has the strict policy for that configuration and the signer named
    /// in DIR/stopover.json; run it again after editing either. Trunk runs it without
    /// --config after every build.
    PagePolicy {
        /// The built page (trunk's dist/, or its staging directory).
        #[arg(long)]
        dist: PathBuf,
        /// The signer's TOML configuration (checked as `check-config` does, secrets included).
        #[arg(long)]
        config: Option<PathBuf>,
    },
    /// Write the Action's plan (JSON, one line): the forms it asks for, their versions, the
    /// consent document versions and where each answer is kept, from this configuration.
    /// Paste it into the Action's STOPOVER_PLAN secret; write it again after each change
    /// to the forms.
    ActionPlan {
        /// The signer's TOML configuration (checked as `check-config` does, secrets included).
        #[arg(long)]
        config: PathBuf,
        /// The tenant whose Action gets the plan; needed when the configuration has several.
        #[arg(long)]
        issuer: Option<String>,
        /// Write the plan to this file instead of standard output.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Serve every form of a configuration without a login, for the people who write them:
    /// each form in each of its tenants' languages, each step; errors on demand; a summary of
    /// what would be sent instead of the hand-off. The page reloads when the file changes and
    /// shows check-config's problems in place of a form. Secrets are not needed.
    Preview {
        /// The TOML configuration file.
        #[arg(long)]
        config: PathBuf,
        /// Where to serve the preview.
        #[arg(long, default_value = stopover_signer::preview::DEFAULT_PREVIEW_LISTEN)]
        listen: SocketAddr,
        /// The page built with preview mode (`trunk build --release --features preview`;
        /// `cargo xtask preview` builds it into target/preview-dist).
        #[arg(long, default_value = "dist")]
        dist: PathBuf,
        /// An origin (`scheme://host:port`) whose pages may read the forms and the state
        /// (the page's own tests); repeat for more. None by default.
        #[arg(long)]
        allow_origin: Vec<String>,
    },
}

#[tokio::main]
async fn main() -> ExitCode {
    match Cli::parse().command {
        Command::Serve { config, listen } => serve(&config, listen).await,
        Command::CheckConfig { config } => match load(&config) {
            Ok(config) => {
                println!("configuration OK\n{}", config.summary());
                ExitCode::SUCCESS
            }
            Err(message) => {
                eprintln!("{message}");
                ExitCode::FAILURE
            }
        },
        Command::Preview {
            config,
            listen,
            dist,
            allow_origin,
        } => preview(config, listen, dist, &allow_origin).await,
        Command::PagePolicy { dist, config } => page_policy(&dist, config.as_deref()),
        Command::ActionPlan {
            config,
            issuer,
            out,
        } => write_action_plan(&config, issuer.as_deref(), out.as_deref()),
        Command::GenSecret => {
            let mut bytes = [0u8; 48];
            rand::rng().fill_bytes(&mut bytes);
            println!("{}", URL_SAFE_NO_PAD.encode(bytes));
            ExitCode::SUCCESS
        }
    }
}

async fn serve(path: &Path, listen: Option<SocketAddr>) -> ExitCode {
    // Kept to the end: dropped, it writes the access lines still pending.
    let _log = stopover_signer::logging::init();
    let mut config = match load(path) {
        Ok(config) => config,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::FAILURE;
        }
    };
    if let Some(listen) = listen {
        config.listen = listen;
    }
    let Some(public) = bind(config.listen, "listen").await else {
        return ExitCode::FAILURE;
    };
    let Some(admin) = bind(config.admin_listen, "admin_listen").await else {
        return ExitCode::FAILURE;
    };
    // The bound addresses, so port 0 shows the port the system chose.
    let address = public.local_addr().unwrap_or(config.listen);
    let admin_address = admin.local_addr().unwrap_or(config.admin_listen);
    tracing::info!(
        %address,
        %admin_address,
        "stopover-signer listening (API and page on address; /healthz, /readyz, /metrics on admin_address)"
    );
    let listeners = Listeners { public, admin };
    match stopover_signer::serve(config, listeners, shutdown_signal()).await {
        Ok(()) => {
            tracing::info!("stopped");
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("stopover-signer: {error}");
            ExitCode::FAILURE
        }
    }
}

async fn preview(
    config: PathBuf,
    listen: SocketAddr,
    dist: PathBuf,
    allowed_origins: &[String],
) -> ExitCode {
    use stopover_signer::preview::{
        page_has_preview_mode, preview_app, watch, PreviewState, POLL_INTERVAL,
    };
    // Kept to the end: dropped, it writes the access lines still pending.
    let _log = stopover_signer::logging::init();
    if !dist.join("index.html").is_file() {
        eprintln!(
            "no built page in {}: build it first (trunk build --release), or pass --dist",
            dist.display()
        );
        return ExitCode::FAILURE;
    }
    if !page_has_preview_mode(&dist) {
        eprintln!(
            "the page in {} was built without preview mode: build it with `trunk build --release --features preview --dist target/preview-dist` (cargo xtask preview does) and pass --dist target/preview-dist",
            dist.display()
        );
        return ExitCode::FAILURE;
    }
    let Some(listener) = bind(listen, "--listen").await else {
        return ExitCode::FAILURE;
    };
    let address = listener.local_addr().unwrap_or(listen);
    let state = PreviewState::new(config.clone(), dist, |name| std::env::var(name).ok())
        .with_allowed_origins(allowed_origins);
    let snapshot = state.snapshot();
    println!(
        "preview of {} on http://{address}/ ({} form(s), {} problem(s)); it follows changes to the file; Ctrl-C stops it",
        config.display(),
        snapshot.forms.len(),
        snapshot.problems.len()
    );
    let watcher = watch(state.clone(), POLL_INTERVAL);
    let served = axum::serve(listener, preview_app(state))
        .with_graceful_shutdown(shutdown_signal())
        .await;
    watcher.abort();
    match served {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("stopover-signer preview: {error}");
            ExitCode::FAILURE
        }
    }
}

async fn bind(address: SocketAddr, setting: &str) -> Option<tokio::net::TcpListener> {
    match tokio::net::TcpListener::bind(address).await {
        Ok(listener) => Some(listener),
        Err(error) => {
            eprintln!("cannot listen on {address} ({setting}): {error}");
            None
        }
    }
}

fn page_policy(dist: &Path, config: Option<&Path>) -> ExitCode {
    let config = match config.map(load).transpose() {
        Ok(config) => config,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::FAILURE;
        }
    };
    match write_page_policy(dist, config.as_ref()) {
        Ok(written) => {
            println!(
                "page policy written to {}: index.html <meta> (connect-src and form-action: any https: origin and loopback), {HEADERS_FILE} ({})",
                dist.display(),
                if config.is_some() {
                    "strict: this configuration's signer and /continue origins, no framing"
                } else {
                    "the <meta> policy plus no framing; add --config for the strict policy"
                }
            );
            println!("  header policy: {}", written.headers.to_header_value());
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("stopover-signer page-policy: {error}");
            ExitCode::FAILURE
        }
    }
}

fn write_action_plan(path: &Path, issuer: Option<&str>, out: Option<&Path>) -> ExitCode {
    let plan = load(path).and_then(|config| {
        action_plan(&config, issuer).map_err(|error| format!("{}: {error}", path.display()))
    });
    let text = match plan.and_then(|plan| {
        serde_json::to_string(&plan).map_err(|error| format!("the plan cannot be written: {error}"))
    }) {
        Ok(text) => text,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::FAILURE;
        }
    };
    match out {
        None => {
            println!("{text}");
            ExitCode::SUCCESS
        }
        Some(path) => match std::fs::write(path, text + "\n") {
            Ok(()) => {
                eprintln!("action plan written to {}", path.display());
                ExitCode::SUCCESS
            }
            Err(error) => {
                eprintln!("cannot write {}: {error}", path.display());
                ExitCode::FAILURE
            }
        },
    }
}

fn load(path: &Path) -> Result<Config, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|error| format!("cannot read {}: {error}", path.display()))?;
    Config::from_toml(&text, &|name| std::env::var(name).ok())
        .map_err(|error| format!("{}: {error}", path.display()))
}

/// Completes on Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
    tracing::info!("shutting down");
}
