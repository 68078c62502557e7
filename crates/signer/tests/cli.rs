//! The `stopover-signer` binary: `check-config`, `gen-secret`, `action-plan`, and `serve`'s log.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::TcpStream;
use std::process::{Command, Stdio};

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

/// `serve`'s log through a pipe, as a service manager reads it: every line but the access
/// lines at once, the access lines (written in batches) all there and in order when the signer
/// stops on `SIGTERM`.
#[test]
fn serve_writes_every_access_line_before_it_stops() {
    /// The signer, killed if the test fails before it stops it.
    struct Running(std::process::Child);
    impl Drop for Running {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let mut signer = Running(
        Command::new(BINARY)
            .args(["serve", "--config", &demo_config()])
            .env(
                "STOPOVER_DEMO_SECRET",
                "a-demo-secret-of-more-than-32-bytes-0123456789",
            )
            .env("STOPOVER_LISTEN", "127.0.0.1:0")
            .env("STOPOVER_ADMIN_LISTEN", "127.0.0.1:0")
            .env("STOPOVER_STATIC_DIR", "")
            .env_remove("RUST_LOG")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let mut log = BufReader::new(signer.0.stdout.take().unwrap());
    let mut line = String::new();
    while !line.contains("listening") {
        line.clear();
        assert_ne!(log.read_line(&mut line).unwrap(), 0, "no listening line");
    }
    let address = line
        .split(" address=")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .unwrap()
        .to_owned();
    for path in ["/healthz", "/api/nothing-here", "/healthz"] {
        let mut stream = TcpStream::connect(&address).unwrap();
        write!(
            stream,
            "GET {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).unwrap();
        assert!(response.starts_with("HTTP/1.1 "), "{response}");
    }
    // The shell's own `kill`, which every machine with `sh` has.
    let stopped = Command::new("sh")
        .args(["-c", &format!("kill -TERM {}", signer.0.id())])
        .status()
        .unwrap();
    assert!(stopped.success());
    let mut rest = String::new();
    log.read_to_string(&mut rest).unwrap();
    assert!(signer.0.wait().unwrap().success());
    let messages: Vec<&str> = rest
        .lines()
        .map(|line| line.split_once(": ").unwrap().1)
        .collect();
    let routes: Vec<&str> = messages
        .iter()
        .filter(|message| message.starts_with("request "))
        .map(|message| {
            message
                .split(" route=")
                .nth(1)
                .unwrap()
                .split(' ')
                .next()
                .unwrap()
        })
        .collect();
    assert_eq!(
        routes,
        ["\"/healthz\"", "\"/api/other\"", "\"/healthz\""],
        "{rest}"
    );
    assert_eq!(messages.last(), Some(&"stopped"), "{rest}");
}
