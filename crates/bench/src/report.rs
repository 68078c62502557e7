//! The figures of one bench run, the budgets they meet or miss, and `BENCHMARKS.md`.

use std::fmt::Write as _;

use crate::sizes::{bytes, SizeTable};
use crate::stats::Spread;
use crate::wrk::WrkRun;

/// Signer requests/s at 32 connections, in-memory store, as a share of the floor's.
pub const THROUGHPUT_BUDGET: f64 = 0.75;
/// The connection count the throughput budget is read at.
pub const BUDGET_CONNECTIONS: u32 = 32;
/// First-load bytes, brotli, all files (kB of 1,000 bytes).
pub const FIRST_LOAD_BUDGET_BYTES: u64 = 100_000;
/// Navigation start to interactive form, median, milliseconds (no throttling, this machine).
pub const FORM_READY_BUDGET_MS: f64 = 100.0;
/// Signer requests/s at 32 connections with the Redis store, as a share of the floor's.
pub const REDIS_THROUGHPUT_BUDGET: f64 = 0.5;
/// Signer p99 latency at 32 connections, in-memory store, microseconds.
pub const P99_BUDGET_US: u64 = 2_000;
/// Signer peak RSS while remembering [`crate::runner::REMEMBERED_TOKENS`] used tokens, kB.
pub const REMEMBERED_RSS_BUDGET_KB: u64 = 30 * 1024;

/// Crates listed in the code-by-crate table.
const CRATES_SHOWN: usize = 12;

/// One server under wrk at each connection count.
#[derive(Debug, Clone, Default)]
pub struct ServerSeries {
    pub name: String,
    pub runs: Vec<SeriesRun>,
    /// VmHWM of the server process after its series, kB.
    pub peak_rss_kb: Option<u64>,
}

/// One wrk run of a series, and the floor's run made just before it at the same count when
/// the runner paired them: at [`BUDGET_CONNECTIONS`] the floor stays up and each signer run
/// follows a floor run of its own, so the two see the machine in the same state (the other
/// work on a shared machine drifts over a bench run by more than the budgets' margins).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SeriesRun {
    pub connections: u32,
    pub run: WrkRun,
    pub floor_beside: Option<WrkRun>,
}

impl SeriesRun {
    pub fn new(connections: u32, run: WrkRun) -> Self {
        Self {
            connections,
            run,
            floor_beside: None,
        }
    }
}

impl ServerSeries {
    /// The floor's run at `connections`: of several, the one with the median requests/s.
    pub fn at(&self, connections: u32) -> Option<&WrkRun> {
        let mut runs: Vec<&WrkRun> = self
            .runs
            .iter()
            .filter(|run| run.connections == connections)
            .map(|run| &run.run)
            .collect();
        runs.sort_by(|a, b| a.requests_per_second().total_cmp(&b.requests_per_second()));
        runs.get(runs.len() / 2).copied()
    }
}

/// A signer's run compared with the floor: the run, the floor run it is compared with, and
/// the signer's share of that run's requests/s.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Compared<'a> {
    pub run: &'a WrkRun,
    pub floor: &'a WrkRun,
    pub share: f64,
}

/// Runs of each server at [`BUDGET_CONNECTIONS`]: the budgets read the median, so one run
/// slowed by the machine's other work does not decide them (and each signer run there is
/// compared with a floor run made just before it, [`SeriesRun::floor_beside`]).
pub const BUDGET_REPEATS: usize = 3;

/// How many runs a series makes at `connections`.
pub fn repeats_at(connections: u32) -> usize {
    if connections == BUDGET_CONNECTIONS {
        BUDGET_REPEATS
    } else {
        1
    }
}

/// A fresh signer (in-memory store) after every one of `tokens` bodies was posted once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemoryFigure {
    pub tokens: u64,
    /// Requests wrk completed (the bodies, and a few `GET /healthz` once they ran out).
    pub requests: u64,
    /// Non-2xx answers and socket errors.
    pub failures: u64,
    /// VmHWM of the signer afterwards, kB.
    pub peak_rss_kb: Option<u64>,
}

/// Page loads of one form.
#[derive(Debug, Clone)]
pub struct PageSeries {
    /// Which form, for people.
    pub form: String,
    pub fields: usize,
    pub ready_ms: Spread,
    pub heap_bytes: Spread,
    pub controls: u32,
    /// Navigation start to the end of the wasm download, ms (median).
    pub wasm_loaded_ms: Option<f64>,
    /// Navigation start to the module's start (`stopover:started`), ms (median).
    pub started_ms: Option<f64>,
    /// Navigation start to the arrival of the form definition, ms (median).
    pub definition_loaded_ms: Option<f64>,
}

/// One criterion benchmark's median time per iteration.
#[derive(Debug, Clone, PartialEq)]
pub struct StepFigure {
    pub name: String,
    pub median_ns: f64,
}

/// The p99 budget's row, which the ceiling's row follows ([`Report::ceiling`]).
const P99_BUDGET_NAME: &str = "signer p99 latency (32 connections, in-memory store)";
/// The Redis budget's row, which the Redis ceiling's row follows.
const REDIS_BUDGET_NAME: &str = "signer throughput vs floor (32 connections, Redis store)";

/// One budget (the constants at the top of this file) and whether this run met it.
#[derive(Debug, Clone, PartialEq)]
pub struct Budget {
    pub name: &'static str,
    pub target: String,
    pub measured: String,
    pub met: bool,
}

