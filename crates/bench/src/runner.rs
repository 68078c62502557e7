//! One bench run: the floor and the signer (in-memory, then Redis) under wrk, the page's
//! bytes and first loads in headless Chromium, the criterion figures, and the report.
//!
//! Every server is a release binary on a free loopback port, started here and killed when its
//! guard drops; every wait is bounded.

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use rand::RngCore as _;
use stopover_signer::config::{Config, Tenant};

use crate::bench_config::{bench_config_toml, growth_form_id, GROWTH_FIELD_COUNTS, SECRET_ENV};
use crate::browser::Browser;
use crate::page_load::{load_once, Load};
use crate::report::{
    repeats_at, MemoryFigure, PageSeries, Report, SeriesRun, ServerSeries, StepFigure,
    BUDGET_CONNECTIONS,
};
use crate::sizes::{code_by_crate, wasm_sections, SizeTable};
use crate::stats::Spread;
use crate::tokens::{continue_token_bytes, SessionMinter, LOAD_FORM};
use crate::wrk::{self, WrkRun};
use crate::BenchError;

/// Connection counts of the throughput series.
pub const CONNECTIONS: [u32; 4] = [1, 8, 32, 128];

/// The connection count of each run of a series, in order: each of [`CONNECTIONS`] as often
/// as [`repeats_at`] says.
fn run_connections() -> impl Iterator<Item = u32> {
    CONNECTIONS
        .into_iter()
        .flat_map(|count| std::iter::repeat_n(count, repeats_at(count)))
}
/// Criterion benchmarks of the signer's steps: (group/id, name in the report).
pub const STEPS: [(&str, &str); 3] = [
    ("signer/verify_session_token", "session token verification"),
    (
        "signer/validate_answers",
        "answer validation (profile form)",
    ),
    ("signer/mint_continue_token", "continue token minting"),
];
const WARM_UP_SECONDS: u32 = 2;
/// Used tokens the memory figure is read with (the issue's "a realistic tenant's store").
pub const REMEMBERED_TOKENS: u64 = 100_000;
/// The longest the memory run may take.
const MEMORY_RUN_MAX_SECONDS: u32 = 120;
/// Bodies for a warm-up and for the floor (which checks nothing, so reuse is harmless).
const SMALL_BODY_COUNT: u64 = 20_000;
/// Never more bodies than this in one file (about 0.5 GB).
const MAX_BODY_COUNT: u64 = 800_000;
/// Requests/s assumed before the first measurement of a signer.
const FIRST_GUESS_RPS: f64 = 40_000.0;

/// What to run and where things are.
#[derive(Debug, Clone)]
pub struct Options {
    /// The workspace root (config/demo.toml, dist/, target/).
    pub root: PathBuf,
    pub signer_bin: PathBuf,
    pub floor_bin: PathBuf,
    /// Length of each wrk run.
    pub wrk_seconds: u32,
    /// Page loads per form (at least 20, so the percentiles BENCHMARKS.md reports rest on enough loads).
    pub loads: usize,
    /// Cargo's target directory: criterion's results (`criterion/`) and the page's wasm
    /// before wasm-opt (`wasm32-unknown-unknown/page/`), whose names say where code bytes go.
    pub target_dir: PathBuf,
    /// Measure the signer only: no page bytes, no page loads (no page build needed).
    pub signer_only: bool,
}

