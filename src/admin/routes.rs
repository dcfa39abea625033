//! The admin API's endpoints: authentication, then each request turned into control asks
//! and commands through the `ControlClient`.
//!
//! Every answer is JSON (`/metrics`: Prometheus text); every error is
//! `{"error": "...", "field": <the field it is about, or null>}` with its status: 400 bad
//! input or a refused change, 401 no or wrong token, 404/405 unknown endpoint or method,
//! 409 a state change the risk actor refused, 503 an actor that did not answer in time. An
//! ask can wait up to `ASK_TIMEOUT` for an actor, so it runs on the blocking pool, never on
//! the server's event loop.

use super::metrics::{self, MetricsInput};
use super::params::{self, FieldError};
use super::reads::Reads;
use super::views::{LatencyView, ParamsView, StateView, TradingStateView};
use super::{EngineInfo, Token, ASK_TIMEOUT};
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{header, StatusCode};
use actix_web::middleware::Next;
use actix_web::{web, HttpRequest, HttpResponse};
use actors::control::{Command, CommandReply, QuoteParamsChange};
use actors::journal::Record;
use actors::report::{ActorReport, FillSummary, OrderReport, QuoteReport, RiskReport};
use actors::runtime::ControlClient;
use actors::ActorId;
use engine::calibration::CalibrationReport;
use engine::risk::{RiskLimitsChange, TradingState};
use engine::types::UnixNanos;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// What every request handler shares.
pub struct AdminState {
    reads: Reads,
    info: EngineInfo,
    token: Arc<Token>,
    requests: AtomicU64,
    unauthorized: AtomicU64,
}

impl AdminState {
    pub fn new(client: ControlClient, info: EngineInfo, token: Arc<Token>) -> Self {
        let reads = Reads::new(client);
        Self { reads, info, token, requests: AtomicU64::new(0), unauthorized: AtomicU64::new(0) }
    }
}

/// An error answer: status, message, and the field it is about.
#[derive(Debug, Clone)]
pub struct ApiError {
    status: StatusCode,
    error: String,
    field: Option<String>,
}

#[derive(Serialize)]
struct ErrorBody<'a> {
    error: &'a str,
    field: Option<&'a str>,
}

impl ApiError {
    fn new(status: StatusCode, error: impl Into<String>) -> Self {
        Self { status, error: error.into(), field: None }
    }

    fn bad_request(e: FieldError) -> Self {
        Self { status: StatusCode::BAD_REQUEST, error: e.message, field: e.field }
    }

    fn no_answer(id: ActorId) -> Self {
        let secs = ASK_TIMEOUT.as_secs_f64();
        Self::new(StatusCode::SERVICE_UNAVAILABLE, format!("the {id} actor did not answer within {secs} s"))
    }

    fn response(&self) -> HttpResponse {
        HttpResponse::build(self.status).json(ErrorBody { error: &self.error, field: self.field.as_deref() })
    }
}

/// A successful answer, built on the blocking pool (where `HttpResponse`, not `Send`, can't be).
enum Reply {
    Json(StatusCode, Value),
    Metrics(String),
}

fn ok(value: impl Serialize) -> Result<Reply, ApiError> {
    serde_json::to_value(value)
        .map(|v| Reply::Json(StatusCode::OK, v))
        .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))
}

/// Runs `f` (which may wait on actors) on the blocking pool and turns its result into a response.
async fn answer(
    state: web::Data<AdminState>,
    f: impl FnOnce(&AdminState) -> Result<Reply, ApiError> + Send + 'static,
) -> HttpResponse {
    let outcome = web::block(move || f(&state)).await;
    match outcome {
        Ok(Ok(Reply::Json(status, value))) => HttpResponse::build(status).json(value),
        Ok(Ok(Reply::Metrics(text))) => HttpResponse::Ok().content_type(metrics::CONTENT_TYPE).body(text),
        Ok(Err(e)) => e.response(),
        Err(e) => ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).response(),
    }
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    let resource = |path: &str| web::resource(path.to_string()).default_service(web::to(not_allowed));
    cfg.service(resource("/health").route(web::get().to(|s| answer(s, health))))
        .service(resource("/state").route(web::get().to(|s| answer(s, state_view))))
        .service(resource("/latency").route(web::get().to(|s| answer(s, latency))))
        .service(resource("/metrics").route(web::get().to(|s| answer(s, metrics_page))))
        .service(resource("/calibration").route(web::get().to(|s| answer(s, calibration_view))))
        .service(
            resource("/risk/limits")
                .route(web::get().to(|s| answer(s, risk_limits)))
                .route(web::post().to(|s, body: web::Bytes| answer(s, move |s| set_risk_limits(s, &body)))),
        )
        .service(resource("/halt").route(web::post().to(|s, b: web::Bytes| trading_state(s, b, TradingState::Halted))))
        .service(
            resource("/resume").route(web::post().to(|s, b: web::Bytes| trading_state(s, b, TradingState::Active))),
        )
        .service(
            resource("/reduce-only")
                .route(web::post().to(|s, b: web::Bytes| trading_state(s, b, TradingState::ReduceOnly))),
        )
        .service(
            resource("/params")
                .route(web::get().to(|s| answer(s, params_view)))
                .route(web::post().to(|s, body: web::Bytes| answer(s, move |s| set_params(s, &body)))),
        )
        .default_service(web::to(not_found));
}

