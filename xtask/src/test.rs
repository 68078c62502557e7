//! `cargo xtask test`: every test layer, each of which must run at least one test and pass.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use crate::process::{cargo, execute, free_port, random_secret, run_captured, Service};
use crate::setup::Tools;

/// The issuer the demo configuration's tenant has; page tests mint tokens for it.
const DEMO_ISSUER: &str = "127.0.0.1:8780";

pub fn run() -> Result<(), String> {
    let tools = crate::setup::run()?;
    let root = crate::workspace_root();
    execute(cargo(&root).arg("fetch"))?;

    let mut layers = Vec::new();
    layers.push(Layer::from_outcome("native", native(&root)));
    layers.push(Layer::from_outcome("fuzz", fuzz(&root)));
    // The page is built once, as it ships; the page tests' signer and the end-to-end tests
    // both serve this build. The preview's end-to-end test serves the one with preview mode.
    let built = crate::demo::build_page(&tools, &root)
        .and_then(|()| crate::preview::build_page(&tools, &root));
    match built {
        Ok(()) => {
            layers.push(Layer::from_outcome("page", page(&tools, &root)));
            layers.push(Layer::from_outcome("end-to-end", end_to_end(&root)));
            layers.push(Layer::from_outcome(
                "auth0 action",
                auth0_action(&tools, &root),
            ));
        }
        Err(error) => layers.push(Layer::failed("page build", error)),
    }

    println!("\nxtask test: summary");
    let mut passed = 0;
    let mut failed = 0;
    let mut broken = Vec::new();
    for layer in &layers {
        println!("  {:<12} {}", layer.name, layer.verdict());
        passed += layer.passed;
        failed += layer.failed;
        if !layer.is_green() {
            broken.push(layer.name);
        }
    }
    println!("total: {passed} passed, {failed} failed");
    if broken.is_empty() {
        Ok(())
    } else {
        Err(format!("failing layers: {}", broken.join(", ")))
    }
}

/// Unit and integration tests of every native crate, and the shared protocol crate built for
/// the page's target (a rule that does not build for wasm32 cannot be shared).
fn native(root: &Path) -> Result<Counts, String> {
    execute(cargo(root).args([
        "build",
        "--package",
        "stopover-protocol",
        "--target",
        "wasm32-unknown-unknown",
    ]))?;
    // The page's plain logic (query parsing, language choice, messages) is tested natively
    // here too; its browser tests are the page layer. The end-to-end crate needs a built page.
    // With the page's preview mode, whose plain logic is tested here too.
    cargo_tests(cargo(root).args([
        "test",
        "--workspace",
        "--exclude",
        "stopover-e2e",
        "--features",
        "stopover-page/preview",
    ]))
}

/// The fuzz targets of `fuzz/` (see fuzz/README.md for longer runs).
const FUZZ_TARGETS: &[&str] = &["verify_token", "verify_signed_token", "validate_answers"];
/// How long each target fuzzes here: a smoke run that still finds shallow crashes.
const FUZZ_SECONDS_PER_TARGET: u32 = 12;
/// libFuzzer instrumentation without a sanitizer builds on stable Rust (the code under test
/// forbids `unsafe`, so a sanitizer adds little); more codegen units build faster.
const FUZZ_BUILD_FLAGS: &[&str] = &["--sanitizer", "none", "--codegen-units", "16"];
/// The longest input: above the signer's 8 KiB token limit, so the size check is reached.
const FUZZ_MAX_LEN: &str = "-max_len=9000";
/// What libFuzzer prints when an input crashed the target.
const FUZZ_CRASH_MARKERS: &[&str] = &[
    "Test unit written to",
    "ERROR: libFuzzer",
    "Failing input:",
    "panicked at",
];

