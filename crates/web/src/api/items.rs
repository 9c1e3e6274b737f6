//! `/api/items`: the banks this person linked.

use super::{delete, get, post, send_json, ClientError};
use gloo_net::http::Request;
use tally_shared::api::items::{CreateItemRequest, Item, ItemList};
use tally_shared::ids::ItemId;

pub async fn list_items() -> Result<ItemList, ClientError> {
    get("/api/items").await
}

/// Links the bank Link just connected. A bank linked before is refused (409 `duplicate_item`).
pub async fn create_item(request: CreateItemRequest) -> Result<Item, ClientError> {
    send_json(Request::post("/api/items"), &request).await
}

pub async fn get_item(id: ItemId) -> Result<Item, ClientError> {
    get(&format!("/api/items/{id}")).await
}

/// Removes the bank at Plaid and here, with all its accounts and transactions.
pub async fn delete_item(id: ItemId) -> Result<(), ClientError> {
    delete(&format!("/api/items/{id}")).await
}

/// Asks the bank for new transactions now; they arrive with a later `item_synced`.
pub async fn refresh_item(id: ItemId) -> Result<Item, ClientError> {
    post(&format!("/api/items/{id}/refresh")).await
}

/// After Link's update mode succeeded: the server checks with Plaid and marks the item good.
pub async fn login_repaired(id: ItemId) -> Result<Item, ClientError> {
    post(&format!("/api/items/{id}/login-repaired")).await
}

/// Simulator and sandbox only: makes the bank ask for a new log-in, to try update mode.
pub async fn sandbox_reset_login(id: ItemId) -> Result<Item, ClientError> {
    post(&format!("/api/items/{id}/sandbox/reset-login")).await
}
