//! The `stopover-signer` binary: `check-config` and `gen-secret`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Command;

const BINARY: &str = env!("CARGO_BIN_EXE_stopover-signer");

fn demo_config() -> String {
    format!("{}/../../config/demo.toml", env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn check_config_prints_a_summary_for_a_good_config() {
    let output = Command::new(BINARY)
        .args(["check-config", "--config", &demo_config()])
        .env(
            "STOPOVER_DEMO_SECRET",
            "a-demo-secret-of-more-than-32-bytes-0123456789",
        )
        .output()
        .unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(output.status.success(), "{stdout}");
    assert!(stdout.contains("configuration OK"));
    assert!(stdout.contains("tenant 127.0.0.1:8780"));
    assert!(
        stdout.contains("admin listen: 127.0.0.1:8782"),
        "the summary names the admin address: {stdout}"
    );
    assert!(
        !stdout.contains("a-demo-secret"),
        "the secret is never printed"
    );
}

#[test]
fn check_config_exits_1_with_the_exact_reason() {
    let output = Command::new(BINARY)
        .args(["check-config", "--config", &demo_config()])
        .env("STOPOVER_DEMO_SECRET", "short")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.contains("tenant `127.0.0.1:8780`: the secret is 5 bytes; at least 32 are required"),
        "{stderr}"
    );
}

#[test]
fn gen_secret_prints_a_fresh_secret_long_enough() {
    let run = || {
        String::from_utf8(
            Command::new(BINARY)
                .arg("gen-secret")
                .output()
                .unwrap()
                .stdout,
        )
        .unwrap()
    };
    let (first, second) = (run(), run());
    assert!(first.trim().len() >= 64, "{first}");
    assert_ne!(first, second);
}
