//! The post-login Action, run as Auth0 runs it: the JavaScript file of the configuration, one
//! hook per call, under Node, with the `event` the tenant builds ([`crate::event`]) and the
//! `api` of `examples/auth0/auth0-harness.js`. The runner (`examples/auth0/run-action.js`)
//! reads one [`ActionCall`] on stdin and answers with what the Action did, an
//! [`ActionOutcome`]; the tenant then applies it (redirect, metadata, denial) as Auth0 does
//! once the Action has returned.
//!
//! Nothing the Action decides is modelled here: which form a person needs, what the session
//! token carries and whether a continue token is acceptable are the Action's (and its
//! harness's `validateToken`'s) alone.

use std::process::Stdio;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::process::Command;

use crate::config::ActionRuntime;

/// The most the runner may write: a result holds a redirect URL, a few tokens' claims and
/// metadata changes, nowhere near this.
const MAX_OUTPUT_BYTES: u64 = 1024 * 1024;

/// Which of the Action's exports runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Hook {
    /// At `/authorize`, after the person authenticated.
    #[serde(rename = "onExecutePostLogin")]
    ExecutePostLogin,
    /// At `/continue`, when the person comes back from a redirect.
    #[serde(rename = "onContinuePostLogin")]
    ContinuePostLogin,
}

/// One call of the Action: what the runner reads on stdin (beside the Action file's path).
#[derive(Debug, Clone, Serialize)]
pub struct ActionCall {
    pub hook: Hook,
    /// The `event` object (see [`crate::event::event`]).
    pub event: Value,
    /// Unix seconds: `iat` of tokens encoded, the clock of `validateToken`.
    pub now: i64,
    /// The transaction's `state`, which `api.redirect.sendUserTo` appends.
    pub state: String,
    /// The tenant host: the `iss` that `encodeToken` writes.
    pub tenant_host: String,
    /// Auth0's answer to `api.redirect.canRedirect()`; `None` lets the harness decide from
    /// the transaction (false for silent and non-interactive logins).
    pub can_redirect: Option<bool>,
}

/// What the Action did in one call.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct ActionOutcome {
    /// Where `api.redirect.sendUserTo` sends the person, `state` appended.
    pub redirect: Option<String>,
    /// The claims of each token `api.redirect.encodeToken` produced, in order.
    pub encoded: Vec<Map<String, Value>>,
    /// `api.user.setUserMetadata(key, value)` calls: the last value per key (`null` removes).
    pub user_metadata: Map<String, Value>,
    /// `api.user.setAppMetadata(key, value)` calls.
    pub app_metadata: Map<String, Value>,
    /// The reason given to `api.access.deny`, when it was called.
    pub denied: Option<String>,
    /// `api.idToken.setCustomClaim(name, value)` calls.
    pub id_token_claims: Map<String, Value>,
    /// `api.accessToken.setCustomClaim(name, value)` calls.
    pub access_token_claims: Map<String, Value>,
    /// The claims `api.redirect.validateToken` returned, when it succeeded.
    pub validated: Option<Map<String, Value>>,
    /// Why `api.redirect.validateToken` threw, even if the Action caught it (Auth0's tenant
    /// logs would show it).
    pub validate_token_error: Option<String>,
}

impl ActionOutcome {
    /// The `form` claim of the last session token the Action encoded: which form this login
    /// asked for.
    pub fn form_asked(&self) -> Option<String> {
        self.encoded
            .last()
            .and_then(|claims| claims.get("form"))
            .and_then(Value::as_str)
            .map(str::to_owned)
    }
}

/// Why a call produced no [`ActionOutcome`]: the login fails with an error page.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ActionFailure {
    #[error("Node.js ({node}) cannot be started: {problem}. Install Node.js 18 or later, or tell the simulator where it is.")]
    NodeMissing { node: String, problem: String },
    #[error("The post-login Action did not finish within {0} seconds.")]
    Timeout(u64),
    #[error("The post-login Action runner stopped without an answer ({0}).")]
    Crashed(String),
    #[error("The post-login Action runner's answer cannot be read.")]
    BadOutput,
    /// The Action could not be loaded, or threw; the runner's text.
    #[error("{0}")]
    Failed(String),
}

/// What the runner reads: the call and the Action file.
#[derive(Serialize)]
struct RunnerInput<'a> {
    action: &'a std::path::Path,
    #[serde(flatten)]
    call: &'a ActionCall,
}

