//! `GET /metrics`: the engine in Prometheus text format (version 0.0.4).
//!
//! Latency percentiles are gauges labelled by actor, stage and quantile, in seconds (the
//! Prometheus base unit, named in the metric); counters end in `_total`. Every family is
//! written once with its HELP and TYPE lines, so the page is valid for any scraper. A report
//! an actor did not give in time is left out (and `hyperquote_actor_answered` says so) rather
//! than shown as zero.

use super::views::totals;
use super::EngineInfo;
use actors::latency::{LatencySnapshot, Percentiles};
use actors::report::{FillSummary, OrderReport, QuoteReport, RiskReport};
use actors::runtime::InboxDepth;
use actors::{ActorId, QueueCounters};
use engine::calibration::CalibrationReport;
use engine::risk::{RejectKind, TradingState};
use std::fmt::Write;

/// What one scrape shows; `None` where the actor did not answer.
pub struct MetricsInput<'a> {
    pub info: &'a EngineInfo,
    pub answered: &'a [(ActorId, bool)],
    pub latencies: &'a [LatencySnapshot],
    pub queues: &'a [QueueCounters],
    pub inboxes: &'a [InboxDepth],
    pub risk: Option<&'a RiskReport>,
    /// The risk limits' version, when the risk report has one.
    pub risk_limits_version: Option<u64>,
    pub orders: Option<&'a OrderReport>,
    pub fill: Option<&'a FillSummary>,
    pub quote: Option<&'a QuoteReport>,
    pub calibration: Option<&'a CalibrationReport>,
    pub admin_requests: u64,
    pub admin_unauthorized: u64,
}

