//! The control plane: an HTTP admin API for operators and `hyperquote ctl`.
//!
//! actix-web (the choice of ARCHITECTURE.md) runs on a thread of its own with its own actix
//! system and one worker, unpinned, never on the hot path. It reaches the actors only
//! through a `ControlClient` — a control message each actor answers between two of its
//! messages, no lock — and keeps each answer for 100 ms (`reads`), so however many requests
//! come, each actor is asked at most ten times a second for each kind of answer: a flood of
//! requests costs the trading threads a bounded amount of work (measured in
//! `tests/admin_api.rs`). Commands are never cached and clear the cache.
//!
//! Security: bound to 127.0.0.1 by default; every request must carry
//! `Authorization: Bearer <token>` (compared in constant time) or gets 401. The token comes
//! from `admin.token_file` or `admin.token_env`; without either the engine generates a random
//! 256-bit token at start, which only the discovery file (mode 0600) holds. A non-loopback
//! `bind` without a configured token is refused at config validation.
//!
//! Discovery: the engine writes `{addr, token, pid, …}` to a file named after its config (see
//! `discovery`), so `hyperquote ctl` finds a local engine started with the same config
//! without flags; the file is removed at a clean stop.
//!
//! Endpoints (`routes`): `GET /health`, `/state`, `/latency`, `/metrics` (Prometheus text),
//! `/calibration` (the models' scores and degradation alerts), `/risk/limits`, `/params`; `POST /risk/limits`, `/params` (a JSON partial change or
//! `{"set": ["KEY=VALUE", ...]}`), `/halt`, `/resume`, `/reduce-only` (`{"reason": ...}`).

mod auth;
pub mod discovery;
mod metrics;
pub mod params;
mod reads;
mod routes;
pub(crate) mod views;

pub use auth::{Token, TokenError};
pub use discovery::{Discovery, DiscoveryKey};

use actix_web::{web, App, HttpServer};
use actors::runtime::ControlClient;
use serde::Deserialize;
use std::net::{SocketAddr, TcpListener};
use std::path::PathBuf;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant, SystemTime};

/// `[admin]`: where the admin API listens and where its bearer token comes from.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AdminConfig {
    /// Listen address; port 0 takes any free port (the discovery file names the one taken).
    #[serde(default = "default_bind")]
    pub bind: SocketAddr,
    /// A file holding the bearer token (surrounding whitespace ignored).
    #[serde(default)]
    pub token_file: Option<PathBuf>,
    /// An environment variable holding the bearer token.
    #[serde(default)]
    pub token_env: Option<String>,
}

fn default_bind() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], 0))
}

impl AdminConfig {
    /// Checks what can be checked without reading the token: one token source at most, and
    /// a configured token for any address other than loopback.
    pub fn validate(&self) -> Result<(), (String, String)> {
        if self.token_file.is_some() && self.token_env.is_some() {
            return Err(("admin.token_file".into(), "give admin.token_file or admin.token_env, not both".into()));
        }
        if self.token_env.as_deref().is_some_and(|v| v.trim().is_empty()) {
            return Err(("admin.token_env".into(), "must name an environment variable".into()));
        }
        if !self.bind.ip().is_loopback() && self.token_file.is_none() && self.token_env.is_none() {
            return Err((
                "admin.bind".into(),
                format!(
                    "{} is not a loopback address: set admin.token_file or admin.token_env (a generated token is only for loopback)",
                    self.bind
                ),
            ));
        }
        Ok(())
    }
}

/// How a run starts its admin server.
#[derive(Debug, Clone)]
pub struct AdminPlan {
    pub config: AdminConfig,
    /// Where to write the discovery file; `None` writes none.
    pub discovery_file: Option<PathBuf>,
    /// What the engine's config is known by (shown by `/health` and in the discovery file).
    pub config_origin: String,
}

