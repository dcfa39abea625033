//! Readers for the user channels: `userFills`, `orderUpdates` and `user` (from `userEvents`;
//! HYPERLIQUID.md, "WebSocket").
//!
//! Fills and order events of coins outside the table are kept with `coin: None` (a fill is
//! never dropped); the caller counts them. A `user` frame must hold exactly one of `fills`,
//! `funding`, `liquidation`, `nonUserCancel`.

use super::coins::CoinTable;
use super::error::{FrameError, Problem};
use super::parse::{Parsed, Scratch};
use super::reader::{key, pick, Key, Slot};
use super::user::{FeeToken, FillDir, Liquidation, NonUserCancel, OrderStatus, OrderUpdate, UserFill, UserFunding};
use crate::types::CoinId;

fn coin_of(slot: Slot<'_, '_>, coins: &CoinTable) -> Result<Option<CoinId>, FrameError> {
    Ok(coins.resolve(slot.str()?))
}

const FILL: [Key; 18] = [
    key("coin", "data.fills[].coin"),
    key("px", "data.fills[].px"),
    key("sz", "data.fills[].sz"),
    key("side", "data.fills[].side"),
    key("time", "data.fills[].time"),
    key("startPosition", "data.fills[].startPosition"),
    key("dir", "data.fills[].dir"),
    key("closedPnl", "data.fills[].closedPnl"),
    key("hash", "data.fills[].hash"),
    key("oid", "data.fills[].oid"),
    key("crossed", "data.fills[].crossed"),
    key("fee", "data.fills[].fee"),
    key("tid", "data.fills[].tid"),
    key("feeToken", "data.fills[].feeToken"),
    key("cloid", "data.fills[].cloid"),
    key("liquidation", "data.fills[].liquidation"),
    key("builderFee", "data.fills[].builderFee"),
    key("twapId", "data.fills[].twapId"),
];

/// Reads an array of fills into `out` (cleared first).
fn fills_into(fills: Slot<'_, '_>, coins: &CoinTable, out: &mut Vec<UserFill>) -> Result<(), FrameError> {
    let channel = fills.channel;
    out.clear();
    for value in fills.array()?.iter() {
        let [coin, px, sz, side, time, start, dir, pnl, hash, oid, cross, fee, tid, token, cloid, liq, builder, twap] =
            pick(Slot::new(value, channel, "data.fills[]").object()?, channel, &FILL)?;
        out.push(UserFill {
            coin: coin_of(coin, coins)?,
            side: side.side()?,
            px: px.price()?,
            sz: sz.qty()?,
            exchange_time: time.time_ms()?,
            start_position: start.qty()?,
            dir: FillDir::from_wire(dir.str()?),
            closed_pnl_usdc: pnl.qty()?,
            hash: hash.tx_hash()?,
            oid: oid.u64()?,
            crossed: cross.bool()?,
            fee_qty: fee.qty()?,
            fee_token: if token.str()? == "USDC" { FeeToken::Usdc } else { FeeToken::Other },
            builder_fee_qty: builder.opt(Slot::qty)?,
            tid: tid.u64()?,
            cloid: cloid.opt(Slot::cloid)?,
            liquidation: liq.optional().is_some(),
            twap_id: twap.opt(Slot::u64)?,
        });
    }
    Ok(())
}

const USER_FILLS: [Key; 3] =
    [key("isSnapshot", "data.isSnapshot"), key("user", "data.user"), key("fills", "data.fills")];

/// `{isSnapshot?, user, fills: [...]}`.
pub(super) fn user_fills(data: Slot<'_, '_>, coins: &CoinTable, out: &mut Vec<UserFill>) -> Result<Parsed, FrameError> {
    let [is_snapshot, user, fills] = pick(data.object()?, data.channel, &USER_FILLS)?;
    fills_into(fills, coins, out)?;
    Ok(Parsed::UserFills { is_snapshot: is_snapshot.opt(Slot::bool)?.unwrap_or(false), user: user.address()? })
}

const ORDER_UPDATE: [Key; 3] =
    [key("order", "data[].order"), key("status", "data[].status"), key("statusTimestamp", "data[].statusTimestamp")];
const ORDER: [Key; 8] = [
    key("coin", "data[].order.coin"),
    key("side", "data[].order.side"),
    key("limitPx", "data[].order.limitPx"),
    key("sz", "data[].order.sz"),
    key("oid", "data[].order.oid"),
    key("timestamp", "data[].order.timestamp"),
    key("origSz", "data[].order.origSz"),
    key("cloid", "data[].order.cloid"),
];