async fn not_found(req: HttpRequest) -> HttpResponse {
    ApiError::new(StatusCode::NOT_FOUND, format!("no endpoint {} {}", req.method(), req.path())).response()
}

async fn not_allowed(req: HttpRequest) -> HttpResponse {
    ApiError::new(StatusCode::METHOD_NOT_ALLOWED, format!("{} is not allowed on {}", req.method(), req.path()))
        .response()
}

// ---------------------------------------------------------------------------------------
// Reading the actors

fn report<T>(s: &AdminState, id: ActorId, pick: fn(ActorReport) -> Option<T>) -> Result<T, ApiError> {
    let report = s.reads.report(id).ok_or(ApiError::no_answer(id))?;
    pick(report)
        .ok_or_else(|| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, format!("the {id} actor gave another report")))
}

fn risk(s: &AdminState) -> Result<RiskReport, ApiError> {
    report(s, ActorId::Risk, |r| if let ActorReport::Risk(r) = r { Some(r) } else { None })
}

fn orders(s: &AdminState) -> Result<OrderReport, ApiError> {
    report(s, ActorId::Order, |r| if let ActorReport::Order(r) = r { Some(r) } else { None })
}

fn fills(s: &AdminState) -> Result<FillSummary, ApiError> {
    report(s, ActorId::Fill, |r| if let ActorReport::Fill(r) = r { Some(r) } else { None })
}

fn quote(s: &AdminState) -> Result<QuoteReport, ApiError> {
    report(s, ActorId::Quote, |r| if let ActorReport::Quote(r) = r { Some(r) } else { None })
}

fn calibration(s: &AdminState) -> Result<CalibrationReport, ApiError> {
    report(s, ActorId::Calibration, |r| if let ActorReport::Calibration(r) = r { Some(r) } else { None })
}

fn health(s: &AdminState) -> Result<Reply, ApiError> {
    let risk = risk(s)?;
    ok(json!({
        "status": "ok",
        "uptime_s": s.info.started.elapsed().as_secs_f64(),
        "trading_state": risk.trading_state.state,
        "pid": std::process::id(),
        "version": env!("CARGO_PKG_VERSION"),
        "config": s.info.config_origin,
    }))
}

fn state_view(s: &AdminState) -> Result<Reply, ApiError> {
    // Calibration is off the trading path and may be stalled: the status goes without it.
    let calibration = calibration(s).ok();
    let view = StateView::new(risk(s)?, orders(s)?, &fills(s)?, quote(s)?, calibration.as_ref(), &s.info);
    ok(view)
}

/// `GET /calibration`: CalibrationActor's whole report (scores, buckets, profitability, alerts).
fn calibration_view(s: &AdminState) -> Result<Reply, ApiError> {
    ok(calibration(s)?)
}

fn latency(s: &AdminState) -> Result<Reply, ApiError> {
    let hosted = s.reads.hosted();
    let actors = hosted.iter().filter_map(|&id| s.reads.latency(id)).collect();
    let queues = hosted.iter().map(|&id| s.reads.queue(id)).collect();
    ok(LatencyView::new(actors, queues, s.reads.inbox_depths()))
}

fn metrics_page(s: &AdminState) -> Result<Reply, ApiError> {
    let hosted = s.reads.hosted();
    let mut answered = Vec::with_capacity(hosted.len());
    let mut latencies = Vec::with_capacity(hosted.len());
    for &id in &hosted {
        let l = s.reads.latency(id);
        answered.push((id, l.is_some()));
        latencies.extend(l);
    }
    let queues: Vec<_> = hosted.iter().map(|&id| s.reads.queue(id)).collect();
    let inboxes = s.reads.inbox_depths();
    let (risk, orders, fill, quote) = (risk(s).ok(), orders(s).ok(), fills(s).ok(), quote(s).ok());
    let calibration = calibration(s).ok();
    let page = metrics::render(&MetricsInput {
        info: &s.info,
        answered: &answered,
        latencies: &latencies,
        queues: &queues,
        inboxes: &inboxes,
        risk: risk.as_ref(),
        risk_limits_version: risk.as_ref().and_then(limits_version),
        orders: orders.as_ref(),
        fill: fill.as_ref(),
        quote: quote.as_ref(),
        calibration: calibration.as_ref(),
        admin_requests: s.requests.load(Ordering::Relaxed),
        admin_unauthorized: s.unauthorized.load(Ordering::Relaxed),
    });
    Ok(Reply::Metrics(page))
}

