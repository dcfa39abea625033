//! The run summary: fills, volume, PnL split, inventory, and the latency table — as a text
//! table for people and one JSON object for programs (`--json`).

use actors::latency::{LatencyBin, LatencySnapshot, Percentiles};
use actors::report::{ActorReport, OrderReport};
use actors::runtime::Slot;
use actors::venues::hyperliquid::live_feed::LiveFeedSummary;
use actors::venues::reference_feed::ReferenceFeedSummary;
use actors::{ActorId, QueueCounters, RuntimeCounters};
use engine::backtest::EquitySummary;
use engine::calibration::CalibrationReport;
use engine::instrument::Instrument;
use engine::order::SwitchPhase;
use engine::portfolio::{AttributionReport, MarkoutStats};
use engine::types::UnixNanos;
use serde::Serialize;
use std::fmt::Write as _;

#[derive(Debug, Clone, Serialize)]
pub struct CoinSummary {
    pub coin: String,
    pub fills: u64,
    pub maker_fills: u64,
    pub volume_base: f64,
    pub volume_usd: f64,
    pub position_base: f64,
    pub mark_usd: f64,
    pub realized_pnl_usd: f64,
    pub unrealized_pnl_usd: f64,
    pub fees_usd: f64,
    pub net_pnl_usd: f64,
    /// The coin ledger's markouts (per horizon and side) and PnL attribution.
    pub markouts: MarkoutStats,
    pub attribution: AttributionReport,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Totals {
    pub fills: u64,
    pub volume_usd: f64,
    pub realized_pnl_usd: f64,
    pub unrealized_pnl_usd: f64,
    pub fees_usd: f64,
    pub net_pnl_usd: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LatencyRow {
    pub actor: ActorId,
    pub service: Percentiles,
    pub queue_wait: Percentiles,
    /// The service-time histogram, log₂ bins.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub service_bins: Vec<LatencyBin>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RunSummary {
    pub mode: &'static str,
    pub runtime: &'static str,
    pub elapsed_s: f64,
    pub coins: Vec<CoinSummary>,
    pub totals: Totals,
    pub latency: Vec<LatencyRow>,
    pub tick_to_order: Percentiles,
    pub queues: Vec<QueueCounters>,
    pub calibration: Option<CalibrationReport>,
    pub reports: Vec<ActorReport>,
    /// Connection and frame counts of a live market-data feed, when there was one.
    pub live_feed: Option<LiveFeedSummary>,
    pub reference_feed: Option<ReferenceFeedSummary>,
    /// The equity path of a simulated-clock run, sampled every simulated second: Sharpe and
    /// Sortino per day, max drawdown (`None` for real-time runs).
    pub equity: Option<EquitySummary>,
}

impl RunSummary {
    /// Builds the summary from the actors handed back by a stopped runtime.
    pub fn from_slots(
        runtime: &'static str,
        elapsed_s: f64,
        instruments: &[Instrument],
        slots: &[Slot],
        counters: &RuntimeCounters,
    ) -> RunSummary {
        let mut ordered: Vec<&Slot> = slots.iter().collect();
        ordered.sort_by_key(|s| s.actor.id());
        let reports: Vec<ActorReport> = ordered.iter().map(|s| s.actor.report()).collect();
        let snapshots: Vec<LatencySnapshot> = ordered.iter().map(|s| s.latency_snapshot()).collect();
        let mut coins = Vec::new();
        let mut totals = Totals::default();
        let mut calibration = None;
        for report in &reports {
            match report {
                ActorReport::Fill(fills) => {
                    for c in &fills.coins {
                        let p = c.pnl;
                        totals.fills += p.fills;
                        totals.volume_usd += p.volume_usd;
                        totals.realized_pnl_usd += p.realized_pnl_usd;
                        totals.unrealized_pnl_usd += p.unrealized_pnl_usd;
                        totals.fees_usd += p.fees_usd;
                        totals.net_pnl_usd += p.net_pnl_usd;
                        coins.push(CoinSummary {
                            coin: instruments
                                .get(c.coin.index())
                                .map_or_else(|| c.coin.0.to_string(), |i| i.name.clone()),
                            fills: p.fills,
                            maker_fills: p.maker_fills,
                            volume_base: p.volume_base,
                            volume_usd: p.volume_usd,
                            position_base: p.position_base,
                            mark_usd: p.mark_usd,
                            realized_pnl_usd: p.realized_pnl_usd,
                            unrealized_pnl_usd: p.unrealized_pnl_usd,
                            fees_usd: p.fees_usd,
                            net_pnl_usd: p.net_pnl_usd,
                            markouts: c.markouts,
                            attribution: c.attribution,
                        });
                    }
                }
                ActorReport::Calibration(c) => calibration = Some(c.clone()),
                _ => {}
            }
        }
        let tick_to_order = snapshots.iter().find_map(|s| s.tick_to_order).unwrap_or_default();
        RunSummary {
            mode: "paper",
            runtime,
            elapsed_s,
            coins,
            totals,
            latency: snapshots
                .iter()
                .map(|s| LatencyRow {
                    actor: s.actor,
                    service: s.service,
                    queue_wait: s.queue_wait,
                    service_bins: s.service_bins.clone(),
                })
                .collect(),
            tick_to_order,
            queues: ordered.iter().map(|s| counters.snapshot(s.actor.id())).collect(),
            calibration,
            reports,
            live_feed: None,
            reference_feed: None,
            equity: None,
        }
    }

    /// The human-readable summary.
    pub fn render_text(&self) -> String {
        let mut s = String::new();
        let t = &self.totals;
        let _ = writeln!(s, "\n== hyperquote {} run ({} runtime), {:.1} s ==", self.mode, self.runtime, self.elapsed_s);
        let _ = writeln!(
            s,
            "fills {}  volume ${:.2}  PnL: realized {:+.4}  unrealized {:+.4}  fees {:.4}  net {:+.4} USD",
            t.fills, t.volume_usd, t.realized_pnl_usd, t.unrealized_pnl_usd, t.fees_usd, t.net_pnl_usd
        );
        let _ = writeln!(
            s,
            "\n{:<10} {:>6} {:>6} {:>12} {:>12} {:>11} {:>11} {:>9} {:>11}",
            "coin", "fills", "maker", "volume $", "inventory", "realized", "unrealized", "fees", "net"
        );
        for c in &self.coins {
            let _ = writeln!(
                s,
                "{:<10} {:>6} {:>6} {:>12.2} {:>12.6} {:>+11.4} {:>+11.4} {:>9.4} {:>+11.4}",
                c.coin,
                c.fills,
                c.maker_fills,
                c.volume_usd,
                c.position_base,
                c.realized_pnl_usd,
                c.unrealized_pnl_usd,
                c.fees_usd,
                c.net_pnl_usd
            );
        }
        for c in &self.coins {
            let _ = writeln!(s, "{}", markout_line(c));
        }
        let _ = writeln!(s, "\nlatency (µs)            count      p50      p90      p99    p99.9      max");
        let mut row = |name: String, p: &Percentiles| {
            let us = |ns: u64| ns as f64 / 1000.0;
            let _ = writeln!(
                s,
                "{:<22} {:>7} {:>8.2} {:>8.2} {:>8.2} {:>8.2} {:>8.1}",
                name,
                p.count,
                us(p.p50_ns),
                us(p.p90_ns),
                us(p.p99_ns),
                us(p.p999_ns),
                us(p.max_ns)
            );
        };
        for l in &self.latency {
            row(format!("{} service", l.actor), &l.service);
            row(format!("{} queue wait", l.actor), &l.queue_wait);
        }
        row("tick-to-order".to_string(), &self.tick_to_order);
        let _ = writeln!(
            s,
            "\nqueues: {}",
            self.queues
                .iter()
                .filter(|q| q.dropped + q.coalesced + q.stalls > 0)
                .map(|q| format!("{} dropped {} coalesced {} stalls {}", q.actor, q.dropped, q.coalesced, q.stalls))
                .collect::<Vec<_>>()
                .join("; ")
        );
        for report in &self.reports {
            if let ActorReport::Quote(q) = report {
                let _ = writeln!(
                    s,
                    "quote: model {} (γ {} /USD, params v{}), {} decisions, {} on the static baseline while \
                     estimates were cold, {} after a model error, {} sides gated by toxicity",
                    q.model,
                    q.gamma_per_usd,
                    q.params_version,
                    q.decisions,
                    q.fallback_cold,
                    q.fallback_model_error,
                    q.gated_sides
                );
            }
            if let ActorReport::Estimator(e) = report {
                for (c, name) in e.coins.iter().zip(self.coins.iter().map(|c| c.coin.as_str())) {
                    let _ = writeln!(
                        s,
                        "estimates {name}: σ {:.2e}/√s ({:?}{}) κ {:.0} A {:.2}/s ({:?}) avg trade distance {:.2} bps, \
                         {:.1} trades/s, regime {:?}",
                        c.sigma_frac_per_sqrt_s,
                        c.sigma_source,
                        if c.sigma_is_warm { "" } else { ", cold" },
                        c.kappa_per_frac,
                        c.a_per_s,
                        c.kappa_source,
                        c.avg_trade_distance_bps,
                        c.trade_rate_per_s,
                        c.vol_regime,
                    );
                }
            }
        }
        for report in &self.reports {
            if let ActorReport::Venue(v) = report {
                let src = &v.source;
                if src.frames > 0 {
                    let _ = writeln!(
                        s,
                        "replay: {} frames, {} bad lines, {} bad frames, {} unknown-coin, {} historical trades skipped{}",
                        src.frames,
                        src.bad_lines,
                        src.bad_frames,
                        src.unknown_coin,
                        src.historical_trades,
                        if v.market_ended { ", recording ended" } else { "" }
                    );
                }
            }
        }
        for report in &self.reports {
            if let ActorReport::Order(o) = report {
                if o.rejects > 0 {
                    let _ = writeln!(s, "{}", rejects_line(o));
                }
                let d = &o.dead_mans_switch;
                if d.phase != SwitchPhase::Disabled {
                    let ms =
                        |t: Option<UnixNanos>| t.map_or_else(|| "none".to_string(), |t| (t.0 / 1_000_000).to_string());
                    let _ = writeln!(
                        s,
                        "dead man's switch: {} refreshes (last T {} ms, {} refused), fired {} times ({} orders \
                         cancelled), at the end {:?}, venue holds {}",
                        d.refreshes_sent,
                        ms(d.last_at),
                        d.rejected,
                        d.fired,
                        d.fired_cancelled_orders,
                        d.phase,
                        ms(d.armed_at),
                    );
                }
            }
        }
        if let Some(e) = &self.equity {
            let ratio = |x: Option<f64>| x.map_or("—".to_string(), |x| format!("{x:.2}"));
            let _ = writeln!(
                s,
                "equity: PnL {:+.4} USD over {} intervals of {} s, Sharpe/day {}, Sortino/day {}, max drawdown {:.4} USD",
                e.pnl_usd,
                e.intervals,
                e.interval_s,
                ratio(e.sharpe_per_day),
                ratio(e.sortino_per_day),
                e.max_drawdown_usd
            );
        }
        if let Some(live) = &self.live_feed {
            let (c, f) = (&live.connection, &live.frames);
            let _ = writeln!(
                s,
                "live feed: {} connects ({} failed), {} disconnects, {} silent, {} frames ({} malformed)",
                c.connects, c.connect_failures, c.disconnects, c.silent_timeouts, c.frames, f.bad_frames
            );
        }
        if let Some(r) = &self.reference_feed {
            let _ = writeln!(
                s,
                "reference feed: {} connects ({} failed), {} tickers, {} malformed, {} unknown symbols",
                r.connection.connects, r.connection.connect_failures, r.tickers, r.bad_frames, r.unknown_symbols
            );
        }
        if let Some(c) = &self.calibration {
            s.push_str(&crate::calibration_text::calibration_lines(c));
        }
        s
    }
}

/// The venue's rejects by kind (non-zero only), and the last unrecognised text.
fn rejects_line(o: &OrderReport) -> String {
    let kinds: Vec<String> = o.rejects_by.nonzero().map(|(kind, n)| format!("{kind} {n}")).collect();
    let mut line = format!("rejects: {} ({})", o.rejects, kinds.join(", "));
    if let Some(text) = &o.last_unknown_reject {
        let _ = write!(line, "; last unknown: {:?}", text.as_str());
    }
    line
}

/// One line per coin: markouts per horizon (bid/ask avg bps, resolved count, expired) and the
/// attribution's terms.
fn markout_line(c: &CoinSummary) -> String {
    let bps = |v: Option<f64>| v.map_or_else(|| "-".to_string(), |v| format!("{v:+.2}"));
    let m = &c.markouts;
    let horizons: Vec<String> = (0..m.horizons_ms.len())
        .map(|h| {
            let [b, a] = m.cells[h];
            let t = m.total(h);
            format!(
                "{}s {}/{} bps (n {}, exp {})",
                m.horizons_ms[h] as f64 / 1000.0,
                bps(b.avg_bps()),
                bps(a.avg_bps()),
                t.count,
                t.expired
            )
        })
        .collect();
    let a = &c.attribution.total;
    format!(
        "{}: markouts bid/ask {}; attribution @{}s: spread {:+.4} adverse {:+.4} fees {:.4} rebates {:.4} funding \
         {:+.4} residual {:+.4} = {:+.4} USD",
        c.coin,
        horizons.join(", "),
        c.attribution.horizon_ms as f64 / 1000.0,
        a.spread_capture_usd,
        a.adverse_selection_usd,
        a.fees_usd,
        a.rebates_usd,
        a.funding_usd,
        a.residual_usd,
        a.total_usd
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use engine::risk::RejectKind;
    use engine::venue::RejectText;

    #[test]
    fn the_rejects_line_shows_the_nonzero_kinds_and_the_last_unknown_text() {
        let mut o = OrderReport { rejects: 4, ..OrderReport::default() };
        for kind in [RejectKind::PostOnlyWouldMatch, RejectKind::PostOnlyWouldMatch, RejectKind::InsufficientMargin] {
            o.rejects_by.add(kind);
        }
        assert_eq!(rejects_line(&o), "rejects: 4 (post_only_would_match 2, insufficient_margin 1)");
        o.rejects_by.add(RejectKind::Unknown);
        o.last_unknown_reject = Some(RejectText::truncated("Vault not registered."));
        assert_eq!(
            rejects_line(&o),
            "rejects: 4 (post_only_would_match 2, insufficient_margin 1, unknown 1); last unknown: \"Vault not registered.\""
        );
    }
}
