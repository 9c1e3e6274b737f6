//! `/api/accounts`: every account of every linked bank, with balances.

use super::{get, ClientError};
use tally_shared::api::accounts::AccountList;

pub async fn list_accounts() -> Result<AccountList, ClientError> {
    get("/api/accounts").await
}