/// The content type of the text format.
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// A quantile's label and how to read it from `Percentiles`.
type Quantile = (&'static str, fn(&Percentiles) -> u64);

const QUANTILES: [Quantile; 5] = [
    ("0.5", |p| p.p50_ns),
    ("0.9", |p| p.p90_ns),
    ("0.99", |p| p.p99_ns),
    ("0.999", |p| p.p999_ns),
    ("1", |p| p.max_ns),
];

const STATES: [(TradingState, &str); 3] =
    [(TradingState::Active, "active"), (TradingState::ReduceOnly, "reduce_only"), (TradingState::Halted, "halted")];

/// A page being written: families in order, each HELP/TYPE once.
struct Page {
    out: String,
}

impl Page {
    fn family(&mut self, name: &str, kind: &str, help: &str) {
        let _ = writeln!(self.out, "# HELP {name} {help}");
        let _ = writeln!(self.out, "# TYPE {name} {kind}");
    }

    fn sample(&mut self, name: &str, labels: &[(&str, &str)], value: f64) {
        self.out.push_str(name);
        if !labels.is_empty() {
            self.out.push('{');
            for (i, (k, v)) in labels.iter().enumerate() {
                if i > 0 {
                    self.out.push(',');
                }
                let _ = write!(self.out, "{k}=\"{}\"", escape(v));
            }
            self.out.push('}');
        }
        let _ = writeln!(self.out, " {}", number(value));
    }

    /// A family with a single unlabelled sample.
    fn single(&mut self, name: &str, kind: &str, help: &str, value: f64) {
        self.family(name, kind, help);
        self.sample(name, &[], value);
    }
}

fn escape(v: &str) -> String {
    v.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

fn number(v: f64) -> String {
    if v.is_nan() {
        "NaN".into()
    } else if v.is_infinite() {
        if v > 0.0 { "+Inf" } else { "-Inf" }.into()
    } else {
        format!("{v}")
    }
}

fn seconds(ns: u64) -> f64 {
    ns as f64 * 1e-9
}

pub fn render(m: &MetricsInput<'_>) -> String {
    let mut p = Page { out: String::with_capacity(16 * 1024) };
    p.single("hyperquote_up", "gauge", "1 while the admin API answers.", 1.0);
    p.single(
        "hyperquote_uptime_seconds",
        "gauge",
        "Seconds since the engine started.",
        m.info.started.elapsed().as_secs_f64(),
    );
    p.family("hyperquote_actor_answered", "gauge", "1 if the actor answered this scrape's control request in time.");
    for (id, ok) in m.answered {
        p.sample("hyperquote_actor_answered", &[("actor", id.name())], f64::from(u8::from(*ok)));
    }
    latency(&mut p, m.latencies);
    queues(&mut p, m.queues, m.inboxes);
    if let Some(q) = m.quote {
        quote(&mut p, q);
    }
    if let Some(r) = m.risk {
        risk(&mut p, r, m.risk_limits_version);
    }
    if let Some(o) = m.orders {
        orders(&mut p, o);
    }
    if let Some(f) = m.fill {
        fills(&mut p, f, m.info);
    }
    if let Some(c) = m.calibration {
        calibration(&mut p, c);
    }
    p.single("hyperquote_admin_requests_total", "counter", "Admin API requests served.", m.admin_requests as f64);
    p.single(
        "hyperquote_admin_unauthorized_total",
        "counter",
        "Admin API requests refused for a missing or wrong token.",
        m.admin_unauthorized as f64,
    );
    p.out
}

fn latency(p: &mut Page, latencies: &[LatencySnapshot]) {
    let stages = |l: &LatencySnapshot| {
        [("queue_wait", Some(l.queue_wait)), ("service", Some(l.service)), ("tick_to_order", l.tick_to_order)]
    };
    p.family(
        "hyperquote_actor_latency_seconds",
        "gauge",
        "Per-actor latency percentiles since start: queue wait, service time, tick-to-order (OrderActor).",
    );
    for l in latencies {
        for (stage, percentiles) in stages(l) {
            let Some(pc) = percentiles.filter(|pc| pc.count > 0) else { continue };
            for (q, at) in QUANTILES {
                p.sample(
                    "hyperquote_actor_latency_seconds",
                    &[("actor", l.actor.name()), ("stage", stage), ("quantile", q)],
                    seconds(at(&pc)),
                );
            }
        }
    }
    p.family("hyperquote_actor_latency_samples_total", "counter", "Samples in each latency histogram.");
    for l in latencies {
        for (stage, percentiles) in stages(l) {
            let Some(pc) = percentiles else { continue };
            p.sample(
                "hyperquote_actor_latency_samples_total",
                &[("actor", l.actor.name()), ("stage", stage)],
                pc.count as f64,
            );
        }
    }
}

fn queues(p: &mut Page, queues: &[QueueCounters], inboxes: &[InboxDepth]) {
    type Family = (&'static str, &'static str, fn(&QueueCounters) -> u64);
    let families: [Family; 4] = [
        ("hyperquote_queue_sent_total", "Messages offered to each actor.", |q| q.sent),
        ("hyperquote_queue_dropped_total", "Lossy messages dropped because the actor's queue was full.", |q| q.dropped),
        ("hyperquote_queue_coalesced_total", "Latest-value messages skipped for a newer one.", |q| q.coalesced),
        ("hyperquote_queue_stalls_total", "Reliable sends that waited for room in the actor's queue.", |q| q.stalls),
    ];
    for (name, help, value) in families {
        p.family(name, "counter", help);
        for q in queues {
            p.sample(name, &[("actor", q.actor.name())], value(q) as f64);
        }
    }
    p.family("hyperquote_inbox_depth", "gauge", "Messages waiting in each thread's cross-thread inbox.");
    for i in inboxes {
        p.sample("hyperquote_inbox_depth", &[("thread", &i.thread)], i.depth as f64);
    }
    p.family("hyperquote_inbox_capacity", "gauge", "Capacity of each thread's inbox.");
    for i in inboxes {
        p.sample("hyperquote_inbox_capacity", &[("thread", &i.thread)], i.capacity as f64);
    }
}

fn quote(p: &mut Page, q: &QuoteReport) {
    p.single("hyperquote_quote_decisions_total", "counter", "Quote decisions made.", q.decisions as f64);
    p.single("hyperquote_quote_levels_total", "counter", "Levels quoted over all decisions.", q.levels_quoted as f64);
    p.single(
        "hyperquote_quote_fallback_total",
        "counter",
        "Decisions quoted by the static baseline (cold estimates or a model error).",
        (q.fallback_cold + q.fallback_model_error) as f64,
    );
    p.single(
        "hyperquote_quote_gated_sides_total",
        "counter",
        "Sides left unquoted by the toxicity gate.",
        q.gated_sides as f64,
    );
    p.single(
        "hyperquote_quote_edge_widened_sides_total",
        "counter",
        "Sides widened because their context bucket realized poor edge.",
        q.edge_widened_sides as f64,
    );
    p.single(
        "hyperquote_quote_edge_widen_enabled",
        "gauge",
        "1 if widening on poor realized edge ([calibration.widen]) is on.",
        f64::from(u8::from(q.edge_widen_enabled)),
    );
    p.single("hyperquote_quote_params_version", "gauge", "Version of the quote parameters.", q.params_version as f64);
}

fn risk(p: &mut Page, r: &RiskReport, limits_version: Option<u64>) {
    p.family("hyperquote_trading_state", "gauge", "1 for the trading state in force, 0 for the others.");
    for (state, name) in STATES {
        p.sample("hyperquote_trading_state", &[("state", name)], f64::from(u8::from(r.trading_state.state == state)));
    }
    if let Some(v) = limits_version {
        p.single("hyperquote_risk_limits_version", "gauge", "Version of the risk limits in force.", v as f64);
    }
    p.single("hyperquote_risk_intents_total", "counter", "Quote intents checked by RiskActor.", r.intents as f64);
    p.single("hyperquote_risk_levels_clipped_total", "counter", "Levels shrunk by a limit.", r.levels_clipped as f64);
    p.single("hyperquote_risk_levels_dropped_total", "counter", "Levels removed by a limit.", r.levels_dropped as f64);
    p.single(
        "hyperquote_risk_stale_coins",
        "gauge",
        "Coins whose quotes are pulled for a stale feed.",
        r.stale_coins as f64,
    );
}

fn orders(p: &mut Page, o: &OrderReport) {
    p.single("hyperquote_orders_live", "gauge", "Open orders the engine tracks.", o.live_orders as f64);
    let counters: [(&str, &str, u64); 4] = [
        ("hyperquote_orders_placed_total", "Orders placed.", o.placed),
        ("hyperquote_orders_cancelled_total", "Orders cancelled by reconciliation.", o.cancelled),
        ("hyperquote_orders_rejected_total", "Orders the venue rejected.", o.rejects),
        ("hyperquote_order_batches_total", "Action batches sent to the venue.", o.action_batches),
    ];
    for (name, help, v) in counters {
        p.single(name, "counter", help, v as f64);
    }
    // Every kind, zero included: a series that appears only on its first reject breaks rate().
    p.family("hyperquote_order_rejects_total", "counter", "Orders the venue rejected, per kind of reason.");
    for kind in RejectKind::ALL {
        p.sample("hyperquote_order_rejects_total", &[("reason", kind.name())], o.rejects_by.get(kind) as f64);
    }
}

fn fills(p: &mut Page, f: &FillSummary, info: &EngineInfo) {
    let coins = super::views::coin_views(f, info);
    p.family("hyperquote_fills_total", "counter", "Fills per coin.");
    for c in &coins {
        p.sample("hyperquote_fills_total", &[("coin", &c.coin)], c.pnl.fills as f64);
    }
    p.family("hyperquote_position_base", "gauge", "Position per coin, in units of the coin.");
    for c in &coins {
        p.sample("hyperquote_position_base", &[("coin", &c.coin)], c.pnl.position_base);
    }
    p.family("hyperquote_pnl_usd", "gauge", "PnL per coin in USD: realized, unrealized, fees and net.");
    for c in &coins {
        for (kind, v) in [
            ("realized", c.pnl.realized_pnl_usd),
            ("unrealized", c.pnl.unrealized_pnl_usd),
            ("fees", c.pnl.fees_usd),
            ("net", c.pnl.net_pnl_usd),
        ] {
            p.sample("hyperquote_pnl_usd", &[("coin", &c.coin), ("kind", kind)], v);
        }
    }
    p.family("hyperquote_volume_usd_total", "counter", "Traded notional per coin, USD.");
    for c in &coins {
        p.sample("hyperquote_volume_usd_total", &[("coin", &c.coin)], c.pnl.volume_usd);
    }
    p.single("hyperquote_net_pnl_usd", "gauge", "Net PnL over all coins, USD.", totals(f).net_pnl_usd);
    p.family(
        "hyperquote_markout_bps",
        "gauge",
        "Notional-weighted mean markout per coin, horizon and side, bps (absent before the first resolved fill).",
    );
    for (c, view) in f.coins.iter().zip(&coins) {
        let m = &c.markouts;
        for (ms, cells) in m.horizons_ms.iter().zip(&m.cells) {
            let horizon = format!("{}s", *ms as f64 / 1000.0);
            for (side, cell) in ["bid", "ask"].into_iter().zip(cells) {
                if let Some(bps) = cell.avg_bps() {
                    let labels = [("coin", view.coin.as_str()), ("horizon", horizon.as_str()), ("side", side)];
                    p.sample("hyperquote_markout_bps", &labels, bps);
                }
            }
        }
    }
    p.family(
        "hyperquote_attribution_usd",
        "gauge",
        "PnL attribution per coin and term, USD: spread capture, adverse selection, fees, rebates, funding, \
         residual (inventory carry) and their total (spread - adverse - fees + rebates + funding + residual).",
    );
    for (c, view) in f.coins.iter().zip(&coins) {
        let t = &c.attribution.total;
        for (term, v) in [
            ("spread_capture", t.spread_capture_usd),
            ("adverse_selection", t.adverse_selection_usd),
            ("fees", t.fees_usd),
            ("rebates", t.rebates_usd),
            ("funding", t.funding_usd),
            ("residual", t.residual_usd),
            ("total", t.total_usd),
        ] {
            p.sample("hyperquote_attribution_usd", &[("coin", &view.coin), ("term", term)], v);
        }
    }
}

/// CalibrationActor's scores per model. A score a model does not have yet (too few samples,
/// constant predictions, an undefined Brier skill) has no sample rather than a made-up one.
fn calibration(p: &mut Page, c: &CalibrationReport) {
    let n = &c.counts;
    let counters: [(&str, &str, u64); 3] = [
        ("hyperquote_calibration_predictions_total", "Orders placed with their level's predictions.", n.predictions),
        ("hyperquote_calibration_markouts_total", "Fill markouts scored against their predictions.", n.markouts),
        (
            "hyperquote_calibration_queue_drops_total",
            "Predictions and outcomes CalibrationActor's full queue dropped.",
            c.queue_drops,
        ),
    ];
    for (name, help, v) in counters {
        p.single(name, "counter", help, v as f64);
    }
    p.single(
        "hyperquote_calibration_lossy",
        "gauge",
        "1 if part of the calibration sample was lost (queue drops, unmatched or evicted): scores are from a subsample.",
        f64::from(u8::from(c.lossy)),
    );
    p.family(
        "hyperquote_calibration_outcomes_total",
        "counter",
        "Scored order outcomes per model: filled or unfilled.",
    );
    for m in &c.models {
        for (outcome, v) in [("filled", m.fill.filled), ("unfilled", m.fill.unfilled)] {
            p.sample("hyperquote_calibration_outcomes_total", &[("model", m.model), ("outcome", outcome)], v as f64);
        }
    }
    type Score = (&'static str, &'static str, fn(&engine::calibration::ModelReport) -> Option<f64>);
    let per_model: [Score; 4] = [
        ("hyperquote_calibration_brier", "Brier score of the fill probabilities per model (lower is better).", |m| {
            m.fill.brier.map(|b| b.brier)
        }),
        (
            "hyperquote_calibration_brier_skill",
            "Brier skill per model: 1 - Brier / uncertainty; above 0 beats forecasting the base rate.",
            |m| m.fill.brier.map(|b| b.skill),
        ),
        (
            "hyperquote_calibration_fill_intensity_ratio",
            "Fills observed over fills expected from the fill intensity per model (1 when A and kappa are right).",
            |m| m.fill.intensity_ratio,
        ),
        (
            "hyperquote_calibration_lead_hit_rate",
            "Share of lead-lag direction calls that were right, per model.",
            |m| m.lead.hit_rate,
        ),
    ];
    for (name, help, value) in per_model {
        p.family(name, "gauge", help);
        for m in &c.models {
            if let Some(v) = value(m).filter(|v| v.is_finite()) {
                p.sample(name, &[("model", m.model)], v);
            }
        }
    }
    type Correlation = (&'static str, &'static str, fn(&engine::calibration::CorrelationScore) -> f64);
    let correlations: [Correlation; 2] = [
        (
            "hyperquote_calibration_information_coefficient",
            "Correlation of predicted and realized markouts per model and prediction.",
            |s| s.ic,
        ),
        (
            "hyperquote_calibration_information_ratio",
            "Information coefficient times sqrt(samples) per model and prediction.",
            |s| s.ir,
        ),
    ];
    for (name, help, value) in correlations {
        p.family(name, "gauge", help);
        for m in &c.models {
            for (prediction, score) in [("adverse_selection", &m.adverse_selection), ("edge", &m.edge)] {
                if let Some(v) = score.as_ref().map(value).filter(|v| v.is_finite()) {
                    p.sample(name, &[("model", m.model), ("prediction", prediction)], v);
                }
            }
        }
    }
    p.family(
        "hyperquote_calibration_degraded",
        "gauge",
        "1 for each model and prediction whose score fell below its alert threshold (absent otherwise).",
    );
    let mut seen: Vec<(&str, &str)> = Vec::with_capacity(c.alerts.len());
    for a in &c.alerts {
        let key = (a.model, a.prediction.name());
        if !seen.contains(&key) {
            seen.push(key);
            p.sample("hyperquote_calibration_degraded", &[("model", key.0), ("prediction", key.1)], 1.0);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actors::report::CoinPnl;
    use engine::portfolio::{AttributionReport, MarkoutCell, MarkoutStats, PnlSnapshot};
    use engine::types::CoinId;

    /// Checks the text format: comments are `# HELP`/`# TYPE`, every other line is
    /// `name{labels} value` with a valid name, quoted label values and a float; a family's
    /// samples follow its TYPE line. Returns the samples.
    pub(crate) fn parse(page: &str) -> Vec<(String, String, f64)> {
        let mut samples = Vec::new();
        let mut typed = Vec::new();
        for line in page.lines() {
            if let Some(rest) = line.strip_prefix("# ") {
                let mut parts = rest.splitn(3, ' ');
                let (kw, name) = (parts.next().unwrap(), parts.next().unwrap());
                assert!(kw == "HELP" || kw == "TYPE", "{line}");
                if kw == "TYPE" {
                    assert!(!typed.contains(&name.to_string()), "family {name} twice");
                    typed.push(name.to_string());
                }
                continue;
            }
            let (series, value) = line.rsplit_once(' ').unwrap_or_else(|| panic!("no value: {line}"));
            let value: f64 = match value {
                "NaN" => f64::NAN,
                "+Inf" => f64::INFINITY,
                "-Inf" => f64::NEG_INFINITY,
                v => v.parse().unwrap_or_else(|_| panic!("bad value: {line}")),
            };
            let (name, labels) = match series.split_once('{') {
                Some((n, l)) => (n, l.strip_suffix('}').unwrap_or_else(|| panic!("labels: {line}"))),
                None => (series, ""),
            };
            assert!(name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':'), "name: {line}");
            for pair in labels.split(',').filter(|p| !p.is_empty()) {
                let (k, v) = pair.split_once('=').unwrap_or_else(|| panic!("label: {line}"));
                assert!(k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'), "label name: {line}");
                assert!(v.len() >= 2 && v.starts_with('"') && v.ends_with('"'), "label value: {line}");
            }
            assert_eq!(typed.last().map(String::as_str), Some(name), "sample outside its family: {line}");
            samples.push((name.to_string(), labels.to_string(), value));
        }
        samples
    }

    #[test]
    fn the_page_is_valid_text_format_with_labelled_percentiles() {
        let info = super::super::views::tests::info();
        let mut quote_latency = LatencySnapshot {
            actor: ActorId::Quote,
            queue_wait: Percentiles::default(),
            service: Percentiles {
                count: 10,
                p50_ns: 1_500,
                p90_ns: 2_000,
                p99_ns: 3_000,
                p999_ns: 4_000,
                max_ns: 5_000,
            },
            tick_to_order: None,
            service_bins: Vec::new(),
        };
        quote_latency.queue_wait.count = 0;
        let mut markouts = MarkoutStats { horizons_ms: [500, 2_000, 10_000, 60_000], ..MarkoutStats::default() };
        markouts.cells[0][1] = MarkoutCell { count: 2, expired: 0, markout_usd: -0.1, notional_usd: 1_000.0 };
        let mut attribution = AttributionReport::default();
        attribution.total.spread_capture_usd = 0.25;
        attribution.total.total_usd = 0.2;
        let fill = FillSummary {
            coins: vec![CoinPnl {
                coin: CoinId(0),
                pnl: PnlSnapshot { position_base: -0.5, net_pnl_usd: f64::NAN, fills: 2, ..PnlSnapshot::default() },
                markouts,
                attribution,
                funding_usd: 0.0,
                funding_payments: 0,
                snapshots: engine::portfolio::SnapshotStats::default(),
                seeded_fills: 0,
            }],
            unknown_coin_fills: 0,
        };
        let queues = [QueueCounters { actor: ActorId::Quote, sent: 9, dropped: 1, coalesced: 2, stalls: 0 }];
        let inboxes = [InboxDepth { thread: "hot \"1\"".into(), depth: 3, capacity: 1024 }];
        let page = render(&MetricsInput {
            info: &info,
            answered: &[(ActorId::Quote, true), (ActorId::Risk, false)],
            latencies: &[quote_latency],
            queues: &queues,
            inboxes: &inboxes,
            risk: None,
            risk_limits_version: None,
            orders: None,
            fill: Some(&fill),
            quote: None,
            calibration: None,
            admin_requests: 5,
            admin_unauthorized: 1,
        });
        let samples = parse(&page);
        let find = |name: &str, labels: &str| {
            samples
                .iter()
                .find(|s| s.0 == name && s.1 == labels)
                .map(|s| s.2)
                .unwrap_or_else(|| panic!("{name}{{{labels}}} missing:\n{page}"))
        };
        assert_eq!(find("hyperquote_actor_latency_seconds", r#"actor="quote",stage="service",quantile="0.5""#), 1.5e-6);
        assert_eq!(find("hyperquote_actor_latency_samples_total", r#"actor="quote",stage="queue_wait""#), 0.0);
        assert!(!page.contains(r#"stage="queue_wait",quantile"#), "an empty histogram has no percentiles");
        assert_eq!(find("hyperquote_queue_dropped_total", r#"actor="quote""#), 1.0);
        assert_eq!(find("hyperquote_inbox_depth", r#"thread="hot \"1\"""#), 3.0);
        assert_eq!(find("hyperquote_position_base", r#"coin="BTC""#), -0.5);
        assert!(find("hyperquote_pnl_usd", r#"coin="BTC",kind="net""#).is_nan());
        assert_eq!(find("hyperquote_actor_answered", r#"actor="risk""#), 0.0);
        assert_eq!(find("hyperquote_admin_requests_total", ""), 5.0);
        assert_eq!(find("hyperquote_markout_bps", r#"coin="BTC",horizon="0.5s",side="ask""#), -1.0);
        assert!(!page.contains(r#"horizon="0.5s",side="bid""#), "no resolved bid markouts, no sample");
        assert_eq!(find("hyperquote_attribution_usd", r#"coin="BTC",term="spread_capture""#), 0.25);
        assert_eq!(find("hyperquote_attribution_usd", r#"coin="BTC",term="total""#), 0.2);
    }

    #[test]
    fn order_rejects_are_counted_per_reason_label() {
        let info = super::super::views::tests::info();
        let mut orders = OrderReport { rejects: 3, ..OrderReport::default() };
        orders.rejects_by.add(RejectKind::PostOnlyWouldMatch);
        orders.rejects_by.add(RejectKind::PostOnlyWouldMatch);
        orders.rejects_by.add(RejectKind::RateLimited);
        let page = render(&MetricsInput {
            info: &info,
            answered: &[(ActorId::Order, true)],
            latencies: &[],
            queues: &[],
            inboxes: &[],
            risk: None,
            risk_limits_version: None,
            orders: Some(&orders),
            fill: None,
            quote: None,
            calibration: None,
            admin_requests: 0,
            admin_unauthorized: 0,
        });
        let samples = parse(&page);
        let find = |labels: &str| {
            samples
                .iter()
                .find(|s| s.0 == "hyperquote_order_rejects_total" && s.1 == labels)
                .map(|s| s.2)
                .unwrap_or_else(|| panic!("{labels} missing:\n{page}"))
        };
        assert_eq!(find(r#"reason="post_only_would_match""#), 2.0);
        assert_eq!(find(r#"reason="rate_limited""#), 1.0);
        assert_eq!(find(r#"reason="bad_tick""#), 0.0, "every kind has its series");
        let series = samples.iter().filter(|s| s.0 == "hyperquote_order_rejects_total").count();
        assert_eq!(series, RejectKind::ALL.len());
        assert_eq!(samples.iter().find(|s| s.0 == "hyperquote_orders_rejected_total").map(|s| s.2), Some(3.0));
    }

    #[test]
    fn calibration_scores_and_alerts_are_samples_and_absent_scores_have_none() {
        let info = super::super::views::tests::info();
        let report = super::super::views::tests::calibration_report();
        let quote = QuoteReport { edge_widened_sides: 4, edge_widen_enabled: true, ..QuoteReport::default() };
        let page = render(&MetricsInput {
            info: &info,
            answered: &[(ActorId::Calibration, true)],
            latencies: &[],
            queues: &[],
            inboxes: &[],
            risk: None,
            risk_limits_version: None,
            orders: None,
            fill: None,
            quote: Some(&quote),
            calibration: Some(&report),
            admin_requests: 0,
            admin_unauthorized: 0,
        });
        let samples = parse(&page);
        let find = |name: &str, labels: &str| samples.iter().find(|s| s.0 == name && s.1 == labels).map(|s| s.2);
        let value = |name: &str, labels: &str| {
            find(name, labels).unwrap_or_else(|| panic!("{name}{{{labels}}} missing:\n{page}"))
        };
        assert_eq!(value("hyperquote_calibration_queue_drops_total", ""), 7.0);
        assert_eq!(value("hyperquote_calibration_lossy", ""), 1.0);
        assert_eq!(value("hyperquote_calibration_predictions_total", ""), 110.0);
        assert_eq!(value("hyperquote_calibration_outcomes_total", r#"model="glft",outcome="filled""#), 12.0);
        assert_eq!(value("hyperquote_calibration_outcomes_total", r#"model="static",outcome="unfilled""#), 4.0);
        assert_eq!(value("hyperquote_calibration_brier", r#"model="glft""#), 0.09);
        assert_eq!(value("hyperquote_calibration_brier_skill", r#"model="glft""#), 0.15);
        assert_eq!(value("hyperquote_calibration_fill_intensity_ratio", r#"model="glft""#), 0.8);
        assert_eq!(value("hyperquote_calibration_lead_hit_rate", r#"model="glft""#), 0.75);
        let ir = r#"model="glft",prediction="adverse_selection""#;
        assert_eq!(value("hyperquote_calibration_information_ratio", ir), 0.42);
        assert_eq!(value("hyperquote_calibration_information_coefficient", ir), 0.056);
        assert_eq!(value("hyperquote_calibration_information_ratio", r#"model="glft",prediction="edge""#), 2.25);
        assert_eq!(value("hyperquote_quote_edge_widened_sides_total", ""), 4.0);
        assert_eq!(value("hyperquote_quote_edge_widen_enabled", ""), 1.0);
        // The alert is the only degraded series: `hyperquote_calibration_degraded == 1` fires once.
        let degraded: Vec<_> = samples.iter().filter(|s| s.0 == "hyperquote_calibration_degraded").collect();
        assert_eq!(degraded.len(), 1, "{page}");
        assert_eq!((degraded[0].1.as_str(), degraded[0].2), (ir, 1.0));
        // The cold model has outcomes but no scores: none of its scores is a sample.
        let cold: Vec<_> = samples
            .iter()
            .filter(|s| s.1.contains(r#"model="static""#) && s.0 != "hyperquote_calibration_outcomes_total")
            .collect();
        assert!(cold.is_empty(), "absent scores were sampled: {cold:?}");
        for family in ["hyperquote_calibration_brier", "hyperquote_calibration_information_ratio"] {
            assert!(page.contains(&format!("# TYPE {family} gauge")), "{family} declared:\n{page}");
        }
    }
}