/// Runs every measurement and returns the report (the caller prints and writes it).
pub fn run(options: &Options) -> Result<Report, BenchError> {
    let work = tempfile::tempdir()
        .map_err(|error| BenchError::new(format!("no temporary directory: {error}")))?;
    let secret = random_secret();
    let demo = std::fs::read_to_string(options.root.join("config/demo.toml"))
        .map_err(|error| BenchError::new(format!("cannot read config/demo.toml: {error}")))?;
    let script = work.path().join("continue.lua");
    write(&script, wrk::SCRIPT)?;

    let api_port = free_port()?;
    let api_config_path = work.path().join("bench-api.toml");
    let api_toml = bench_config_toml(&demo, api_port, None)?;
    write(&api_config_path, &api_toml)?;
    let config = bench_config(&api_toml, &secret)?;
    let tenant = first_tenant(&config)?;
    let minter = SessionMinter::new(&tenant.issuer, secret.as_bytes());
    let mut bodies = BodySource {
        minter: &minter,
        next_index: 0,
        dir: work.path().to_path_buf(),
    };

    // The floor, first: same generator, same script, same kind of body.
    println!("bench: the floor under wrk");
    let token_bytes = continue_token_bytes(&config, unix_now())?;
    let floor_command = FloorCommand {
        bin: options.floor_bin.clone(),
        continue_base: format!("{}://{}", tenant.scheme.as_str(), tenant.issuer),
        token_parameter: tenant.token_parameter.clone(),
        token_bytes,
    };
    let floor_port = free_port()?;
    let floor = Server::start(
        "the floor",
        &mut floor_command.command(floor_port, None, None),
        floor_port,
    )?;
    let mut floor = Floor {
        bodies: bodies.write(SMALL_BODY_COUNT)?,
        url: format!("http://127.0.0.1:{floor_port}"),
        server: floor,
        runs: Vec::new(),
    };
    wrk::run(&floor.url, 8, WARM_UP_SECONDS, &script, &floor.bodies)?;
    for connections in run_connections() {
        floor.measure(options, connections, &script)?;
    }

    // The signer, in-memory store, then Redis; the floor stays up for the runs beside theirs.
    let memory = signer_series(
        options,
        "signer, in-memory store",
        &api_config_path,
        api_port,
        &secret,
        None,
        &script,
        &mut bodies,
        &mut floor,
    )?;
    let steps = criterion_steps(&options.target_dir.join("criterion"));
    let checks_floor =
        checks_floor_series(options, &floor_command, &steps, None, &script, &mut floor)?;
    let memory_figure = remembered_tokens_rss(
        options,
        &api_config_path,
        api_port,
        &secret,
        work.path(),
        &mut bodies,
    )?;
    let redis_port = free_port()?;
    let redis = Server::start("redis-server", &mut redis_command(redis_port), redis_port)?;
    let redis_url = format!("redis://127.0.0.1:{redis_port}/0");
    let with_redis = signer_series(
        options,
        "signer, Redis store",
        &api_config_path,
        api_port,
        &secret,
        Some((&redis_url, &redis)),
        &script,
        &mut bodies,
        &mut floor,
    )?;
    let checks_floor_redis = checks_floor_series(
        options,
        &floor_command,
        &steps,
        Some((&redis_url, &redis)),
        &script,
        &mut floor,
    )?;
    redis.stop();
    drop(bodies);
    let floor_series = ServerSeries {
        name: "floor".into(),
        peak_rss_kb: floor.server.peak_rss_kb(),
        runs: floor.runs,
    };
    floor.server.stop();

    let signer_figures = Report {
        environment: environment(options),
        wrk_seconds: options.wrk_seconds,
        floor: floor_series,
        signers: vec![memory, with_redis],
        checks_floor,
        checks_floor_redis,
        memory: Some(memory_figure),
        steps,
        notes: std::fs::read_to_string(options.root.join("crates/bench/NOTES.md")).ok(),
        ..Report::default()
    };
    if options.signer_only {
        return Ok(signer_figures);
    }
    let page = page_figures(options, &demo, &secret, &minter, work.path())?;
    Ok(Report {
        sizes: page.sizes,
        wasm_sections: page.wasm_sections,
        code_by_crate: page.code_by_crate,
        page: page.page,
        slow_phone: page.slow_phone,
        ..signer_figures
    })
}

/// Only the page's measurements (`cargo xtask bench page`): its bytes and first loads, with no
/// signer under load and no criterion run; the report has no signer tables.
pub fn run_page(options: &Options) -> Result<Report, BenchError> {
    let work = tempfile::tempdir()
        .map_err(|error| BenchError::new(format!("no temporary directory: {error}")))?;
    let secret = random_secret();
    let demo = std::fs::read_to_string(options.root.join("config/demo.toml"))
        .map_err(|error| BenchError::new(format!("cannot read config/demo.toml: {error}")))?;
    let config = bench_config(&bench_config_toml(&demo, free_port()?, None)?, &secret)?;
    let minter = SessionMinter::new(&first_tenant(&config)?.issuer, secret.as_bytes());
    page_figures(options, &demo, &secret, &minter, work.path())
}

