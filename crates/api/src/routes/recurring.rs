//! `/api/recurring`: the person's recurring streams (Plaid's, or Tally's detector's where Plaid
//! refuses the product) and their decisions about each: confirm, dismiss, rename, categorise.

use crate::auth::AuthUser;
use crate::db;
use crate::db::recurring::{parse_stored, StreamRow};
use crate::domain::recurring::grace_days;
use crate::error::ApiError;
use crate::state::AppState;
use crate::ws::EventHub;
use actix_web::web;
use chrono::{Days, NaiveDate};
use rust_decimal::Decimal;
use sqlx::PgConnection;
use tally_shared::api::recurring::{
    Direction, Frequency, RecurringList, RecurringPatch, RecurringStream, StreamFlag, StreamSource,
    StreamState, StreamStatus,
};
use tally_shared::ids::{RecurringStreamId, UserId};
use tally_shared::ws::ServerEvent;
use tally_shared::{ApiError as ApiErrorBody, FieldError};

/// The longest name a person may give a stream (the column's check).
const MAX_NAME_CHARS: usize = 100;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/recurring").get(list_recurring))
        .service(web::resource("/recurring/{stream_id}").patch(update_recurring));
}

#[utoipa::path(get, path = "/api/recurring", tag = "recurring",
    responses((status = 200, description = "My recurring streams, income first, each with its flags", body = RecurringList),
              (status = 401, body = ApiErrorBody)))]
#[tracing::instrument(name = "list recurring", skip_all, fields(user_id = %user.user_id))]
async fn list_recurring(
    state: web::Data<AppState>,
    user: AuthUser,
) -> Result<web::Json<RecurringList>, ApiError> {
    let today = chrono::Utc::now().date_naive();
    let streams = db::recurring::list(&state.db, user.user_id, None)
        .await?
        .into_iter()
        .map(|row| stream_dto(row, today))
        .collect::<Result<_, _>>()?;
    Ok(web::Json(RecurringList { streams }))
}

#[utoipa::path(patch, path = "/api/recurring/{stream_id}", tag = "recurring", request_body = RecurringPatch,
    params(("stream_id" = String, Path, description = "The stream's id")),
    responses((status = 200, description = "The stream as it is now", body = RecurringStream),
              (status = 404, description = "No such stream of mine, or `category_id` is no category I see", body = ApiErrorBody),
              (status = 422, description = "A name or category for a stream that is not confirmed, or a name too long", body = ApiErrorBody),
              (status = 401, body = ApiErrorBody)))]
#[tracing::instrument(name = "update recurring", skip_all, fields(user_id = %user.user_id))]
async fn update_recurring(
    state: web::Data<AppState>,
    user: AuthUser,
    stream_id: web::Path<RecurringStreamId>,
    body: web::Json<RecurringPatch>,
) -> Result<web::Json<RecurringStream>, ApiError> {
    let stream_id = stream_id.into_inner();
    let patch = body.into_inner();
    let name = patch.name.as_deref().map(checked_name).transpose()?;

    let mut tx = state.db.begin().await?;
    if let Some(Some(category_id)) = patch.category_id {
        // Held until the commit, so the category cannot be deleted under this change.
        db::categories::lock(&mut tx, user.user_id).await?;
        if db::categories::find(&mut *tx, user.user_id, category_id)
            .await?
            .is_none()
        {
            return Err(ApiError::Missing("There is no such category.".to_owned()));
        }
    }
    let current = db::recurring::lock_decisions(&mut tx, user.user_id, stream_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let state_now = match patch.state {
        Some(wanted) => wanted,
        None => parse_stored(&current.state, StreamState::parse)?,
    };
    if state_now != StreamState::Confirmed {
        let refused = |field: &str, what: &str| FieldError {
            field: field.to_owned(),
            message: format!("Only a confirmed stream can be given {what}: confirm it first."),
        };
        let mut errors = Vec::new();
        if patch.name.is_some() {
            errors.push(refused("name", "a name"));
        }
        if patch.category_id.is_some() {
            errors.push(refused("category_id", "a category"));
        }
        if !errors.is_empty() {
            return Err(ApiError::Validation(errors));
        }
    }
    db::recurring::decide(
        &mut *tx,
        user.user_id,
        stream_id,
        state_now,
        match name {
            Some(given) => given,
            None => current.user_name.as_deref(),
        },
        patch.category_id.unwrap_or(current.user_category_id),
    )
    .await?;
    EventHub::publish_with(&mut *tx, user.user_id, ServerEvent::RecurringChanged)
        .await
        .map_err(|e| ApiError::Unexpected(e.into()))?;
    let stream = one(&mut tx, user.user_id, stream_id).await?;
    tx.commit().await?;
    tracing::info!(%stream_id, state = state_now.as_str(), "recurring stream decided");
    Ok(web::Json(stream))
}

/// A name as given: trimmed; empty gives the stream back its merchant's or bank's name.
fn checked_name(raw: &str) -> Result<Option<&str>, ApiError> {
    let name = raw.trim();
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(ApiError::Validation(vec![FieldError {
            field: "name".to_owned(),
            message: format!("A name can be at most {MAX_NAME_CHARS} characters."),
        }]));
    }
    Ok(Some(name).filter(|name| !name.is_empty()))
}