/// Coverage-guided fuzzing of token verification and answer validation, each target briefly
/// from its committed seeds; a target counts as one passed test when its run ends without a
/// crash. New inputs go to a scratch corpus under fuzz/target, never into the seeds.
fn fuzz(root: &Path) -> Result<Counts, String> {
    execute(cargo(root).args(["fuzz", "build"]).args(FUZZ_BUILD_FLAGS))?;
    let mut counts = Counts::default();
    for target in FUZZ_TARGETS {
        let scratch = root.join("fuzz/target/corpus-work").join(target);
        std::fs::create_dir_all(&scratch)
            .map_err(|error| format!("cannot create {}: {error}", scratch.display()))?;
        let (output, success) = run_captured(
            cargo(root)
                .args(["fuzz", "run"])
                .args(FUZZ_BUILD_FLAGS)
                .arg(target)
                .arg(&scratch)
                .arg(root.join("fuzz/corpus").join(target))
                .arg("--")
                .arg(format!("-max_total_time={FUZZ_SECONDS_PER_TARGET}"))
                .args([FUZZ_MAX_LEN, "-verbosity=0", "-print_final_stats=1"]),
        )?;
        let outcome = fuzz_outcome(target, &output, success)?;
        println!("fuzz target {target}\n{}", outcome.libtest_line());
        counts.passed += outcome.passed;
        counts.failed += outcome.failed;
    }
    Ok(counts)
}

/// One fuzz run as a test: passed when it ended cleanly, failed when an input crashed the
/// target, an error when it never got to fuzzing (a build or usage problem).
fn fuzz_outcome(target: &str, output: &str, success: bool) -> Result<Counts, String> {
    if success {
        return Ok(Counts {
            passed: 1,
            failed: 0,
        });
    }
    if FUZZ_CRASH_MARKERS
        .iter()
        .any(|marker| output.contains(marker))
    {
        return Ok(Counts {
            passed: 0,
            failed: 1,
        });
    }
    Err(format!("cargo fuzz run {target} failed before fuzzing"))
}

/// The page's tests in headless Chromium, against a real signer on loopback (and a real
/// `stopover-signer preview` of the same configuration for preview mode).
fn page(tools: &Tools, root: &Path) -> Result<Counts, String> {
    let signer_binary = build_signer(root)?;
    let runner_port = free_port()?;
    let signer_port = free_port()?;
    let secret = random_secret()?;
    let signer_url = format!("http://127.0.0.1:{signer_port}");
    let mut signer = Service::start(
        "signer for the page tests",
        Command::new(&signer_binary)
            .current_dir(root)
            .args(["serve", "--config", "config/demo.toml"])
            .env("STOPOVER_DEMO_SECRET", &secret)
            .env("STOPOVER_LISTEN", format!("127.0.0.1:{signer_port}"))
            .env(
                "STOPOVER_ALLOWED_ORIGINS",
                format!("http://127.0.0.1:{runner_port}"),
            ),
    )?;
    signer.wait_for_port(signer_port, Duration::from_secs(30))?;
    // The preview of the same configuration, for the page's preview-mode tests.
    let preview_port = free_port()?;
    let mut preview = Service::start(
        "preview for the page tests",
        Command::new(&signer_binary)
            .current_dir(root)
            .args(["preview", "--config", "config/demo.toml"])
            .args(["--dist", crate::preview::PREVIEW_DIST])
            .args(["--listen", &format!("127.0.0.1:{preview_port}")])
            .args(["--allow-origin", &format!("http://127.0.0.1:{runner_port}")]),
    )?;
    preview.wait_for_port(preview_port, Duration::from_secs(30))?;
    cargo_tests(
        tools
            .command("wasm-pack")
            .current_dir(root)
            .args(["test", "--headless", "--chrome", "--mode", "no-install"])
            .args(["--", "--package", "stopover-page", "--features", "preview"])
            // The runner's default 20 s is for the whole binary; the tests that live through
            // time (expiry, Retry-After, the hand-off's fallback) wait for real seconds.
            .env("WASM_BINDGEN_TEST_TIMEOUT", "180")
            .env(
                "WASM_BINDGEN_TEST_ADDRESS",
                format!("127.0.0.1:{runner_port}"),
            )
            .env("STOPOVER_TEST_SIGNER_URL", &signer_url)
            .env(
                "STOPOVER_TEST_PREVIEW_URL",
                format!("http://127.0.0.1:{preview_port}"),
            )
            .env("STOPOVER_TEST_SECRET", &secret)
            .env("STOPOVER_TEST_ISSUER", DEMO_ISSUER),
    )
}