/// The bench configuration `toml`, checked as the signer will check it, with `secret` as the
/// tenant's.
fn bench_config(toml: &str, secret: &str) -> Result<Config, BenchError> {
    Config::from_toml(toml, &|name: &str| {
        (name == SECRET_ENV).then(|| secret.to_owned())
    })
    .map_err(|error| BenchError::new(format!("the bench configuration is refused: {error}")))
}

/// The tenant the bench mints session tokens for.
fn first_tenant(config: &Config) -> Result<&Tenant, BenchError> {
    config
        .tenants
        .first()
        .ok_or_else(|| BenchError::new("the bench configuration has no tenant"))
}

/// The page's bytes, then its first loads (plain, then as on a slow phone), in a report with
/// no signer figures.
fn page_figures(
    options: &Options,
    demo: &str,
    secret: &str,
    minter: &SessionMinter,
    work: &Path,
) -> Result<Report, BenchError> {
    // The page: bytes, then first loads.
    println!("bench: the page's first-load bytes");
    let dist = options.root.join("dist");
    let sizes = SizeTable::measure(&dist)?;
    let wasm_sections = largest_wasm(&sizes)
        .map(|name| {
            std::fs::read(dist.join(name))
                .map_err(|error| BenchError::new(format!("cannot read {name}: {error}")))
                .and_then(|module| wasm_sections(&module))
        })
        .transpose()?
        .unwrap_or_default();
    let named_wasm = options
        .target_dir
        .join("wasm32-unknown-unknown/page/stopover-page.wasm");
    let code_by_crate = match std::fs::read(&named_wasm) {
        Ok(module) => code_by_crate(&module)?,
        Err(error) => {
            println!(
                "bench: no code-by-crate figures ({}: {error})",
                named_wasm.display()
            );
            Vec::new()
        }
    };
    println!("bench: page loads in headless Chromium");
    let page = page_series(options, demo, &dist, secret, minter, work)?;

    let (page, slow_phone) = page;
    Ok(Report {
        environment: environment(options),
        wrk_seconds: options.wrk_seconds,
        sizes,
        wasm_sections,
        page,
        slow_phone,
        code_by_crate,
        notes: std::fs::read_to_string(options.root.join("crates/bench/NOTES.md")).ok(),
        ..Report::default()
    })
}

/// A fresh signer with the in-memory store posted [`REMEMBERED_TOKENS`] distinct bodies, each
/// once, at 32 connections: its peak RSS then includes that many remembered tokens.
fn remembered_tokens_rss(
    options: &Options,
    config: &Path,
    port: u16,
    secret: &str,
    work: &Path,
    bodies: &mut BodySource<'_>,
) -> Result<MemoryFigure, BenchError> {
    println!("bench: the signer remembering {REMEMBERED_TOKENS} used tokens");
    let script = work.join("continue-once.lua");
    write(
        &script,
        &format!("{}{}", wrk::SCRIPT, wrk::STOP_WHEN_EXHAUSTED),
    )?;
    let file = bodies.write(REMEMBERED_TOKENS)?;
    let mut signer = Server::start(
        "the signer",
        Command::new(&options.signer_bin)
            .arg("serve")
            .arg("--config")
            .arg(config)
            .env(SECRET_ENV, secret)
            .env_remove("RUST_LOG"),
        port,
    )?;
    let url = format!("http://127.0.0.1:{port}");
    let run = wrk::run_once(&url, 32, MEMORY_RUN_MAX_SECONDS, &script, &file)?;
    let _ = std::fs::remove_file(&file);
    if let Some(reason) = signer.exited() {
        return Err(BenchError::new(reason));
    }
    let figure = MemoryFigure {
        tokens: REMEMBERED_TOKENS,
        requests: run.requests,
        failures: run.non_2xx + run.socket_errors,
        peak_rss_kb: signer.peak_rss_kb(),
    };
    signer.stop();
    println!(
        "bench: {} requests ({} failed), peak RSS {}",
        figure.requests,
        figure.failures,
        figure.peak_rss_kb.map_or_else(
            || "-".to_owned(),
            |kb| format!("{:.1} MB", kb as f64 / 1024.0)
        )
    );
    Ok(figure)
}

/// The floor, up for the whole of the signers' series: its runs, in the order made.
struct Floor {
    server: Server,
    url: String,
    /// The floor checks nothing, so it takes the same bodies every run.
    bodies: PathBuf,
    runs: Vec<SeriesRun>,
}

