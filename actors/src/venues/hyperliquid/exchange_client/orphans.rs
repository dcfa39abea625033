//! Cancelling the orders an earlier process left on the venue, before a session quotes:
//! signed `cancel` actions by exchange order id (an orphan may carry no cloid of ours),
//! sent over REST `/exchange` at startup, outside any runtime.

use super::info::{http_client, post_json, InfoError};
use crate::venues::hyperliquid::exchange::{cancel_by_oid, AssetTable, NonceSource, Signer, SigningError};
use engine::order::{parse_exchange_response, ExchangeResponse, ItemOutcome};
use engine::types::CoinId;
use engine::venue::{RejectReason, MAX_ACTIONS_PER_BATCH};
use std::time::Duration;

/// Why the orphans could not be cancelled.
#[derive(Debug, thiserror::Error)]
pub enum OrphanCancelError {
    #[error("orphan cancel not signed: {0}")]
    Signing(#[from] SigningError),
    #[error("orphan cancel not sent: {0}")]
    Request(#[from] InfoError),
    #[error("orphan cancel answer does not parse: {0}")]
    Answer(String),
}

/// What the venue did with the orphan cancels.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OrphanCancelReport {
    /// Nonces signed with, in order (the caller journals them: never reuse one).
    pub nonces: Vec<u64>,
    pub cancelled: usize,
    /// Already gone when the cancel arrived (filled or cancelled meanwhile).
    pub already_gone: usize,
    /// Refused for another reason, with the reason.
    pub refused: Vec<(CoinId, u64, RejectReason)>,
}

/// Cancels `orders` ((coin, oid) pairs) in batches, signing with `nonces`.
pub async fn cancel_orphans(
    rest_url: &str,
    signer: &Signer,
    assets: &AssetTable,
    nonces: &mut NonceSource,
    orders: &[(CoinId, u64)],
    timeout: Duration,
) -> Result<OrphanCancelReport, OrphanCancelError> {
    let http = http_client(timeout)?;
    let url = format!("{}/exchange", rest_url.trim_end_matches('/'));
    let mut report = OrphanCancelReport::default();
    for batch in orders.chunks(MAX_ACTIONS_PER_BATCH) {
        let action = cancel_by_oid(batch, assets)?;
        let signed = signer.sign_l1_action(&action, nonces.next_now(), None)?;
        report.nonces.push(signed.nonce);
        let body =
            serde_json::to_string(&signed.request(&action)).map_err(|e| OrphanCancelError::Answer(e.to_string()))?;
        let mut answer = post_json(&http, &url, body).await?;
        let response = parse_exchange_response(&mut answer).map_err(|e| OrphanCancelError::Answer(e.to_string()))?;
        for (index, &(coin, oid)) in batch.iter().enumerate() {
            match response.item(index) {
                Some(ItemOutcome::Success) => report.cancelled += 1,
                Some(ItemOutcome::Rejected(RejectReason::OrderGone)) => report.already_gone += 1,
                Some(ItemOutcome::Rejected(reason)) => report.refused.push((coin, oid, reason)),
                other => {
                    let reason = match (&response, other) {
                        (ExchangeResponse::RequestRejected(reason), _) => *reason,
                        _ => RejectReason::Unknown(engine::venue::RejectText::truncated("no answer for this cancel")),
                    };
                    report.refused.push((coin, oid, reason));
                }
            }
        }
    }
    Ok(report)
}
