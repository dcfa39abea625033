//! `hyperquote ctl`: the operator's command line for a running engine's admin API.
//!
//! It finds the engine the way `run` announced it: the discovery file named after the same
//! config (`--config F`, default the embedded paper profile, then the embedded replay
//! profile), which holds the address and, when the engine generated it, the token. A
//! configured token is read from the `admin.token_file` / `admin.token_env` the file names.
//! `--addr` and `--token-file` override both. Answers print as tables, or as the API's JSON
//! with `--json`; an error answer prints its message (and field) and exits non-zero.

pub mod http;
mod tables;

use crate::admin::params::quote_params_from_assignments;
use crate::admin::{Discovery, DiscoveryKey, Token};
use clap::Subcommand;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

#[derive(clap::Args, Debug)]
pub struct CtlArgs {
    /// The engine's config file (finds its discovery file); default: the embedded profiles.
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// The admin API's address, e.g. 127.0.0.1:7070 (instead of the discovery file).
    #[arg(long, global = true, value_name = "HOST:PORT")]
    pub addr: Option<String>,
    /// A file holding the bearer token (instead of the discovery file or the config's).
    #[arg(long, global = true, value_name = "FILE")]
    pub token_file: Option<PathBuf>,
    /// Print the API's JSON answer instead of a table.
    #[arg(long, global = true)]
    pub json: bool,
    #[command(subcommand)]
    pub command: CtlCommand,
}

#[derive(Subcommand, Debug)]
pub enum CtlCommand {
    /// Trading state, positions and PnL, open orders, quote parameters, risk limits,
    /// calibration sample and degradation alerts.
    Status,
    /// Per-actor queue-wait and service-time percentiles, tick-to-order, queue counters.
    Latency,
    /// Risk limits: `risk get`, or `risk set KEY=VALUE...` (validated whole by the engine).
    Risk {
        #[command(subcommand)]
        action: GetSet,
    },
    /// Cancel every order and quote nothing until `resume`.
    Halt {
        #[arg(long)]
        reason: Option<String>,
    },
    /// Quote both sides again (trading state ACTIVE).
    Resume {
        #[arg(long)]
        reason: Option<String>,
    },
    /// Quote only orders that shrink the position.
    ReduceOnly {
        #[arg(long)]
        reason: Option<String>,
    },
    /// Quote parameters: `params get`, or `params set model=glft gamma_per_usd=0.3 ...`.
    Params {
        #[command(subcommand)]
        action: GetSet,
    },
    /// The Prometheus metrics page, as served.
    Metrics,
    /// Each model's calibration scores (Brier, fills/expected, markout IC/IR, lead hit rate)
    /// and the degradation alerts.
    Calibration,
}

#[derive(Subcommand, Debug)]
pub enum GetSet {
    Get,
    Set {
        #[arg(required = true, value_name = "KEY=VALUE")]
        assignments: Vec<String>,
    },
}

/// Where the engine is and how to authenticate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub addr: String,
    pub token: Option<String>,
}

/// Runs one `ctl` command; the text to print on success, the message on failure.
pub fn run(args: &CtlArgs) -> Result<String, String> {
    let target = find_target(args)?;
    let call = |method: &str, path: &str, body: Option<Value>| call(&target, method, path, body);
    let reason_body = |reason: &Option<String>| reason.as_ref().map(|r| json!({ "reason": r }));
    let (answer, render): (Value, fn(&Value, &Target) -> String) = match &args.command {
        CtlCommand::Status => (call("GET", "/state", None)?, tables::status),
        CtlCommand::Latency => (call("GET", "/latency", None)?, tables::latency),
        CtlCommand::Calibration => (call("GET", "/calibration", None)?, tables::calibration),
        CtlCommand::Risk { action: GetSet::Get } => (call("GET", "/risk/limits", None)?, tables::risk_limits),
        CtlCommand::Risk { action: GetSet::Set { assignments } } => {
            (call("POST", "/risk/limits", Some(json!({ "set": assignments })))?, tables::applied)
        }
        CtlCommand::Halt { reason } => (call("POST", "/halt", reason_body(reason))?, tables::trading_state),
        CtlCommand::Resume { reason } => (call("POST", "/resume", reason_body(reason))?, tables::trading_state),
        CtlCommand::ReduceOnly { reason } => {
            (call("POST", "/reduce-only", reason_body(reason))?, tables::trading_state)
        }
        CtlCommand::Params { action: GetSet::Get } => (call("GET", "/params", None)?, tables::params),
        CtlCommand::Params { action: GetSet::Set { assignments } } => {
            let texts: Vec<&str> = assignments.iter().map(String::as_str).collect();
            let change = quote_params_from_assignments(&texts).map_err(|e| format!("params set: {e}"))?;
            (
                call("POST", "/params", Some(without_nulls(serde_json::to_value(change).unwrap_or_default())))?,
                tables::applied,
            )
        }
        CtlCommand::Metrics => return metrics(&target),
    };
    if args.json {
        return Ok(format!("{}\n", serde_json::to_string_pretty(&answer).unwrap_or_default()));
    }
    Ok(render(&answer, &target))
}

