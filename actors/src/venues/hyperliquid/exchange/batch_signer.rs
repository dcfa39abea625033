//! One reconcile cycle's actions → signed L1 actions: what the live venue does to a batch
//! before it posts it. OrderActor sends a batch one `ActionMsg` at a time (`index`,
//! `batch_len`); the batch is rebuilt here, split into Hyperliquid actions (cancels, ALO,
//! IOC, scheduleCancel apart: `build_actions`) and each is signed with a fresh nonce.
//! Used by the ack venue to measure tick-to-signed-action, and by the live venue to come.

use super::{build_actions, AssetTable, NonceSource, SignedAction, Signer, SigningError};
use crate::msg::ActionMsg;
use arrayvec::ArrayVec;
use engine::venue::ActionBatch;

/// Most Hyperliquid actions one batch splits into (`build_actions`).
pub const MAX_L1_ACTIONS_PER_BATCH: usize = 5;

pub struct BatchSigner {
    signer: Signer,
    assets: AssetTable,
    nonces: NonceSource,
    pending: ActionBatch,
    signed: ArrayVec<SignedAction, MAX_L1_ACTIONS_PER_BATCH>,
}

impl BatchSigner {
    pub fn new(signer: Signer, assets: AssetTable) -> Self {
        Self::with_nonces(signer, assets, NonceSource::new())
    }

    /// Signs with nonces from `nonces` — after a restart, one starting above the journal's
    /// last nonce ([`NonceSource::starting_after`]), so no nonce is ever used twice.
    pub fn with_nonces(signer: Signer, assets: AssetTable, nonces: NonceSource) -> Self {
        Self { signer, assets, nonces, pending: ActionBatch::new(), signed: ArrayVec::new() }
    }

    /// The last nonce signed with (0 before the first).
    pub fn last_nonce(&self) -> u64 {
        self.nonces.last()
    }

    /// Adds one action of a batch. When it completes the batch, builds and signs the
    /// batch's L1 actions and returns them (the pending batch is cleared either way).
    pub fn push(&mut self, msg: &ActionMsg) -> Option<Result<&[SignedAction], SigningError>> {
        // A batch holds at most MAX_ACTIONS_PER_BATCH actions; one past it is a bug upstream,
        // dropped rather than panicking (the venue answers it as unknown).
        let _ = self.pending.try_push(msg.action);
        if !msg.is_last() {
            return None;
        }
        let result = self.sign_pending();
        self.pending.clear();
        Some(result.map(|()| self.signed.as_slice()))
    }

    fn sign_pending(&mut self) -> Result<(), SigningError> {
        self.signed.clear();
        for action in build_actions(&self.pending, &self.assets)? {
            let nonce = self.nonces.next_now();
            self.signed.push(self.signer.sign_l1_action(&action, nonce, None)?);
        }
        Ok(())
    }
}
