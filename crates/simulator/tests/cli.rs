//! The `stopover-simulator` binary: `--action` chooses the Action file it runs,
//! `--action-plan` gives that Action its STOPOVER_PLAN, and a file that is not there stops it
//! at once with a message.
//!
//! Needs `node` on PATH, as the rest of the simulator's tests.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::ffi::OsStr;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const BINARY: &str = env!("CARGO_BIN_EXE_stopover-simulator");
const SECRET: &str = "a secret for the binary's tests, 32+ bytes";

/// Kills the simulator when the test ends.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn get(port: u16, path: &str) -> Option<String> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut reply = String::new();
    stream.read_to_string(&mut reply).ok()?;
    Some(reply)
}

#[test]
fn a_missing_action_file_stops_the_simulator_with_a_message() {
    let output = Command::new(BINARY)
        .args(["--action", "/nonexistent/action.js"])
        .env("STOPOVER_DEMO_SECRET", SECRET)
        .output()
        .unwrap();
    assert!(!output.status.success());
    let message = String::from_utf8_lossy(&output.stderr);
    assert!(
        message.contains("--action /nonexistent/action.js is not a file"),
        "{message}"
    );
}

#[test]
fn the_action_flag_chooses_the_file_that_runs() {
    let directory = tempfile::tempdir().unwrap();
    let action = directory.path().join("let-everyone-in.js");
    std::fs::write(
        &action,
        "exports.onExecutePostLogin = async (event, api) => { api.idToken.setCustomClaim('x', 1); };",
    )
    .unwrap();
    let reply = bruno_authorized_by(&[OsStr::new("--action"), action.as_os_str()]);
    // The example Action would send Bruno (no phone, no company) to Stopover; this one lets
    // him in.
    assert!(reply.starts_with("HTTP/1.1 302"), "{reply}");
    assert!(reply.contains("location: /callback?login="), "{reply}");
}

#[test]
fn a_missing_action_plan_file_stops_the_simulator_with_a_message() {
    let output = Command::new(BINARY)
        .args(["--action-plan", "/nonexistent/plan.json"])
        .env("STOPOVER_DEMO_SECRET", SECRET)
        .output()
        .unwrap();
    assert!(!output.status.success());
    let message = String::from_utf8_lossy(&output.stderr);
    assert!(
        message.contains("--action-plan /nonexistent/plan.json: "),
        "{message}"
    );
}

#[test]
fn the_action_plan_flag_gives_the_action_its_plan() {
    let directory = tempfile::tempdir().unwrap();
    let action = directory.path().join("show-the-plan.js");
    std::fs::write(
        &action,
        "exports.onExecutePostLogin = async (event, api) => { api.access.deny(`plan ${JSON.parse(event.secrets.STOPOVER_PLAN).forms[0].id}`); };",
    )
    .unwrap();
    let plan = directory.path().join("plan.json");
    std::fs::write(&plan, "{\"forms\": [{\"id\": \"from-the-file\"}]}\n").unwrap();
    let reply = bruno_authorized_by(&[
        OsStr::new("--action"),
        action.as_os_str(),
        OsStr::new("--action-plan"),
        plan.as_os_str(),
    ]);
    assert!(reply.contains("plan from-the-file"), "{reply}");
}

/// Starts the simulator on a free port with `args`, and returns its answer to Bruno's
/// `/authorize` once it listens (it is stopped when this returns).
fn bruno_authorized_by(args: &[&OsStr]) -> String {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let _simulator = Running(
        Command::new(BINARY)
            .args(["--listen", &format!("127.0.0.1:{port}")])
            .args(args)
            .env("STOPOVER_DEMO_SECRET", SECRET)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Some(reply) = get(port, "/authorize?user=bruno") {
            return reply;
        }
        assert!(Instant::now() < deadline, "the simulator did not listen");
        std::thread::sleep(Duration::from_millis(100));
    }
}
