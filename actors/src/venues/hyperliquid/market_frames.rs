//! Parsed Hyperliquid frames → market events: the one conversion shared by the live feed
//! and the replay. Books, BBO updates and asset contexts pass as they are; the first `trades` frame of each
//! coin after a (re)subscription is the venue's replay of older trades (HYPERLIQUID.md:
//! "The first message after subscribing replays recent, older trades") and is counted as
//! historical, not played as live flow.

use engine::hyperliquid::Frame;
use engine::market::{AssetContext, MarketEvent, SourceCounters};

/// Per-coin memory of whether this subscription's first trades frame has been seen.
#[derive(Debug, Clone)]
pub struct TradeReplayFilter {
    seen: Vec<bool>,
}

impl TradeReplayFilter {
    pub fn new(coin_count: usize) -> Self {
        Self { seen: vec![false; coin_count] }
    }

    /// A new subscription: the next trades frame of every coin is a replay again.
    pub fn resubscribed(&mut self) {
        self.seen.iter_mut().for_each(|s| *s = false);
    }
}

/// Emits the market events of one parsed frame and counts what it could not use.
pub fn market_events(
    frame: Frame<'_>,
    replays: &mut TradeReplayFilter,
    counters: &mut SourceCounters,
    mut emit: impl FnMut(MarketEvent),
) {
    match frame {
        Frame::L2Book(book) => emit(MarketEvent::Book(book.clone())),
        Frame::Bbo(bbo) => emit(MarketEvent::Bbo(bbo)),
        Frame::Trades(trades) => {
            counters.unknown_coin += u64::from(trades.unknown_coin_trades);
            for trade in trades.trades() {
                match replays.seen.get(trade.coin.index()) {
                    Some(false) => counters.historical_trades += 1,
                    _ => emit(MarketEvent::Trade(*trade)),
                }
            }
            for trade in trades.trades() {
                if let Some(seen) = replays.seen.get_mut(trade.coin.index()) {
                    *seen = true;
                }
            }
        }
        Frame::AssetCtx(ctx) => emit(MarketEvent::AssetCtx(AssetContext {
            coin: ctx.coin,
            funding_rate_frac_per_hour: ctx.funding_rate_frac_per_hour,
            open_interest_base: ctx.open_interest,
            oracle_px: ctx.oracle_px,
            mark_px: ctx.mark_px,
        })),
        Frame::UnknownCoin(_) => counters.unknown_coin += 1,
        _ => counters.unused_frames += 1,
    }
}
