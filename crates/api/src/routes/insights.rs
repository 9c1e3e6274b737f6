//! `/api/insights/*`: net worth now and over time, spending by category, and the payments and
//! balance to come. The sums are done in SQL (`db::net_worth`, `db::net_worth_history`,
//! `db::spending`); here the aggregated rows are only arranged per currency. The forecasts project
//! the streams `db::forecast` reads with `domain::forecast`.

use crate::auth::AuthUser;
use crate::db;
use crate::db::forecast::Streams;
use crate::db::spending::{CategoryRow, Level, MerchantRow, SpendingFilter};
use crate::domain::forecast::{self, Window};
use crate::domain::Period;
use crate::error::ApiError;
use crate::state::AppState;
use actix_web::web;
use chrono::{NaiveDate, Utc};
use rust_decimal::Decimal;
use std::collections::BTreeMap;
use tally_shared::api::insights::{
    AccountTypeTotal, BalanceSide, CashFlow, CategoryTotal, CurrencyNetWorth, CurrencySpending,
    ForecastQuery, MerchantTotal, NetWorth, NetWorthHistory, NetWorthPoint, NetWorthSeries,
    PeriodQuery, RecordedOnlyAccount, Spending, Upcoming,
};
use tally_shared::ApiError as ApiErrorBody;

/// How many merchants the spending insight names.
const TOP_MERCHANTS: i64 = 10;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/insights/net-worth").get(net_worth))
        .service(web::resource("/insights/net-worth/history").get(net_worth_history))
        .service(web::resource("/insights/spending").get(spending))
        .service(web::resource("/insights/upcoming").get(upcoming))
        .service(web::resource("/insights/cash-flow").get(cash_flow));
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
    let mut tx = db::begin_report_read(&state.db).await?;
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
    let mut tx = db::begin_report_read(&state.db).await?;
    let points =
        db::net_worth_history::daily(&mut *tx, user.user_id, period.from(), period.to()).await?;
    let recorded_only = db::reconstructed_balances::recorded_only(&mut *tx, user.user_id).await?;
    tx.commit().await?;

    let mut series: Vec<NetWorthSeries> = Vec::new();
    for point in points {
        let point_dto = NetWorthPoint {
            date: point.day,
            assets: point.assets,
            liabilities: point.liabilities,
            net: point.net,
            reconstructed: point.reconstructed,
        };
        match series.last_mut() {
            Some(current) if current.currency == point.currency => current.points.push(point_dto),
            _ => series.push(NetWorthSeries {
                currency: point.currency,
                points: vec![point_dto],
                recorded_only: Vec::new(),
            }),
        }
    }
    for account in recorded_only {
        if let Some(series) = series.iter_mut().find(|s| s.currency == account.currency) {
            series.recorded_only.push(RecordedOnlyAccount {
                account_id: account.account_id,
                name: account.name,
                account_type: account.account_type,
                subtype: account.subtype,
                recorded_from: account.recorded_from,
            });
        }
    }
    Ok(web::Json(NetWorthHistory {
        from: period.from(),
        to: period.to(),
        series,
    }))
}

#[utoipa::path(get, path = "/api/insights/spending", tag = "insights",
    params(PeriodQuery),
    responses((status = 200, description = "Spending by category and top merchants per currency; by default this month so far", body = Spending),
              (status = 422, description = "`from` after `to`", body = ApiErrorBody),
              (status = 401, body = ApiErrorBody)))]
#[tracing::instrument(name = "spending", skip_all, fields(user_id = %user.user_id))]
async fn spending(
    state: web::Data<AppState>,
    user: AuthUser,
    query: web::Query<PeriodQuery>,
) -> Result<web::Json<Spending>, ApiError> {
    let period = Period::for_spending(query.from, query.to, today())
        .map_err(|field| ApiError::Validation(vec![field]))?;
    let filter = SpendingFilter {
        user_id: user.user_id,
        from: period.from(),
        to: period.to(),
        include_pending: query.include_pending.unwrap_or(false),
    };

    let mut tx = db::begin_report_read(&state.db).await?;
    let (categories, merchants) = db::spending::summary(&mut *tx, filter, TOP_MERCHANTS).await?;
    tx.commit().await?;

    Ok(web::Json(Spending {
        from: period.from(),
        to: period.to(),
        include_pending: filter.include_pending,
        currencies: arrange_spending(categories, merchants),
    }))
}