fn params_view(s: &AdminState) -> Result<Reply, ApiError> {
    ok(ParamsView::of(&quote(s)?))
}

// ---------------------------------------------------------------------------------------
// Changing things

/// A change body: a JSON object of the fields to change, or `{"set": ["KEY=VALUE", ...]}`.
fn parse_change<T>(
    body: &[u8],
    from_assignments: impl FnOnce(&[&str]) -> Result<T, FieldError>,
    from_json: impl FnOnce(Value) -> Result<T, FieldError>,
) -> Result<T, ApiError> {
    let value: Value = serde_json::from_slice(body).map_err(|e| {
        ApiError::bad_request(FieldError { field: None, message: format!("the body must be a JSON object: {e}") })
    })?;
    let set = value.as_object().filter(|m| m.len() == 1).and_then(|m| m.get("set"));
    match set {
        Some(Value::Array(items)) => {
            let texts: Option<Vec<&str>> = items.iter().map(Value::as_str).collect();
            let texts = texts.ok_or_else(|| {
                ApiError::bad_request(FieldError {
                    field: Some("set".into()),
                    message: "set: expected strings KEY=VALUE".into(),
                })
            })?;
            from_assignments(&texts).map_err(ApiError::bad_request)
        }
        Some(_) => Err(ApiError::bad_request(FieldError {
            field: Some("set".into()),
            message: "set: expected a list of KEY=VALUE strings".into(),
        })),
        None => from_json(value).map_err(ApiError::bad_request),
    }
}

fn set_params(s: &AdminState, body: &[u8]) -> Result<Reply, ApiError> {
    let change: QuoteParamsChange = parse_change(body, params::quote_params_from_assignments, params::from_json)?;
    let keys = params::set_keys(&change);
    if keys.is_empty() {
        let known = params::keys_of::<QuoteParamsChange>().join(", ");
        return Err(ApiError::bad_request(FieldError {
            field: None,
            message: format!("no parameter given (known: {known})"),
        }));
    }
    let refused = |message: String| {
        let field = params::field_of_refusal(&message, &keys);
        // Name the field as the operator spelled it, whatever the actor's message calls it.
        let message = match &field {
            Some(f) if !message.contains(f.as_str()) => format!("{f}: {message}"),
            _ => message,
        };
        ApiError::bad_request(FieldError { field, message })
    };
    // QuoteActor validates the whole change (the tolerance too), so OrderActor, which takes
    // only the tolerance by the same rule, accepts what QuoteActor accepted.
    let version = match s.reads.command(ActorId::Quote, Command::SetQuoteParams(change.clone())) {
        Some(CommandReply::Applied { version }) => version,
        Some(CommandReply::Refused(message)) => return Err(refused(message)),
        Some(other) => return Err(unexpected(ActorId::Quote, &other)),
        None => return Err(ApiError::no_answer(ActorId::Quote)),
    };
    if change.requote_tolerance_bps.is_some() {
        match s.reads.command(ActorId::Order, Command::SetQuoteParams(change.clone())) {
            Some(CommandReply::Done | CommandReply::Applied { .. }) => {}
            Some(CommandReply::Refused(message)) => return Err(refused(message)),
            Some(other) => return Err(unexpected(ActorId::Order, &other)),
            None => return Err(ApiError::no_answer(ActorId::Order)),
        }
    }
    journal(s, Record::QuoteParams { at: UnixNanos::wall_clock(), version, change });
    ok(json!({ "version": version }))
}

/// Journals a control change that took effect (live trading keeps a journal; paper runs
/// answer `Unsupported`). A failed write does not undo the change: it is logged loudly.
fn journal(s: &AdminState, record: Record) {
    match s.reads.command(ActorId::Venue, Command::Journal(record)) {
        Some(CommandReply::Done | CommandReply::Unsupported) => {}
        Some(CommandReply::Refused(message)) => tracing::error!(%message, "control change not journaled"),
        other => tracing::error!(reply = ?other, "control change not journaled: the venue node did not confirm"),
    }
}

fn unexpected(id: ActorId, reply: &CommandReply) -> ApiError {
    ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, format!("the {id} actor answered {reply:?}"))
}

/// The optional body of halt / resume / reduce-only.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct StateChangeBody {
    reason: Option<String>,
}

async fn trading_state(state: web::Data<AdminState>, body: web::Bytes, to: TradingState) -> HttpResponse {
    answer(state, move |s| set_trading_state(s, &body, to)).await
}

