//! `/api/accounts`: every account of every bank the user linked, with balances.

use crate::auth::AuthUser;
use crate::db;
use crate::db::accounts::AccountRecord;
use crate::domain::classification::LIABILITY_ACCOUNT_TYPES;
use crate::error::ApiError;
use crate::state::AppState;
use actix_web::web;
use tally_shared::api::accounts::{Account, AccountList};
use tally_shared::ApiError as ApiErrorBody;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/accounts").get(list_accounts));
}

#[utoipa::path(get, path = "/api/accounts", tag = "banking",
    responses((status = 200, description = "By bank name, then account type, then name", body = AccountList),
              (status = 401, body = ApiErrorBody)))]
#[tracing::instrument(name = "list accounts", skip_all, fields(user_id = %user.user_id))]
async fn list_accounts(
    state: web::Data<AppState>,
    user: AuthUser,
) -> Result<web::Json<AccountList>, ApiError> {
    let accounts = db::accounts::list_for_user(&state.db, user.user_id)
        .await?
        .into_iter()
        .map(account)
        .collect();
    Ok(web::Json(AccountList { accounts }))
}

fn account(record: AccountRecord) -> Account {
    Account {
        id: record.account_id,
        item_id: record.item_id,
        institution_id: record.institution_id,
        institution_name: record.institution_name,
        is_liability: is_liability(&record.account_type),
        name: record.name,
        official_name: record.official_name,
        mask: record.mask,
        account_type: record.account_type,
        subtype: record.subtype,
        current_balance: record.current_balance,
        available_balance: record.available_balance,
        credit_limit: record.credit_limit,
        currency: record.currency,
    }
}

/// The same rule net worth uses (`domain::classification`).
fn is_liability(account_type: &str) -> bool {
    LIABILITY_ACCOUNT_TYPES.contains(&account_type)
}

#[cfg(test)]
mod tests {
    use super::is_liability;

    #[test]
    fn only_credit_and_loans_are_liabilities() {
        assert!(is_liability("credit") && is_liability("loan"));
        for asset in [
            "depository",
            "investment",
            "brokerage",
            "other",
            "crypto",
            "",
        ] {
            assert!(!is_liability(asset), "{asset}");
        }
    }
}