/// Everything one run measured.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// Machine, tools, durations: how to read the figures.
    pub environment: Vec<String>,
    pub wrk_seconds: u32,
    pub floor: ServerSeries,
    pub signers: Vec<ServerSeries>,
    /// The floor spending the CPU of the signer's checks (criterion's verify + validate +
    /// mint) on each request, at [`BUDGET_CONNECTIONS`], each run beside a plain floor run:
    /// the most a signer doing those checks can reach on this machine.
    pub checks_floor: Option<ServerSeries>,
    /// The same, recording each token in Redis as the signer's Redis store does: the most
    /// the Redis series can reach.
    pub checks_floor_redis: Option<ServerSeries>,
    /// Peak RSS with a realistic number of used tokens remembered (in-memory store).
    pub memory: Option<MemoryFigure>,
    /// Empty when the page was not measured (`cargo xtask bench signer`), like the page's other figures.
    pub sizes: SizeTable,
    /// The wasm module's sections, largest first: (name, bytes).
    pub wasm_sections: Vec<(String, u64)>,
    /// Code bytes by crate before wasm-opt, largest first: (crate, bytes).
    pub code_by_crate: Vec<(String, u64)>,
    pub page: Vec<PageSeries>,
    /// The demo's form loaded as on a slow phone (`crate::browser::SLOW_PHONE`); reported
    /// beside the budgeted figure, with no budget of its own.
    pub slow_phone: Option<PageSeries>,
    pub steps: Vec<StepFigure>,
    /// Hand-written notes from profiles (`crates/bench/NOTES.md`), shown as they are.
    pub notes: Option<String>,
}

impl Report {
    /// `run` against the floor: the floor run made beside it, else the floor's median run at
    /// its connection count.
    pub fn compared<'a>(&'a self, run: &'a SeriesRun) -> Option<Compared<'a>> {
        let floor = run
            .floor_beside
            .as_ref()
            .or_else(|| self.floor.at(run.connections))?;
        Some(Compared {
            run: &run.run,
            floor,
            share: ratio(&run.run, floor),
        })
    }

    /// The run of `series` the budgets read: of its runs at [`BUDGET_CONNECTIONS`]
    /// ([`BUDGET_REPEATS`] of them), the one with the median share of the floor.
    pub fn budget_run<'a>(&'a self, series: &'a ServerSeries) -> Option<Compared<'a>> {
        let mut runs: Vec<Compared<'a>> = series
            .runs
            .iter()
            .filter(|run| run.connections == BUDGET_CONNECTIONS)
            .filter_map(|run| self.compared(run))
            .collect();
        runs.sort_by(|a, b| a.share.total_cmp(&b.share));
        runs.get(runs.len() / 2).copied()
    }

    /// The run of a floor with the checks' CPU ([`Report::checks_floor`],
    /// [`Report::checks_floor_redis`]) read as the budgets read the signer's: the most a
    /// signer can reach on this machine.
    pub fn ceiling<'a>(&'a self, series: Option<&'a ServerSeries>) -> Option<Compared<'a>> {
        series.and_then(|series| self.budget_run(series))
    }

    /// The budgets this file's constants set, plus "no non-2xx answer" from the signer.
    pub fn budgets(&self) -> Vec<Budget> {
        let mut budgets = Vec::new();
        if let Some(Compared {
            run: signer,
            floor,
            share: ratio,
        }) = self
            .signers
            .first()
            .and_then(|series| self.budget_run(series))
        {
            budgets.push(Budget {
                name: "signer throughput vs floor (32 connections, in-memory store)",
                target: format!(">= {:.0} %", THROUGHPUT_BUDGET * 100.0),
                measured: format!(
                    "{:.1} % ({:.0} / {:.0} req/s)",
                    ratio * 100.0,
                    signer.requests_per_second(),
                    floor.requests_per_second()
                ),
                met: ratio >= THROUGHPUT_BUDGET,
            });
            budgets.push(Budget {
                name: P99_BUDGET_NAME,
                target: format!("< {}", micros(P99_BUDGET_US)),
                measured: micros(signer.p99_us),
                met: signer.p99_us < P99_BUDGET_US,
            });
        }
        if let Some(Compared {
            run: redis,
            floor,
            share: ratio,
        }) = self
            .signers
            .get(1)
            .and_then(|series| self.budget_run(series))
        {
            budgets.push(Budget {
                name: REDIS_BUDGET_NAME,
                target: format!(">= {:.0} %", REDIS_THROUGHPUT_BUDGET * 100.0),
                measured: format!(
                    "{:.1} % ({:.0} / {:.0} req/s)",
                    ratio * 100.0,
                    redis.requests_per_second(),
                    floor.requests_per_second()
                ),
                met: ratio >= REDIS_THROUGHPUT_BUDGET,
            });
        }
        if let Some(memory) = &self.memory {
            budgets.push(Budget {
                name: "signer peak RSS, in-memory store remembering used tokens",
                target: format!(
                    "< {} MB with {} tokens",
                    REMEMBERED_RSS_BUDGET_KB / 1024,
                    memory.tokens
                ),
                measured: memory.peak_rss_kb.map_or_else(
                    || "-".to_owned(),
                    |kb| format!("{:.1} MB", kb as f64 / 1024.0),
                ),
                met: memory
                    .peak_rss_kb
                    .is_some_and(|kb| kb < REMEMBERED_RSS_BUDGET_KB),
            });
        }
        let failures: u64 = self
            .signers
            .iter()
            .flat_map(|series| series.runs.iter())
            .map(|run| run.run.non_2xx + run.run.socket_errors)
            .sum::<u64>()
            + self.memory.as_ref().map_or(0, |memory| memory.failures);
        // A page-only run (`cargo xtask bench page`) measured no signer.
        if !self.signers.is_empty() {
            budgets.push(Budget {
                name: "signer non-2xx answers and socket errors, every run",
                target: "0".into(),
                measured: failures.to_string(),
                met: failures == 0,
            });
        }
        // A signer-only run (`cargo xtask bench signer`) measured no page.
        if self.sizes.files.is_empty() {
            return budgets;
        }
        let total = self.sizes.total().brotli;
        budgets.push(Budget {
            name: "page first load, brotli, all files",
            target: format!("< {}", bytes(FIRST_LOAD_BUDGET_BYTES)),
            measured: bytes(total),
            met: total < FIRST_LOAD_BUDGET_BYTES,
        });
        if let Some(page) = self.page.first() {
            budgets.push(Budget {
                name: "form interactive, median (navigation start to stopover:form-ready)",
                target: format!("<= {FORM_READY_BUDGET_MS:.0} ms"),
                measured: format!("{:.1} ms ({})", page.ready_ms.median, page.form),
                met: page.ready_ms.median <= FORM_READY_BUDGET_MS,
            });
        }
        budgets
    }