impl Floor {
    /// One run of the floor at `connections`, kept among its runs and returned.
    fn measure(
        &mut self,
        options: &Options,
        connections: u32,
        script: &Path,
    ) -> Result<WrkRun, BenchError> {
        let run = measured(&self.server, None, || {
            wrk::run(
                &self.url,
                connections,
                options.wrk_seconds,
                script,
                &self.bodies,
            )
        })?;
        print_run("floor", connections, &run);
        self.runs.push(SeriesRun::new(connections, run));
        Ok(run)
    }
}

/// How to start a floor server for the bench's tenant.
#[derive(Debug, Clone)]
struct FloorCommand {
    bin: PathBuf,
    continue_base: String,
    token_parameter: String,
    token_bytes: usize,
}

impl FloorCommand {
    /// The floor on `port`, spending `busy` of CPU on each request and recording each token
    /// in the Redis at `replay_store` when given.
    fn command(&self, port: u16, busy: Option<Duration>, replay_store: Option<&str>) -> Command {
        let mut command = Command::new(&self.bin);
        command
            .arg("--listen")
            .arg(format!("127.0.0.1:{port}"))
            .arg("--continue-base")
            .arg(&self.continue_base)
            .arg("--token-parameter")
            .arg(&self.token_parameter)
            .arg("--token-bytes")
            .arg(self.token_bytes.to_string());
        if let Some(busy) = busy {
            command.arg("--busy-ns").arg(busy.as_nanos().to_string());
        }
        if let Some(url) = replay_store {
            command.arg("--replay-store").arg(url);
        }
        command
    }
}

/// A second floor that spends, on each request, the CPU criterion measured for the signer's
/// checks (verify + validate + mint, in process, warm), under wrk at [`BUDGET_CONNECTIONS`]
/// only, each run beside a run of the plain floor: the share of the floor a server doing
/// nothing but those checks reaches on this machine, which no signer can beat. With `redis`,
/// it also records each token there as the signer's Redis store does, and the Redis server's
/// CPU is counted: the same for the Redis series. `None` without criterion figures.
fn checks_floor_series(
    options: &Options,
    floor_command: &FloorCommand,
    steps: &[StepFigure],
    redis: Option<(&str, &Server)>,
    script: &Path,
    floor: &mut Floor,
) -> Result<Option<ServerSeries>, BenchError> {
    if steps.len() < STEPS.len() {
        println!("bench: no criterion figures, so no floor with the checks' CPU");
        return Ok(None);
    }
    let checks_ns: f64 = steps.iter().map(|step| step.median_ns).sum();
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let busy = Duration::from_nanos(checks_ns.round() as u64);
    let name = format!(
        "floor + the checks' CPU ({:.2} µs a request){}",
        busy.as_secs_f64() * 1e6,
        if redis.is_some() {
            " + Redis store"
        } else {
            ""
        }
    );
    println!("bench: {name} under wrk");
    let port = free_port()?;
    let server = Server::start(
        "the floor with the checks' CPU",
        &mut floor_command.command(port, Some(busy), redis.map(|(url, _)| url)),
        port,
    )?;
    let url = format!("http://127.0.0.1:{port}");
    wrk::run(&url, 8, WARM_UP_SECONDS, script, &floor.bodies)?;
    let mut runs = Vec::new();
    for _ in 0..repeats_at(BUDGET_CONNECTIONS) {
        let floor_beside = floor.measure(options, BUDGET_CONNECTIONS, script)?;
        let run = measured(&server, redis.map(|(_, server)| server), || {
            wrk::run(
                &url,
                BUDGET_CONNECTIONS,
                options.wrk_seconds,
                script,
                &floor.bodies,
            )
        })?;
        print_run(&name, BUDGET_CONNECTIONS, &run);
        runs.push(SeriesRun {
            connections: BUDGET_CONNECTIONS,
            run,
            floor_beside: Some(floor_beside),
        });
    }
    let peak_rss_kb = server.peak_rss_kb();
    server.stop();
    Ok(Some(ServerSeries {
        name,
        runs,
        peak_rss_kb,
    }))
}

