//! An item's access token: sealed at rest for its own row, opened for one call to Plaid.

use crate::crypto::{CipherError, TokenCipher};
use crate::db::items::PlaidItem;
use crate::plaid::ItemAccess;
use secrecy::SecretString;
use tally_shared::ids::ItemId;

/// Opens the item's access token for one call to Plaid.
pub fn access(cipher: &TokenCipher, item: &PlaidItem) -> Result<ItemAccess, CipherError> {
    Ok(ItemAccess {
        item_id: item.plaid_item_id.clone(),
        access_token: cipher.open(&item.access_token, item.item_id.0.as_bytes())?,
    })
}

/// Seals an access token for `item_id`'s row: it opens for that row only.
pub fn seal(cipher: &TokenCipher, item_id: ItemId, access_token: &SecretString) -> Vec<u8> {
    cipher.seal(access_token, item_id.0.as_bytes())
}