    /// The console table and the body of `BENCHMARKS.md`.
    pub fn markdown(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "# Stopover benchmarks\n");
        let _ = writeln!(
            out,
            "Written by `cargo xtask bench`; rerun it to refresh every figure. The method is at \
             the end.\n"
        );
        for line in &self.environment {
            let _ = writeln!(out, "- {line}");
        }

        let _ = writeln!(out, "\n## Budgets\n");
        let _ = writeln!(
            out,
            "| budget | target | measured | verdict |\n| --- | --- | --- | --- |"
        );
        for budget in self.budgets() {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} |",
                budget.name,
                budget.target,
                budget.measured,
                if budget.met { "met" } else { "**missed**" }
            );
            let (series, what) = match budget.name {
                P99_BUDGET_NAME => (self.checks_floor.as_ref(), ""),
                REDIS_BUDGET_NAME => (
                    self.checks_floor_redis.as_ref(),
                    " and records its token in Redis",
                ),
                _ => continue,
            };
            if let Some(ceiling) = self.ceiling(series) {
                let _ = writeln!(
                    out,
                    "| the share of the floor and the p99 of a floor that spends the checks' CPU \
                     (criterion's verify + validate + mint) on each request{what}: what no \
                     signer can beat on this machine | no budget: reported | {:.1} % ({:.0} / \
                     {:.0} req/s), p99 {} | - |",
                    ceiling.share * 100.0,
                    ceiling.run.requests_per_second(),
                    ceiling.floor.requests_per_second(),
                    micros(ceiling.run.p99_us)
                );
            }
        }
        if let Some(phone) = &self.slow_phone {
            let _ = writeln!(
                out,
                "| same, on a slow phone (150 ms latency, 1.6 Mbps down, 4x CPU slowdown) | \
                 no budget: reported | {:.1} ms ({}) | - |",
                phone.ready_ms.median, phone.form
            );
        }

        if !self.signers.is_empty() {
            self.signer_markdown(&mut out);
        }
        self.page_markdown(&mut out);
        out.push_str(&self.where_it_goes());
        if let Some(notes) = &self.notes {
            let _ = writeln!(out, "\n## Notes from profiling\n\n{}", notes.trim());
        }
        out.push_str(METHOD);
        out
    }

    /// The signer's tables: wrk, then criterion.
    fn signer_markdown(&self, out: &mut String) {
        let _ = writeln!(
            out,
            "\n## Signer, HTTP: `POST /api/continue` under wrk ({} s per run)\n",
            self.wrk_seconds
        );
        let _ = writeln!(
            out,
            "| server | connections | requests/s | share of floor | CPU per request | p50 | p99 | non-2xx | socket errors | peak RSS |\n\
             | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
        );
        for series in std::iter::once(&self.floor)
            .chain(&self.checks_floor)
            .chain(&self.checks_floor_redis)
            .chain(&self.signers)
        {
            for series_run in &series.runs {
                let (connections, run) = (series_run.connections, &series_run.run);
                let share = match self.compared(series_run) {
                    Some(compared) if series_run.floor_beside.is_some() => format!(
                        "{:.1} % (of {:.0} beside it)",
                        compared.share * 100.0,
                        compared.floor.requests_per_second()
                    ),
                    Some(compared) => format!("{:.1} %", compared.share * 100.0),
                    None => "-".to_owned(),
                };
                let _ = writeln!(
                    out,
                    "| {} | {} | {:.0} | {} | {} | {} | {} | {} | {} | {} |",
                    series.name,
                    connections,
                    run.requests_per_second(),
                    share,
                    cpu_per_request(run),
                    micros(run.p50_us),
                    micros(run.p99_us),
                    run.non_2xx,
                    run.socket_errors,
                    series.peak_rss_kb.map_or_else(
                        || "-".to_owned(),
                        |kb| format!("{:.1} MB", kb as f64 / 1024.0)
                    ),
                );
            }
        }

        let _ = writeln!(
            out,
            "\n## Signer, in process (criterion, median per call)\n"
        );
        if self.steps.is_empty() {
            let _ = writeln!(
                out,
                "No criterion results were found (run `cargo bench -p stopover-signer`)."
            );
        } else {
            let _ = writeln!(out, "| step | median |\n| --- | ---: |");
            for step in &self.steps {
                let _ = writeln!(out, "| {} | {} |", step.name, nanos(step.median_ns));
            }
            let total: f64 = self.steps.iter().map(|step| step.median_ns).sum();
            let _ = writeln!(
                out,
                "| **verify + validate + mint** | **{}** |",
                nanos(total)
            );
        }
    }

    /// The page's tables: bytes, then load times.
    fn page_markdown(&self, out: &mut String) {
        let _ = writeln!(
            out,
            "\n## Page: first-load bytes of the release build (`dist/`)\n"
        );
        out.push_str(&self.sizes.markdown());
        if !self.wasm_sections.is_empty() {
            let _ = writeln!(out, "\nThe wasm module by section (raw bytes):\n");
            let _ = writeln!(out, "| section | bytes |\n| --- | ---: |");
            for (name, size) in &self.wasm_sections {
                let _ = writeln!(out, "| {name} | {} |", bytes(*size));
            }
        }

        if !self.code_by_crate.is_empty() {
            let total: u64 = self.code_by_crate.iter().map(|(_, size)| size).sum();
            let _ = writeln!(
                out,
                "\nWhere the code comes from: share of code bytes by crate, read from the \
                 function names of the module before wasm-bindgen and wasm-opt (which shrink \
                 it; the shares are a guide to the optimised `code` section above):\n"
            );
            let _ = writeln!(out, "| crate | share of code |\n| --- | ---: |");
            for (name, size) in self.code_by_crate.iter().take(CRATES_SHOWN) {
                #[allow(clippy::cast_precision_loss)]
                let share = *size as f64 * 100.0 / total.max(1) as f64;
                let _ = writeln!(out, "| {name} | {share:.1} % |");
            }
        }

        let _ = writeln!(
            out,
            "\n## Page: navigation start to interactive form (headless Chromium, first loads)\n"
        );
        let _ = writeln!(
            out,
            "| form | fields | loads | median | p25-p75 | min-max | wasm downloaded at | module started at | definition received at | JS heap |\n\
             | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
        );
        for series in self.page.iter().chain(&self.slow_phone) {
            let ready = &series.ready_ms;
            let _ = writeln!(
                out,
                "| {} | {} | {} | {:.1} ms | {:.1}-{:.1} ms | {:.1}-{:.1} ms | {} | {} | {} | {} |",
                series.form,
                series.fields,
                ready.count,
                ready.median,
                ready.p25,
                ready.p75,
                ready.min,
                ready.max,
                milliseconds(series.wasm_loaded_ms),
                milliseconds(series.started_ms),
                milliseconds(series.definition_loaded_ms),
                megabytes(series.heap_bytes.median),
            );
        }
        let _ = writeln!(
            out,
            "\nThe last four columns are medians too: when the wasm module had arrived, when it \
             started (the page's `stopover:started` mark: compiled, instantiated, `main` \
             entered), when the form definition (`GET /api/forms/{{id}}`, requested by \
             `index.html`'s start-up script while the module downloads) had arrived, and \
             `usedJSHeapSize` at the mark. The \
             slow-phone row is the demo's form under DevTools emulation: 150 ms added latency, \
             1.6 Mbps down, 750 kbps up, 4x CPU slowdown."
        );
    }
}