/// Page, signer and tenant simulator, all real, driven through Chromium; the static-host
/// tests run the signer binary's `page-policy` as an operator would.
fn end_to_end(root: &Path) -> Result<Counts, String> {
    let signer_binary = build_signer(root)?;
    cargo_tests(
        cargo(root)
            .args(["test", "--package", "stopover-e2e"])
            .env("STOPOVER_DIST_DIR", root.join("dist"))
            .env(
                "STOPOVER_PREVIEW_DIST_DIR",
                root.join(crate::preview::PREVIEW_DIST),
            )
            .env("STOPOVER_SIGNER_BIN", signer_binary),
    )
}

/// The example Auth0 Action under Node's own test runner, including the cross-language
/// vectors against the real signer binary.
fn auth0_action(tools: &Tools, root: &Path) -> Result<Counts, String> {
    let signer_binary = build_signer(root)?;
    let (output, success) = run_captured(
        tools
            .command("node")
            .current_dir(root.join("examples/auth0"))
            .arg("--test")
            .env("STOPOVER_SIGNER_BIN", signer_binary),
    )?;
    let counts = Counts::from_node_test_output(&output);
    if !success && counts.failed == 0 {
        return Err("node --test failed before any test failed".into());
    }
    Ok(counts)
}

/// The signer binary (debug build) that the page and Action tests talk to.
fn build_signer(root: &Path) -> Result<PathBuf, String> {
    execute(cargo(root).args(["build", "--package", "stopover-signer"]))?;
    Ok(root.join("target/debug/stopover-signer"))
}