/// A signer under wrk at every connection count, on a fresh process (and so a fresh
/// in-memory store); `redis` switches the replay store. At [`BUDGET_CONNECTIONS`] each run
/// follows a run of the floor, which it is compared with.
#[allow(clippy::too_many_arguments)]
fn signer_series(
    options: &Options,
    name: &str,
    config: &Path,
    port: u16,
    secret: &str,
    redis: Option<(&str, &Server)>,
    script: &Path,
    bodies: &mut BodySource<'_>,
    floor: &mut Floor,
) -> Result<ServerSeries, BenchError> {
    println!("bench: {name} under wrk");
    let mut command = Command::new(&options.signer_bin);
    command
        .arg("serve")
        .arg("--config")
        .arg(config)
        .env(SECRET_ENV, secret)
        .env_remove("RUST_LOG");
    if let Some((url, _)) = redis {
        command.env("STOPOVER_REPLAY_STORE", url);
    }
    let mut signer = Server::start("the signer", &mut command, port)?;
    let url = format!("http://127.0.0.1:{port}");

    let warm_up_bodies = bodies.write(SMALL_BODY_COUNT)?;
    let warm_up = wrk::run(&url, 8, WARM_UP_SECONDS, script, &warm_up_bodies)?;
    let mut expected_rps = if warm_up.wrapped == 0 {
        warm_up.requests_per_second().max(1000.0)
    } else {
        FIRST_GUESS_RPS
    };
    let mut runs = Vec::new();
    for connections in run_connections() {
        // Twice the fastest rate seen, so no body is used twice: a warm-up from cold reads
        // low, and each of wrk's threads takes its own half of the file, at its own speed.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let count = ((expected_rps * f64::from(options.wrk_seconds) * 2.0) as u64 + 5_000)
            .min(MAX_BODY_COUNT);
        let file = bodies.write(count)?;
        let floor_beside = if connections == BUDGET_CONNECTIONS {
            Some(floor.measure(options, connections, script)?)
        } else {
            None
        };
        let run = measured(&signer, redis.map(|(_, server)| server), || {
            wrk::run(&url, connections, options.wrk_seconds, script, &file)
        })?;
        let _ = std::fs::remove_file(&file);
        print_run(name, connections, &run);
        if run.wrapped > 0 {
            println!(
                "bench: warning: a load thread ran out of bodies and sent used ones again ({} \
                 time(s); {count} bodies were not enough): this run's non-2xx answers are the \
                 signer refusing them",
                run.wrapped
            );
        }
        expected_rps = expected_rps.max(run.requests_per_second());
        runs.push(SeriesRun {
            connections,
            run,
            floor_beside,
        });
        if let Some(reason) = signer.exited() {
            return Err(BenchError::new(reason));
        }
    }
    let peak_rss_kb = signer.peak_rss_kb();
    signer.stop();
    Ok(ServerSeries {
        name: name.to_owned(),
        runs,
        peak_rss_kb,
    })
}

