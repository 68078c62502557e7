//! `stopover-signer preview`'s routes: the forms of a configuration served without a login
//! and without the tenants' secrets, `check-config`'s problems in their words, and a change to
//! the file picked up.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::json;
use stopover_signer::preview::{preview_app, watch, PreviewState};

mod common;
use common::send;

/// A configuration as a form author has it: the tenant's secret variable is not set.
fn config(title_en: &str, languages: &str) -> String {
    format!(
        r#"
allowed_origins = ["http://127.0.0.1:8790"]

[[tenants]]
issuer = "tenant.example.com"
secret_env = "PREVIEW_TEST_SECRET_NOT_SET"
forms = ["onboarding", "terms"]
languages = [{languages}]

[[forms]]
id = "terms"
version = "1"
title = {{ en = "Our terms", fr = "Nos conditions" }}
submit_label = {{ en = "Accept", fr = "Accepter" }}

[[forms.fields]]
id = "terms"
kind = "consent"
label = {{ en = "I accept", fr = "J'accepte" }}
required = true
document = {{ url = "https://example.com/terms", version = "1", title = {{ en = "Terms", fr = "Conditions" }} }}

[[forms]]
id = "onboarding"
version = "1"
title = {{ en = "{title_en}", fr = "Bienvenue" }}
submit_label = {{ en = "Finish", fr = "Terminer" }}

[[forms.steps]]
id = "work"
title = {{ en = "Your work", fr = "Votre travail" }}
fields = ["job_title"]

[[forms.steps]]
id = "last"
title = {{ en = "Last", fr = "Dernier" }}
fields = ["heard_from"]

[[forms.fields]]
id = "job_title"
kind = "text"
label = {{ en = "Job title", fr = "Poste" }}
required = true

[[forms.fields]]
id = "heard_from"
kind = "textarea"
label = {{ en = "How did you hear about us?", fr = "Comment nous avez-vous connus ?" }}
"#
    )
}

/// A fresh directory with a configuration file and a built page (`index.html` and the
/// deployment's `stopover.json`).
struct Files {
    dir: PathBuf,
}

impl Files {
    fn new(name: &str, config_text: &str) -> Self {
        let dir = std::env::temp_dir().join(format!(
            "stopover-preview-{name}-{}-{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos()
        ));
        std::fs::create_dir_all(dir.join("dist")).unwrap();
        std::fs::write(
            dir.join("dist/index.html"),
            "<!doctype html><title>page</title>",
        )
        .unwrap();
        std::fs::write(
            dir.join("dist/stopover.json"),
            r#"{"signer_url": "https://signer.example", "brand": {"name": "Acme"}}"#,
        )
        .unwrap();
        let files = Self { dir };
        files.write_config(config_text);
        files
    }

    fn config_path(&self) -> PathBuf {
        self.dir.join("forms.toml")
    }

    fn write_config(&self, text: &str) {
        std::fs::write(self.config_path(), text).unwrap();
    }

    fn state(&self) -> PreviewState {
        PreviewState::new(self.config_path(), self.dir.join("dist"), |_| None)
    }
}

