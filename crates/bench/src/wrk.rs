//! The load generator: wrk with a Lua script that posts a pre-generated body per request, and
//! the reading of the one summary line the script prints.

use std::path::Path;
use std::process::Command;

use crate::BenchError;

/// The wrk script (see `lua/continue.lua`).
pub const SCRIPT: &str = include_str!("../lua/continue.lua");
/// Appended to [`SCRIPT`] for [`run_once`]: a thread whose bodies are used up stops.
pub const STOP_WHEN_EXHAUSTED: &str = "
function response(status, headers, body)
  if exhausted then
    wrk.thread:stop()
  end
end
";
/// The prefix of the script's summary line.
const SUMMARY_PREFIX: &str = "STOPOVER-WRK ";

/// One wrk run, as the script's `done()` reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WrkRun {
    /// Completed requests.
    pub requests: u64,
    pub duration_us: u64,
    /// Responses with a status outside 2xx and 3xx (the signer never redirects).
    pub non_2xx: u64,
    /// Connect, read, write and timeout errors.
    pub socket_errors: u64,
    pub p50_us: u64,
    pub p99_us: u64,
    /// Times a load thread ran out of bodies and started its own again from the first (each
    /// request after that is a replay for the signer).
    pub wrapped: u64,
    /// CPU time (user + system) the server's process spent during the run, µs: not wrk's
    /// figure, the runner reads it from `/proc` before and after (`None` until then).
    pub server_cpu_us: Option<u64>,
    /// The same for the Redis server behind the signer, in the Redis series.
    pub redis_cpu_us: Option<u64>,
}

impl WrkRun {
    /// Reads the `STOPOVER-WRK key=value ...` line from wrk's output.
    pub fn parse(output: &str) -> Result<Self, BenchError> {
        let line = output
            .lines()
            .find_map(|line| line.trim().strip_prefix(SUMMARY_PREFIX))
            .ok_or_else(|| {
                BenchError::new("wrk printed no summary line (did the script fail to load?)")
            })?;
        let value = |key: &str| -> Result<u64, BenchError> {
            line.split_whitespace()
                .find_map(|pair| pair.strip_prefix(key)?.strip_prefix('='))
                .ok_or_else(|| BenchError::new(format!("wrk's summary lacks `{key}`: {line}")))?
                .parse::<u64>()
                .map_err(|error| {
                    BenchError::new(format!("wrk's `{key}` is not a count ({error}): {line}"))
                })
        };
        Ok(Self {
            requests: value("requests")?,
            duration_us: value("duration_us")?,
            non_2xx: value("non2xx")?,
            socket_errors: value("socket_errors")?,
            p50_us: value("p50_us")?,
            p99_us: value("p99_us")?,
            wrapped: value("wrapped")?,
            server_cpu_us: None,
            redis_cpu_us: None,
        })
    }

    /// Completed requests per second of the run.
    pub fn requests_per_second(&self) -> f64 {
        if self.duration_us == 0 {
            return 0.0;
        }
        #[allow(clippy::cast_precision_loss)]
        let rate = self.requests as f64 * 1_000_000.0 / self.duration_us as f64;
        rate
    }

    /// The server's CPU time per completed request, µs (with the Redis server's, when it was
    /// measured, as the second figure).
    pub fn cpu_us_per_request(&self) -> Option<(f64, Option<f64>)> {
        if self.requests == 0 {
            return None;
        }
        #[allow(clippy::cast_precision_loss)]
        let per_request = |us: u64| us as f64 / self.requests as f64;
        self.server_cpu_us
            .map(|us| (per_request(us), self.redis_cpu_us.map(per_request)))
    }
}

/// wrk threads for `connections`: two (one per core) unless there is a single connection.
pub fn threads_for(connections: u32) -> u32 {
    connections.clamp(1, 2)
}

/// Runs wrk for `seconds` with `connections` against `base_url`, posting the bodies in
/// `bodies`.
pub fn run(
    base_url: &str,
    connections: u32,
    seconds: u32,
    script: &Path,
    bodies: &Path,
) -> Result<WrkRun, BenchError> {
    run_with(base_url, connections, seconds, script, bodies, false)
}

/// Posts every body in `bodies` exactly once with `connections` against `base_url` (at most
/// `seconds`); `script` is [`SCRIPT`] followed by [`STOP_WHEN_EXHAUSTED`].
pub fn run_once(
    base_url: &str,
    connections: u32,
    seconds: u32,
    script: &Path,
    bodies: &Path,
) -> Result<WrkRun, BenchError> {
    run_with(base_url, connections, seconds, script, bodies, true)
}

fn run_with(
    base_url: &str,
    connections: u32,
    seconds: u32,
    script: &Path,
    bodies: &Path,
    once: bool,
) -> Result<WrkRun, BenchError> {
    let threads = threads_for(connections);
    let mut command = Command::new("wrk");
    command
        .arg(format!("--threads={threads}"))
        .arg(format!("--connections={connections}"))
        .arg(format!("--duration={seconds}s"))
        .arg("--timeout=5s")
        .arg(format!("--script={}", script.display()))
        .arg(base_url)
        .arg("--")
        .arg(bodies)
        .arg(threads.to_string());
    if once {
        command.arg("once");
    }
    let output = command.output().map_err(|error| {
        BenchError::new(format!(
            "cannot run wrk (cargo xtask setup installs it): {error}"
        ))
    })?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() {
        return Err(BenchError::new(format!(
            "wrk failed ({}): {}",
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        )));
    }
    WrkRun::parse(&stdout)
}

#[cfg(test)]
mod tests {
    use super::*;

    const OUTPUT: &str = "\
Running 5s test @ http://127.0.0.1:40123
  2 threads and 32 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     1.20ms  350.00us   9.00ms   80.00%
  60000 requests in 5.00s, 30.00MB read
Requests/sec:  12000.00
Transfer/sec:      6.00MB
STOPOVER-WRK requests=60000 duration_us=5000000 non2xx=3 socket_errors=1 p50_us=1150 p99_us=4200 wrapped=0
";

    #[test]
    fn the_scripts_summary_line_is_read_among_wrks_own_output() {
        let run = WrkRun::parse(OUTPUT).unwrap();
        assert_eq!(
            run,
            WrkRun {
                requests: 60_000,
                duration_us: 5_000_000,
                non_2xx: 3,
                socket_errors: 1,
                p50_us: 1150,
                p99_us: 4200,
                wrapped: 0,
                server_cpu_us: None,
                redis_cpu_us: None,
            }
        );
        assert_eq!(run.requests_per_second(), 12_000.0);
    }

    #[test]
    fn output_without_the_summary_line_is_an_error() {
        let error = WrkRun::parse("Running 5s test @ http://x\n").unwrap_err();
        assert!(error.to_string().contains("no summary line"));
    }

    #[test]
    fn a_summary_missing_a_figure_is_an_error_naming_it() {
        let error = WrkRun::parse("STOPOVER-WRK requests=1 duration_us=2").unwrap_err();
        assert!(error.to_string().contains("non2xx"), "{error}");
    }

    #[test]
    fn a_zero_length_run_has_no_rate() {
        let run = WrkRun::parse(
            "STOPOVER-WRK requests=0 duration_us=0 non2xx=0 socket_errors=0 p50_us=0 p99_us=0 wrapped=0",
        )
        .unwrap();
        assert_eq!(run.requests_per_second(), 0.0);
    }

    #[test]
    fn one_connection_gets_one_thread_and_more_get_two() {
        assert_eq!(threads_for(1), 1);
        assert_eq!(threads_for(8), 2);
        assert_eq!(threads_for(128), 2);
    }
}