/// First loads of the demo's profile form and of each generated form, from a release signer
/// serving `dist`.
fn page_series(
    options: &Options,
    demo: &str,
    dist: &Path,
    secret: &str,
    minter: &SessionMinter,
    work: &Path,
) -> Result<(Vec<PageSeries>, Option<PageSeries>), BenchError> {
    let port = free_port()?;
    let config = work.join("bench-page.toml");
    write(&config, &bench_config_toml(demo, port, Some(dist))?)?;
    let signer = Server::start(
        "the signer serving the page",
        Command::new(&options.signer_bin)
            .arg("serve")
            .arg("--config")
            .arg(&config)
            .env(SECRET_ENV, secret)
            .env_remove("RUST_LOG"),
        port,
    )?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|error| BenchError::new(format!("no async runtime: {error}")))?;
    // The demo's form once more at the end, as on a slow phone (the emulation, once on, stays
    // on for the rest of the session).
    let slow_phone_label = "profile (demo), slow phone";
    let forms: Vec<(String, String, usize)> =
        std::iter::once((LOAD_FORM.to_owned(), "profile (demo)".to_owned(), 8))
            .chain(GROWTH_FIELD_COUNTS.iter().map(|&fields| {
                (
                    growth_form_id(fields),
                    format!("generated, {fields} fields"),
                    fields,
                )
            }))
            .chain(std::iter::once((
                LOAD_FORM.to_owned(),
                slow_phone_label.to_owned(),
                8,
            )))
            .collect();
    let outcome = runtime.block_on(async {
        let browser = Browser::open().await?;
        let mut series = Vec::new();
        let mut result = Ok(());
        'forms: for (form, label, fields) in &forms {
            if label == slow_phone_label {
                if let Err(error) = browser.emulate_slow_phone().await {
                    result = Err(error);
                    break;
                }
            }
            let mut loads: Vec<Load> = Vec::new();
            // One unrecorded load first, so the browser's own start-up is not in the figures.
            for index in 0..=options.loads {
                let token = minter.session_token(&format!("auth0|page{index:06}"), form, unix_now())?;
                let url = format!(
                    "http://127.0.0.1:{port}/?state={}&session_token={token}",
                    crate::tokens::fresh_state()
                );
                match load_once(&browser, &url).await {
                    Ok(load) if index > 0 => loads.push(load),
                    Ok(_) => {}
                    Err(error) => {
                        result = Err(BenchError::new(format!("page load of form {form}: {error}")));
                        break 'forms;
                    }
                }
            }
            if let Some(cached) = loads.iter().find(|load| load.wasm_transfer_bytes <= 0.0) {
                result = Err(BenchError::new(format!(
                    "a load of form {form} did not download the wasm (transfer {} bytes): the cache was not disabled",
                    cached.wasm_transfer_bytes
                )));
                break;
            }
            let spread = |value: fn(&Load) -> f64| Spread::of(&loads.iter().map(value).collect::<Vec<_>>());
            let (Some(ready_ms), Some(heap_bytes)) = (spread(|load| load.ready_ms), spread(|load| load.heap_bytes)) else {
                result = Err(BenchError::new(format!("no page load of form {form} was measured")));
                break;
            };
let wasm_loaded_ms = spread(|load| load.wasm_loaded_ms)
                .map(|spread| spread.median)
                .filter(|ms| *ms >= 0.0);
            let started_ms = spread(|load| load.started_ms)
                .map(|spread| spread.median)
                .filter(|ms| *ms >= 0.0);
            let definition_loaded_ms = spread(|load| load.definition_loaded_ms)
                .map(|spread| spread.median)
                .filter(|ms| *ms >= 0.0);
            let controls = loads.first().map_or(0, |load| load.controls);
            println!("bench: {label}: ready median {:.1} ms over {} loads, {controls} controls", ready_ms.median, ready_ms.count);
            series.push(PageSeries {
                form: label.clone(),
                fields: *fields,
                ready_ms,
                heap_bytes,
                controls,
                wasm_loaded_ms,
                started_ms,
                definition_loaded_ms,
            });
        }
        browser.close().await;
        result.map(|()| {
            let slow_phone = series
                .iter()
                .position(|page: &PageSeries| page.form == slow_phone_label)
                .map(|at| series.remove(at));
            (series, slow_phone)
        })
    });
    signer.stop();
    outcome
}

/// Files of request bodies in the work directory, numbered so no two bodies share a subject.
struct BodySource<'m> {
    minter: &'m SessionMinter,
    next_index: u64,
    dir: PathBuf,
}

impl BodySource<'_> {
    fn write(&mut self, count: u64) -> Result<PathBuf, BenchError> {
        let path = self.dir.join(format!("bodies-{}.jsonl", self.next_index));
        self.minter
            .write_bodies(&path, self.next_index, count, unix_now())?;
        self.next_index += count;
        Ok(path)
    }
}

/// A `redis-server` on loopback `port`, keeping nothing on disk.
pub(crate) fn redis_command(port: u16) -> Command {
    let mut command = Command::new("redis-server");
    command
        .args(["--bind", "127.0.0.1", "--port", &port.to_string()])
        .args([
            "--save",
            "",
            "--appendonly",
            "no",
            "--protected-mode",
            "yes",
        ]);
    command
}

/// A server process, killed when dropped.
pub(crate) struct Server {
    name: String,
    child: Child,
}