impl Drop for Files {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

async fn get(state: &PreviewState, path: &str) -> common::Reply {
    send(
        preview_app(state.clone()),
        Request::get(path).body(Body::empty()).unwrap(),
    )
    .await
}

#[tokio::test]
async fn every_form_is_served_without_the_tenant_secret() {
    let files = Files::new("served", &config("Welcome", r#""en", "fr""#));
    let state = files.state();

    let reply = get(&state, "/preview/state").await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(
        reply.body,
        json!({
            "version": 1,
            "problems": [],
            "forms": [
                {"id": "onboarding", "title": "Welcome", "languages": ["en", "fr"], "steps": ["work", "last"]},
                {"id": "terms", "title": "Our terms", "languages": ["en", "fr"], "steps": []}
            ]
        })
    );

    let reply = get(&state, "/api/forms/onboarding").await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(
        reply.body["title"],
        json!({"en": "Welcome", "fr": "Bienvenue"})
    );
    assert_eq!(reply.body["steps"][1]["id"], "last");

    // Only the origins it is told of may read it from another page.
    let from = |origin: &str| {
        Request::get("/preview/state")
            .header("origin", origin)
            .body(Body::empty())
            .unwrap()
    };
    let allowed = state
        .clone()
        .with_allowed_origins(&["http://127.0.0.1:9999".to_owned()]);
    let reply = send(preview_app(allowed), from("http://127.0.0.1:9999")).await;
    assert_eq!(
        reply.headers["access-control-allow-origin"],
        "http://127.0.0.1:9999"
    );
    let reply = send(
        preview_app(state.clone()),
        from("https://elsewhere.example"),
    )
    .await;
    assert!(reply.headers.get("access-control-allow-origin").is_none());

    let reply = get(&state, "/api/forms/nope").await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    assert_eq!(reply.body["error"], "unknown_form");
}

#[tokio::test]
async fn the_page_gets_a_stopover_json_that_turns_on_preview_and_keeps_the_brand() {
    let files = Files::new("page", &config("Welcome", r#""en""#));
    let state = files.state();

    let reply = get(&state, "/stopover.json").await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(
        reply.body,
        json!({"preview": true, "signer_url": "", "brand": {"name": "Acme"}})
    );
    // Any other path is the page, never cached: a rebuilt page shows on the next reload.
    let reply = get(&state, "/?form=terms&lang=en").await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.text.contains("<title>page</title>"), "{}", reply.text);
    assert_eq!(reply.headers["cache-control"], "no-store");
    // Nothing is signed in a preview.
    let reply = send(
        preview_app(state.clone()),
        Request::post("/api/continue")
            .header("content-type", "application/json")
            .body(Body::from("{}"))
            .unwrap(),
    )
    .await;
    assert_ne!(reply.status, StatusCode::OK);
    assert!(reply.body.get("continue_url").is_none());
}

#[tokio::test]
async fn problems_are_reported_in_check_config_words_and_secrets_are_not_one() {
    // A declared language the onboarding form lacks, and a tenant form that does not exist.
    let broken = config("Welcome", r#""en", "de""#).replace(
        r#"forms = ["onboarding", "terms"]"#,
        r#"forms = ["onboarding", "gone"]"#,
    );
    let files = Files::new("problems", &broken);
    let reply = get(&files.state(), "/preview/state").await;
    assert_eq!(
        reply.body["problems"],
        json!([
            "tenant `tenant.example.com` lists `de` in `languages`, but form `onboarding`: title has no `de` text",
            "tenant `tenant.example.com` lists `de` in `languages`, but form `onboarding`: submit_label has no `de` text",
            "tenant `tenant.example.com` lists `de` in `languages`, but form `onboarding`: the title of step `work` has no `de` text",
            "tenant `tenant.example.com` lists `de` in `languages`, but form `onboarding`: the title of step `last` has no `de` text",
            "tenant `tenant.example.com` lists `de` in `languages`, but form `onboarding`, field `job_title`: label has no `de` text",
            "tenant `tenant.example.com` lists `de` in `languages`, but form `onboarding`, field `heard_from`: label has no `de` text",
            "tenant `tenant.example.com`: form `gone` is not defined in [[forms]]"
        ])
    );

    let files = Files::new("syntax", "[[forms]\nid = 1");
    let reply = get(&files.state(), "/preview/state").await;
    let problems = reply.body["problems"].as_array().unwrap();
    assert_eq!(problems.len(), 1);
    let problem = problems[0].as_str().unwrap();
    assert!(
        problem.starts_with("the configuration is not valid TOML for the signer: "),
        "{problem}"
    );
    assert_eq!(reply.body["forms"], json!([]));
}

#[tokio::test]
async fn a_missing_file_is_a_problem_not_a_crash() {
    let files = Files::new("missing", &config("Welcome", r#""en""#));
    std::fs::remove_file(files.config_path()).unwrap();
    let reply = get(&files.state(), "/preview/state").await;
    let problem = reply.body["problems"][0].as_str().unwrap().to_owned();
    assert!(
        problem.starts_with(&format!("cannot read {}: ", files.config_path().display())),
        "{problem}"
    );
}

#[tokio::test]
async fn a_change_to_the_file_is_picked_up_and_bumps_the_version() {
    let files = Files::new("change", &config("Welcome", r#""en""#));
    let state = files.state();
    assert!(!state.refresh(), "an unchanged file is not read again");
    let watcher = watch(state.clone(), Duration::from_millis(20));

    files.write_config(&config("Welcome aboard, new version", r#""en""#));
    let mut version = 1;
    for _ in 0..250 {
        version = get(&state, "/preview/state").await.body["version"]
            .as_u64()
            .unwrap();
        if version > 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(version, 2, "the change was never picked up");
    let reply = get(&state, "/api/forms/onboarding").await;
    assert_eq!(reply.body["title"]["en"], "Welcome aboard, new version");

    // A broken file: the problem shows, and its repair is picked up again.
    files.write_config("listen = ");
    for _ in 0..250 {
        if get(&state, "/preview/state").await.body["version"] == json!(3) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let reply = get(&state, "/preview/state").await;
    assert_eq!(reply.body["version"], 3);
    assert_eq!(reply.body["problems"].as_array().unwrap().len(), 1);
    watcher.abort();
}

#[test]
fn the_command_refuses_a_page_built_without_preview_mode() {
    let files = Files::new("no-preview", &config("Welcome", r#""en""#));
    // The shipped page's module never asks for the preview's state.
    std::fs::write(
        files.dir.join("dist/stopover-page_bg.wasm"),
        b"\0asm/api/forms/api/continue",
    )
    .unwrap();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_stopover-signer"))
        .arg("preview")
        .arg("--config")
        .arg(files.config_path())
        .arg("--dist")
        .arg(files.dir.join("dist"))
        .args(["--listen", "127.0.0.1:0"])
        .output()
        .unwrap();
    assert!(!output.status.success());
    let said = String::from_utf8_lossy(&output.stderr);
    assert!(
        said.contains("was built without preview mode") && said.contains("--features preview"),
        "{said}"
    );
    assert!(!stopover_signer::preview::page_has_preview_mode(
        &files.dir.join("dist")
    ));
    std::fs::write(
        files.dir.join("dist/stopover-page_bg.wasm"),
        b"\0asm/api/forms/preview/state/api/continue",
    )
    .unwrap();
    assert!(stopover_signer::preview::page_has_preview_mode(
        &files.dir.join("dist")
    ));
}
