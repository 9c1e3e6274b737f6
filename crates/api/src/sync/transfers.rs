//! Pairing a person's transfers between their own accounts, inside each sync's transaction, so
//! a page never shows half a pair and a pair never outlives a change that broke it
//! (`docs/architecture.md`, "Transfers").
//!
//! It looks at all of the person's unpaired transfers, not only this pass's: a transfer's other
//! side may be at another bank, synced earlier, or left unpaired when its partner was removed.
//! Few of a person's transactions are unpaired transfers, and an index holds just those.

use crate::db;
use crate::domain::transfers;
use sqlx::PgConnection;
use tally_shared::ids::UserId;

/// Unpairs the sync's pairs that no longer fit, then pairs what now can be; the person's hand
/// pairs and the pairs they unpaired stay as they are.
pub(super) async fn pair(tx: &mut PgConnection, user_id: UserId) -> Result<(), sqlx::Error> {
    db::transfers::lock(tx, user_id).await?;
    let unpaired = db::transfers::unpair_broken(tx, user_id).await?;
    let candidates = db::transfers::candidates(&mut *tx, user_id).await?;
    let paired = db::transfers::pair(&mut *tx, user_id, &transfers::choose(candidates)).await?;
    if unpaired + paired > 0 {
        tracing::info!(unpaired, paired, "transfers between accounts paired");
    }
    Ok(())
}
