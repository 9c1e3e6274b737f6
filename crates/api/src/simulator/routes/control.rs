//! Simulator-only controls under `/sim/plaid/control/` (tests and demos): the clock, faults,
//! accounts that appear on an item, a bank's correction of one amount or withdrawal of one
//! transaction, and the ground truth of an item.

use super::items::item_json;
use super::Sim;
use crate::simulator::appearing_accounts::NewAccount;
use crate::simulator::error::SimError;
use crate::simulator::faults::Fault;
use crate::simulator::{ledger, plaid_number, store};
use actix_web::{web, HttpResponse};
use rust_decimal::Decimal;
use serde_json::json;

#[derive(serde::Deserialize)]
pub struct Advance {
    /// Wide, so any number a caller sends is answered with the limit.
    days: i64,
}

/// One advance generates a day's activity for every item for each day, so it is bounded.
pub const MAX_ADVANCE_DAYS: u32 = 365;

/// Moves the simulator's clock forward; every item gets the activity of those days, pending
/// transactions post, and items whose sync is on hear about it by webhook.
pub async fn advance_clock(sim: Sim, body: web::Json<Advance>) -> Result<HttpResponse, SimError> {
    if !(1..=i64::from(MAX_ADVANCE_DAYS)).contains(&body.days) {
        return Err(SimError::invalid_field(format!(
            "days must be between 1 and {MAX_ADVANCE_DAYS} (a year)"
        )));
    }
    sqlx::query!(
        "update plaid_sim.clock set offset_days = offset_days + $1",
        i32::try_from(body.days).unwrap_or(0)
    )
    .execute(&sim.db)
    .await?;
    let mut changes = 0;
    for item in store::all_items(&sim.db).await? {
        let changed = sim.catch_up(&item.item_id, false).await?;
        sim.announce_changes(&item, changed);
        changes += changed;
    }
    Ok(HttpResponse::Ok().json(json!({
        "today": ledger::today(&sim.db).await?,
        "changes": changes,
    })))
}

pub async fn add_fault(sim: Sim, fault: web::Json<Fault>) -> Result<HttpResponse, SimError> {
    sim.faults.add(fault.into_inner())?;
    Ok(HttpResponse::Ok().json(json!({ "faults": sim.faults.pending() })))
}

pub async fn list_faults(sim: Sim) -> HttpResponse {
    HttpResponse::Ok().json(json!({ "faults": sim.faults.pending() }))
}

pub async fn clear_faults(sim: Sim) -> HttpResponse {
    sim.faults.clear();
    HttpResponse::Ok().json(json!({ "faults": [] }))
}

/// What the bank holds for an item right now: its accounts and current transactions.
pub async fn item_truth(sim: Sim, item_id: web::Path<String>) -> Result<HttpResponse, SimError> {
    let item = store::item_by_id(&sim.db, &item_id).await?;
    let accounts: Vec<_> = store::accounts(&sim.db, &item.item_id)
        .await?
        .iter()
        .map(store::SimAccount::to_json)
        .collect();
    let transactions = ledger::current(&sim.db, &item.item_id).await?;
    Ok(HttpResponse::Ok().json(json!({
        "item": item_json(&item),
        "accounts": accounts,
        "transactions": transactions,
    })))
}

/// A new account with history on an existing item: now, or (with `after`) right after the
/// simulator next answers that endpoint.
pub async fn add_account(
    sim: Sim,
    item_id: web::Path<String>,
    account: web::Json<NewAccount>,
) -> Result<HttpResponse, SimError> {
    let item = store::item_by_id(&sim.db, &item_id).await?;
    let account = account.into_inner();
    account.validate()?;
    if account.after().is_some() {
        sim.armed_accounts.arm(item.item_id, account)?;
        return Ok(HttpResponse::Ok().json(json!({ "armed": true })));
    }
    let added = sim.add_account(&item.item_id, &account).await?;
    Ok(HttpResponse::Ok().json(json!({ "account": added })))
}

#[derive(serde::Deserialize)]
pub struct Correction {
    /// A decimal string, so that the amount arrives exactly as written.
    #[serde(with = "rust_decimal::serde::str")]
    amount: Decimal,
}

/// Amounts a correction may set: below a trillion either way, like any bank's.
const MAX_CORRECTED_AMOUNT: i64 = 1_000_000_000_000;

/// The bank corrects one transaction's amount: the next `/transactions/sync` reports it
/// modified, and the item hears about it by webhook as of any change.
pub async fn correct_amount(
    sim: Sim,
    path: web::Path<(String, String)>,
    correction: web::Json<Correction>,
) -> Result<HttpResponse, SimError> {
    let (item_id, transaction_id) = path.into_inner();
    if correction.amount.abs() >= Decimal::from(MAX_CORRECTED_AMOUNT) {
        return Err(SimError::invalid_field(
            "amount must be below 1000000000000 either way",
        ));
    }
    let item = store::item_by_id(&sim.db, &item_id).await?;
    let mut tx = sim.db.begin().await?;
    let mut body = ledger::current_one(&mut tx, &item.item_id, &transaction_id)
        .await?
        .ok_or_else(SimError::not_found)?;
    body["amount"] = plaid_number(correction.amount);
    ledger::modify(&mut tx, &transaction_id, &body).await?;
    tx.commit().await?;
    sim.announce_changes(&item, 1);
    Ok(HttpResponse::Ok().json(json!({ "transaction": body })))
}

/// The bank withdraws one transaction (a reversed charge): the next `/transactions/sync`
/// reports it removed, and the item hears about it by webhook as of any change.
pub async fn remove_transaction(
    sim: Sim,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, SimError> {
    let (item_id, transaction_id) = path.into_inner();
    let item = store::item_by_id(&sim.db, &item_id).await?;
    let mut tx = sim.db.begin().await?;
    ledger::current_one(&mut tx, &item.item_id, &transaction_id)
        .await?
        .ok_or_else(SimError::not_found)?;
    ledger::remove(&mut tx, &transaction_id).await?;
    tx.commit().await?;
    sim.announce_changes(&item, 1);
    Ok(HttpResponse::Ok().json(json!({ "removed": transaction_id })))
}
