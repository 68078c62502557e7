//! `stopover-signer preview` as a form's author uses it: the real binary serving the built
//! page and a copy of `config/demo.toml` (no tenant secret in its environment), a form opened
//! in Chromium without a login, the file edited and the page reloading itself with the new
//! text, then the file broken and `check-config`'s problem shown on the page in place of the
//! form, then repaired.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::SocketAddr;
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use stopover_e2e::browser::{free_port, with_browser};
use stopover_e2e::page::{exists, wait_for, wait_for_text};
use stopover_e2e::static_host::signer_command;
use stopover_e2e::workspace_root;

const TITLE: &str = "A few details before you continue";
const EDITED_TITLE: &str = "Tell us a little more, please";
const DEMO_FORMS: &str = r#"forms = ["profile", "terms", "onboarding"]"#;

/// Writes `text` to `path` as an editor does (the whole file at once).
fn save(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap();
}

/// `STOPOVER_PREVIEW_DIST_DIR`, or `<workspace>/target/preview-dist`: the page built with
/// preview mode (`trunk build --release --features preview`, as `cargo xtask test` does).
fn preview_dist_dir() -> std::path::PathBuf {
    let dist = std::env::var_os("STOPOVER_PREVIEW_DIST_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("target/preview-dist"));
    assert!(
        dist.join("index.html").is_file(),
        "{} has no index.html: the page with preview mode is not built. Run `cargo xtask test`, \
         or `trunk build --release --offline --features preview --dist target/preview-dist`, or \
         set STOPOVER_PREVIEW_DIST_DIR.",
        dist.display()
    );
    dist
}

async fn wait_for_port(address: SocketAddr) {
    let deadline = Instant::now() + Duration::from_secs(120);
    while tokio::net::TcpStream::connect(address).await.is_err() {
        assert!(
            Instant::now() < deadline,
            "stopover-signer preview never listened on {address}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn an_edit_reloads_the_page_and_a_problem_shows_in_place_of_the_form() {
    let demo = std::fs::read_to_string(workspace_root().join("config/demo.toml")).unwrap();
    assert!(demo.contains(TITLE) && demo.contains(DEMO_FORMS));
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("forms.toml");
    save(&config, &demo);

    let address: SocketAddr = format!("127.0.0.1:{}", free_port()).parse().unwrap();
    let mut preview = signer_command()
        .arg("preview")
        .arg("--config")
        .arg(&config)
        .arg("--dist")
        .arg(preview_dist_dir())
        .arg("--listen")
        .arg(address.to_string())
        // A form author's machine: no tenant secret.
        .env_remove("STOPOVER_DEMO_SECRET")
        .stdout(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("stopover-signer preview starts");
    wait_for_port(address).await;

    with_browser(move |client| async move {
        client
            .goto(&format!("http://{address}/?form=profile&lang=en"))
            .await
            .unwrap();
        wait_for(&client, "#field-company").await;
        wait_for_text(&client, TITLE).await;
        assert!(exists(&client, ".preview-bar .preview-mark").await);

        // The author edits the title: the page reloads itself and shows the new one.
        save(&config, &demo.replace(TITLE, EDITED_TITLE));
        wait_for_text(&client, EDITED_TITLE).await;
        wait_for(&client, "#field-company").await;

        // A form the tenant lists but nobody defined: check-config's words, no form.
        save(
            &config,
            &demo.replace(
                DEMO_FORMS,
                r#"forms = ["profile", "terms", "onboarding", "welcome"]"#,
            ),
        );
        wait_for_text(
            &client,
            "tenant `127.0.0.1:8780`: form `welcome` is not defined in [[forms]]",
        )
        .await;
        wait_for_text(&client, "The configuration has 1 problem(s)").await;
        assert!(!exists(&client, "form.stopover-form").await);

        // Repaired: the form is back.
        save(&config, &demo);
        wait_for(&client, "#field-company").await;
        wait_for_text(&client, TITLE).await;
    })
    .await;

    preview.kill().await.unwrap();
}
