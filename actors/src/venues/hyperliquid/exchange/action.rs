//! Engine order actions → Hyperliquid L1 actions.
//!
//! Prices and sizes go from the engine's exact fixed-point [`Price`]/[`Qty`] to their
//! shortest exact decimal (`Display`: no trailing zeros, no trailing point, `"0.5"` not
//! `".5"`), which is the form the venue normalises numbers to before it hashes: a `"2000.0"`
//! sent where the venue hashes `"2000"` recovers another signer. They are checked against the
//! perp rules of "Prices, sizes, fees, limits" before anything is signed: a price has at most
//! 5 significant figures and at most `6 − szDecimals` decimals (integers always pass), a size
//! is a whole number of `10^−szDecimals` lots, both are positive. (Perps only: spot allows
//! 8 − szDecimals decimals; HIP-3 assets, ids ≥ 100000, are perps.)
//!
//! A place is a limit order, `Alo` (post-only) or `Ioc`, never reduce-only (the engine's
//! [`OrderRequest`] has no such flag), always with its cloid. A cancel goes by cloid
//! (`cancelByCloid`); [`cancel_by_oid`] cancels orders the engine did not place (found
//! through `/info` at start). One action carries one kind: [`build_actions`] splits a batch.

use super::batch_signer::MAX_L1_ACTIONS_PER_BATCH;
use super::wire::{
    BulkCancel, BulkCancelCloid, BulkModify, BulkOrder, CancelByCloidEntry, CancelEntry, CloidStr, Grouping, L1Action,
    LimitType, ModifyEntry, NumStr, OrderEntry, OrderRef, OrderType, ScheduleCancel, Tif, MAX_ENTRIES,
};
use super::SigningError;
use arrayvec::ArrayVec;
use engine::types::{Cloid, CoinId, Price, Qty, Side, UnixNanos, FIXED_DECIMALS, FIXED_SCALE, MAX_COINS};
use engine::venue::{OrderAction, OrderRequest};

/// Most significant figures of a non-integer perp price.
const PRICE_SIG_FIGS: u32 = 5;
/// Most decimals of a perp price before subtracting `szDecimals`.
const PERP_PRICE_DECIMALS: u32 = 6;

/// What the venue needs to know about one coin to send orders for it (from `meta`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AssetSpec {
    /// Hyperliquid asset id: the index in `meta.universe`, or 100000 + dex·10000 + index for
    /// a HIP-3 coin.
    pub asset: u32,
    /// Decimals of the size lot (`szDecimals`), at most 8.
    pub sz_decimals: u32,
}

/// Asset ids and lot decimals by engine [`CoinId`].
#[derive(Debug, Clone, Default)]
pub struct AssetTable {
    specs: [Option<AssetSpec>; MAX_COINS],
}

impl AssetTable {
    pub fn new() -> Self {
        Self::default()
    }

    /// Registers `coin`; panics if its index is ≥ [`MAX_COINS`] (a `CoinId` never is).
    pub fn set(&mut self, coin: CoinId, spec: AssetSpec) {
        self.specs[coin.index()] = Some(spec);
    }

    pub fn get(&self, coin: CoinId) -> Result<AssetSpec, SigningError> {
        self.specs.get(coin.index()).copied().flatten().ok_or(SigningError::UnknownCoin(coin))
    }
}

/// Which order a modify replaces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModifyTarget {
    Oid(u64),
    Cloid(Cloid),
}

/// One L1 action from a batch of one kind: all places of one time in force, or all cancels,
/// or one scheduled cancel. Errors on an empty, mixed or oversized batch.
pub fn build_action(batch: &[OrderAction], assets: &AssetTable) -> Result<L1Action, SigningError> {
    let first = batch.first().ok_or(SigningError::EmptyBatch)?;
    if batch.len() > MAX_ENTRIES {
        return Err(SigningError::BatchTooLarge(batch.len()));
    }
    match first {
        OrderAction::Place(req) => {
            let tif = tif_of(req);
            let mut orders = ArrayVec::new();
            for action in batch {
                match action {
                    OrderAction::Place(req) if tif_of(req) == tif => orders.push(order_entry(req, assets)?),
                    _ => return Err(SigningError::MixedBatch("places of one time in force only")),
                }
            }
            Ok(L1Action::Order(BulkOrder { orders, grouping: Grouping::Na }))
        }
        OrderAction::Cancel { .. } => {
            let mut cancels = ArrayVec::new();
            for action in batch {
                match action {
                    OrderAction::Cancel { coin, cloid } => cancels.push(cancel_entry(*coin, *cloid, assets)?),
                    _ => return Err(SigningError::MixedBatch("cancels only")),
                }
            }
            Ok(L1Action::CancelByCloid(BulkCancelCloid { cancels }))
        }
        OrderAction::Modify { .. } => {
            let mut modifies = ArrayVec::<_, MAX_ENTRIES>::new();
            for action in batch {
                match action {
                    OrderAction::Modify { cloid, new, .. } => modifies.push((ModifyTarget::Cloid(*cloid), *new)),
                    _ => return Err(SigningError::MixedBatch("modifies only")),
                }
            }
            modify(&modifies, assets)
        }
        OrderAction::ScheduleCancel { at } => match batch {
            [_] => Ok(schedule_cancel(*at)),
            _ => Err(SigningError::MixedBatch("one scheduled cancel alone")),
        },
        OrderAction::QueryStatus { .. } => {
            Err(SigningError::MixedBatch("a status query is an info request, not signed"))
        }
    }
}

