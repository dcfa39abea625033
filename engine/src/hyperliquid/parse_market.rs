//! Readers for the public market-data channels: `l2Book`, `trades`, `bbo`, `allMids`,
//! `activeAssetCtx` and the `subscriptionResponse` echo (HYPERLIQUID.md, "WebSocket").
//!
//! A single-coin frame for a coin outside the table is answered as `UnknownCoin` as soon as
//! the coin is read; the rest of it is not examined. Book and trades are written into the
//! parser's reused buffers.

use super::coins::CoinTable;
use super::error::{FrameError, Problem};
use super::frame::{
    AssetCtx, Bbo, Channel, CoinField, Mid, SubscriptionAck, SubscriptionKind, SubscriptionMethod, TradePrint,
};
use super::parse::Parsed;
use super::reader::{key, pick, Key, Slot};
use crate::market::{BookLevel, L2Book, Trade, MAX_BOOK_LEVELS};
use crate::types::Price;
use arrayvec::ArrayVec;
use simd_json::tape::Value;

const BOOK: [Key; 3] = [key("coin", "data.coin"), key("time", "data.time"), key("levels", "data.levels")];
const BOOK_LEVEL: [Key; 3] =
    [key("px", "data.levels[][].px"), key("sz", "data.levels[][].sz"), key("n", "data.levels[][].n")];

/// A level object `{px, sz, n}`.
fn level(level: Slot<'_, '_>, keys: &[Key; 3]) -> Result<BookLevel, FrameError> {
    let [px, sz, n] = pick(level.object()?, level.channel, keys)?;
    Ok(BookLevel { px: px.price()?, sz: sz.qty()?, orders: n.u32()? })
}

fn levels_into(
    side: Value<'_, '_>,
    channel: Channel,
    out: &mut ArrayVec<BookLevel, MAX_BOOK_LEVELS>,
) -> Result<(), FrameError> {
    let side = Slot::new(side, channel, "data.levels[]");
    out.clear();
    for value in side.array()?.iter() {
        let parsed = level(Slot::new(value, channel, "data.levels[][]"), &BOOK_LEVEL)?;
        out.try_push(parsed).map_err(|_| side.error(Problem::TooMany { max: MAX_BOOK_LEVELS }))?;
    }
    Ok(())
}

/// `{coin, time, levels: [bids, asks]}`, each level `{px, sz, n}`.
pub(super) fn l2_book(data: Slot<'_, '_>, coins: &CoinTable, book: &mut L2Book) -> Result<Parsed, FrameError> {
    let channel = data.channel;
    let [coin, time, levels] = pick(data.object()?, channel, &BOOK)?;
    let Some(coin) = coins.resolve(coin.str()?) else {
        return Ok(Parsed::UnknownCoin(channel));
    };
    let [bids, asks] = levels.array_of::<2>()?;
    book.coin = coin;
    book.exchange_time = time.time_ms()?;
    levels_into(bids, channel, &mut book.bids)?;
    levels_into(asks, channel, &mut book.asks)?;
    Ok(Parsed::L2Book)
}

const TRADE: [Key; 8] = [
    key("coin", "data[].coin"),
    key("side", "data[].side"),
    key("px", "data[].px"),
    key("sz", "data[].sz"),
    key("hash", "data[].hash"),
    key("time", "data[].time"),
    key("tid", "data[].tid"),
    key("users", "data[].users"),
];

/// An array of `{coin, side, px, sz, hash, time, tid, users: [buyer, seller]}`.
pub(super) fn trades(data: Slot<'_, '_>, coins: &CoinTable, out: &mut Vec<TradePrint>) -> Result<Parsed, FrameError> {
    let channel = data.channel;
    out.clear();
    let mut unknown_coin_trades = 0u32;
    for value in data.array()?.iter() {
        let [coin, side, px, sz, hash, time, tid, users] =
            pick(Slot::new(value, channel, "data[]").object()?, channel, &TRADE)?;
        let Some(coin) = coins.resolve(coin.str()?) else {
            unknown_coin_trades = unknown_coin_trades.saturating_add(1);
            continue;
        };
        let trade = Trade {
            coin,
            aggressor: side.side()?,
            px: px.price()?,
            sz: sz.qty()?,
            exchange_time: time.time_ms()?,
            tid: tid.u64()?,
        };
        let users = users.opt(|u| {
            let [buyer, seller] = u.array_of::<2>()?;
            Ok([Slot::new(buyer, channel, u.path).address()?, Slot::new(seller, channel, u.path).address()?])
        })?;
        out.push(TradePrint { trade, hash: hash.tx_hash()?, users });
    }
    if out.is_empty() && unknown_coin_trades > 0 {
        return Ok(Parsed::UnknownCoin(channel));
    }
    Ok(Parsed::Trades { unknown_coin_trades })
}

const BBO: [Key; 3] = [key("coin", "data.coin"), key("time", "data.time"), key("bbo", "data.bbo")];
const BBO_LEVEL: [Key; 3] = [key("px", "data.bbo[].px"), key("sz", "data.bbo[].sz"), key("n", "data.bbo[].n")];