fn without_nulls(value: Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(map.into_iter().filter(|(_, v)| !v.is_null()).collect()),
        other => other,
    }
}

/// One request; a JSON answer, or the error answer's message.
pub fn call(target: &Target, method: &str, path: &str, body: Option<Value>) -> Result<Value, String> {
    let body = body.map(|b| b.to_string());
    let response = http::request(&target.addr, method, path, target.token.as_deref(), body.as_deref())
        .map_err(|e| e.to_string())?;
    let value: Value = serde_json::from_str(&response.body).map_err(|_| {
        format!("{method} {path}: HTTP {} with a body that is not JSON: {}", response.status, response.body)
    })?;
    if response.status >= 400 {
        let error = value.get("error").and_then(Value::as_str).unwrap_or("(no message)");
        let field = value.get("field").and_then(Value::as_str).map(|f| format!(" [field: {f}]")).unwrap_or_default();
        return Err(format!("{method} {path}: HTTP {}: {error}{field}", response.status));
    }
    Ok(value)
}

fn metrics(target: &Target) -> Result<String, String> {
    let r = http::request(&target.addr, "GET", "/metrics", target.token.as_deref(), None).map_err(|e| e.to_string())?;
    if r.status >= 400 {
        return Err(format!("GET /metrics: HTTP {}: {}", r.status, r.body));
    }
    Ok(r.body)
}

/// The engine to talk to: flags first, else the discovery file of the config.
pub fn find_target(args: &CtlArgs) -> Result<Target, String> {
    let flag_token = match &args.token_file {
        Some(path) => Some(Token::from_file(path).map_err(|e| e.to_string())?.expose().to_string()),
        None => None,
    };
    if let Some(addr) = &args.addr {
        let token = match (flag_token, &args.config) {
            (Some(t), _) => Some(t),
            (None, Some(config)) => configured_token(config)?,
            (None, None) => None,
        };
        return Ok(Target { addr: addr.clone(), token });
    }
    let keys = match &args.config {
        Some(path) => vec![DiscoveryKey::config_file(path)],
        None => vec![DiscoveryKey::embedded("paper"), DiscoveryKey::embedded("replay")],
    };
    let found = keys.iter().map(DiscoveryKey::path).find(|p| p.exists());
    let Some(path) = found else {
        let looked: Vec<String> = keys.iter().map(|k| format!("{} ({})", k.path().display(), k.as_str())).collect();
        return Err(format!(
            "no running engine found: no discovery file {}. Start one with `hyperquote run{}`, or give --addr and --token-file",
            looked.join(" or "),
            args.config.as_ref().map(|c| format!(" --config {}", c.display())).unwrap_or_default()
        ));
    };
    let discovery = Discovery::read(&path)?;
    if !discovery.engine_alive() {
        return Err(format!(
            "stale discovery file {}: the engine (pid {}) is not running; start one or give --addr",
            path.display(),
            discovery.pid
        ));
    }
    let token = match (flag_token, &discovery.token) {
        (Some(t), _) => Some(t),
        (None, Some(t)) => Some(t.clone()),
        (None, None) => discovered_token(&discovery)?,
    };
    Ok(Target { addr: discovery.addr, token })
}

/// The token an engine's configured source holds (the discovery file names the source).
fn discovered_token(d: &Discovery) -> Result<Option<String>, String> {
    if let Some(path) = &d.token_file {
        return Token::from_file(path).map(|t| Some(t.expose().to_string())).map_err(|e| e.to_string());
    }
    if let Some(name) = &d.token_env {
        let value = std::env::var(name).map_err(|_| {
            format!("the engine's token is in ${name}, which is not set here; set it or give --token-file")
        })?;
        return Ok(Some(value.trim().to_string()));
    }
    Ok(None)
}

/// The token `config`'s `[admin]` section names, if any.
fn configured_token(config: &Path) -> Result<Option<String>, String> {
    let config = crate::config::Config::load(config).map_err(|e| e.to_string())?;
    let Some(admin) = &config.admin else { return Ok(None) };
    Token::configured(admin).map(|t| t.map(|t| t.expose().to_string())).map_err(|e| e.to_string())
}