/// The actions of one engine batch, in sending order: cancels first (they free margin and
/// open-order slots for what follows), then modifies, then `Alo` places, then `Ioc` places (apart, as
/// Hyperliquid prioritises ALO-only batches), then the scheduled cancel (the last one of the
/// batch: a later schedule supersedes an earlier). Kinds absent from the batch are skipped,
/// and so are status queries (info requests, not signed actions).
pub fn build_actions(
    batch: &[OrderAction],
    assets: &AssetTable,
) -> Result<ArrayVec<L1Action, MAX_L1_ACTIONS_PER_BATCH>, SigningError> {
    if batch.len() > MAX_ENTRIES {
        return Err(SigningError::BatchTooLarge(batch.len()));
    }
    let mut cancels = ArrayVec::new();
    let mut modifies = ArrayVec::<_, MAX_ENTRIES>::new();
    let mut alo = ArrayVec::new();
    let mut ioc = ArrayVec::new();
    let mut schedule = None;
    for action in batch {
        match action {
            OrderAction::Cancel { coin, cloid } => cancels.push(cancel_entry(*coin, *cloid, assets)?),
            OrderAction::Modify { cloid, new, .. } => modifies.push((ModifyTarget::Cloid(*cloid), *new)),
            OrderAction::QueryStatus { .. } => {}
            OrderAction::Place(req) => match tif_of(req) {
                Tif::Alo => alo.push(order_entry(req, assets)?),
                _ => ioc.push(order_entry(req, assets)?),
            },
            OrderAction::ScheduleCancel { at } => schedule = Some(*at),
        }
    }
    let mut out = ArrayVec::new();
    if !cancels.is_empty() {
        out.push(L1Action::CancelByCloid(BulkCancelCloid { cancels }));
    }
    if !modifies.is_empty() {
        out.push(modify(&modifies, assets)?);
    }
    for orders in [alo, ioc] {
        if !orders.is_empty() {
            out.push(L1Action::Order(BulkOrder { orders, grouping: Grouping::Na }));
        }
    }
    if let Some(at) = schedule {
        out.push(schedule_cancel(at));
    }
    Ok(out)
}

/// A `cancel` by exchange order id, for orders the engine knows only by oid.
pub fn cancel_by_oid(cancels: &[(CoinId, u64)], assets: &AssetTable) -> Result<L1Action, SigningError> {
    if cancels.is_empty() {
        return Err(SigningError::EmptyBatch);
    }
    if cancels.len() > MAX_ENTRIES {
        return Err(SigningError::BatchTooLarge(cancels.len()));
    }
    let mut out = ArrayVec::new();
    for &(coin, oid) in cancels {
        out.push(CancelEntry { asset: assets.get(coin)?.asset, oid });
    }
    Ok(L1Action::Cancel(BulkCancel { cancels: out }))
}

/// A `batchModify`: each target order replaced by the new one (which keeps its own cloid).
pub fn modify(modifies: &[(ModifyTarget, OrderRequest)], assets: &AssetTable) -> Result<L1Action, SigningError> {
    if modifies.is_empty() {
        return Err(SigningError::EmptyBatch);
    }
    if modifies.len() > MAX_ENTRIES {
        return Err(SigningError::BatchTooLarge(modifies.len()));
    }
    let mut out = ArrayVec::new();
    for (target, req) in modifies {
        let oid = match *target {
            ModifyTarget::Oid(oid) => OrderRef::Oid(oid),
            ModifyTarget::Cloid(cloid) => OrderRef::Cloid(cloid_str(cloid)),
        };
        out.push(ModifyEntry { oid, order: order_entry(req, assets)? });
    }
    Ok(L1Action::BatchModify(BulkModify { modifies: out }))
}

fn tif_of(req: &OrderRequest) -> Tif {
    if req.post_only {
        Tif::Alo
    } else {
        Tif::Ioc
    }
}

