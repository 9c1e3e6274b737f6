//! `/api/budgets`: a monthly plan per spending category, month by month. The figures are worked
//! out in `crate::budgets`; here requests are checked and changes written.

use crate::auth::AuthUser;
use crate::budgets;
use crate::db;
use crate::domain::budget::{Month, Plan, Versions};
use crate::error::ApiError;
use crate::state::AppState;
use crate::ws::EventHub;
use actix_web::{web, HttpResponse};
use chrono::{NaiveDate, Utc};
use sqlx::PgConnection;
use tally_shared::api::budgets::{
    BudgetCopy, BudgetHistory, BudgetInput, BudgetMonth, BudgetsCopied, FromMonthQuery,
    HistoryQuery, MonthQuery,
};
use tally_shared::ids::{CategoryId, UserId};
use tally_shared::ws::ServerEvent;
use tally_shared::{ApiError as ApiErrorBody, FieldError};

/// The longest history: five years.
const MAX_HISTORY_MONTHS: u32 = 60;
const DEFAULT_HISTORY_MONTHS: u32 = 12;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/budgets").get(month_budgets))
        .service(web::resource("/budgets/copy").post(copy_budgets))
        .service(
            web::resource("/budgets/{category_id}")
                .put(set_budget)
                .delete(delete_budget),
        )
        .service(web::resource("/budgets/{category_id}/history").get(budget_history));
}

/// Months are UTC months: the server knows no person's time zone.
fn today() -> NaiveDate {
    Utc::now().date_naive()
}

/// The month `text` names, else this one.
fn month_or_this(field: &str, text: Option<&str>) -> Result<Month, ApiError> {
    text.map_or(Ok(Month::of(today())), |text| Month::parse(field, text))
        .map_err(|error| ApiError::Validation(vec![error]))
}

#[utoipa::path(get, path = "/api/budgets", tag = "budgets", params(MonthQuery),
    responses((status = 200, description = "The month's budgets with their progress, the totals per currency and the spending no budget covers", body = BudgetMonth),
              (status = 422, description = "`month` is not a month", body = ApiErrorBody),
              (status = 401, body = ApiErrorBody)))]
#[tracing::instrument(name = "budgets", skip_all, fields(user_id = %user.user_id))]
async fn month_budgets(
    state: web::Data<AppState>,
    user: AuthUser,
    query: web::Query<MonthQuery>,
) -> Result<web::Json<BudgetMonth>, ApiError> {
    let month = month_or_this("month", query.month.as_deref())?;
    let mut tx = db::begin_report_read(&state.db).await?;
    let view = budgets::month_view(&mut tx, user.user_id, month, today()).await?;
    tx.commit().await?;
    Ok(web::Json(view))
}

#[utoipa::path(put, path = "/api/budgets/{category_id}", tag = "budgets", request_body = BudgetInput,
    params(("category_id" = String, Path, description = "A spending category's id")),
    responses((status = 200, description = "Set from `from_month` (default this month) onward; the earlier months keep theirs. The answer is that month's budgets", body = BudgetMonth),
              (status = 404, description = "No such category of mine or Plaid's", body = ApiErrorBody),
              (status = 422, description = "Every invalid field, at once; a category that is not spending", body = ApiErrorBody),
              (status = 401, body = ApiErrorBody)))]
#[tracing::instrument(name = "set budget", skip_all, fields(user_id = %user.user_id))]
async fn set_budget(
    state: web::Data<AppState>,
    user: AuthUser,
    category_id: web::Path<CategoryId>,
    body: web::Json<BudgetInput>,
) -> Result<web::Json<BudgetMonth>, ApiError> {
    let category_id = category_id.into_inner();
    let BudgetInput {
        amount,
        currency,
        rollover,
        from_month,
    } = body.into_inner();
    let plan = Plan::parse(&amount, &currency, rollover);
    let from = month_or_this("from_month", from_month.as_deref());
    let (plan, from) = match (plan, from) {
        (Ok(plan), Ok(from)) => (plan, from),
        (plan, from) => {
            let mut fields = plan.err().unwrap_or_default();
            if let Err(ApiError::Validation(more)) = from {
                fields.extend(more);
            }
            return Err(ApiError::Validation(fields));
        }
    };

    let mut tx = state.db.begin().await?;
    db::budgets::lock(&mut tx, user.user_id).await?;
    require_spending_category(&mut tx, user.user_id, category_id).await?;
    db::budgets::set_from(&mut tx, user.user_id, category_id, from, Some(&plan)).await?;
    let view = budgets::month_view(&mut tx, user.user_id, from, today()).await?;
    EventHub::publish_with(&mut *tx, user.user_id, ServerEvent::BudgetsChanged).await?;
    tx.commit().await?;
    tracing::info!(%category_id, %from, "budget set");
    // A changed plan can cross a threshold as much as spending can.
    budgets::check_alerts(&state, user.user_id).await;
    Ok(web::Json(view))
}

#[utoipa::path(delete, path = "/api/budgets/{category_id}", tag = "budgets", params(FromMonthQuery,
        ("category_id" = String, Path, description = "The category's id")),
    responses((status = 204, description = "No budget from `from_month` (default this month) onward; the earlier months keep theirs"),
              (status = 404, description = "No such category, or it has no budget from that month", body = ApiErrorBody),
              (status = 422, description = "`from_month` is not a month", body = ApiErrorBody),
              (status = 401, body = ApiErrorBody)))]
