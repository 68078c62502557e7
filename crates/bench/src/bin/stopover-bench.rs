//! `stopover-bench`: runs every measurement of `cargo xtask bench` and writes the report.
//! The xtask builds what it needs first (release signer and floor, the page in `dist/`, the
//! criterion benchmarks); run that rather than this directly.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use stopover_bench::runner::{run, run_page, Options};

#[derive(Debug, Parser)]
#[command(
    name = "stopover-bench",
    about = "Stopover's benchmarks (cargo xtask bench)"
)]
struct Cli {
    /// The workspace root.
    #[arg(long)]
    root: PathBuf,
    /// The release signer binary.
    #[arg(long)]
    signer: PathBuf,
    /// The release floor binary.
    #[arg(long)]
    floor: PathBuf,
    /// Cargo's target directory (criterion's results, the page's wasm before wasm-opt).
    #[arg(long)]
    target_dir: PathBuf,
    /// Seconds per wrk run.
    #[arg(long, default_value_t = 5)]
    seconds: u32,
    /// Measured page loads per form.
    #[arg(long, default_value_t = 20)]
    loads: usize,
    /// The report to write (the full run only).
    #[arg(long)]
    out: PathBuf,
    /// Measure the signer only (no page bytes or loads; needs no page build).
    #[arg(long)]
    signer_only: bool,
    /// Measure only the page (its bytes and first loads) and print the figures, writing no
    /// report: the signer and floor binaries are then not run (the signer still serves the page).
    #[arg(long)]
    page_only: bool,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let options = Options {
        root: cli.root,
        signer_bin: cli.signer,
        floor_bin: cli.floor,
        wrk_seconds: cli.seconds,
        loads: cli.loads,
        target_dir: cli.target_dir,
        signer_only: cli.signer_only,
    };
    if cli.page_only {
        return match run_page(&options) {
            Ok(report) => {
                println!("\n{}", report.markdown());
                println!("bench: page only; {} left as it was", cli.out.display());
                ExitCode::SUCCESS
            }
            Err(error) => {
                eprintln!("stopover-bench: {error}");
                ExitCode::FAILURE
            }
        };
    }
    match run(&options) {
        Ok(report) => {
            let markdown = report.markdown();
            println!("\n{markdown}");
            if let Err(error) = std::fs::write(&cli.out, &markdown) {
                eprintln!(
                    "stopover-bench: cannot write {}: {error}",
                    cli.out.display()
                );
                return ExitCode::FAILURE;
            }
            println!("bench: wrote {}", cli.out.display());
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("stopover-bench: {error}");
            ExitCode::FAILURE
        }
    }
}