impl Report {
    /// For each missed budget, where the time or the bytes go, computed from the figures.
    fn where_it_goes(&self) -> String {
        let mut out = String::from("\n## Where the time and the bytes go\n\n");
        if let Some(Compared {
            run: signer, floor, ..
        }) = self
            .signers
            .first()
            .and_then(|series| self.budget_run(series))
        {
            let per_request = |run: &WrkRun| 1_000_000.0 / run.requests_per_second().max(1.0);
            let (signer_us, floor_us) = (per_request(signer), per_request(floor));
            let steps_us: f64 = self.steps.iter().map(|step| step.median_ns).sum::<f64>() / 1000.0;
            let extra = signer_us - floor_us;
            let _ = writeln!(
                out,
                "- **Signer throughput.** At {BUDGET_CONNECTIONS} connections the machine spends \
                 {signer_us:.1} µs per signer request against {floor_us:.1} µs per floor request \
                 (the inverse of requests/s, load generator included): {extra:.1} µs more. \
                 Verification, validation and minting take {steps_us:.1} µs of it in process \
                 (criterion); the other {:.1} µs are what the floor does not do either: the \
                 replay-store check, the signer's edge (one middleware: panic catching, the \
                 origin guard, CORS, the rate limiter, the timeouts, metrics) and its one \
                 `info` access line per request.",
                (extra - steps_us).max(0.0)
            );
            if let (Some((signer_cpu, _)), Some((floor_cpu, _))) =
                (signer.cpu_us_per_request(), floor.cpu_us_per_request())
            {
                let _ = writeln!(
                    out,
                    "  Counted in the servers' own CPU time instead: {signer_cpu:.1} µs per \
                     signer request against {floor_cpu:.1} µs per floor request, {:.1} µs more.",
                    signer_cpu - floor_cpu
                );
            }
        }
        if let Some(ceiling) = self.ceiling(self.checks_floor.as_ref()) {
            let _ = writeln!(
                out,
                "- **The ceiling on this machine.** The floor spending only the checks' CPU on \
                 each request (a loop of arithmetic as long as criterion's verify + validate + \
                 mint: no allocation, no cache misses, no replay store, no edge, no log) did \
                 {:.1} % of the floor run beside it. A signer does that work and more, so on \
                 this machine, with the load generator on the same cores, it cannot reach more; \
                 the throughput budget ({:.0} %) is {}.",
                ceiling.share * 100.0,
                THROUGHPUT_BUDGET * 100.0,
                above_or_below(ceiling.share, THROUGHPUT_BUDGET)
            );
        }
        if let Some(ceiling) = self.ceiling(self.checks_floor_redis.as_ref()) {
            let _ = writeln!(
                out,
                "- **The ceiling of the Redis series.** The floor spending the checks' CPU \
                 and recording each token in Redis (`SET ... NX EXAT`, through the signer's own \
                 store) did {:.1} % of the floor beside it; the Redis budget ({:.0} %) is {}.",
                ceiling.share * 100.0,
                REDIS_THROUGHPUT_BUDGET * 100.0,
                above_or_below(ceiling.share, REDIS_THROUGHPUT_BUDGET)
            );
        }
        let total = self.sizes.total();
        if let Some(largest) = self.sizes.files.first() {
            #[allow(clippy::cast_precision_loss)]
            let share = largest.brotli as f64 * 100.0 / total.brotli.max(1) as f64;
            let code = self
                .wasm_sections
                .iter()
                .find(|(name, _)| name == "code")
                .map_or(0, |(_, size)| *size);
            let data = self
                .wasm_sections
                .iter()
                .find(|(name, _)| name == "data")
                .map_or(0, |(_, size)| *size);
            let crates: Vec<String> = self
                .code_by_crate
                .iter()
                .take(6)
                .map(|(name, _)| name.clone())
                .collect();
            let _ = writeln!(
                out,
                "- **Page bytes.** `{}` is {share:.1} % of the brotli first load ({} of {}). \
                 Its code section is {} raw and its data section (strings, tables) {}; the \
                 crates with the most code are, in order: {}.",
                largest.name,
                bytes(largest.brotli),
                bytes(total.brotli),
                bytes(code),
                bytes(data),
                if crates.is_empty() {
                    "(no names available)".to_owned()
                } else {
                    crates.join(", ")
                }
            );
        }
        if let Some(page) = self.page.first() {
            let wasm = page.wasm_loaded_ms.unwrap_or(0.0);
            let started = page.started_ms.unwrap_or(wasm);
            let definition = page.definition_loaded_ms.unwrap_or(started);
            let both = started.max(definition);
            let _ = writeln!(
                out,
                "- **Page time** ({}, medians): {wasm:.1} ms until the wasm module has \
                 downloaded (HTML, loader script, module), {:.1} ms more until it has started \
                 (compiling what streaming compilation left, instantiating, entering `main`); \
                 the form definition had arrived at {definition:.1} ms; from the later of the \
                 two, {:.1} ms to read `stopover.json` and the definition, render the form \
                 and mark it ready.",
                page.form,
                (started - wasm).max(0.0),
                (page.ready_ms.median - both).max(0.0),
            );
        }
        out
    }
}

