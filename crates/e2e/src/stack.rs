//! The signer and the tenant simulator, in process, on loopback ports the system picks, with
//! a random secret; the signer can be stopped and started again on the same port. With
//! [`StackOptions::back_channel`], forms store their answers through the simulator's
//! Management API instead of the continue token.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use rand::RngCore;
use serde_json::Value;
use stopover_protocol::FormDefinition;
use stopover_signer::config::Config;
pub use stopover_signer::config::Delivery;
use stopover_simulator::{Clock, ManagementApiConfig, Secret, SimulatorConfig};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::static_host::Site;
use crate::workspace_root;

/// The environment variable `config/demo.toml` names for the tenant secret.
const DEMO_SECRET_ENV: &str = "STOPOVER_DEMO_SECRET";
/// The environment variable the back-channel configuration names for the client secret.
const MANAGEMENT_SECRET_ENV: &str = "STOPOVER_E2E_MANAGEMENT_SECRET";
/// The machine-to-machine application the signer uses on the simulated Management API.
pub const MANAGEMENT_CLIENT_ID: &str = "stopover-e2e-signer";

/// How a test wants the stack.
#[derive(Debug, Clone, Default)]
pub struct StackOptions {
    /// How far the simulated tenant's clock is behind the real one, in seconds. The Action
    /// decides how long its session tokens live; a clock far enough behind makes them
    /// expired when they are issued.
    pub simulator_clock_behind_secs: i64,
    /// The simulator's Management API, for the test itself ([`Stack::patch_user`]); the
    /// signer does not use it unless `back_channel` says so.
    pub management_api: bool,
    /// Back-channel delivery: the simulator's Management API is enabled and the signer's
    /// tenant gets a `[tenants.management]` client pointing at it. `None`: every answer
    /// travels in the continue token, as `config/demo.toml` says.
    pub back_channel: Option<BackChannel>,
    /// Where the simulator's Action sends people (`stopover_url`, e.g. a static host on its
    /// own origin, which the signer then also allows). `None`: the page the signer serves.
    pub page_url: Option<String>,
    /// A change to `config/demo.toml`'s text before anything else (a new terms version, say),
    /// as an operator would edit the file; the Action's plan is written from the result.
    pub edit_config: Option<fn(&str) -> String>,
}

/// The back-channel settings written into the demo configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackChannel {
    /// Form id -> where its answers go (the form's `delivery` and `metadata_key`).
    pub forms: BTreeMap<String, FormTarget>,
    /// `attempt_timeout_ms` of the management client.
    pub attempt_timeout_ms: u64,
    /// `retry_budget_ms` of the management client: how long the signer keeps trying before
    /// it answers 503.
    pub retry_budget_ms: u64,
}

/// A form-wide `delivery` and optional `metadata_key`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormTarget {
    pub delivery: Delivery,
    pub metadata_key: Option<String>,
}

impl BackChannel {
    /// No forms yet, and short timeouts so a failing Management API fails a test quickly.
    pub fn new() -> Self {
        Self {
            forms: BTreeMap::new(),
            attempt_timeout_ms: 500,
            retry_budget_ms: 1_500,
        }
    }

    /// Stores the answers of form `id` in `delivery`, under `metadata_key` when given.
    pub fn form(mut self, id: &str, delivery: Delivery, metadata_key: Option<&str>) -> Self {
        self.forms.insert(
            id.to_owned(),
            FormTarget {
                delivery,
                metadata_key: metadata_key.map(str::to_owned),
            },
        );
        self
    }
}

impl Default for BackChannel {
    fn default() -> Self {
        Self::new()
    }
}

