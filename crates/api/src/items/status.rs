//! An item's status: set in the database and told to its owner, always together.

use crate::db;
use crate::state::AppState;
use tally_shared::api::items::ItemStatus;
use tally_shared::ids::ItemId;
use tally_shared::ws::ServerEvent;

/// Sets the item's status and, when that changed it, tells the owner.
#[tracing::instrument(skip_all, fields(%item_id, status = status.as_str()))]
pub async fn set_status(
    state: &AppState,
    item_id: ItemId,
    status: ItemStatus,
    error_code: Option<&str>,
) -> Result<(), sqlx::Error> {
    if let Some(user_id) = db::items::set_status(&state.db, item_id, status, error_code).await? {
        let changed = ServerEvent::ItemStatusChanged {
            item_id,
            status,
            error_code: error_code.map(str::to_owned),
        };
        state.events.announce(user_id, changed).await;
    }
    Ok(())
}