/// Puts the rolled-up rows (each currency's total first, then its primary categories, then the
/// categories under them, each level in order) into one `CurrencySpending` per currency.
fn arrange_spending(
    categories: Vec<CategoryRow>,
    merchants: Vec<MerchantRow>,
) -> Vec<CurrencySpending> {
    let mut currencies: BTreeMap<String, CurrencySpending> = BTreeMap::new();
    for row in categories {
        let currency = currencies
            .entry(row.currency.clone())
            .or_insert_with(|| CurrencySpending {
                currency: row.currency.clone(),
                total: Decimal::ZERO,
                refunds: Decimal::ZERO,
                categories: Vec::new(),
                top_merchants: Vec::new(),
            });
        match (row.level(), row.primary_id, row.category_id, row.name) {
            (Level::Currency, ..) => {
                currency.total = row.spent;
                currency.refunds = row.refunds;
            }
            (level, Some(primary_id), Some(category_id), Some(name)) => {
                let total = CategoryTotal {
                    category_id,
                    name,
                    plaid_code: row.plaid_code,
                    total: row.spent,
                    transactions: row.transactions,
                    detailed: Vec::new(),
                };
                if level == Level::Primary {
                    currency.categories.push(total);
                } else if let Some(primary) = currency
                    .categories
                    .iter_mut()
                    .find(|c| c.category_id == primary_id)
                {
                    primary.detailed.push(total);
                }
            }
            _ => {}
        }
    }
    for row in merchants {
        if let Some(currency) = currencies.get_mut(&row.currency) {
            currency.top_merchants.push(MerchantTotal {
                merchant: row.merchant,
                total: row.spent,
                transactions: row.transactions,
            });
        }
    }
    currencies.into_values().collect()
}

/// The window a forecast asks for; a bad `days` is a bad request.
fn forecast_window(query: &ForecastQuery) -> Result<Window, ApiError> {
    Window::parse(query.days, today()).map_err(|field| ApiError::BadRequest(field.message))
}

#[utoipa::path(get, path = "/api/insights/upcoming", tag = "insights",
    params(ForecastQuery),
    responses((status = 200, description = "The bills and income the person's confirmed and mature streams predict from today, by date; 30 days by default", body = Upcoming),
              (status = 400, description = "`days` not from 1 to 90", body = ApiErrorBody),
              (status = 401, body = ApiErrorBody)))]
#[tracing::instrument(name = "upcoming", skip_all, fields(user_id = %user.user_id))]
async fn upcoming(
    state: web::Data<AppState>,
    user: AuthUser,
    query: web::Query<ForecastQuery>,
) -> Result<web::Json<Upcoming>, ApiError> {
    let window = forecast_window(&query)?;
    let streams = db::forecast::predicted(&state.db, user.user_id, Streams::All).await?;
    Ok(web::Json(Upcoming {
        from: window.from(),
        to: window.to(),
        payments: forecast::upcoming(&streams, window),
    }))
}

#[utoipa::path(get, path = "/api/insights/cash-flow", tag = "insights",
    params(ForecastQuery),
    responses((status = 200, description = "Each currency's depository balance day by day from today, moved by the predicted bills and income, and its lowest point; 30 days by default", body = CashFlow),
              (status = 400, description = "`days` not from 1 to 90", body = ApiErrorBody),
              (status = 401, body = ApiErrorBody)))]
#[tracing::instrument(name = "cash flow", skip_all, fields(user_id = %user.user_id))]
async fn cash_flow(
    state: web::Data<AppState>,
    user: AuthUser,
    query: web::Query<ForecastQuery>,
) -> Result<web::Json<CashFlow>, ApiError> {
    let window = forecast_window(&query)?;
    let mut tx = db::begin_report_read(&state.db).await?;
    let streams = db::forecast::predicted(&mut *tx, user.user_id, Streams::All).await?;
    let balances = db::forecast::depository_balances(&mut *tx, user.user_id).await?;
    tx.commit().await?;
    let payments = forecast::upcoming(&streams, window);
    Ok(web::Json(CashFlow {
        from: window.from(),
        to: window.to(),
        currencies: forecast::cash_flow(&balances, &payments, window),
    }))
}
