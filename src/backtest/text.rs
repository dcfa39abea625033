//! The backtest report as text: the model and the baseline side by side, then the splits by
//! session and volatility regime, the sanity flags and the differences.

use super::results::RunResults;
use super::BacktestReport;
use engine::backtest::SplitRow;
use engine::portfolio::HORIZONS;
use std::fmt::Write;

fn opt(x: Option<f64>, decimals: usize) -> String {
    x.map_or("—".to_string(), |x| format!("{x:.decimals$}"))
}

fn pct(frac: f64) -> String {
    format!("{:.1} %", 100.0 * frac)
}

/// The report as a side-by-side table.
pub fn render_text(report: &BacktestReport) -> String {
    let (m, b) = (&report.model, &report.baseline);
    let mut out = String::new();
    let _ = writeln!(out, "{:<30} {:>20} {:>20}", "", m.model, format!("{} (baseline)", b.model));
    let mut row = |name: &str, f: &dyn Fn(&RunResults) -> String| {
        let _ = writeln!(out, "{name:<30} {:>20} {:>20}", f(m), f(b));
    };
    row("simulated seconds", &|r| format!("{:.0}", r.simulated_s));
    row("fills (per hour)", &|r| format!("{} ({:.0})", r.fills, r.fills_per_hour));
    for s in 0..2 {
        row(&format!("  {}", m.sides[s].side), &|r| format!("{} ({:.0})", r.sides[s].fills, r.sides[s].fills_per_hour));
    }
    row("volume USD", &|r| format!("{:.2}", r.volume_usd));
    row("net PnL USD", &|r| format!("{:+.4}", r.pnl.net_usd));
    row("  gross (realized+unrealized)", &|r| format!("{:+.4}", r.pnl.gross_usd));
    row("  realized", &|r| format!("{:+.4}", r.pnl.realized_usd));
    row("  unrealized", &|r| format!("{:+.4}", r.pnl.unrealized_usd));
    row("  fees (net of rebates)", &|r| format!("{:.4}", r.pnl.fees_usd));
    row("  rebates", &|r| format!("{:.4}", r.pnl.rebates_usd));
    row("  funding", &|r| format!("{:+.4}", r.pnl.funding_usd));
    row("spread capture USD", &|r| format!("{:+.4}", r.pnl.spread_capture_usd));
    row("adverse selection USD", &|r| format!("{:.4}", r.pnl.adverse_selection_usd));
    for s in 0..2 {
        row(&format!("  {} spread / adverse", m.sides[s].side), &|r| {
            format!("{:+.3} / {:.3}", r.sides[s].spread_capture_usd, r.sides[s].adverse_selection_usd)
        });
    }
    row("Sharpe / day", &|r| opt(r.equity.and_then(|e| e.sharpe_per_day), 2));
    row("Sortino / day", &|r| opt(r.equity.and_then(|e| e.sortino_per_day), 2));
    row("max drawdown USD", &|r| opt(r.equity.map(|e| e.max_drawdown_usd), 4));
    for h in 0..HORIZONS {
        row(&format!("markout {} ms, bps", m.markout_horizons_ms[h]), &|r| opt(r.markout_bps[h], 3));
    }
    for (i, c) in m.coins.iter().enumerate() {
        let coin =
            |r: &RunResults, f: &dyn Fn(&super::results::CoinResults) -> String| r.coins.get(i).map_or("—".into(), f);
        row(&format!("{} inventory mean ± sd", c.coin), &|r| {
            coin(r, &|c| format!("{:+.5} ± {:.5}", c.inventory.mean_base, c.inventory.std_base))
        });
        row(&format!("{} inventory 1 % / 99 %", c.coin), &|r| {
            coin(r, &|c| format!("{:+.4} / {:+.4}", c.inventory.quantiles_base[0], c.inventory.quantiles_base[4]))
        });
        row(&format!("{} time at the limit", c.coin), &|r| coin(r, &|c| pct(c.inventory.time_at_limit_frac)));
        row(&format!("{} uptime bid / ask / both", c.coin), &|r| {
            coin(r, &|c| {
                let u = c.quote_uptime;
                format!("{:.0}/{:.0}/{:.0} %", 100.0 * u.bid_frac, 100.0 * u.ask_frac, 100.0 * u.two_sided_frac)
            })
        });
    }
    row("requests sent (budget used)", &|r| {
        r.request_budget.map_or("—".into(), |b| format!("{} ({})", b.requests_sent, pct(b.used_frac)))
    });
    row("rate-limited rejects", &|r| r.request_budget.map_or("—".into(), |b| b.rate_limited_rejects.to_string()));
    row("calibration alerts", &|r| r.calibration_alerts.to_string());
    split_table(&mut out, "by session (UTC)", &m.by_session, &b.by_session);
    for (mc, bc) in m.coins.iter().zip(&b.coins) {
        split_table(&mut out, &format!("{} by volatility regime", mc.coin), &mc.by_vol_regime, &bc.by_vol_regime);
    }
    for r in [m, b] {
        for flag in &r.sanity {
            let _ = writeln!(out, "TOO GOOD? {}: {}", r.model, flag.describe());
        }
    }
    let d = &report.difference;
    let _ = writeln!(
        out,
        "difference (model − baseline): net PnL {:+.4} USD, fills {:+}, Sharpe/day {}, max drawdown {} USD",
        d.net_pnl_usd,
        d.fills,
        opt(d.sharpe_per_day, 2),
        opt(d.max_drawdown_usd, 4)
    );
    out
}

/// One split (session or regime) for both runs: time, fills per hour, PnL, PnL per hour, Sharpe.
fn split_table(out: &mut String, title: &str, model: &[SplitRow], baseline: &[SplitRow]) {
    let _ = writeln!(out, "{title}:");
    let _ = writeln!(
        out,
        "  {:<12} {:>8} {:>24} {:>24} {:>22}",
        "part", "hours", "fills/h model | base", "PnL USD model | base", "Sharpe/day model | base"
    );
    for r in model {
        let other = baseline.iter().find(|b| b.label == r.label);
        let _ = writeln!(
            out,
            "  {:<12} {:>8.2} {:>11.0} | {:>10} {:>+11.4} | {:>10} {:>10} | {:>9}",
            r.label,
            r.seconds / 3_600.0,
            r.fills_per_hour,
            other.map_or("—".into(), |b| format!("{:.0}", b.fills_per_hour)),
            r.pnl_usd,
            other.map_or("—".into(), |b| format!("{:+.4}", b.pnl_usd)),
            opt(r.sharpe_per_day, 2),
            other.map_or("—".into(), |b| opt(b.sharpe_per_day, 2)),
        );
    }
}