/// An array of `{order: {coin, side, limitPx, sz, oid, timestamp, origSz, cloid?}, status,
/// statusTimestamp}`.
pub(super) fn order_updates(
    data: Slot<'_, '_>,
    coins: &CoinTable,
    out: &mut Vec<OrderUpdate>,
) -> Result<Parsed, FrameError> {
    let channel = data.channel;
    out.clear();
    for value in data.array()?.iter() {
        let [order, status, status_time] = pick(Slot::new(value, channel, "data[]").object()?, channel, &ORDER_UPDATE)?;
        let [coin, side, limit_px, sz, oid, order_time, orig_sz, cloid] = pick(order.object()?, channel, &ORDER)?;
        out.push(OrderUpdate {
            coin: coin_of(coin, coins)?,
            side: side.side()?,
            limit_px: limit_px.price()?,
            sz: sz.qty()?,
            oid: oid.u64()?,
            order_time: order_time.time_ms()?,
            orig_sz: orig_sz.qty()?,
            cloid: cloid.opt(Slot::cloid)?,
            status: OrderStatus::from_wire(status.str()?),
            status_time: status_time.time_ms()?,
        });
    }
    Ok(Parsed::OrderUpdates)
}

const USER_EVENT: [Key; 4] = [
    key("fills", "data.fills"),
    key("funding", "data.funding"),
    key("liquidation", "data.liquidation"),
    key("nonUserCancel", "data.nonUserCancel"),
];
const FUNDING: [Key; 5] = [
    key("time", "data.funding.time"),
    key("coin", "data.funding.coin"),
    key("usdc", "data.funding.usdc"),
    key("szi", "data.funding.szi"),
    key("fundingRate", "data.funding.fundingRate"),
];
const LIQUIDATION: [Key; 5] = [
    key("lid", "data.liquidation.lid"),
    key("liquidator", "data.liquidation.liquidator"),
    key("liquidated_user", "data.liquidation.liquidated_user"),
    key("liquidated_ntl_pos", "data.liquidation.liquidated_ntl_pos"),
    key("liquidated_account_value", "data.liquidation.liquidated_account_value"),
];
const NON_USER_CANCEL: [Key; 2] = [key("coin", "data.nonUserCancel[].coin"), key("oid", "data.nonUserCancel[].oid")];

/// Exactly one of `{fills: [...]}`, `{funding: {...}}`, `{liquidation: {...}}`,
/// `{nonUserCancel: [{coin, oid}]}`.
pub(super) fn user_event(data: Slot<'_, '_>, coins: &CoinTable, out: &mut Scratch) -> Result<Parsed, FrameError> {
    let channel = data.channel;
    let [fills, funding, liquidation, cancels] = pick(data.object()?, channel, &USER_EVENT)?;
    let found = [fills, funding, liquidation, cancels].iter().filter(|s| s.is_present()).count();
    if found != 1 {
        return Err(data.error(Problem::NotExactlyOne { found }));
    }
    if fills.is_present() {
        fills_into(fills, coins, &mut out.fills)?;
        return Ok(Parsed::UserFillEvents);
    }
    if funding.is_present() {
        let [time, coin, usdc, szi, rate] = pick(funding.object()?, channel, &FUNDING)?;
        return Ok(Parsed::Funding(UserFunding {
            exchange_time: time.time_ms()?,
            coin: coin_of(coin, coins)?,
            payment_usdc: usdc.qty()?,
            position_qty: szi.qty()?,
            funding_rate_frac_per_hour: rate.decimal_f64()?,
        }));
    }
    if liquidation.is_present() {
        let [lid, liquidator, user, ntl_pos, account_value] = pick(liquidation.object()?, channel, &LIQUIDATION)?;
        return Ok(Parsed::Liquidation(Liquidation {
            lid: lid.u64()?,
            liquidator: liquidator.address()?,
            liquidated_user: user.address()?,
            liquidated_notional_usdc: ntl_pos.qty()?,
            liquidated_account_value_usdc: account_value.qty()?,
        }));
    }
    out.cancels.clear();
    for value in cancels.array()?.iter() {
        let [coin, oid] = pick(Slot::new(value, channel, "data.nonUserCancel[]").object()?, channel, &NON_USER_CANCEL)?;
        out.cancels.push(NonUserCancel { coin: coin_of(coin, coins)?, oid: oid.u64()? });
    }
    Ok(Parsed::NonUserCancels)
}