fn order_entry(req: &OrderRequest, assets: &AssetTable) -> Result<OrderEntry, SigningError> {
    let spec = assets.get(req.coin)?;
    Ok(OrderEntry {
        asset: spec.asset,
        is_buy: req.side == Side::Bid,
        limit_px: price_str(req.coin, req.px, spec.sz_decimals)?,
        sz: size_str(req.coin, req.qty, spec.sz_decimals)?,
        reduce_only: false,
        order_type: OrderType::Limit(LimitType { tif: tif_of(req) }),
        cloid: Some(cloid_str(req.cloid)),
    })
}

fn cancel_entry(coin: CoinId, cloid: Cloid, assets: &AssetTable) -> Result<CancelByCloidEntry, SigningError> {
    Ok(CancelByCloidEntry { asset: assets.get(coin)?.asset, cloid: cloid_str(cloid) })
}

/// Unix ms, rounded up: never shortens the lead the sender gave the switch.
fn schedule_cancel(at: Option<UnixNanos>) -> L1Action {
    L1Action::ScheduleCancel(ScheduleCancel { time: at.map(|t| t.0.div_ceil(1_000_000)) })
}

fn cloid_str(cloid: Cloid) -> CloidStr {
    CloidStr::display(cloid).expect("0x + 32 hex digits fit 34 bytes")
}

/// Decimal places of a fixed-point value once trailing zeros are dropped, and its digits
/// without them (the significant figures of a non-integer).
fn trimmed(units: i64) -> (u32, u64) {
    let mut digits = units.unsigned_abs();
    let mut decimals = FIXED_DECIMALS;
    while decimals > 0 && digits.is_multiple_of(10) {
        digits /= 10;
        decimals -= 1;
    }
    (decimals, digits)
}

/// The wire price, or why the venue would refuse it.
pub(super) fn price_str(coin: CoinId, px: Price, sz_decimals: u32) -> Result<NumStr, SigningError> {
    let bad = |reason| SigningError::BadPrice { coin, px, reason };
    if px.units() <= 0 {
        return Err(bad("not positive"));
    }
    if px.units() % FIXED_SCALE != 0 {
        let (decimals, digits) = trimmed(px.units());
        if decimals > PERP_PRICE_DECIMALS.saturating_sub(sz_decimals) {
            return Err(bad("more than 6 − szDecimals decimals"));
        }
        if digits.checked_ilog10().map_or(1, |l| l + 1) > PRICE_SIG_FIGS {
            return Err(bad("more than 5 significant figures"));
        }
    }
    Ok(NumStr::display(px).expect("an i64 at 1e-8 fits 24 bytes"))
}

