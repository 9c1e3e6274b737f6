//! A simulator-only control about an item's past: each account's balance at the end of every day
//! its books cover. Tests check a reconstructed history against it (and withdraw a transaction
//! with `DELETE …/transactions/{id}` to see it corrected).

use super::Sim;
use crate::simulator::error::SimError;
use crate::simulator::{ledger, plaid_number, store};
use actix_web::{web, HttpResponse};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// Every account's balance at the end of each day from the item's first current transaction to
/// today (an account holds its balance on the days before its own first), from the books: today's balance, less what each later transaction moved it by (the same moves
/// that move balances as activity is generated: money out lowers a depository balance and
/// raises what is owed on a card or loan).
pub async fn balance_history(
    sim: Sim,
    item_id: web::Path<String>,
) -> Result<HttpResponse, SimError> {
    let item = store::item_by_id(&sim.db, &item_id).await?;
    let today = ledger::today(&sim.db).await?;
    let transactions = ledger::current(&sim.db, &item.item_id).await?;
    let first_day = transactions
        .iter()
        .filter_map(|t| t["date"].as_str()?.parse::<NaiveDate>().ok())
        .min();
    let accounts: Vec<Value> = store::accounts(&sim.db, &item.item_id)
        .await?
        .iter()
        .map(|account| {
            let owed = matches!(account.account_type.as_str(), "credit" | "loan");
            let moves = daily_moves(&transactions, &account.account_id, owed)?;
            let balances = match (account.current, first_day) {
                (Some(current), Some(first_day)) => {
                    end_of_day_balances(current, &moves, first_day, today)
                }
                _ => Vec::new(),
            };
            Some(json!({
                "account_id": account.account_id,
                "type": account.account_type,
                "balances": balances,
            }))
        })
        .collect::<Option<_>>()
        .ok_or_else(|| SimError::invalid_field("a transaction's amount or date is unreadable"))?;
    Ok(HttpResponse::Ok().json(json!({ "today": today, "accounts": accounts })))
}

/// How much the account's transactions moved its balance, per day.
fn daily_moves(
    transactions: &[Value],
    account_id: &str,
    owed: bool,
) -> Option<BTreeMap<NaiveDate, Decimal>> {
    let mut moves = BTreeMap::new();
    for transaction in transactions
        .iter()
        .filter(|t| t["account_id"].as_str() == Some(account_id))
    {
        let amount: Decimal = transaction["amount"].to_string().parse().ok()?;
        let date: NaiveDate = transaction["date"].as_str()?.parse().ok()?;
        *moves.entry(date).or_insert(Decimal::ZERO) += if owed { amount } else { -amount };
    }
    Some(moves)
}

/// `[{date, current}]` from `first` through `today`, walking back from today.
fn end_of_day_balances(
    current: Decimal,
    moves: &BTreeMap<NaiveDate, Decimal>,
    first: NaiveDate,
    today: NaiveDate,
) -> Vec<Value> {
    let later: Decimal = moves
        .range(today.succ_opt().unwrap_or(today)..)
        .map(|(_, m)| m)
        .sum();
    let mut balance = current - later;
    let mut days = Vec::new();
    let mut day = today;
    while day >= first {
        days.push(json!({ "date": day, "current": plaid_number(balance) }));
        balance -= moves.get(&day).copied().unwrap_or_default();
        match day.pred_opt() {
            Some(previous) => day = previous,
            None => break,
        }
    }
    days.reverse();
    days
}