/// `config/demo.toml`'s text with a `[tenants.management]` client for the Management API at
/// `domain` (its only tenant's sub-table, placed before the first `[[forms]]`) and the
/// `delivery`/`metadata_key` of each of `back_channel.forms` added to its `[[forms]]` table.
/// The result goes through the signer's own parser, as an operator's file would.
pub fn with_back_channel(demo: &str, back_channel: &BackChannel, domain: &str) -> String {
    assert_eq!(
        demo.matches("[[tenants]]").count(),
        1,
        "the demo configuration has one tenant"
    );
    let mut lines: Vec<String> = demo.lines().map(str::to_owned).collect();
    let first_form = lines
        .iter()
        .position(|line| line.trim() == "[[forms]]")
        .expect("the demo configuration has forms");
    let tenant = lines
        .iter()
        .position(|line| line.trim() == "[[tenants]]")
        .expect("a tenant");
    assert!(tenant < first_form, "the tenant comes before the forms");
    let management = format!(
        "[tenants.management]\ndomain = \"{domain}\"\nscheme = \"http\"\n\
         client_id = \"{MANAGEMENT_CLIENT_ID}\"\nclient_secret_env = \"{MANAGEMENT_SECRET_ENV}\"\n\
         attempt_timeout_ms = {}\nretry_budget_ms = {}\n",
        back_channel.attempt_timeout_ms, back_channel.retry_budget_ms
    );
    lines.insert(first_form, management);
    for (id, target) in &back_channel.forms {
        let at = lines
            .windows(2)
            .position(|pair| {
                pair[0].trim() == "[[forms]]" && pair[1].trim() == format!("id = \"{id}\"")
            })
            .unwrap_or_else(|| panic!("the demo configuration has no form {id}"));
        let mut keys = format!("delivery = \"{}\"", target.delivery.as_str());
        if let Some(key) = &target.metadata_key {
            keys.push_str(&format!("\nmetadata_key = \"{key}\""));
        }
        lines.insert(at + 2, keys);
    }
    let mut text = lines.join("\n");
    text.push('\n');
    text
}

/// A server task and the way to stop it.
#[derive(Debug)]
struct Server {
    stop: oneshot::Sender<()>,
    task: JoinHandle<()>,
}

impl Server {
    async fn stop(self) {
        let _ = self.stop.send(());
        let abort = self.task.abort_handle();
        if tokio::time::timeout(Duration::from_secs(10), self.task)
            .await
            .is_err()
        {
            abort.abort();
        }
    }
}

/// The signer and the simulator, running.
#[derive(Debug)]
pub struct Stack {
    pub signer_addr: SocketAddr,
    pub simulator_addr: SocketAddr,
    /// The forms of `config/demo.toml`, by id, as the signer serves them.
    pub forms: BTreeMap<String, FormDefinition>,
    secret: String,
    /// The management client's secret, when the stack has a back channel.
    management_secret: String,
    back_channel: Option<BackChannel>,
    page_url: Option<String>,
    edit_config: Option<fn(&str) -> String>,
    /// The built page as this stack deploys it: a copy of `dist/` whose `stopover.json`
    /// sends "Start again" to the simulator's start page.
    site: Site,
    signer: Option<Server>,
    simulator: Option<Server>,
}