async fn one(
    conn: &mut PgConnection,
    user_id: UserId,
    stream_id: RecurringStreamId,
) -> Result<RecurringStream, ApiError> {
    let row = db::recurring::list(&mut *conn, user_id, Some(stream_id))
        .await?
        .into_iter()
        .next()
        .ok_or(ApiError::NotFound)?;
    stream_dto(row, chrono::Utc::now().date_naive())
}

fn stream_dto(row: StreamRow, today: NaiveDate) -> Result<RecurringStream, ApiError> {
    let frequency = parse_stored(&row.frequency, Frequency::parse)?;
    let status = parse_stored(&row.status, StreamStatus::parse)?;
    let mut flags = Vec::new();
    if row.price_changed {
        flags.push(StreamFlag::PriceChanged);
    }
    if is_late(row.next_date, frequency, row.is_active, today) {
        flags.push(StreamFlag::Late);
    }
    Ok(RecurringStream {
        id: row.id,
        account_id: row.account_id,
        direction: parse_stored(&row.direction, Direction::parse)?,
        name: row
            .user_name
            .or_else(|| row.merchant_name.clone())
            .unwrap_or_else(|| row.description.clone()),
        merchant_name: row.merchant_name,
        description: row.description,
        category_id: row.category_id,
        category_name: row.category_name,
        frequency,
        average_amount: row.average_amount,
        last_amount: row.last_amount,
        monthly_amount: monthly_amount(frequency, row.average_amount),
        currency: row.currency,
        first_date: row.first_date,
        last_date: row.last_date,
        next_date: row.next_date,
        status,
        is_active: row.is_active,
        state: parse_stored(&row.state, StreamState::parse)?,
        source: parse_stored(&row.source, StreamSource::parse)?,
        flags,
        transaction_ids: row.transaction_ids,
    })
}

/// The predicted date and its grace period have passed with no new transaction in the stream
/// (a new one would have moved the prediction on).
fn is_late(
    next_date: Option<NaiveDate>,
    frequency: Frequency,
    is_active: bool,
    today: NaiveDate,
) -> bool {
    is_active
        && next_date
            .and_then(|next| next.checked_add_days(Days::new(grace_days(frequency))))
            .is_some_and(|due| due < today)
}

/// What a stream of `amount` each time comes to in an average month.
fn monthly_amount(frequency: Frequency, amount: Decimal) -> Decimal {
    let (times, months) = match frequency {
        Frequency::Weekly => (52, 12),
        Frequency::Biweekly => (26, 12),
        Frequency::SemiMonthly => (2, 1),
        Frequency::Monthly => (1, 1),
        Frequency::Annually => (1, 12),
    };
    (amount * Decimal::from(times) / Decimal::from(months)).round_dp(2)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    #[test]
    fn monthly_amounts_follow_the_frequency() {
        let amount = Decimal::new(1200, 2);
        assert_eq!(
            monthly_amount(Frequency::Weekly, amount),
            Decimal::new(5200, 2)
        );
        assert_eq!(
            monthly_amount(Frequency::Biweekly, amount),
            Decimal::new(2600, 2)
        );
        assert_eq!(
            monthly_amount(Frequency::SemiMonthly, amount),
            Decimal::new(2400, 2)
        );
        assert_eq!(monthly_amount(Frequency::Monthly, amount), amount);
        assert_eq!(
            monthly_amount(Frequency::Annually, amount),
            Decimal::new(100, 2)
        );
    }

    #[test]
    fn a_stream_is_late_only_past_its_grace_period_and_while_active() {
        let next = day("2026-11-07");
        let grace = grace_days(Frequency::Monthly);
        let last_day_of_grace = next.checked_add_days(Days::new(grace)).unwrap();
        let after = last_day_of_grace.succ_opt().unwrap();
        assert!(!is_late(
            Some(next),
            Frequency::Monthly,
            true,
            last_day_of_grace
        ));
        assert!(is_late(Some(next), Frequency::Monthly, true, after));
        assert!(!is_late(Some(next), Frequency::Monthly, false, after));
        assert!(!is_late(None, Frequency::Monthly, true, after));
    }
}
