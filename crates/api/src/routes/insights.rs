//! `/api/insights/*`. The sums are done in SQL (`db::net_worth`); here the aggregated rows are
//! only arranged per currency.

use crate::auth::AuthUser;
use crate::db;
use crate::error::ApiError;
use crate::state::AppState;
use actix_web::web;
use std::collections::BTreeMap;
use tally_shared::api::insights::{AccountTypeTotal, BalanceSide, CurrencyNetWorth, NetWorth};
use tally_shared::ApiError as ApiErrorBody;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/insights/net-worth").get(net_worth));
}

#[utoipa::path(get, path = "/api/insights/net-worth", tag = "insights",
    responses((status = 200, description = "Assets, liabilities and net worth per currency", body = NetWorth),
              (status = 401, body = ApiErrorBody)))]
#[tracing::instrument(name = "net worth", skip_all, fields(user_id = %user.user_id))]
async fn net_worth(
    state: web::Data<AppState>,
    user: AuthUser,
) -> Result<web::Json<NetWorth>, ApiError> {
    let mut tx = db::begin_consistent_read(&state.db).await?;
    let totals = db::net_worth::totals(&mut *tx, user.user_id).await?;
    let by_type = db::net_worth::by_type(&mut *tx, user.user_id).await?;
    tx.commit().await?;

    let mut types: BTreeMap<String, Vec<AccountTypeTotal>> = BTreeMap::new();
    for row in by_type {
        types
            .entry(row.currency)
            .or_default()
            .push(AccountTypeTotal {
                account_type: row.account_type,
                subtype: row.subtype,
                side: if row.is_liability {
                    BalanceSide::Liability
                } else {
                    BalanceSide::Asset
                },
                accounts: row.accounts,
                total: row.total,
            });
    }
    let currencies = totals
        .into_iter()
        .map(|row| CurrencyNetWorth {
            by_type: types.remove(&row.currency).unwrap_or_default(),
            currency: row.currency,
            assets: row.assets,
            liabilities: row.liabilities,
            net: row.net,
            manual_assets: row.manual_assets,
        })
        .collect();
    Ok(web::Json(NetWorth { currencies }))
}