impl Stack {
    pub async fn start(options: StackOptions) -> Self {
        let secret = random_secret();
        let management_secret = random_secret();

        let signer_listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a signer port");
        let simulator_listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a simulator port");
        let signer_addr = signer_listener.local_addr().expect("a bound address");
        let simulator_addr = simulator_listener.local_addr().expect("a bound address");

        let mut stack = Self {
            signer_addr,
            simulator_addr,
            forms: BTreeMap::new(),
            secret,
            management_secret,
            back_channel: options.back_channel,
            page_url: options.page_url,
            edit_config: options.edit_config,
            site: Site::copy_of(&dist_dir()),
            signer: None,
            simulator: None,
        };
        stack.forms = stack.signer_config().forms;
        stack
            .site
            .set_return_url(&format!("http://{simulator_addr}/"));

        let stopover_url = stack
            .page_url
            .clone()
            .unwrap_or_else(|| format!("http://{signer_addr}/"));
        let mut simulator = SimulatorConfig::new(
            &simulator_addr.to_string(),
            &stopover_url,
            Secret::new(stack.secret.clone()),
        );
        simulator.action_plan = Some(stack.action_plan());
        let behind = options.simulator_clock_behind_secs;
        if behind != 0 {
            let system = Clock::system();
            simulator.clock = Clock::from_fn(move || system.now() - behind);
        }
        if stack.back_channel.is_some() || options.management_api {
            simulator.management = Some(ManagementApiConfig::new(
                MANAGEMENT_CLIENT_ID,
                Secret::new(stack.management_secret.clone()),
            ));
        }
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let shutdown = async {
                let _ = stopped.await;
            };
            if let Err(problem) =
                stopover_simulator::serve(simulator, simulator_listener, shutdown).await
            {
                eprintln!("the simulator stopped: {problem}");
            }
        });
        stack.simulator = Some(Server { stop, task });
        stack.run_signer(signer_listener);
        stack
    }

    /// The signer's configuration: [`Stack::signer_config_toml`] read by the signer's own
    /// parser, with this stack's secrets.
    pub fn signer_config(&self) -> Config {
        let text = self.signer_config_toml();
        let env = |name: &str| {
            self.signer_env()
                .into_iter()
                .find(|(variable, _)| *variable == name)
                .map(|(_, value)| value)
        };
        Config::from_toml(&text, &env)
            .unwrap_or_else(|problem| panic!("config/demo.toml is refused: {problem}\n{text}"))
    }

    /// The Action's `STOPOVER_PLAN`: what `stopover-signer action-plan` writes from
    /// [`Stack::signer_config`].
    pub fn action_plan(&self) -> String {
        let plan = stopover_signer::action_plan::action_plan(&self.signer_config(), None)
            .unwrap_or_else(|problem| panic!("no plan for the demo tenant: {problem}"));
        serde_json::to_string(&plan).expect("a plan is JSON")
    }

    /// The signer's configuration file as an operator would write it: `config/demo.toml`
    /// (changed by [`StackOptions::edit_config`], if any) with this stack's ports, allowed origins (the signer's own, and the page's when it is
    /// elsewhere), page directory and tenant issuer, and its back channel, if any. Secrets
    /// stay in [`Stack::signer_env`].
    pub fn signer_config_toml(&self) -> String {
        let path = workspace_root().join("config/demo.toml");
        let mut text = std::fs::read_to_string(&path)
            .unwrap_or_else(|problem| panic!("cannot read {}: {problem}", path.display()));
        if let Some(edit) = self.edit_config {
            text = edit(&text);
        }
        if let Some(back_channel) = &self.back_channel {
            text = with_back_channel(&text, back_channel, &self.simulator_addr.to_string());
        }
        let mut origins = vec![self.signer_origin()];
        origins.extend(self.page_url.as_deref().map(origin_of));
        let origins = toml::Value::Array(origins.into_iter().map(toml::Value::String).collect());
        let text = set_first(&text, "listen", &toml_string(&self.signer_addr.to_string()));
        let text = set_first(&text, "allowed_origins", &origins.to_string());
        let text = set_first(
            &text,
            "static_dir",
            &toml_string(&self.site.path().display().to_string()),
        );
        set_first(
            &text,
            "issuer",
            &toml_string(&self.simulator_addr.to_string()),
        )
    }

    /// The environment the signer's configuration reads its secrets from.
    pub fn signer_env(&self) -> Vec<(&'static str, String)> {
        vec![
            (DEMO_SECRET_ENV, self.secret.clone()),
            (MANAGEMENT_SECRET_ENV, self.management_secret.clone()),
        ]
    }

    /// `http://127.0.0.1:PORT` of the signer (and the page it serves).
    pub fn signer_origin(&self) -> String {
        format!("http://{}", self.signer_addr)
    }

    /// The built page as this stack serves it, to be edited as an operator would; the
    /// signer reads its files at each request (but `index.html`, read at start).
    pub fn site(&self) -> &Site {
        &self.site
    }

    /// A URL of the simulator.
    pub fn simulator_url(&self, path: &str) -> String {
        format!("http://{}{path}", self.simulator_addr)
    }

    /// Stops the signer: its port refuses connections until [`Stack::start_signer`].
    pub async fn stop_signer(&mut self) {
        if let Some(signer) = self.signer.take() {
            signer.stop().await;
        }
    }

    /// Starts the signer again on the same port.
    pub async fn start_signer(&mut self) {
        assert!(self.signer.is_none(), "the signer is already running");
        let listener = TcpListener::bind(self.signer_addr)
            .await
            .expect("the signer's port is free again");
        self.run_signer(listener);
    }

    fn run_signer(&mut self, listener: TcpListener) {
        let config = self.signer_config();
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let shutdown = async {
                let _ = stopped.await;
            };
            // The admin listener (/readyz, /metrics) on a port of its own; these tests
            // use only the public one.
            let admin = match TcpListener::bind("127.0.0.1:0").await {
                Ok(admin) => admin,
                Err(problem) => {
                    eprintln!("the signer's admin port: {problem}");
                    return;
                }
            };
            let listeners = stopover_signer::Listeners {
                public: listener,
                admin,
            };
            if let Err(problem) = stopover_signer::serve(config, listeners, shutdown).await {
                eprintln!("the signer stopped: {problem}");
            }
        });
        self.signer = Some(Server { stop, task });
    }

    /// The simulated user as the tenant stores it now (`GET /_sim/users/{id}`).
    pub async fn stored_user(&self, short_id: &str) -> Value {
        let reply = http_get(
            self.simulator_addr,
            &format!("/_sim/users/{short_id}"),
            None,
        )
        .await;
        assert_eq!(reply.status, 200, "no user {short_id}: {}", reply.body);
        serde_json::from_str(&reply.body).expect("the simulator answers JSON")
    }

    /// The simulated Management API's call counts (`GET /_sim/management/stats`).
    pub async fn management_stats(&self) -> Value {
        let reply = http_get(self.simulator_addr, "/_sim/management/stats", None).await;
        assert_eq!(reply.status, 200, "{}", reply.body);
        serde_json::from_str(&reply.body).expect("the simulator answers JSON")
    }

    /// Queues a fault of the simulated Management API (`POST /_sim/management/faults`), e.g.
    /// `{"kind": "server_error", "status": 503, "count": 10}`.
    pub async fn add_management_fault(&self, fault: &Value) {
        let reply = http_request(
            self.simulator_addr,
            "POST",
            "/_sim/management/faults",
            None,
            Some(&fault.to_string()),
        )
        .await;
        assert_eq!(reply.status, 200, "the fault is refused: {}", reply.body);
    }

    /// Clears the queued faults (`DELETE /_sim/management/faults`).
    pub async fn clear_management_faults(&self) {
        let reply = http_request(
            self.simulator_addr,
            "DELETE",
            "/_sim/management/faults",
            None,
            None,
        )
        .await;
        assert!(
            (200..300).contains(&reply.status),
            "the faults stay: {} {}",
            reply.status,
            reply.body
        );
    }

    /// Every login of `short_id` the simulator recorded, oldest first (`GET /_sim/logins`):
    /// the form the Action asked for, and how each ended.
    pub async fn logins(&self, short_id: &str) -> Vec<Value> {
        let reply = http_get(
            self.simulator_addr,
            &format!("/_sim/logins?user={short_id}"),
            None,
        )
        .await;
        assert_eq!(reply.status, 200, "{}", reply.body);
        serde_json::from_str(&reply.body).expect("the simulator answers JSON")
    }

    /// Changes a user as an administrator would, through the simulated Management API
    /// (`PATCH /api/v2/users/auth0|{short_id}` with `changes`); needs
    /// [`StackOptions::management_api`] or a back channel.
    pub async fn patch_user(&self, short_id: &str, changes: &Value) -> Value {
        let credentials = serde_json::json!({
            "grant_type": "client_credentials",
            "client_id": MANAGEMENT_CLIENT_ID,
            "client_secret": self.management_secret,
            "audience": format!("https://{}/api/v2/", self.simulator_addr),
        });
        let reply = http_request(
            self.simulator_addr,
            "POST",
            "/oauth/token",
            None,
            Some(&credentials.to_string()),
        )
        .await;
        assert_eq!(reply.status, 200, "no Management API token: {}", reply.body);
        let token: Value = serde_json::from_str(&reply.body).expect("a token response");
        let bearer = format!(
            "Bearer {}",
            token["access_token"].as_str().expect("an access token")
        );
        let reply = http_request_with_headers(
            self.simulator_addr,
            "PATCH",
            &format!("/api/v2/users/auth0%7C{short_id}"),
            &[("Authorization", &bearer)],
            Some(&changes.to_string()),
        )
        .await;
        assert_eq!(
            reply.status, 200,
            "the user was not changed: {}",
            reply.body
        );
        serde_json::from_str(&reply.body).expect("the simulator answers JSON")
    }

    /// Starts a login for `short_id` without a browser and returns the stopover link the
    /// Action redirected to, and the transaction cookie (`name=value`) the tenant set.
    pub async fn login_link(&self, short_id: &str) -> (String, String) {
        let reply = http_get(
            self.simulator_addr,
            &format!("/authorize?user={short_id}"),
            None,
        )
        .await;
        assert_eq!(reply.status, 302, "{}", reply.body);
        let location = reply.header("location").expect("a redirect").to_owned();
        let cookie = reply
            .header("set-cookie")
            .and_then(|cookie| cookie.split(';').next())
            .expect("a transaction cookie")
            .to_owned();
        (location, cookie)
    }

    /// Stops both servers.
    pub async fn stop(mut self) {
        self.stop_signer().await;
        if let Some(simulator) = self.simulator.take() {
            simulator.stop().await;
        }
    }
}

