//! `hyperquote estimate --replay FILE`: the estimators alone over a recording, on the
//! recording's own clock, through the same book validation as FeedActor. Prints one line (or
//! JSON object) per interval of recorded time, then a summary with the GLFT half-spread that
//! the final σ, κ and A imply for a few risk aversions.
//!
//! Hyperliquid and Binance USD-M recordings are both accepted (told apart by their first
//! frame); a Binance file is read for one symbol, `<COIN>USDT` unless named.

use crate::config::Config;
use crate::wiring::coin_table;
use actors::venues::recording::{RecordingStart, RecordingVenue};
use actors::venues::{BinanceReplayMarket, ReplayMarket};
use engine::estimator::{CoinEstimators, KappaSource, MarketParams, SigmaSource, VolRegimeLabel};
use engine::market::{BookKeeper, MarketEvent, MarketSource, SourceCounters};
use engine::quote::models::{gamma_per_frac_lot, glft_quote, GlftInputs};
use engine::types::{CoinId, Nanos};
use engine::units::frac_to_bps;
use serde::Serialize;
use std::path::Path;

/// Risk aversions on USD wealth the summary evaluates GLFT at (per USD of P&L).
pub const SUMMARY_GAMMAS_PER_USD: [f64; 4] = [0.001, 0.01, 0.1, 1.0];
/// The book keeper's staleness timer is not used here: the recording's gaps are its own.
const NEVER_STALE: Nanos = Nanos(u64::MAX / 2);

