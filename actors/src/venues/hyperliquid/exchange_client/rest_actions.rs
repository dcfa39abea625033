//! Signed actions over REST `/exchange` outside the trading loop: cancelling the orders an
//! earlier process left on the venue before a session quotes (`cancel` by exchange order id:
//! an orphan may carry no cloid of ours), and any one action an operator tool sends.

use super::info::{http_client, post_json, InfoError};
use crate::venues::hyperliquid::exchange::{cancel_by_oid, AssetTable, L1Action, NonceSource, Signer, SigningError};
use engine::order::{parse_exchange_response, ExchangeResponse, ItemOutcome};
use engine::types::CoinId;
use engine::venue::{RejectReason, MAX_ACTIONS_PER_BATCH};
use std::time::Duration;

/// Why a REST action failed.
#[derive(Debug, thiserror::Error)]
pub enum RestActionError {
    #[error("action not signed: {0}")]
    Signing(#[from] SigningError),
    #[error("action not sent: {0}")]
    Request(#[from] InfoError),
    #[error("exchange answer does not parse: {0}")]
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
) -> Result<OrphanCancelReport, RestActionError> {
    let http = http_client(timeout)?;
    let url = format!("{}/exchange", rest_url.trim_end_matches('/'));
    let mut report = OrphanCancelReport::default();
    for batch in orders.chunks(MAX_ACTIONS_PER_BATCH) {
        let action = cancel_by_oid(batch, assets)?;
        let signed = signer.sign_l1_action(&action, nonces.next_now(), None)?;
        report.nonces.push(signed.nonce);
        let body =
            serde_json::to_string(&signed.request(&action)).map_err(|e| RestActionError::Answer(e.to_string()))?;
        let mut answer = post_json(&http, &url, body).await?;
        let response = parse_exchange_response(&mut answer).map_err(|e| RestActionError::Answer(e.to_string()))?;
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

/// Signs `action` with `nonce` and POSTs it to `{rest_url}/exchange`; the venue's answer.
pub async fn send_action(
    rest_url: &str,
    signer: &Signer,
    action: &L1Action,
    nonce: u64,
    timeout: Duration,
) -> Result<ExchangeResponse, RestActionError> {
    post_signed(&http_client(timeout)?, rest_url, signer, action, nonce).await
}

async fn post_signed(
    http: &reqwest::Client,
    rest_url: &str,
    signer: &Signer,
    action: &L1Action,
    nonce: u64,
) -> Result<ExchangeResponse, RestActionError> {
    let signed = signer.sign_l1_action(action, nonce, None)?;
    let body = serde_json::to_string(&signed.request(action)).map_err(|e| RestActionError::Answer(e.to_string()))?;
    let url = format!("{}/exchange", rest_url.trim_end_matches('/'));
    let mut answer = post_json(http, &url, body).await?;
    parse_exchange_response(&mut answer).map_err(|e| RestActionError::Answer(e.to_string()))
}