/// Where `budget` is against `ceiling`, for a sentence about the budget.
fn above_or_below(ceiling: f64, budget: f64) -> &'static str {
    if ceiling > budget {
        "below it"
    } else {
        "at or above it"
    }
}

/// The signer's requests/s as a share of the floor's.
pub fn ratio(signer: &WrkRun, floor: &WrkRun) -> f64 {
    let floor = floor.requests_per_second();
    if floor == 0.0 {
        return 0.0;
    }
    signer.requests_per_second() / floor
}

/// The server's CPU time per request (`+ ... Redis` for the Redis server's), or `-`.
pub fn cpu_per_request(run: &WrkRun) -> String {
    match run.cpu_us_per_request() {
        None => "-".to_owned(),
        Some((server, None)) => format!("{server:.1} µs"),
        Some((server, Some(redis))) => format!("{server:.1} µs + {redis:.1} µs Redis"),
    }
}

fn micros(us: u64) -> String {
    if us >= 1000 {
        #[allow(clippy::cast_precision_loss)]
        let ms = us as f64 / 1000.0;
        format!("{ms:.2} ms")
    } else {
        format!("{us} µs")
    }
}

fn nanos(ns: f64) -> String {
    if ns >= 1000.0 {
        format!("{:.2} µs", ns / 1000.0)
    } else {
        format!("{ns:.0} ns")
    }
}

fn milliseconds(value: Option<f64>) -> String {
    value.map_or_else(|| "-".to_owned(), |ms| format!("{ms:.1} ms"))
}

fn megabytes(value: f64) -> String {
    if value < 0.0 {
        return "n/a".into();
    }
    format!("{:.2} MB", value / 1_048_576.0)
}

const METHOD: &str = "
## Method

- **Builds.** The signer and the floor are release builds (`cargo build --release`: fat LTO,
  one codegen unit); the page is `trunk build --release --offline` (the `page` Cargo profile:
  `opt-level = \"z\"`, fat LTO, `wasm-opt -Oz`).
