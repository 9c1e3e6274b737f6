//! `/api/insights/*`: net worth now and over time. The sums are done in SQL (`db::net_worth`,
//! `db::net_worth_history`); here the aggregated rows are only arranged per currency.

use crate::auth::AuthUser;
use crate::db;
use crate::domain::Period;
use crate::error::ApiError;
use crate::state::AppState;
use actix_web::web;
use chrono::{NaiveDate, Utc};
use std::collections::BTreeMap;
use tally_shared::api::insights::{
    AccountTypeTotal, BalanceSide, CurrencyNetWorth, NetWorth, NetWorthHistory, NetWorthPoint,
    NetWorthSeries, PeriodQuery,
};
use tally_shared::ApiError as ApiErrorBody;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/insights/net-worth").get(net_worth))
        .service(web::resource("/insights/net-worth/history").get(net_worth_history));
}

/// Days are UTC days: the server knows no user's time zone.
fn today() -> NaiveDate {
    Utc::now().date_naive()
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

#[utoipa::path(get, path = "/api/insights/net-worth/history", tag = "insights",
    params(PeriodQuery),
    responses((status = 200, description = "Net worth day by day per currency; by default the last 90 days", body = NetWorthHistory),
              (status = 422, description = "`from` after `to`, or more than 5 years", body = ApiErrorBody),
              (status = 401, body = ApiErrorBody)))]
#[tracing::instrument(name = "net worth history", skip_all, fields(user_id = %user.user_id))]
async fn net_worth_history(
    state: web::Data<AppState>,
    user: AuthUser,
    query: web::Query<PeriodQuery>,
) -> Result<web::Json<NetWorthHistory>, ApiError> {
    let period = Period::for_history(query.from, query.to, today())
        .map_err(|field| ApiError::Validation(vec![field]))?;
    let mut tx = db::begin_consistent_read(&state.db).await?;
    let points =
        db::net_worth_history::daily(&mut *tx, user.user_id, period.from(), period.to()).await?;
    tx.commit().await?;

    let mut series: Vec<NetWorthSeries> = Vec::new();
    for point in points {
        let point_dto = NetWorthPoint {
            date: point.day,
            assets: point.assets,
            liabilities: point.liabilities,
            net: point.net,
        };
        match series.last_mut() {
            Some(current) if current.currency == point.currency => current.points.push(point_dto),
            _ => series.push(NetWorthSeries {
                currency: point.currency,
                points: vec![point_dto],
            }),
        }
    }
    Ok(web::Json(NetWorthHistory {
        from: period.from(),
        to: period.to(),
        series,
    }))
}