fn set_trading_state(s: &AdminState, body: &[u8], to: TradingState) -> Result<Reply, ApiError> {
    let parsed: StateChangeBody = if body.iter().all(u8::is_ascii_whitespace) {
        StateChangeBody::default()
    } else {
        serde_json::from_slice(body).map_err(|e| {
            let field = e.to_string().contains("unknown field").then(|| "reason".to_string());
            ApiError::bad_request(FieldError {
                field,
                message: format!("expected {{\"reason\": \"...\"}} or no body: {e}"),
            })
        })?
    };
    let reason = parsed.reason.unwrap_or_else(|| "operator (admin API)".to_string());
    let command = Command::SetTradingState { state: to, reason: reason.clone() };
    let changed = match s.reads.command(ActorId::Risk, command) {
        Some(CommandReply::Done | CommandReply::Applied { .. }) => true,
        Some(CommandReply::Unchanged) => false,
        Some(CommandReply::Refused(message)) => return Err(ApiError::new(StatusCode::CONFLICT, message)),
        Some(other) => return Err(unexpected(ActorId::Risk, &other)),
        None => return Err(ApiError::no_answer(ActorId::Risk)),
    };
    if changed {
        journal(s, Record::TradingState { at: UnixNanos::wall_clock(), state: to, reason });
    }
    let risk = risk(s)?;
    ok(json!({ "changed": changed, "trading_state": TradingStateView::of(&risk.trading_state, &s.info) }))
}

/// Authentication: every request needs `Authorization: Bearer <token>`.
pub async fn authenticate(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let Some(state) = req.app_data::<web::Data<AdminState>>().cloned() else {
        let e = ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "admin state missing");
        return Ok(req.into_response(e.response()).map_into_right_body());
    };
    state.requests.fetch_add(1, Ordering::Relaxed);
    let presented = req.headers().get(header::AUTHORIZATION).map(|v| v.as_bytes());
    if !state.token.admits(presented) {
        state.unauthorized.fetch_add(1, Ordering::Relaxed);
        let e =
            ApiError::new(StatusCode::UNAUTHORIZED, "missing or wrong bearer token (Authorization: Bearer <token>)");
        let mut response = e.response();
        response.headers_mut().insert(header::WWW_AUTHENTICATE, header::HeaderValue::from_static("Bearer"));
        return Ok(req.into_response(response).map_into_right_body());
    }
    next.call(req).await.map(ServiceResponse::map_into_left_body)
}
// ---------------------------------------------------------------------------------------
// Risk limits

fn limits_version(risk: &RiskReport) -> Option<u64> {
    Some(risk.limits_version)
}

fn risk_limits(s: &AdminState) -> Result<Reply, ApiError> {
    let risk = risk(s)?;
    ok(json!({ "version": risk.limits_version, "limits": risk.limits }))
}

/// `{"set": ["max_position_base.BTC=0.01", ...]}` or a JSON `RiskLimitsChange`, validated
/// whole by RiskActor: 200 with the new version, or 400 naming the field (old limits stay).
fn set_risk_limits(s: &AdminState, body: &[u8]) -> Result<Reply, ApiError> {
    let change: RiskLimitsChange = parse_change(body, risk_change_from_assignments, params::risk_change_from_json)?;
    if change.is_empty() {
        let message = "no limit given (e.g. {\"set\": [\"max_position_base.BTC=0.01\"]})".to_string();
        return Err(ApiError::bad_request(FieldError { field: None, message }));
    }
    let described = change.to_string();
    match s.reads.command(ActorId::Risk, Command::SetRiskLimits(change)) {
        Some(CommandReply::Applied { version }) => {
            journal(s, Record::RiskLimits { at: UnixNanos::wall_clock(), version, change: described });
            ok(json!({ "version": version, "changed": true }))
        }
        Some(CommandReply::Unchanged) => ok(json!({ "version": risk(s)?.limits_version, "changed": false })),
        Some(CommandReply::Refused(message)) => {
            // RiskActor's refusals read `<field>: <problem>`, the field in the operator's spelling.
            let field = message.split_once(": ").map(|(f, _)| f).filter(|f| !f.contains(' ')).map(str::to_string);
            Err(ApiError::bad_request(FieldError { field, message }))
        }
        Some(other) => Err(unexpected(ActorId::Risk, &other)),
        None => Err(ApiError::no_answer(ActorId::Risk)),
    }
}

fn risk_change_from_assignments(items: &[&str]) -> Result<RiskLimitsChange, FieldError> {
    RiskLimitsChange::from_assignments(items)
        .map_err(|e| FieldError { field: Some(e.key.clone()), message: e.to_string() })
}