impl Server {
    /// Starts `command` and waits (at most 30 s) until `port` accepts connections. Its
    /// standard output (the signer's log) goes to a pipe that a thread here reads and
    /// discards, as a container runtime or systemd collects a service's log; a pipe, not
    /// `/dev/null`, because each write to a pipe can wake its reader on the same two cores.
    pub(crate) fn start(name: &str, command: &mut Command, port: u16) -> Result<Self, BenchError> {
        let mut child = command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|error| BenchError::new(format!("cannot start {name}: {error}")))?;
        if let Some(mut log) = child.stdout.take() {
            std::thread::spawn(move || std::io::copy(&mut log, &mut std::io::sink()));
        }
        let mut server = Self {
            name: name.to_owned(),
            child,
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            if let Some(reason) = server.exited() {
                return Err(BenchError::new(format!(
                    "{reason} before it listened (run it by hand to see why)"
                )));
            }
            if Instant::now() > deadline {
                return Err(BenchError::new(format!(
                    "{name} did not listen on port {port} within 30 s"
                )));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Ok(server)
    }

    fn exited(&mut self) -> Option<String> {
        match self.child.try_wait() {
            Ok(Some(status)) => Some(format!("{} exited ({status})", self.name)),
            Ok(None) => None,
            Err(error) => Some(format!("{}: {error}", self.name)),
        }
    }

    /// CPU time (user + system, every thread) the process has used so far, µs.
    fn cpu_time_us(&self) -> Option<u64> {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.child.id())).ok()?;
        cpu_time_us(&stat)
    }

    /// The process's peak resident set (`VmHWM`), kB.
    fn peak_rss_kb(&self) -> Option<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).ok()?;
        vm_hwm_kb(&status)
    }

    fn stop(self) {
        drop(self);
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Clock ticks per second of `/proc/PID/stat`'s times (`USER_HZ`, 100 on Linux).
const USER_HZ: u64 = 100;

/// `utime + stime` from `/proc/PID/stat`, µs. The fields are counted after the command name,
/// which is in parentheses and may itself hold spaces and parentheses.
pub fn cpu_time_us(stat: &str) -> Option<u64> {
    let (_, after_name) = stat.rsplit_once(')')?;
    // After the name: state (field 3), ..., utime (14), stime (15).
    let mut fields = after_name.split_whitespace().skip(11);
    let utime: u64 = fields.next()?.parse().ok()?;
    let stime: u64 = fields.next()?.parse().ok()?;
    Some((utime + stime) * 1_000_000 / USER_HZ)
}

/// Runs `run` (one wrk run) and records the CPU time `server`, and `redis` if given, spent
/// meanwhile: what a request costs the server, whatever the load generator's share of the
/// two cores was.
fn measured(
    server: &Server,
    redis: Option<&Server>,
    run: impl FnOnce() -> Result<WrkRun, BenchError>,
) -> Result<WrkRun, BenchError> {
    let server_before = server.cpu_time_us();
    let redis_before = redis.and_then(Server::cpu_time_us);
    let mut result = run()?;
    let spent = |before: Option<u64>, after: Option<u64>| Some(after?.saturating_sub(before?));
    result.server_cpu_us = spent(server_before, server.cpu_time_us());
    result.redis_cpu_us = redis.and_then(|redis| spent(redis_before, redis.cpu_time_us()));
    Ok(result)
}

/// `VmHWM:    12345 kB` from `/proc/PID/status`.
pub fn vm_hwm_kb(status: &str) -> Option<u64> {
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|kb| kb.parse().ok())
}

/// Criterion's median estimates of the signer's steps, where it wrote them.
pub fn criterion_steps(criterion_dir: &Path) -> Vec<StepFigure> {
    STEPS
        .iter()
        .filter_map(|(id, name)| {
            let text =
                std::fs::read_to_string(criterion_dir.join(id).join("new/estimates.json")).ok()?;
            let median_ns = criterion_median_ns(&text)?;
            Some(StepFigure {
                name: (*name).to_owned(),
                median_ns,
            })
        })
        .collect()
}

/// `median.point_estimate` (ns) of a criterion `estimates.json`.
pub fn criterion_median_ns(estimates: &str) -> Option<f64> {
    let value: serde_json::Value = serde_json::from_str(estimates).ok()?;
    value.get("median")?.get("point_estimate")?.as_f64()
}

fn largest_wasm(sizes: &SizeTable) -> Option<&str> {
    sizes
        .files
        .iter()
        .filter(|file| file.name.ends_with(".wasm"))
        .max_by_key(|file| file.raw)
        .map(|file| file.name.as_str())
}