/// The wire size, or why the venue would refuse it.
pub(super) fn size_str(coin: CoinId, qty: Qty, sz_decimals: u32) -> Result<NumStr, SigningError> {
    let bad = |reason| SigningError::BadSize { coin, qty, reason };
    if qty.units() <= 0 {
        return Err(bad("not positive"));
    }
    if trimmed(qty.units()).0 > sz_decimals {
        return Err(bad("not a whole number of szDecimals lots"));
    }
    Ok(NumStr::display(qty).expect("an i64 at 1e-8 fits 24 bytes"))
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    /// BTC (asset 0, szDecimals 5) and a HIP-3 perp (asset 110003, szDecimals 2).
    pub(in crate::venues::hyperliquid::exchange) fn table() -> AssetTable {
        let mut t = AssetTable::new();
        t.set(CoinId(0), AssetSpec { asset: 0, sz_decimals: 5 }); // BTC
        t.set(CoinId(1), AssetSpec { asset: 110_003, sz_decimals: 2 }); // a HIP-3 perp
        t
    }

    pub(in crate::venues::hyperliquid::exchange) fn place(
        coin: u8,
        side: Side,
        px: &str,
        qty: &str,
        post_only: bool,
        cloid: u128,
    ) -> OrderAction {
        OrderAction::Place(OrderRequest {
            coin: CoinId(coin),
            cloid: Cloid(cloid),
            side,
            px: Price::parse(px).unwrap(),
            qty: Qty::parse(qty).unwrap(),
            post_only,
        })
    }

    #[test]
    fn numbers_are_the_shortest_exact_decimal() {
        let p = |s: &str, d| price_str(CoinId(0), Price::parse(s).unwrap(), d).map(|w| w.to_string());
        assert_eq!(p("105055.0", 5).unwrap(), "105055");
        assert_eq!(p("123456789", 5).unwrap(), "123456789", "integers always pass");
        assert_eq!(p("2000.50", 2).unwrap(), "2000.5");
        assert!(p("0.00012345", 0).is_err(), "8 decimals > 6: the caller rounds, not the wire");
        assert_eq!(p("0.012345", 0).unwrap(), "0.012345");
        assert!(matches!(
            p("12345.6", 0),
            Err(SigningError::BadPrice { reason: "more than 5 significant figures", .. })
        ));
        assert_eq!(p("1.5", 5).unwrap(), "1.5", "6 − 5 = 1 decimal");
        assert!(p("1.25", 5).is_err(), "2 decimals > 1");
        assert!(p("0", 0).is_err() && p("-1", 0).is_err());
        let s = |q: &str, d| size_str(CoinId(0), Qty::parse(q).unwrap(), d).map(|w| w.to_string());
        assert_eq!(s("3.50000", 5).unwrap(), "3.5");
        assert_eq!(s("0.00001", 5).unwrap(), "0.00001");
        assert!(s("0.000001", 5).is_err() && s("0", 5).is_err() && s("1.5", 0).is_err());
        assert_eq!(s("12", 0).unwrap(), "12");
    }

    #[test]
    fn a_batch_splits_into_cancels_alo_ioc_and_schedule() {
        let batch = [
            place(0, Side::Bid, "100000", "0.001", true, 1),
            OrderAction::Cancel { coin: CoinId(1), cloid: Cloid(7) },
            place(1, Side::Ask, "12.5", "3", false, 2),
            OrderAction::ScheduleCancel { at: Some(UnixNanos(1_700_000_000_000_000_001)) },
            place(0, Side::Ask, "100010", "0.001", true, 3),
        ];
        let actions = build_actions(&batch, &table()).unwrap();
        let kinds: Vec<_> = actions.iter().map(|a| (a.type_name(), a.entries())).collect();
        assert_eq!(kinds, [("cancelByCloid", 1), ("order", 2), ("order", 1), ("scheduleCancel", 1)]);
        let L1Action::Order(alo) = &actions[1] else { panic!() };
        let first = &alo.orders[0];
        assert_eq!(
            (first.asset, first.is_buy, first.limit_px.as_str(), first.sz.as_str()),
            (0, true, "100000", "0.001")
        );
        assert_eq!(first.cloid.unwrap().as_str(), "0x00000000000000000000000000000001");
        assert_eq!(first.order_type, OrderType::Limit(LimitType { tif: Tif::Alo }));
        let L1Action::Order(ioc) = &actions[2] else { panic!() };
        assert_eq!(
            (ioc.orders[0].asset, ioc.orders[0].order_type),
            (110_003, OrderType::Limit(LimitType { tif: Tif::Ioc }))
        );
        assert_eq!(
            actions[3],
            L1Action::ScheduleCancel(ScheduleCancel { time: Some(1_700_000_000_001) }),
            "ms, rounded up"
        );
    }

    #[test]
    fn build_action_wants_one_kind() {
        let t = table();
        assert!(matches!(build_action(&[], &t), Err(SigningError::EmptyBatch)));
        let mixed = [place(0, Side::Bid, "1", "1", true, 1), place(0, Side::Bid, "1", "1", false, 2)];
        assert!(matches!(build_action(&mixed, &t), Err(SigningError::MixedBatch(_))));
        let cancel = [OrderAction::Cancel { coin: CoinId(0), cloid: Cloid(1) }, place(0, Side::Bid, "1", "1", true, 1)];
        assert!(matches!(build_action(&cancel, &t), Err(SigningError::MixedBatch(_))));
        let unknown = [OrderAction::Cancel { coin: CoinId(5), cloid: Cloid(1) }];
        assert!(matches!(build_action(&unknown, &t), Err(SigningError::UnknownCoin(CoinId(5)))));
        let clear = build_action(&[OrderAction::ScheduleCancel { at: None }], &t).unwrap();
        assert_eq!(clear, L1Action::ScheduleCancel(ScheduleCancel { time: None }));
        let too_many = vec![place(0, Side::Bid, "1", "1", true, 1); MAX_ENTRIES + 1];
        assert!(matches!(build_action(&too_many, &t), Err(SigningError::BatchTooLarge(33))));
    }

    #[test]
    fn oid_cancels_and_modifies() {
        let t = table();
        let c = cancel_by_oid(&[(CoinId(1), 82382)], &t).unwrap();
        assert_eq!(
            c,
            L1Action::Cancel(BulkCancel {
                cancels: [CancelEntry { asset: 110_003, oid: 82382 }].into_iter().collect()
            })
        );
        let OrderAction::Place(req) = place(0, Side::Ask, "100000", "0.5", true, 9) else { panic!() };
        let m = modify(&[(ModifyTarget::Oid(5), req), (ModifyTarget::Cloid(Cloid(3)), req)], &t).unwrap();
        let L1Action::BatchModify(m) = m else { panic!() };
        assert_eq!(m.modifies[0].oid, OrderRef::Oid(5));
        assert_eq!(m.modifies[1].oid, OrderRef::Cloid(CloidStr::new("0x00000000000000000000000000000003").unwrap()));
        assert!(!m.modifies[0].order.is_buy);
    }
}