/// Runs one hook of the configured Action file under Node and returns what it did.
pub async fn run(
    runtime: &ActionRuntime,
    call: &ActionCall,
) -> Result<ActionOutcome, ActionFailure> {
    let input = serde_json::to_vec(&RunnerInput {
        action: &runtime.file,
        call,
    })
    .map_err(|problem| ActionFailure::Failed(format!("the call cannot be written: {problem}")))?;
    let mut child = Command::new(&runtime.node)
        .arg(&runtime.runner)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        // The Action's console output; it may hold anything, so it is not kept.
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .map_err(|problem| ActionFailure::NodeMissing {
            node: runtime.node.display().to_string(),
            problem: problem.to_string(),
        })?;
    let stdin = child.stdin.take();
    let stdout = child.stdout.take();
    let exchange = async {
        if let Some(mut stdin) = stdin {
            // A runner that died early is reported by its missing answer below.
            let _ = stdin.write_all(&input).await;
            let _ = stdin.shutdown().await;
        }
        let mut output = Vec::new();
        if let Some(stdout) = stdout {
            stdout
                .take(MAX_OUTPUT_BYTES + 1)
                .read_to_end(&mut output)
                .await
                .map_err(|problem| ActionFailure::Crashed(problem.to_string()))?;
        }
        if output.len() as u64 > MAX_OUTPUT_BYTES {
            return Err(ActionFailure::BadOutput);
        }
        let status = child
            .wait()
            .await
            .map_err(|problem| ActionFailure::Crashed(problem.to_string()))?;
        Ok((output, status))
    };
    let (output, status) = tokio::time::timeout(runtime.timeout, exchange)
        .await
        .map_err(|_| ActionFailure::Timeout(runtime.timeout.as_secs().max(1)))??;
    if output.iter().all(u8::is_ascii_whitespace) {
        return Err(ActionFailure::Crashed(status.to_string()));
    }
    parse_answer(&output)
}

/// The runner's one JSON line: `{"ok": true, ...outcome}` or `{"ok": false, "error": ...}`.
fn parse_answer(output: &[u8]) -> Result<ActionOutcome, ActionFailure> {
    let answer: Map<String, Value> =
        serde_json::from_slice(output).map_err(|_| ActionFailure::BadOutput)?;
    match answer.get("ok") {
        Some(Value::Bool(true)) => {
            serde_json::from_value(Value::Object(answer)).map_err(|_| ActionFailure::BadOutput)
        }
        Some(Value::Bool(false)) => Err(ActionFailure::Failed(
            answer
                .get("error")
                .and_then(Value::as_str)
                .unwrap_or("The post-login Action failed.")
                .to_owned(),
        )),
        _ => Err(ActionFailure::BadOutput),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_good_answer_is_read_with_defaults_for_what_is_missing() {
        let outcome = parse_answer(
            br#"{"ok": true, "redirect": "https://x/?state=s", "encoded": [{"form": "a"}, {"form": "terms"}], "denied": null}"#,
        )
        .unwrap();
        assert_eq!(outcome.redirect.as_deref(), Some("https://x/?state=s"));
        assert_eq!(outcome.form_asked().as_deref(), Some("terms"));
        assert!(outcome.user_metadata.is_empty());
        assert_eq!(outcome.denied, None);
    }

    #[test]
    fn a_failure_answer_carries_the_runners_text() {
        assert_eq!(
            parse_answer(br#"{"ok": false, "error": "The Action threw: boom"}"#),
            Err(ActionFailure::Failed("The Action threw: boom".into()))
        );
    }

    #[test]
    fn anything_else_is_bad_output() {
        for output in [
            &b"not json"[..],
            b"[]",
            br#"{"redirect": "x"}"#,
            br#"{"ok": true, "encoded": "nope"}"#,
            b"\xff\xfe",
        ] {
            assert_eq!(parse_answer(output), Err(ActionFailure::BadOutput));
        }
    }

    #[test]
    fn the_call_is_written_as_the_runner_reads_it() {
        let call = ActionCall {
            hook: Hook::ContinuePostLogin,
            event: json!({"user": {}}),
            now: 5,
            state: "s".into(),
            tenant_host: "t".into(),
            can_redirect: None,
        };
        let written = serde_json::to_value(RunnerInput {
            action: std::path::Path::new("/a.js"),
            call: &call,
        })
        .unwrap();
        assert_eq!(
            written,
            json!({"action": "/a.js", "hook": "onContinuePostLogin", "event": {"user": {}},
                   "now": 5, "state": "s", "tenant_host": "t", "can_redirect": null})
        );
    }
}
