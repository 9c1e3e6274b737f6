//! `/api/accounts`: every account of every linked bank, with balances.

use super::{read_json, ClientError};
use gloo_net::http::Request;
use tally_shared::api::accounts::AccountList;

pub async fn list_accounts() -> Result<AccountList, ClientError> {
    read_json(Request::get("/api/accounts").send().await?).await
}
