//! `stopover-floor`: the floor server the signer is measured against (see
//! `stopover_bench::floor`).

use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use stopover_bench::floor::{app, BusyWork, Floor};
use stopover_signer::replay::RedisStore;

#[derive(Debug, Parser)]
#[command(
    name = "stopover-floor",
    about = "A minimal POST /api/continue: parse, answer the same size, nothing else"
)]
struct Cli {
    /// Address to listen on (loopback).
    #[arg(long, default_value = "127.0.0.1:8790")]
    listen: SocketAddr,
    /// `scheme://host` of the `/continue` URL in the answer.
    #[arg(long)]
    continue_base: String,
    /// Name of the continue token field in the answer.
    #[arg(long, default_value = "session_token")]
    token_parameter: String,
    /// Length of the stand-in continue token (the signer's token length).
    #[arg(long)]
    token_bytes: usize,
    /// CPU to spend on each request before reading it, in nanoseconds (calibrated at start;
    /// the bench passes the signer's in-process checks' cost).
    #[arg(long, default_value_t = 0)]
    busy_ns: u64,
    /// Record each request's token in this Redis (`redis://...`), as the signer's replay
    /// store does.
    #[arg(long)]
    replay_store: Option<String>,
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let floor = Floor::new(&cli.continue_base, &cli.token_parameter, cli.token_bytes)
        .with_busy_work(BusyWork::lasting(Duration::from_nanos(cli.busy_ns)));
    let floor = match &cli.replay_store {
        None => floor,
        Some(url) => match RedisStore::connect(url).await {
            Ok(store) => floor.with_replay_store(store),
            Err(error) => {
                eprintln!("stopover-floor: {error}");
                return ExitCode::FAILURE;
            }
        },
    };
    let listener = match tokio::net::TcpListener::bind(cli.listen).await {
        Ok(listener) => listener,
        Err(error) => {
            eprintln!("stopover-floor: cannot listen on {}: {error}", cli.listen);
            return ExitCode::FAILURE;
        }
    };
    match axum::serve(listener, app(floor)).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("stopover-floor: {error}");
            ExitCode::FAILURE
        }
    }
}