impl AdminPlan {
    /// A plan without a discovery file.
    pub fn new(config: AdminConfig) -> Self {
        Self { config, discovery_file: None, config_origin: String::new() }
    }

    /// Announces the server through the discovery file of `key`.
    pub fn with_discovery(mut self, key: &DiscoveryKey) -> Self {
        self.discovery_file = Some(key.path());
        self.config_origin = key.as_str().to_string();
        self
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    #[error("admin.bind {addr}: {source}")]
    Bind { addr: SocketAddr, source: std::io::Error },
    #[error(transparent)]
    Token(#[from] TokenError),
    #[error("admin.bind {0}: refusing a non-loopback address without admin.token_file or admin.token_env")]
    OpenWithoutToken(SocketAddr),
    #[error("admin server: {0}")]
    Server(std::io::Error),
    #[error("admin discovery file {path}: {source}")]
    Discovery { path: String, source: std::io::Error },
}

/// What the admin API knows about the engine besides what the actors report.
#[derive(Debug, Clone)]
pub struct EngineInfo {
    /// Coin names, indexed by `CoinId`.
    pub coins: Vec<String>,
    /// Where the config came from (a path, or the embedded profile's name).
    pub config_origin: String,
    /// When the engine started (uptime).
    pub started: Instant,
    /// Wall time at the runtime clock's zero, to give times on that clock as wall time.
    pub clock_zero_wall: SystemTime,
}

/// How long an admin request waits for an actor's answer.
pub const ASK_TIMEOUT: Duration = Duration::from_secs(1);
/// Concurrent connections the admin server accepts; more wait in the listen backlog.
const MAX_CONNECTIONS: usize = 256;

/// The admin server's socket and token, ready to serve: binding comes first so that a taken
/// port or a missing token fails the run before any actor starts.
pub struct BoundAdmin {
    plan: AdminPlan,
    listener: TcpListener,
    addr: SocketAddr,
    token: Token,
    generated: bool,
}

/// The running admin server. Stop it with `stop` (dropping it leaves the server running
/// until the process ends).
pub struct AdminServer {
    addr: SocketAddr,
    handle: actix_web::dev::ServerHandle,
    thread: Option<JoinHandle<()>>,
    discovery: Option<(PathBuf, Discovery)>,
}

impl AdminPlan {
    /// Resolves the token (configured, or generated on loopback) and binds the address.
    pub fn bind(&self) -> Result<BoundAdmin, AdminError> {
        let config = &self.config;
        let configured = Token::configured(config)?;
        if configured.is_none() && !config.bind.ip().is_loopback() {
            return Err(AdminError::OpenWithoutToken(config.bind));
        }
        let generated = configured.is_none();
        let token = match configured {
            Some(t) => t,
            None => Token::generate()?,
        };
        let listener =
            TcpListener::bind(config.bind).map_err(|source| AdminError::Bind { addr: config.bind, source })?;
        let addr = listener.local_addr().map_err(|source| AdminError::Bind { addr: config.bind, source })?;
        Ok(BoundAdmin { plan: self.clone(), listener, addr, token, generated })
    }
}

impl BoundAdmin {
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Starts serving on a thread of its own; writes the discovery file when the plan names one.
    pub fn serve(self, client: ControlClient, info: EngineInfo) -> Result<AdminServer, AdminError> {
        let BoundAdmin { plan, listener, addr, token, generated } = self;
        let discovery = Discovery {
            addr: addr.to_string(),
            // A configured token stays where the operator keeps it; `ctl` reads it from there.
            token: generated.then(|| token.expose().to_string()),
            token_file: plan.config.token_file.clone(),
            token_env: plan.config.token_env.clone(),
            pid: std::process::id(),
            config: info.config_origin.clone(),
            started_unix_ms: unix_ms(SystemTime::now()),
        };
        let state = web::Data::new(routes::AdminState::new(client, info, Arc::new(token)));
        let (handle_tx, handle_rx) = crossbeam_channel::bounded(1);
        let thread = std::thread::Builder::new()
            .name("hq-admin".into())
            .spawn(move || serve(listener, state, handle_tx))
            .map_err(AdminError::Server)?;
        let handle = match handle_rx.recv() {
            Ok(Ok(handle)) => handle,
            Ok(Err(e)) => return Err(AdminError::Server(e)),
            Err(_) => return Err(AdminError::Server(std::io::Error::other("admin thread ended at start"))),
        };
        let mut server = AdminServer { addr, handle, thread: Some(thread), discovery: None };
        if let Some(path) = &plan.discovery_file {
            if let Err(source) = discovery.write(path) {
                server.stop();
                return Err(AdminError::Discovery { path: path.display().to_string(), source });
            }
            server.discovery = Some((path.clone(), discovery));
        }
        Ok(server)
    }
}

impl AdminServer {
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The discovery file written, if any.
    pub fn discovery_file(&self) -> Option<&PathBuf> {
        self.discovery.as_ref().map(|(p, _)| p)
    }

    /// Removes the discovery file (if still ours), stops the server and joins its thread.
    pub fn stop(&mut self) {
        if let Some((path, ours)) = self.discovery.take() {
            Discovery::remove_if_ours(&path, &ours);
        }
        // `stop` sends the command at once; its future only waits for the completion.
        drop(self.handle.stop(false));
        if let Some(thread) = self.thread.take() {
            if thread.join().is_err() {
                tracing::error!("the admin server thread panicked");
            }
        }
    }
}

fn unix_ms(t: SystemTime) -> u64 {
    t.duration_since(SystemTime::UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64)
}

/// The admin thread: one actix system, one worker; hands back the server's handle (or the
/// error) and serves until stopped.
fn serve(
    listener: TcpListener,
    state: web::Data<routes::AdminState>,
    handle_tx: crossbeam_channel::Sender<std::io::Result<actix_web::dev::ServerHandle>>,
) {
    let system = actix_web::rt::System::new();
    let server = HttpServer::new(move || {
        App::new()
            .app_data(state.clone())
            .wrap(actix_web::middleware::from_fn(routes::authenticate))
            .configure(routes::configure)
    })
    .workers(1)
    .max_connections(MAX_CONNECTIONS)
    .disable_signals()
    .shutdown_timeout(1)
    .listen(listener);
    let server = match server {
        Ok(s) => s.run(),
        Err(e) => {
            let _ = handle_tx.send(Err(e));
            return;
        }
    };
    let _ = handle_tx.send(Ok(server.handle()));
    if let Err(e) = system.block_on(server) {
        tracing::error!("admin server: {e}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(text: &str) -> Result<AdminConfig, String> {
        let c: AdminConfig = toml::from_str(text).map_err(|e| e.to_string())?;
        c.validate().map_err(|(k, m)| format!("{k}: {m}"))?;
        Ok(c)
    }

    #[test]
    fn loopback_is_the_default_and_an_open_address_needs_a_configured_token() {
        let c = config("").unwrap();
        assert_eq!(c.bind, SocketAddr::from(([127, 0, 0, 1], 0)));
        assert!(config(r#"bind = "[::1]:9000""#).is_ok());
        let e = config(r#"bind = "0.0.0.0:9000""#).unwrap_err();
        assert!(e.starts_with("admin.bind: 0.0.0.0:9000 is not a loopback address"), "{e}");
        assert!(config("bind = \"0.0.0.0:9000\"\ntoken_env = \"HQ_TOKEN\"").is_ok());
        let e = config("token_env = \"A\"\ntoken_file = \"/x\"").unwrap_err();
        assert!(e.starts_with("admin.token_file"), "{e}");
        let e = config(r#"bind = "localhost:1""#).unwrap_err();
        assert!(e.contains("socket address"), "{e}");
        let e = config(r#"port = 1"#).unwrap_err();
        assert!(e.contains("unknown field `port`"), "{e}");
    }
}