#[derive(Debug, thiserror::Error)]
pub enum EstimateError {
    #[error("{0}")]
    Open(String),
    #[error("coin `{0}` is not among the config's markets")]
    UnknownCoin(String),
    #[error("estimator config: {0}")]
    Config(#[from] engine::estimator::EstimatorConfigError),
}

/// One interval's estimates.
#[derive(Debug, Clone, Serialize)]
pub struct EstimateLine {
    pub t_s: f64,
    pub mid_usd: f64,
    pub spread_bps: f64,
    pub sigma_frac_per_sqrt_s: f64,
    pub sigma_source: SigmaSource,
    pub sigma_bv_frac_per_sqrt_s: f64,
    pub sigma_rv_frac_per_sqrt_s: f64,
    pub jump_share: f64,
    pub vol_regime: VolRegimeLabel,
    pub kappa_per_frac: Option<f64>,
    pub a_per_s: Option<f64>,
    pub kappa_source: KappaSource,
    pub avg_trade_distance_bps: Option<f64>,
    pub trades_in_window: u32,
    pub mean_distance_kappa_per_frac: Option<f64>,
    pub fit_kappa_per_frac: Option<f64>,
    pub fit_a_per_s: Option<f64>,
    pub fit_r_squared: Option<f64>,
    pub trade_rate_per_s: f64,
    /// Aggressor flow over the flow windows: buy and sell base volume.
    pub flow_buy_base: Vec<f64>,
    pub flow_sell_base: Vec<f64>,
    pub ofi_base: Vec<f64>,
    pub depth_imbalance: f64,
    pub gamma_multiplier: f64,
    pub funding_rate_frac_per_hour: Option<f64>,
}

fn finite(x: f64) -> Option<f64> {
    x.is_finite().then_some(x)
}

impl EstimateLine {
    fn new(t_s: f64, p: &MarketParams) -> Self {
        let (v, k) = (&p.volatility, &p.intensity);
        let usable = k.source != KappaSource::None;
        let flows = p.flow.windows.iter().flatten();
        EstimateLine {
            t_s,
            mid_usd: p.mid_usd,
            spread_bps: p.book.spread_bps,
            sigma_frac_per_sqrt_s: v.sigma_frac_per_sqrt_s,
            sigma_source: v.source,
            sigma_bv_frac_per_sqrt_s: v.bipower_frac_per_sqrt_s,
            sigma_rv_frac_per_sqrt_s: v.realized_frac_per_sqrt_s,
            jump_share: v.jump_share,
            vol_regime: v.regime,
            kappa_per_frac: usable.then_some(k.kappa_per_frac),
            a_per_s: usable.then_some(k.a_per_s),
            kappa_source: k.source,
            avg_trade_distance_bps: finite(k.avg_trade_distance_bps),
            trades_in_window: k.trades_in_window,
            mean_distance_kappa_per_frac: finite(k.mean_distance_kappa_per_frac),
            fit_kappa_per_frac: k.fit_kappa_per_frac,
            fit_a_per_s: k.fit_a_per_s,
            fit_r_squared: k.fit_r_squared,
            trade_rate_per_s: p.activity.trade_rate_per_s,
            flow_buy_base: flows.clone().map(|w| w.buy_base.to_f64()).collect(),
            flow_sell_base: flows.map(|w| w.sell_base.to_f64()).collect(),
            ofi_base: p.ofi.windows.iter().flatten().map(|w| w.ofi_base).collect(),
            depth_imbalance: p.book.depth_imbalance,
            gamma_multiplier: p.book.gamma_multiplier,
            funding_rate_frac_per_hour: p.context.funding_rate_frac_per_hour,
        }
    }
}

/// GLFT at one risk aversion, from the final estimates.
#[derive(Debug, Clone, Serialize)]
pub struct GlftRow {
    pub gamma_per_usd: f64,
    pub gamma_per_frac_lot: f64,
    pub half_spread_bps: f64,
    pub skew_per_lot_bps: f64,
    pub kappa_per_frac: f64,
    pub a_per_s: f64,
    /// False when κ and A are not warm yet (too few trades): indicative only.
    pub estimates_warm: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct EstimateSummary {
    pub venue: RecordingVenue,
    pub coin: String,
    pub span_s: f64,
    pub books: u64,
    pub rejected_books: u64,
    pub trades: u64,
    pub source: SourceCounters,
    /// The last interval's estimates (None when no book was ever accepted).
    pub last: Option<EstimateLine>,
    /// Order size the GLFT lot is taken as (`markets[].order_size_base`).
    pub lot_base: f64,
    pub glft: Vec<GlftRow>,
}

/// κ and A for the summary: the published ones once warm; before that the mean-distance κ
/// with A = half the trade rate, flagged cold — a short recording still gets its numbers.
fn summary_intensity(p: &MarketParams) -> Option<(f64, f64, bool)> {
    let k = &p.intensity;
    if k.source != KappaSource::None {
        return Some((k.kappa_per_frac, k.a_per_s, true));
    }
    let a_per_s = p.activity.trade_rate_per_s / 2.0;
    (k.mean_distance_kappa_per_frac.is_finite() && a_per_s > 0.0).then_some((
        k.mean_distance_kappa_per_frac,
        a_per_s,
        false,
    ))
}

fn glft_rows(p: &MarketParams, lot_base: f64) -> Vec<GlftRow> {
    let Some((kappa_per_frac, a_per_s, warm)) = summary_intensity(p) else { return Vec::new() };
    SUMMARY_GAMMAS_PER_USD
        .iter()
        .filter_map(|&gamma_per_usd| {
            let gamma = gamma_per_frac_lot(gamma_per_usd, p.mid_usd, lot_base);
            let quote = glft_quote(&GlftInputs {
                gamma_per_frac_lot: gamma,
                xi_per_frac_lot: gamma,
                kappa_per_frac,
                a_per_s,
                sigma_frac_per_sqrt_s: p.volatility.sigma_frac_per_sqrt_s,
                inventory_lots: 0.0,
            })
            .ok()?;
            Some(GlftRow {
                gamma_per_usd,
                gamma_per_frac_lot: gamma,
                half_spread_bps: frac_to_bps(quote.half_spread_frac),
                skew_per_lot_bps: frac_to_bps(quote.skew_per_lot_frac),
                kappa_per_frac,
                a_per_s,
                estimates_warm: warm,
            })
        })
        .collect()
}

/// What `estimate` reads: a recording, and which coin (default: the first market).
pub struct EstimateInput<'a> {
    pub path: &'a Path,
    pub coin: Option<&'a str>,
    /// Binance symbol; default `<COIN>USDT`.
    pub symbol: Option<&'a str>,
    pub interval: Nanos,
}

/// Runs the estimators of one coin over the recording; `on_line` sees each interval.
pub fn estimate(
    config: &Config,
    input: &EstimateInput<'_>,
    mut on_line: impl FnMut(&EstimateLine),
) -> Result<EstimateSummary, EstimateError> {
    let index = match input.coin {
        Some(name) => config.markets.iter().position(|m| m.coin == name),
        None => Some(0),
    }
    .ok_or_else(|| EstimateError::UnknownCoin(input.coin.unwrap_or_default().to_string()))?;
    let market = &config.markets[index];
    let coin = CoinId(index as u8);
    let venue = RecordingStart::probe(input.path)
        .map_err(|e| EstimateError::Open(e.to_string()))?
        .ok_or_else(|| EstimateError::Open(format!("{}: no frame in the recording", input.path.display())))?
        .venue;
    let open = |e: actors::venues::recording::RecordingError| EstimateError::Open(e.to_string());
    let mut source: Box<dyn MarketSource> = match venue {
        RecordingVenue::Hyperliquid => {
            let coins = coin_table(config).map_err(|e| EstimateError::Open(e.to_string()))?;
            Box::new(ReplayMarket::open(input.path, coins, 1.0).map_err(open)?)
        }
        RecordingVenue::BinanceUsdm => {
            let symbol = input.symbol.map_or_else(|| format!("{}USDT", market.coin), str::to_string);
            Box::new(BinanceReplayMarket::open(input.path, &symbol, coin, 1.0).map_err(open)?)
        }
    };
    let mut estimators = CoinEstimators::new(coin, &config.estimator, market.volume_bucket_base)?;
    let mut keeper = BookKeeper::new(coin, NEVER_STALE);
    let (mut books, mut rejected, mut trades, mut last_t) = (0u64, 0u64, 0u64, Nanos::ZERO);
    let mut next_line = input.interval;
    let mut last_line = None;
    while let Some(t) = source.next_event_time() {
        let Some((at, event)) = source.pop_due(t) else { break };
        while at >= next_line {
            if let Some(p) = estimators.params(next_line) {
                let line = EstimateLine::new(next_line.as_secs_f64(), &p);
                on_line(&line);
                last_line = Some(line);
            }
            next_line = next_line + input.interval;
        }
        last_t = at;
        if event.coin() != coin {
            continue;
        }
        estimators.on_time(at);
        let applied = match &event {
            MarketEvent::Book(book) => keeper.apply_snapshot(at, book),
            MarketEvent::Bbo(bbo) => keeper.apply_bbo(at, bbo),
            MarketEvent::Trade(trade) => {
                trades += 1;
                estimators.on_trade(at, trade);
                continue;
            }
            MarketEvent::AssetCtx(context) => {
                estimators.on_asset_ctx(at, context);
                continue;
            }
        };
        match applied {
            Ok(_) => {
                books += 1;
                estimators.on_book(at, keeper.book());
            }
            Err(_) => rejected += 1,
        }
    }
    let final_params = estimators.params(last_t);
    if let Some(p) = &final_params {
        last_line = Some(EstimateLine::new(last_t.as_secs_f64(), p));
    }
    Ok(EstimateSummary {
        venue,
        coin: market.coin.clone(),
        span_s: last_t.as_secs_f64(),
        books,
        rejected_books: rejected,
        trades,
        source: source.counters(),
        last: last_line,
        lot_base: market.order_size_base,
        glft: final_params.map(|p| glft_rows(&p, market.order_size_base)).unwrap_or_default(),
    })
}

fn opt(x: Option<f64>, precision: usize) -> String {
    x.map_or_else(|| "-".to_string(), |v| format!("{v:.precision$}"))
}

/// The human-readable line for one interval.
pub fn format_line(l: &EstimateLine) -> String {
    format!(
        "t={:>7.1}s mid={:.2} spread={:.2}bps σ={:.3e}/√s ({:?}, bv {:.3e} rv {:.3e} jump {:.2}) regime={:?} \
         κ={} A={}/s ({:?}; mean-dist {} fit {} R²={}) avg_dist={}bps trades_in_window={} rate={:.2}/s",
        l.t_s,
        l.mid_usd,
        l.spread_bps,
        l.sigma_frac_per_sqrt_s,
        l.sigma_source,
        l.sigma_bv_frac_per_sqrt_s,
        l.sigma_rv_frac_per_sqrt_s,
        l.jump_share,
        l.vol_regime,
        opt(l.kappa_per_frac, 0),
        opt(l.a_per_s, 3),
        l.kappa_source,
        opt(l.mean_distance_kappa_per_frac, 0),
        opt(l.fit_kappa_per_frac, 0),
        opt(l.fit_r_squared, 3),
        opt(l.avg_trade_distance_bps, 2),
        l.trades_in_window,
        l.trade_rate_per_s,
    )
}

/// The human-readable summary.
pub fn format_summary(s: &EstimateSummary) -> String {
    let mut out = format!(
        "{:?} {} over {:.1} s: {} books ({} refused), {} trades ({} historical), {} frames ({} bad)\n",
        s.venue,
        s.coin,
        s.span_s,
        s.books,
        s.rejected_books,
        s.trades,
        s.source.historical_trades,
        s.source.frames,
        s.source.bad_frames + s.source.bad_lines,
    );
    match &s.last {
        Some(l) => out.push_str(&format!("final: {}\n", format_line(l))),
        None => out.push_str("final: no book accepted, no estimates\n"),
    }
    if s.glft.is_empty() {
        out.push_str("GLFT: no κ yet (no trade against a book), no implied half-spread\n");
    }
    for row in &s.glft {
        out.push_str(&format!(
            "GLFT γ={} /USD (= {:.4} per frac·lot of {} base), κ={:.0} A={:.3}/s{}: half-spread {:.2} bps, \
             skew {:.3} bps per lot\n",
            row.gamma_per_usd,
            row.gamma_per_frac_lot,
            s.lot_base,
            row.kappa_per_frac,
            row.a_per_s,
            if row.estimates_warm { "" } else { " (not warm: indicative)" },
            row.half_spread_bps,
            row.skew_per_lot_bps
        ));
    }
    out
}