#[tracing::instrument(name = "delete budget", skip_all, fields(user_id = %user.user_id))]
async fn delete_budget(
    state: web::Data<AppState>,
    user: AuthUser,
    category_id: web::Path<CategoryId>,
    query: web::Query<FromMonthQuery>,
) -> Result<HttpResponse, ApiError> {
    let category_id = category_id.into_inner();
    let from = month_or_this("from_month", query.from_month.as_deref())?;
    let mut tx = state.db.begin().await?;
    db::budgets::lock(&mut tx, user.user_id).await?;
    db::categories::find(&mut *tx, user.user_id, category_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let versions = Versions::by_category(db::budgets::versions(&mut *tx, user.user_id).await?)
        .remove(&category_id)
        .unwrap_or_default();
    if !versions.has_plan_from(from) {
        return Err(ApiError::Missing(format!(
            "This category has no budget from {from} onward."
        )));
    }
    db::budgets::set_from(&mut tx, user.user_id, category_id, from, None).await?;
    EventHub::publish_with(&mut *tx, user.user_id, ServerEvent::BudgetsChanged).await?;
    tx.commit().await?;
    tracing::info!(%category_id, %from, "budget ended");
    Ok(HttpResponse::NoContent().finish())
}

#[utoipa::path(post, path = "/api/budgets/copy", tag = "budgets", request_body = BudgetCopy,
    responses((status = 200, description = "`to_month` has `from_month`'s budgets from then on; budgets `from_month` did not have are kept", body = BudgetsCopied),
              (status = 422, description = "A month that is not one, or the same month twice", body = ApiErrorBody),
              (status = 401, body = ApiErrorBody)))]
#[tracing::instrument(name = "copy budgets", skip_all, fields(user_id = %user.user_id))]
async fn copy_budgets(
    state: web::Data<AppState>,
    user: AuthUser,
    body: web::Json<BudgetCopy>,
) -> Result<web::Json<BudgetsCopied>, ApiError> {
    let (from, to) = match (
        Month::parse("from_month", &body.from_month),
        Month::parse("to_month", &body.to_month),
    ) {
        (Ok(from), Ok(to)) if from == to => {
            return Err(ApiError::Validation(vec![FieldError {
                field: "to_month".to_owned(),
                message: "Copy to another month than the one copied.".to_owned(),
            }]))
        }
        (Ok(from), Ok(to)) => (from, to),
        (from, to) => {
            return Err(ApiError::Validation(
                [from.err(), to.err()].into_iter().flatten().collect(),
            ))
        }
    };
    let mut tx = state.db.begin().await?;
    db::budgets::lock(&mut tx, user.user_id).await?;
    let versions = Versions::by_category(db::budgets::versions(&mut *tx, user.user_id).await?);
    let mut copied = 0;
    for (category_id, versions) in &versions {
        if let Some((plan, _)) = versions.plan_in(from) {
            db::budgets::set_from(&mut tx, user.user_id, *category_id, to, Some(plan)).await?;
            copied += 1;
        }
    }
    EventHub::publish_with(&mut *tx, user.user_id, ServerEvent::BudgetsChanged).await?;
    tx.commit().await?;
    tracing::info!(%from, %to, copied, "budgets copied");
    // A changed plan can cross a threshold as much as spending can.
    budgets::check_alerts(&state, user.user_id).await;
    Ok(web::Json(BudgetsCopied { copied }))
}

#[utoipa::path(get, path = "/api/budgets/{category_id}/history", tag = "budgets", params(HistoryQuery,
        ("category_id" = String, Path, description = "The category's id")),
    responses((status = 200, description = "The category's budget and spending over the last `months` months (default 12, at most 60), oldest first, ending this month", body = BudgetHistory),
              (status = 404, description = "No such category of mine or Plaid's", body = ApiErrorBody),
              (status = 422, description = "`months` out of range", body = ApiErrorBody),
              (status = 401, body = ApiErrorBody)))]
#[tracing::instrument(name = "budget history", skip_all, fields(user_id = %user.user_id))]
async fn budget_history(
    state: web::Data<AppState>,
    user: AuthUser,
    category_id: web::Path<CategoryId>,
    query: web::Query<HistoryQuery>,
) -> Result<web::Json<BudgetHistory>, ApiError> {
    let category_id = category_id.into_inner();
    let months = query.months.unwrap_or(DEFAULT_HISTORY_MONTHS);
    if !(1..=MAX_HISTORY_MONTHS).contains(&months) {
        return Err(ApiError::Validation(vec![FieldError {
            field: "months".to_owned(),
            message: format!("Ask for 1 to {MAX_HISTORY_MONTHS} months."),
        }]));
    }
    let mut tx = db::begin_report_read(&state.db).await?;
    db::categories::find(&mut *tx, user.user_id, category_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let history = budgets::history(
        &mut tx,
        user.user_id,
        category_id,
        Month::of(today()),
        months,
    )
    .await?;
    tx.commit().await?;
    Ok(web::Json(history))
}

/// 404 for a category the person does not see; 422 for one whose kind is not spending.
async fn require_spending_category(
    conn: &mut PgConnection,
    user_id: UserId,
    category_id: CategoryId,
) -> Result<(), ApiError> {
    let category = db::categories::find(&mut *conn, user_id, category_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    if category.kind != "spending" {
        return Err(ApiError::Validation(vec![FieldError {
            field: "category_id".to_owned(),
            message: format!(
                "{} is not a spending category; only spending can have a budget.",
                category.name
            ),
        }]));
    }
    Ok(())
}