/// `text` with the first line setting `key` (`key = ...`) set to `value` instead.
fn set_first(text: &str, key: &str, value: &str) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    let line = lines
        .iter_mut()
        .find(|line| {
            line.split_once('=')
                .is_some_and(|(name, _)| name.trim() == key)
        })
        .unwrap_or_else(|| panic!("the demo configuration sets no `{key}`"));
    *line = format!("{key} = {value}");
    let mut text = lines.join("\n");
    text.push('\n');
    text
}

fn toml_string(value: &str) -> String {
    toml::Value::String(value.to_owned()).to_string()
}

/// `scheme://host[:port]` of `url`.
pub fn origin_of(url: &str) -> String {
    let after_scheme = url.find("://").map_or(0, |at| at + 3);
    let end = url[after_scheme..]
        .find(['/', '?', '#'])
        .map_or(url.len(), |at| at + after_scheme);
    url[..end].to_owned()
}

/// 32 random bytes, base64url.
fn random_secret() -> String {
    let mut bytes = [0_u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// `STOPOVER_DIST_DIR`, or `<workspace>/dist`; it must hold the built page.
pub fn dist_dir() -> PathBuf {
    let dist = std::env::var_os("STOPOVER_DIST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("dist"));
    assert!(
        dist.join("index.html").is_file(),
        "{} has no index.html: the page is not built. Run `cargo xtask test` (it builds the page \
         with trunk first), or `trunk build --release --offline`, or set STOPOVER_DIST_DIR.",
        dist.display()
    );
    dist
}

/// A plain HTTP/1.1 response.
#[derive(Debug)]
pub struct HttpReply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl HttpReply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }
}

/// `GET path` on `addr`, one request per connection, for the few calls the tests make
/// outside the browser.
pub async fn http_get(addr: SocketAddr, path: &str, cookie: Option<&str>) -> HttpReply {
    http_request(addr, "GET", path, cookie, None).await
}

/// `method path` on `addr` with an optional JSON body, one request per connection.
pub async fn http_request(
    addr: SocketAddr,
    method: &str,
    path: &str,
    cookie: Option<&str>,
    json_body: Option<&str>,
) -> HttpReply {
    match cookie {
        Some(cookie) => {
            http_request_with_headers(addr, method, path, &[("Cookie", cookie)], json_body).await
        }
        None => http_request_with_headers(addr, method, path, &[], json_body).await,
    }
}

/// `method path` on `addr` with extra `headers` and an optional JSON body.
pub async fn http_request_with_headers(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    json_body: Option<&str>,
) -> HttpReply {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = TcpStream::connect(addr).await.expect("the server accepts");
    let extra: String = headers
        .iter()
        .map(|(name, value)| format!("{name}: {value}\r\n"))
        .collect();
    let body = json_body.unwrap_or_default();
    let content = json_body
        .map(|body| {
            format!(
                "Content-Type: application/json\r\nContent-Length: {}\r\n",
                body.len()
            )
        })
        .unwrap_or_default();
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\n{extra}{content}Connection: close\r\n\r\n{body}"
    );
    stream
        .write_all(request.as_bytes())
        .await
        .expect("request sent");
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await.expect("response read");
    let raw = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = raw.split_once("\r\n\r\n").unwrap_or((&raw, ""));
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|line| line.split_whitespace().nth(1))
        .and_then(|code| code.parse().ok())
        .expect("an HTTP status line");
    let headers = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.trim().to_owned(), value.trim().to_owned()))
        .collect();
    HttpReply {
        status,
        headers,
        body: body.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn demo() -> String {
        std::fs::read_to_string(workspace_root().join("config/demo.toml")).unwrap()
    }

    fn parse(text: &str) -> Config {
        let env = |name: &str| match name {
            DEMO_SECRET_ENV | MANAGEMENT_SECRET_ENV => Some("x".repeat(43)),
            _ => None,
        };
        Config::from_toml(text, &env).unwrap_or_else(|problem| panic!("{problem}\n{text}"))
    }

    #[test]
    fn the_back_channel_adds_a_management_client_and_form_deliveries_the_signer_accepts() {
        let back_channel = BackChannel::new()
            .form("profile", Delivery::UserMetadata, None)
            .form("terms", Delivery::AppMetadata, Some("consents.{field}"));
        let config = parse(&with_back_channel(&demo(), &back_channel, "127.0.0.1:4321"));

        let client = config.tenants[0]
            .management
            .as_ref()
            .expect("a management client");
        assert_eq!(client.base_url(), "http://127.0.0.1:4321");
        assert_eq!(client.client_id, MANAGEMENT_CLIENT_ID);
        assert_eq!(client.retry_budget_ms, 1_500);
        assert_eq!(client.attempt_timeout_ms, 500);

        let profile = config.delivery("profile").expect("profile is back-channel");
        assert_eq!(profile.targets["company"].delivery, Delivery::UserMetadata);
        assert_eq!(profile.targets["company"].path, ["company"]);
        assert!(
            !profile.targets.contains_key("privacy_notice"),
            "static text is not stored"
        );
        let terms = config.delivery("terms").expect("terms is back-channel");
        assert_eq!(terms.targets["privacy"].delivery, Delivery::AppMetadata);
        assert_eq!(terms.targets["privacy"].path, ["consents", "privacy"]);
    }

    #[test]
    fn without_a_back_channel_every_answer_travels_in_the_token() {
        let config = parse(&demo());
        assert!(config.tenants[0].management.is_none());
        assert!(config.delivery("profile").is_none());
        assert!(config.delivery("terms").is_none());
    }

    #[test]
    fn a_form_only_the_back_channel_names_is_pointed_out() {
        let back_channel = BackChannel::new().form("nope", Delivery::UserMetadata, None);
        let outcome =
            std::panic::catch_unwind(|| with_back_channel(&demo(), &back_channel, "127.0.0.1:1"));
        assert!(outcome.is_err(), "a missing form is not silently skipped");
    }
}