/// Runs a libtest-style runner (cargo test, wasm-bindgen-test-runner) and adds up its
/// `test result:` lines.
fn cargo_tests(command: &mut Command) -> Result<Counts, String> {
    let (output, success) = run_captured(command)?;
    let counts = Counts::from_libtest_output(&output);
    if !success && counts.failed == 0 {
        return Err("the test command failed before any test failed (build error?)".into());
    }
    Ok(counts)
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct Counts {
    passed: usize,
    failed: usize,
}

impl Counts {
    /// A libtest-like summary line, so a fuzz run reads like the other layers' output.
    fn libtest_line(self) -> String {
        format!(
            "test result: {}. {} passed; {} failed",
            if self.failed == 0 { "ok" } else { "FAILED" },
            self.passed,
            self.failed
        )
    }

    /// Sums lines like `test result: ok. 12 passed; 0 failed; 1 ignored; ...`.
    fn from_libtest_output(output: &str) -> Self {
        let mut counts = Self::default();
        for line in output.lines() {
            let Some(rest) = line.trim().strip_prefix("test result: ") else {
                continue;
            };
            for part in rest.split(';') {
                let mut words = part.split_whitespace().rev();
                let (Some(label), Some(number)) = (words.next(), words.next()) else {
                    continue;
                };
                let Ok(number) = number.parse::<usize>() else {
                    continue;
                };
                match label {
                    "passed" => counts.passed += number,
                    "failed" => counts.failed += number,
                    _ => {}
                }
            }
        }
        counts
    }

    /// Reads the `# pass N` and `# fail N` lines of node's test runner summary.
    fn from_node_test_output(output: &str) -> Self {
        let mut counts = Self::default();
        for line in output.lines() {
            let mut words = line.split_whitespace();
            let (Some("#"), Some(label), Some(number)) = (words.next(), words.next(), words.next())
            else {
                continue;
            };
            let Ok(number) = number.parse::<usize>() else {
                continue;
            };
            match label {
                "pass" => counts.passed += number,
                "fail" => counts.failed += number,
                _ => {}
            }
        }
        counts
    }
}

#[derive(Debug)]
struct Layer {
    name: &'static str,
    passed: usize,
    failed: usize,
    error: Option<String>,
}

impl Layer {
    fn from_outcome(name: &'static str, outcome: Result<Counts, String>) -> Self {
        match outcome {
            Ok(counts) => Self {
                name,
                passed: counts.passed,
                failed: counts.failed,
                error: None,
            },
            Err(error) => Self::failed(name, error),
        }
    }

    fn failed(name: &'static str, error: String) -> Self {
        Self {
            name,
            passed: 0,
            failed: 0,
            error: Some(error),
        }
    }

    /// Green means: it ran, at least one test ran, and none failed.
    fn is_green(&self) -> bool {
        self.error.is_none() && self.failed == 0 && self.passed > 0
    }

    fn verdict(&self) -> String {
        match &self.error {
            Some(error) => format!("FAILED: {error}"),
            None if self.passed == 0 && self.failed == 0 => "FAILED: ran no test".into(),
            None => format!(
                "{} passed, {} failed{}",
                self.passed,
                self.failed,
                if self.failed > 0 { "  <- FAILED" } else { "" }
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn libtest_result_lines_are_summed_across_binaries() {
        let output = "\
running 3 tests
test result: ok. 3 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.01s
   Doc-tests x
test result: FAILED. 1 passed; 2 failed; 1 ignored; 0 measured; 0 filtered out
";
        assert_eq!(
            Counts::from_libtest_output(output),
            Counts {
                passed: 4,
                failed: 2
            }
        );
    }

    #[test]
    fn node_test_summary_is_read() {
        let output = "ok 1 - a\n1..16\n# tests 16\n# suites 0\n# pass 15\n# fail 1\n# skipped 0\n";
        assert_eq!(
            Counts::from_node_test_output(output),
            Counts {
                passed: 15,
                failed: 1
            }
        );
    }

    #[test]
    fn a_clean_fuzz_run_is_one_passed_test_and_reads_back_as_one() {
        let one_passed = Counts {
            passed: 1,
            failed: 0,
        };
        let output = "Done 1000 runs in 12 second(s)\n";
        assert_eq!(fuzz_outcome("t", output, true), Ok(one_passed));
        let line = one_passed.libtest_line();
        assert!(line.starts_with("test result: ok. 1 passed; 0 failed"));
        assert_eq!(Counts::from_libtest_output(&line), one_passed);
    }

    #[test]
    fn a_fuzz_crash_is_one_failed_test() {
        let one_failed = Counts {
            passed: 0,
            failed: 1,
        };
        let output = "thread '<unnamed>' panicked at src/lib.rs:9:5:\n==1== ERROR: libFuzzer: deadly signal\nTest unit written to fuzz/artifacts/t/crash-1\n";
        assert_eq!(fuzz_outcome("t", output, false), Ok(one_failed));
        let line = one_failed.libtest_line();
        assert!(line.starts_with("test result: FAILED. 0 passed; 1 failed"));
        assert_eq!(Counts::from_libtest_output(&line), one_failed);
    }

    #[test]
    fn a_fuzz_run_that_never_started_is_an_error_not_a_pass() {
        let output = "error: no such command: `fuzz`\n";
        assert!(fuzz_outcome("t", output, false).is_err());
    }

    #[test]
    fn a_layer_that_ran_no_test_is_not_green() {
        let layer = Layer::from_outcome("empty", Ok(Counts::default()));
        assert!(!layer.is_green());
        assert_eq!(layer.verdict(), "FAILED: ran no test");
    }

    #[test]
    fn a_layer_with_a_failure_is_not_green() {
        let layer = Layer::from_outcome(
            "native",
            Ok(Counts {
                passed: 9,
                failed: 1,
            }),
        );
        assert!(!layer.is_green());
    }
}
