//! The signer and the tenant simulator, in process, on loopback ports the system picks, with
//! a random secret; the signer can be stopped and started again on the same port.

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
use stopover_simulator::{Secret, SimulatorConfig};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::workspace_root;

/// The environment variable `config/demo.toml` names for the tenant secret.
const DEMO_SECRET_ENV: &str = "STOPOVER_DEMO_SECRET";

/// How a test wants the stack.
#[derive(Debug, Clone)]
pub struct StackOptions {
    /// `expiresInSeconds` of the simulator's session tokens.
    pub session_token_ttl_secs: u64,
}

impl Default for StackOptions {
    fn default() -> Self {
        Self {
            session_token_ttl_secs: stopover_simulator::config::DEFAULT_SESSION_TOKEN_TTL_SECS,
        }
    }
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
    dist: PathBuf,
    signer: Option<Server>,
    simulator: Option<Server>,
}

impl Stack {
    pub async fn start(options: StackOptions) -> Self {
        let dist = dist_dir();
        let mut bytes = [0_u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        let secret = URL_SAFE_NO_PAD.encode(bytes);

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
            dist,
            signer: None,
            simulator: None,
        };
        stack.forms = stack.signer_config().forms;

        let mut simulator = SimulatorConfig::new(
            &simulator_addr.to_string(),
            &format!("http://{signer_addr}/"),
            Secret::new(stack.secret.clone()),
        );
        simulator.session_token_ttl_secs = options.session_token_ttl_secs;
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

    /// The signer's configuration: `config/demo.toml` with this stack's ports, origin, page
    /// directory and secret.
    pub fn signer_config(&self) -> Config {
        let path = workspace_root().join("config/demo.toml");
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|problem| panic!("cannot read {}: {problem}", path.display()));
        let secret = self.secret.clone();
        let env = move |name: &str| (name == DEMO_SECRET_ENV).then(|| secret.clone());
        let mut config = Config::from_toml(&text, &env)
            .unwrap_or_else(|problem| panic!("config/demo.toml is refused: {problem}"));
        config.listen = self.signer_addr;
        config.allowed_origins = vec![self.signer_origin()];
        config.static_dir = Some(self.dist.clone());
        let tenant = config
            .tenants
            .first_mut()
            .expect("config/demo.toml has a tenant");
        tenant.issuer = self.simulator_addr.to_string();
        config
    }

    /// `http://127.0.0.1:PORT` of the signer (and the page it serves).
    pub fn signer_origin(&self) -> String {
        format!("http://{}", self.signer_addr)
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
            if let Err(problem) = stopover_signer::serve(config, listener, shutdown).await {
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
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = TcpStream::connect(addr).await.expect("the server accepts");
    let cookie = cookie
        .map(|c| format!("Cookie: {c}\r\n"))
        .unwrap_or_default();
    let request =
        format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\n{cookie}Connection: close\r\n\r\n");
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
