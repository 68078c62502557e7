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

#[test]
fn action_plan_prints_the_demo_tenants_plan_as_one_json_line() {
    let output = Command::new(BINARY)
        .args(["action-plan", "--config", &demo_config()])
        .env(
            "STOPOVER_DEMO_SECRET",
            "a-demo-secret-of-more-than-32-bytes-0123456789",
        )
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    assert!(
        !stdout.contains("a-demo-secret"),
        "the secret is never printed"
    );
    let plan: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(plan["plan"], 1);
    assert_eq!(plan["issuer"], "127.0.0.1:8780");
    let forms: Vec<(&str, &str)> = plan["forms"]
        .as_array()
        .unwrap()
        .iter()
        .map(|form| {
            (
                form["id"].as_str().unwrap(),
                form["version"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        forms,
        [("terms", "2026-11"), ("profile", "1"), ("onboarding", "1")]
    );
}

#[test]
fn action_plan_writes_the_file_it_is_given_and_refuses_an_unknown_issuer() {
    let out = std::env::temp_dir().join(format!("stopover-plan-{}.json", std::process::id()));
    let run = |issuer: &str| {
        Command::new(BINARY)
            .args([
                "action-plan",
                "--config",
                &demo_config(),
                "--issuer",
                issuer,
            ])
            .arg("--out")
            .arg(&out)
            .env(
                "STOPOVER_DEMO_SECRET",
                "a-demo-secret-of-more-than-32-bytes-0123456789",
            )
            .output()
            .unwrap()
    };
    let written = run("https://127.0.0.1:8780/");
    assert!(written.status.success(), "{written:?}");
    let plan: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(plan["token_parameter"], "session_token");
    std::fs::remove_file(&out).unwrap();

    let refused = run("tenant.eu.auth0.com");
    assert_eq!(refused.status.code(), Some(1));
    let stderr = String::from_utf8(refused.stderr).unwrap();
    assert!(
        stderr.contains(
            "no tenant has the issuer `tenant.eu.auth0.com`; the configured issuers are `127.0.0.1:8780`"
        ),
        "{stderr}"
    );
}