/// `{coin, time, bbo: [bid | null, ask | null]}`.
pub(super) fn bbo(data: Slot<'_, '_>, coins: &CoinTable) -> Result<Parsed, FrameError> {
    let channel = data.channel;
    let [coin, time, sides] = pick(data.object()?, channel, &BBO)?;
    let Some(coin) = coins.resolve(coin.str()?) else {
        return Ok(Parsed::UnknownCoin(channel));
    };
    let [bid, ask] = sides.array_of::<2>()?;
    let side = |v: Value<'_, '_>| Slot::new(v, channel, "data.bbo[]").opt(|s| level(s, &BBO_LEVEL));
    Ok(Parsed::Bbo(Bbo { coin, exchange_time: time.time_ms()?, bid: side(bid)?, ask: side(ask)? }))
}

/// `{mids: {COIN: px, …}}`: keeps the configured coins, in the frame's order.
pub(super) fn all_mids(data: Slot<'_, '_>, coins: &CoinTable, out: &mut Vec<Mid>) -> Result<Parsed, FrameError> {
    let channel = data.channel;
    let [mids] = pick(data.object()?, channel, &[key("mids", "data.mids")])?;
    out.clear();
    for (name, px) in mids.object()?.iter() {
        let Some(coin) = coins.resolve(name) else { continue };
        let px = Slot::new(px, channel, "data.mids.*");
        if out.iter().any(|m| m.coin == coin) {
            return Err(px.error(Problem::Duplicate));
        }
        out.push(Mid { coin, px: px.price()? });
    }
    Ok(Parsed::AllMids)
}

const CTX_FRAME: [Key; 2] = [key("coin", "data.coin"), key("ctx", "data.ctx")];
const CTX: [Key; 10] = [
    key("funding", "data.ctx.funding"),
    key("openInterest", "data.ctx.openInterest"),
    key("oraclePx", "data.ctx.oraclePx"),
    key("markPx", "data.ctx.markPx"),
    key("midPx", "data.ctx.midPx"),
    key("premium", "data.ctx.premium"),
    key("impactPxs", "data.ctx.impactPxs"),
    key("dayNtlVlm", "data.ctx.dayNtlVlm"),
    key("prevDayPx", "data.ctx.prevDayPx"),
    key("dayBaseVlm", "data.ctx.dayBaseVlm"),
];

/// A field the venue always sends but may send as `null`: absent is an error.
fn nullable<'t, 'i, T>(
    slot: Slot<'t, 'i>,
    read: impl FnOnce(Slot<'t, 'i>) -> Result<T, FrameError>,
) -> Result<Option<T>, FrameError> {
    if !slot.is_present() {
        return Err(slot.error(Problem::Missing));
    }
    slot.opt(read)
}

/// `{coin, ctx: {funding, openInterest, oraclePx, markPx, midPx?, premium?, impactPxs?,
/// dayNtlVlm, prevDayPx, dayBaseVlm?}}`; any of them may be `null`.
pub(super) fn asset_ctx(data: Slot<'_, '_>, coins: &CoinTable) -> Result<Parsed, FrameError> {
    let channel = data.channel;
    let [coin, ctx] = pick(data.object()?, channel, &CTX_FRAME)?;
    let Some(coin) = coins.resolve(coin.str()?) else {
        return Ok(Parsed::UnknownCoin(channel));
    };
    let [funding, open_interest, oracle_px, mark_px, mid_px, premium, impact_pxs, day_ntl, prev_day_px, day_base] =
        pick(ctx.object()?, channel, &CTX)?;
    let impact_pxs = impact_pxs.opt(|s| {
        let [bid, ask] = s.array_of::<2>()?;
        Ok::<[Price; 2], FrameError>([
            Slot::new(bid, channel, s.path).price()?,
            Slot::new(ask, channel, s.path).price()?,
        ])
    })?;
    Ok(Parsed::AssetCtx(AssetCtx {
        coin,
        funding_rate_frac_per_hour: nullable(funding, Slot::decimal_f64)?,
        open_interest: nullable(open_interest, Slot::qty)?,
        oracle_px: nullable(oracle_px, Slot::price)?,
        mark_px: nullable(mark_px, Slot::price)?,
        mid_px: mid_px.opt(Slot::price)?,
        premium_frac: premium.opt(Slot::decimal_f64)?,
        impact_pxs,
        day_notional_volume_usd: nullable(day_ntl, Slot::decimal_f64)?,
        prev_day_px: nullable(prev_day_px, Slot::price)?,
        day_base_volume: day_base.opt(Slot::qty)?,
    }))
}

const ACK: [Key; 2] = [key("method", "data.method"), key("subscription", "data.subscription")];
const SUBSCRIPTION: [Key; 3] = [
    key("type", "data.subscription.type"),
    key("coin", "data.subscription.coin"),
    key("user", "data.subscription.user"),
];

/// `{method, subscription: {type, coin?, user?, …}}`.
pub(super) fn subscription_response(data: Slot<'_, '_>, coins: &CoinTable) -> Result<Parsed, FrameError> {
    let channel = data.channel;
    let [method, subscription] = pick(data.object()?, channel, &ACK)?;
    let method = match method.str()? {
        "subscribe" => SubscriptionMethod::Subscribe,
        "unsubscribe" => SubscriptionMethod::Unsubscribe,
        _ => SubscriptionMethod::Other,
    };
    let [kind, coin, user] = pick(subscription.object()?, channel, &SUBSCRIPTION)?;
    let coin = match coin.opt(Slot::str)? {
        None => CoinField::Absent,
        Some(name) => coins.resolve(name).map_or(CoinField::Unknown, CoinField::Known),
    };
    Ok(Parsed::SubscriptionResponse(SubscriptionAck {
        method,
        kind: SubscriptionKind::from_wire(kind.str()?),
        coin,
        user: user.opt(Slot::address)?,
    }))
}
