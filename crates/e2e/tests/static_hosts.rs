//! Deploying `dist/` to any static host without a rebuild, as docs/operators.md describes: the
//! built page is copied to a host on its own origin, only `stopover.json`'s `signer_url` is
//! edited (the signer runs on another origin, which allows the host's), and a whole login
//! runs through Chromium: the simulator's `/authorize`, the page on the static host, the
//! signer on its origin, the tenant's `/continue`, signed in. Once on a host that sends no
//! header (the page's `<meta>` policy alone), once on a host applying `_headers` as Netlify
//! does, after `stopover-signer page-policy --config` wrote the strict policy.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::SocketAddr;

use fantoccini::Client;
use stopover_e2e::browser::with_browser;
use stopover_e2e::page::{
    body_text, fill_by_clicking, sign_in_as, submit, valid_inputs, wait_for_form,
    wait_for_signed_in, wait_for_text,
};
use stopover_e2e::stack::{dist_dir, http_get, Stack, StackOptions};
use stopover_e2e::static_host::{HeaderMode, Site, StaticHost};
use tokio::net::TcpListener;

const BRUNO: &str = "Bruno Keller";

/// The site deployed on a host of `mode`, the stack pointed at it; then `test`.
async fn on_static_host<F, Fut>(mode: HeaderMode, test: F)
where
    F: FnOnce(Client, Stack, String, SocketAddr) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = Stack> + Send + 'static,
{
    // The host's origin first: the simulator sends people there, the signer allows it.
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let page_origin = format!("http://{}", listener.local_addr().unwrap());
    let stack = Stack::start(StackOptions {
        page_url: Some(format!("{page_origin}/")),
        ..StackOptions::default()
    })
    .await;

    // What the operator does: upload dist/ as built, edit stopover.json only...
    let site = Site::copy_of(&dist_dir());
    site.set_signer_url(&stack.signer_origin());
    // ...and, on a host that reads _headers, write the strict policy for this signer.
    if mode == HeaderMode::HeadersFile {
        let printed = site
            .write_strict_policy(&stack.signer_config_toml(), &stack.signer_env())
            .await;
        assert!(printed.contains("strict"), "{printed}");
    }
    let host = StaticHost::serve(listener, site.path(), mode);
    assert_eq!(host.origin(), page_origin);

    let (sender, receiver) = tokio::sync::oneshot::channel();
    let start = stack.simulator_url("/");
    let host_addr = host.addr;
    with_browser(move |client| async move {
        let stack = test(client, stack, start, host_addr).await;
        let _ = sender.send(stack);
    })
    .await;
    // The page asks the host only for what dist/ has: no /favicon.ico, no file of a stale name.
    assert_eq!(host.not_found(), Vec::<String>::new(), "asked of the host");
    host.stop().await;
    if let Ok(stack) = receiver.await {
        stack.stop().await;
    }
    drop(site);
}

/// Bruno signs in, lands on the page on the static host, fills the profile form, and the
/// login completes at the tenant.
async fn complete_a_login(client: &Client, stack: &Stack, start: &str, page_port: u16) {
    sign_in_as(client, start, BRUNO).await;
    let form = &stack.forms["profile"];
    wait_for_text(client, form.title.get("en")).await;
    wait_for_form(client).await;
    let url = client.current_url().await.unwrap();
    assert_eq!(
        url.port(),
        Some(page_port),
        "the page is on the static host"
    );
    assert_eq!(url.query(), None, "the launch values left the address bar");
    fill_by_clicking(client, &valid_inputs(form, "en")).await;
    submit(client).await;
    wait_for_signed_in(client).await;
    let page = body_text(client).await;
    assert!(page.contains("Keller Logistik AG"), "{page}");
    assert_eq!(
        client.current_url().await.unwrap().port(),
        Some(stack.simulator_addr.port()),
        "back at the tenant"
    );
}

/// The `name` directive of a policy, e.g. `connect-src 'self' ...`.
fn directive(policy: &str, name: &str) -> String {
    policy
        .split(';')
        .map(str::trim)
        .find(|directive| directive.split(' ').next() == Some(name))
        .unwrap_or_else(|| panic!("no {name} in {policy}"))
        .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_host_without_headers_serves_a_complete_login_with_the_meta_policy_alone() {
    on_static_host(HeaderMode::Plain, |client, stack, start, host| async move {
        // What the host sends: no policy header; the build's <meta> is all there is.
        let reply = http_get(host, "/", None).await;
        assert_eq!(reply.status, 200);
        assert_eq!(reply.header("content-security-policy"), None);
        let meta = reply
            .body
            .split("<meta http-equiv=\"Content-Security-Policy\" content=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .expect("index.html carries the policy in a <meta>")
            .to_owned();
        assert!(
            directive(&meta, "script-src").contains("'sha256-"),
            "{meta}"
        );
        assert!(!meta.contains("frame-ancestors"), "{meta}");

        complete_a_login(&client, &stack, &start, host.port()).await;
        stack
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_host_applying_headers_sends_the_strict_policy_and_serves_a_complete_login() {
    on_static_host(
        HeaderMode::HeadersFile,
        |client, stack, start, host| async move {
            for path in ["/", "/stopover.json"] {
                let reply = http_get(host, path, None).await;
                assert_eq!(reply.status, 200, "{path}");
                let csp = reply
                    .header("content-security-policy")
                    .unwrap_or_else(|| panic!("{path} comes without a policy header"))
                    .to_owned();
                assert_eq!(
                    directive(&csp, "frame-ancestors"),
                    "frame-ancestors 'none'",
                    "{csp}"
                );
                assert_eq!(
                    directive(&csp, "connect-src"),
                    format!("connect-src 'self' {}", stack.signer_origin()),
                    "only the page's origin and the signer: {csp}"
                );
                assert!(!directive(&csp, "form-action").contains("https:"), "{csp}");
                assert!(
                    directive(&csp, "form-action").contains(&stack.simulator_url("")),
                    "the tenant's /continue origin: {csp}"
                );
                assert_eq!(reply.header("x-frame-options"), Some("DENY"));
                assert_eq!(reply.header("referrer-policy"), Some("no-referrer"));
                assert_eq!(reply.header("x-content-type-options"), Some("nosniff"));
            }
            assert_eq!(
                http_get(host, "/_headers", None).await.status,
                404,
                "the headers file is not published"
            );

            complete_a_login(&client, &stack, &start, host.port()).await;
            stack
        },
    )
    .await;
}
