//! `/accounts/get` and `/accounts/balance/get` (the simulator's balances are always live).

use super::items::item_json;
use super::{answer, Sim};
use crate::simulator::error::SimError;
use crate::simulator::store;
use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::{json, Value};

pub async fn get_accounts(
    sim: Sim,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, SimError> {
    let request = sim.read(&req, &body)?;
    let access_token = request.required_text("access_token")?;
    let wanted: Option<Vec<String>> = request
        .into_typed::<AccountsBody>()?
        .options
        .and_then(|options| options.account_ids);
    let item = store::item_by_access_token(&sim.db, &access_token).await?;
    if item.login_required {
        return Err(SimError::item_login_required());
    }
    let accounts = store::accounts(&sim.db, &item.item_id).await?;
    let selected: Vec<Value> = match &wanted {
        Some(ids) => {
            if let Some(unknown) = ids
                .iter()
                .find(|id| !accounts.iter().any(|a| &a.account_id == *id))
            {
                return Err(SimError::invalid_account_id(unknown));
            }
            accounts
                .iter()
                .filter(|a| ids.contains(&a.account_id))
                .map(store::SimAccount::to_json)
                .collect()
        }
        None => accounts.iter().map(store::SimAccount::to_json).collect(),
    };
    Ok(answer(
        json!({ "accounts": selected, "item": item_json(&item) }),
    ))
}

#[derive(serde::Deserialize)]
struct AccountsBody {
    #[serde(default)]
    options: Option<AccountsOptions>,
}

#[derive(serde::Deserialize)]
struct AccountsOptions {
    #[serde(default)]
    account_ids: Option<Vec<String>>,
}