fn environment(options: &Options) -> Vec<String> {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find_map(|line| line.strip_prefix("model name"))
                .map(|rest| rest.trim_start_matches([' ', '\t', ':']).to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map_or(0, std::num::NonZero::get);
    let chromium = command_output("/usr/bin/chromium", &["--version"])
        .unwrap_or_else(|| "Chromium (version unknown)".into());
    let wrk = command_output("wrk", &["--version"])
        .and_then(|text| text.lines().next().map(str::to_owned))
        .unwrap_or_else(|| "wrk".into());
    let load = std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|text| text.split_whitespace().next().map(str::to_owned))
        .unwrap_or_else(|| "unknown".into());
    vec![
        format!("Load average (1 min) when the report was written: {load} (other work on the machine makes the figures noisier)."),
        format!("Machine: {cpu}, {cores} cores; everything (load generator, servers, browser) on this machine, over loopback."),
        format!("Tools: {wrk}; {chromium}; gzip -9; brotli -q 11."),
        format!(
            "Runs: wrk {} s per run after a {WARM_UP_SECONDS} s warm-up per server; {} measured page loads per form.",
            options.wrk_seconds, options.loads
        ),
    ]
}

fn command_output(program: &str, args: &[&str]) -> Option<String> {
    let output = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .ok()?;
    // wrk prints its version on stdout and exits 1.
    let text = String::from_utf8_lossy(&output.stdout).trim().to_owned();
    (!text.is_empty()).then_some(text)
}

fn print_run(name: &str, connections: u32, run: &WrkRun) {
    println!(
        "bench: {name}, {connections} connections: {:.0} req/s, p50 {} µs, p99 {} µs, non-2xx {}, socket errors {}, CPU per request {}",
        run.requests_per_second(),
        run.p50_us,
        run.p99_us,
        run.non_2xx,
        run.socket_errors,
        crate::report::cpu_per_request(run),
    );
}

fn write(path: &Path, text: &str) -> Result<(), BenchError> {
    std::fs::write(path, text)
        .map_err(|error| BenchError::new(format!("cannot write {}: {error}", path.display())))
}

pub(crate) fn free_port() -> Result<u16, BenchError> {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|address| address.port())
        .map_err(|error| BenchError::new(format!("no free loopback port: {error}")))
}

/// A fresh secret for this run (64 hex characters).
fn random_secret() -> String {
    let mut bytes = [0_u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

pub(crate) fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| {
            i64::try_from(elapsed.as_secs()).unwrap_or(i64::MAX)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn peak_rss_is_read_from_proc_status() {
        let status = "Name:\tstopover-signer\nVmPeak:\t  300000 kB\nVmHWM:\t   23456 kB\nVmRSS:\t   20000 kB\n";
        assert_eq!(vm_hwm_kb(status), Some(23_456));
        assert_eq!(vm_hwm_kb("Name:\tx\n"), None);
    }

    #[test]
    fn a_series_runs_three_times_at_the_budgets_connection_count_and_once_at_the_others() {
        assert_eq!(
            run_connections().collect::<Vec<_>>(),
            [1, 8, 32, 32, 32, 128]
        );
    }

    #[test]
    fn cpu_time_is_user_plus_system_from_proc_stat_whatever_the_name() {
        // utime 250 and stime 50 ticks, after a name holding a space and a parenthesis.
        let stat = "4242 (tokio (x) w) S 1 4242 4242 0 -1 4194560 900 0 0 0 250 50 0 0 20 0 3 0";
        assert_eq!(cpu_time_us(stat), Some(3_000_000));
        assert_eq!(cpu_time_us("4242 (x) S 1"), None);
    }

    #[test]
    fn criterions_median_estimate_is_read() {
        let estimates = r#"{"mean":{"point_estimate":2600.5},"median":{"point_estimate":2512.25,"standard_error":3.1}}"#;
        assert_eq!(criterion_median_ns(estimates), Some(2512.25));
        assert_eq!(criterion_median_ns("{}"), None);
    }

    #[test]
    fn the_steps_found_on_disk_are_reported_by_name() {
        let dir = tempfile::tempdir().unwrap();
        let found = dir.path().join("signer/validate_answers/new");
        std::fs::create_dir_all(&found).unwrap();
        std::fs::write(
            found.join("estimates.json"),
            r#"{"median":{"point_estimate":800.0}}"#,
        )
        .unwrap();
        assert_eq!(
            criterion_steps(dir.path()),
            [StepFigure {
                name: "answer validation (profile form)".into(),
                median_ns: 800.0
            }]
        );
    }
}