- **Load generator.** wrk on loopback, `--threads 1` for one connection and `--threads 2`
  otherwise, with `crates/bench/lua/continue.lua`: each request posts a body taken from a file
  generated just before the run, with a fresh 43-character `state` and a freshly minted
  HS256 session token (Auth0's claims plus `form`, `prefill`, `locale`, 900 s lifetime) and
  valid answers to the demo's `profile` form. No body is sent twice (the script counts reuse,
  which would show as 409s). Each server runs three times at 32 connections and once at each
  other count. At 32 connections each signer run follows a floor run of its own (the floor
  stays up through the signers' series) and its share is of that run's requests/s, so both
  saw the machine in the same state; the budgets read the signer run with the median share
  of its three (its p99 too). p50 and p99 are wrk's latency percentiles. CPU per request is
  the server process's user and system time during the run (`/proc/PID/stat`, all threads)
  divided by the requests it answered, and in the Redis series the same for `redis-server`:
  what a request costs the server whatever share of the two cores wrk took, so it varies less
  from run to run than requests/s.
- **Signer under load.** `config/demo.toml` with the bench secret, the API only (no
  `static_dir`), the per-client rate limit lifted (wrk is one client IP) and room for every
  token in the in-memory replay store; its default `info` log goes to a pipe the bench reads
  and discards (as a container runtime or systemd reads a service's output). The
  Redis series uses a fresh `redis-server` on a free loopback port (no persistence). Every
  request verifies the token, validates the answers, records the single use and mints. Peak
  RSS is the signer's `VmHWM` after its four runs (it includes the remembered tokens, several
  hundred thousand of them). The memory budget is read from a fresh signer (in-memory store)
  to which 100,000 distinct bodies were each posted once at 32 connections (`continue.lua`
  with `once`): its `VmHWM` then includes 100,000 remembered tokens.
- **Floor.** `crates/bench` `stopover-floor`: the same axum and tokio, one route that parses
  the same JSON into the same request type and answers a JSON body of exactly the signer's
  length (the continue token replaced by as many filler bytes), with no crypto and no checks.
  Each server gets a 2 s warm-up before its runs; the floor runs its own series first, then
  once beside each run at 32 connections of the signers and of the floor with the checks'
  CPU (below), in the same bench run.
- **Floor + the checks' CPU.** A second floor (`stopover-floor --busy-ns`) that, before
  reading each request, spends as much CPU as criterion's verify + validate + mint median
  (a loop of arithmetic calibrated at its start, touching no memory), run three times at 32
  connections, each beside a floor run. It does the least any signer must, so its share is
  the most a signer can reach on the machine; where wrk shares the server's cores, each
  microsecond of server CPU also costs wrk and the kernel time, and that share falls fast.
  The Redis series has one too: the same floor, recording each request's token in the
  bench's Redis through the signer's own store (`SET ... NX EXAT`), its runs beside floor
  runs as well, with the Redis server's CPU counted.
- **In process.** criterion (`crates/signer/benches/signer.rs`): session-token verification,
  answer validation and continue-token minting on the demo's `profile` form, each alone.
- **Page bytes.** Every file in `dist/` the browser fetches on first load (host configuration
  such as `_headers` and precompressed siblings are left out), compressed with `gzip -9` and
  `brotli -q 11`, as a CDN would serve them; kB are 1,000 bytes.
- **Page time.** The release signer serves `dist/`; headless Chromium (Debian's, through
  ChromeDriver) with the HTTP cache disabled through DevTools, so every load is a first load
  (the wasm is downloaded and compiled each time; the table's transfer check proves it). Each
  load starts from `about:blank` and opens the page with a fresh `state` and a freshly minted
  session token, then waits for the page's `stopover:form-ready` performance mark, set when
  the form is rendered and interactive; the time is the mark's `startTime` (navigation start =
  0). The JS heap is `performance.memory.usedJSHeapSize` at that moment (precise memory info
  on; wasm linear memory is not part of it). The 5-, 20- and 50-field forms are generated into
  the bench configuration, cycling through text, e-mail, phone, select, date, number, checkbox
  and text area fields labelled in three languages.
- **Budgets** are read from these figures, never asserted by timed tests.
";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sizes::FileSize;

    fn run(requests: u64, non_2xx: u64) -> WrkRun {
        WrkRun {
            requests,
            duration_us: 1_000_000,
            non_2xx,
            socket_errors: 0,
            p50_us: 900,
            p99_us: 1500,
            wrapped: 0,
            server_cpu_us: Some(requests * 50),
            redis_cpu_us: None,
        }
    }

    fn spread(value: f64) -> Spread {
        Spread::of(&[value]).unwrap()
    }

    fn report(signer_rps: u64, brotli: u64, ready_ms: f64) -> Report {
        Report {
            environment: vec!["2 cores".into()],
            wrk_seconds: 5,
            floor: ServerSeries {
                name: "floor".into(),
                runs: vec![SeriesRun::new(32, run(10_000, 0))],
                peak_rss_kb: Some(10_240),
            },
            signers: vec![ServerSeries {
                name: "signer, memory".into(),
                runs: vec![
                    SeriesRun::new(1, run(1_000, 0)),
                    SeriesRun::new(32, run(signer_rps, 0)),
                ],
                peak_rss_kb: Some(20_480),
            }],
            checks_floor: None,
            checks_floor_redis: None,
            memory: None,
            sizes: SizeTable::new(vec![FileSize {
                name: "page_bg.wasm".into(),
                raw: brotli * 3,
                gzip: brotli + 10,
                brotli,
            }]),
            wasm_sections: vec![("code".into(), 1000)],
            code_by_crate: vec![("tachys".into(), 300), ("core".into(), 100)],
            page: vec![PageSeries {
                form: "profile".into(),
                fields: 8,
                ready_ms: spread(ready_ms),
                heap_bytes: spread(2_097_152.0),
                controls: 6,
                wasm_loaded_ms: Some(20.0),
                started_ms: Some(40.0),
                definition_loaded_ms: Some(70.0),
            }],
            slow_phone: None,
            notes: Some("Allocation is the largest cost.\n".into()),
            steps: vec![StepFigure {
                name: "verify".into(),
                median_ns: 2500.0,
            }],
        }
    }

    fn verdicts(report: &Report) -> Vec<bool> {
        report.budgets().iter().map(|budget| budget.met).collect()
    }

    #[test]
    fn budgets_are_met_when_every_figure_is_inside_its_target() {
        assert_eq!(
            verdicts(&report(8_000, 90_000, 80.0)),
            [true, true, true, true, true]
        );
    }

    #[test]
    fn each_budget_is_missed_on_its_own_figure() {
        assert_eq!(
            verdicts(&report(7_000, 90_000, 80.0)),
            [false, true, true, true, true]
        );
        assert_eq!(
            verdicts(&report(8_000, 100_000, 80.0)),
            [true, true, true, false, true]
        );
        assert_eq!(
            verdicts(&report(8_000, 90_000, 100.5)),
            [true, true, true, true, false]
        );
        let mut slow = report(8_000, 90_000, 80.0);
        slow.signers[0].runs[1].run.p99_us = 2_000;
        assert_eq!(verdicts(&slow), [true, false, true, true, true]);
        let mut heavy = report(8_000, 90_000, 80.0);
        heavy.memory = Some(MemoryFigure {
            tokens: 100_000,
            requests: 100_010,
            failures: 0,
            peak_rss_kb: Some(30 * 1024),
        });
        assert_eq!(verdicts(&heavy), [true, true, false, true, true, true]);
    }

    #[test]
    fn the_floor_reads_the_median_of_its_runs_at_a_connection_count() {
        let series = ServerSeries {
            name: "floor".into(),
            runs: vec![
                SeriesRun::new(8, run(9_000, 0)),
                SeriesRun::new(32, run(7_000, 0)),
                SeriesRun::new(32, run(5_000, 0)),
                SeriesRun::new(32, run(6_000, 0)),
            ],
            peak_rss_kb: None,
        };
        assert_eq!(series.at(32).map(|run| run.requests), Some(6_000));
        assert_eq!(series.at(8).map(|run| run.requests), Some(9_000));
        assert_eq!(series.at(1), None);
        assert_eq!(repeats_at(BUDGET_CONNECTIONS), 3);
        assert_eq!(repeats_at(8), 1);
    }

    #[test]
    fn a_signer_run_is_compared_with_the_floor_run_beside_it_and_the_budget_reads_the_median_share()
    {
        let beside = |signer: u64, floor: u64| SeriesRun {
            connections: 32,
            run: run(signer, 0),
            floor_beside: Some(run(floor, 0)),
        };
        let mut report = report(8_000, 90_000, 80.0);
        // Shares 80 %, 60 % and 70 %: the most requests/s (9,000) is not the median share.
        report.signers[0].runs = vec![
            beside(8_000, 10_000),
            beside(9_000, 15_000),
            beside(6_300, 9_000),
        ];
        let budget = report.budget_run(&report.signers[0]).unwrap();
        assert_eq!(budget.run.requests, 6_300);
        assert_eq!(budget.floor.requests, 9_000);
        assert!((budget.share - 0.7).abs() < 1e-9);
        assert!(!verdicts(&report)[0]);
        assert!(report.budgets()[0]
            .measured
            .starts_with("70.0 % (6300 / 9000 req/s)"));
        assert!(report
            .markdown()
            .contains("| signer, memory | 32 | 8000 | 80.0 % (of 10000 beside it) |"));
        // An unpaired run is compared with the floor's median run at its count.
        report.signers[0].runs = vec![SeriesRun::new(32, run(7_500, 0))];
        assert_eq!(report.budget_run(&report.signers[0]).unwrap().share, 0.75);
    }

    #[test]
    fn a_signer_run_with_a_non_2xx_answer_misses_the_zero_errors_budget() {
        let mut report = report(8_000, 90_000, 80.0);
        report.signers[0].runs[0].run.non_2xx = 2;
        let budgets = report.budgets();
        assert!(!budgets[2].met);
        assert_eq!(budgets[2].measured, "2");
    }

    #[test]
    fn the_markdown_shows_the_share_of_the_floor_and_the_verdicts() {
        let mut report = report(7_000, 90_000, 80.0);
        report.signers[0].runs[0].run.redis_cpu_us = Some(1_000 * 8);
        let markdown = report.markdown();
        assert!(
            markdown.contains(
                "| signer, memory | 32 | 7000 | 70.0 % | 50.0 µs | 900 µs | 1.50 ms | 0 | 0 | 20.0 MB |"
            ),
            "{markdown}"
        );
        assert!(
            markdown.contains("| signer, memory | 1 | 1000 | - | 50.0 µs + 8.0 µs Redis |"),
            "{markdown}"
        );
        assert!(markdown.contains("| **missed** |"));
        assert!(markdown.contains("| profile | 8 | 1 | 80.0 ms |"));
        assert!(markdown.contains("## Method"));
        assert!(markdown.contains("## Notes from profiling\n\nAllocation is the largest cost.\n"));
        assert!(markdown.contains("| tachys | 75.0 % |"), "{markdown}");
        assert!(markdown.contains("| profile | 8 | 1 | 80.0 ms | 80.0-80.0 ms | 80.0-80.0 ms | 20.0 ms | 40.0 ms | 70.0 ms | 2.00 MB |"), "{markdown}");
    }

    #[test]
    fn the_signers_extra_time_per_request_is_split_into_steps_and_the_rest() {
        // Floor 10,000 req/s = 100 µs a request; signer 8,000 req/s = 125 µs; steps 2.5 µs.
        let mut report = report(8_000, 90_000, 80.0);
        report.signers[0].runs[1].run.server_cpu_us = Some(8_000 * 70);
        let markdown = report.markdown();
        assert!(
            markdown.contains(
                "70.0 µs per signer request against 50.0 µs per floor request, 20.0 µs more"
            ),
            "{markdown}"
        );
        assert!(
            markdown.contains("125.0 µs per signer request against 100.0 µs per floor request"),
            "{markdown}"
        );
        assert!(markdown.contains("25.0 µs more"));
        assert!(markdown.contains("take 2.5 µs of it"));
        assert!(markdown.contains("the other 22.5 µs"));
        assert!(markdown.contains("20.0 ms until the wasm module has downloaded"));
        assert!(markdown.contains("20.0 ms more until it has started"));
        assert!(markdown.contains("had arrived at 70.0 ms; from the later of the two, 10.0 ms"));
    }

    #[test]
    fn the_floor_with_the_checks_cpu_is_reported_as_the_ceiling_beside_the_budget() {
        let mut report = report(7_000, 90_000, 80.0);
        assert!(!report.markdown().contains("The ceiling on this machine"));
        let budgets = report.budgets();
        let beside = |rps: u64, floor_rps: u64| SeriesRun {
            connections: 32,
            run: run(rps, 0),
            floor_beside: Some(run(floor_rps, 0)),
        };
        report.checks_floor = Some(ServerSeries {
            name: "floor + the checks' CPU (2.50 µs a request)".into(),
            // Shares 0.70, 0.80, 0.72: the median run is the third.
            runs: vec![
                beside(7_000, 10_000),
                beside(8_000, 10_000),
                beside(7_200, 10_000),
            ],
            peak_rss_kb: Some(8_192),
        });
        let markdown = report.markdown();
        // Right below the p99 budget, which it is read with.
        assert!(
            markdown.contains("| signer p99 latency (32 connections, in-memory store) | < 2.00 ms | 1.50 ms | met |\n\
                 | the share of the floor and the p99 of a floor that spends the checks' CPU (criterion's verify + validate + mint) on each request: what no signer can beat on this machine | no budget: reported | 72.0 % (7200 / 10000 req/s), p99 1.50 ms | - |\n"),
            "{markdown}"
        );
        assert!(
            markdown.contains(
                "| floor + the checks' CPU (2.50 µs a request) | 32 | 8000 | 80.0 % (of 10000 beside it) |"
            ),
            "{markdown}"
        );
        assert!(
            markdown.contains("did 72.0 % of the floor run beside it"),
            "{markdown}"
        );
        assert!(markdown.contains("the throughput budget (75 %) is at or above it."));
        // The ceiling is no budget: the verdicts are the signer's alone.
        assert_eq!(report.budgets(), budgets);
    }

    #[test]
    fn the_floor_with_the_checks_cpu_and_redis_is_reported_below_the_redis_budget() {
        let mut report = report(7_000, 90_000, 80.0);
        report.signers.push(ServerSeries {
            name: "signer, Redis".into(),
            runs: vec![SeriesRun::new(32, run(4_000, 0))],
            peak_rss_kb: None,
        });
        report.checks_floor_redis = Some(ServerSeries {
            name: "floor + the checks' CPU (2.50 µs a request) + Redis store".into(),
            runs: vec![SeriesRun {
                connections: 32,
                run: run(5_500, 0),
                floor_beside: Some(run(10_000, 0)),
            }],
            peak_rss_kb: None,
        });
        let markdown = report.markdown();
        assert!(
            markdown.contains("| signer throughput vs floor (32 connections, Redis store) | >= 50 % | 40.0 % (4000 / 10000 req/s) | **missed** |\n\
                 | the share of the floor and the p99 of a floor that spends the checks' CPU (criterion's verify + validate + mint) on each request and records its token in Redis: what no signer can beat on this machine | no budget: reported | 55.0 % (5500 / 10000 req/s), p99 1.50 ms | - |\n"),
            "{markdown}"
        );
        assert!(
            markdown.contains("| floor + the checks' CPU (2.50 µs a request) + Redis store | 32 | 5500 | 55.0 % (of 10000 beside it) |"),
            "{markdown}"
        );
        assert!(
            markdown.contains(
                "did 55.0 % of the floor beside it; the Redis budget (50 %) is below it."
            ),
            "{markdown}"
        );
    }
}
