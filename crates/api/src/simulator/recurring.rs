//! `/transactions/recurring/get`: finding the payments that repeat in an item's history, and
//! `RECURRING_TRANSACTIONS_UPDATE` when they change.
//!
//! Transactions are grouped by account and description (the simulator's recurring merchants
//! always write theirs the same way); a group is a stream when it has three or more
//! occurrences and most gaps between them fit one of Plaid's frequencies, so the salary, rent
//! or mortgage, loan payments, transfers to savings, utilities, phone, card payments and
//! subscriptions of the generated history are streams, and everyday shopping is not.

use super::error::SimError;
use super::ledger;
use chrono::{Datelike, Days, Months, NaiveDate};
use rust_decimal::Decimal;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use sqlx::PgPool;
use std::collections::BTreeMap;

/// One posted transaction of a group that repeats: what finding streams needs of it, and no
/// more (an item's history can be a million transactions, so their whole bodies are not read).
pub struct Posted {
    pub transaction_id: String,
    pub account_id: String,
    pub name: String,
    pub date: NaiveDate,
    pub amount: Decimal,
    pub iso_currency_code: Option<String>,
    /// The merchant and category of the group's latest transaction, which the stream shows;
    /// null on the others.
    pub merchant_name: Value,
    pub personal_finance_category: Value,
}

/// One dated amount of a candidate stream, with the transaction it came from.
type Occurrence<'a> = (NaiveDate, Decimal, &'a Posted);

/// How far back streams are looked for.
const HISTORY_DAYS: u64 = 400;
/// Of the gaps between occurrences, the share (in percent) that must fit the frequency.
const FITTING_GAPS_PERCENT: usize = 75;

/// The item's inflow and outflow streams as of the simulator's today.
pub async fn item_streams(
    db: &PgPool,
    item_id: &str,
) -> Result<(Vec<Value>, Vec<Value>), SimError> {
    let today = ledger::today(db).await?;
    let since = today
        .checked_sub_days(Days::new(HISTORY_DAYS))
        .unwrap_or(today);
    let history = ledger::repeating_since(db, item_id, since).await?;
    Ok(streams(&history, today))
}

/// Remembers what the item's streams are now, as last answered to `/transactions/recurring/get`.
pub async fn remember(
    db: &PgPool,
    item_id: &str,
    streams: &(Vec<Value>, Vec<Value>),
) -> Result<(), SimError> {
    sqlx::query!(
        "update plaid_sim.item set recurring_digest = $2 where item_id = $1",
        item_id,
        digest(streams)
    )
    .execute(db)
    .await?;
    Ok(())
}

/// The accounts whose streams differ from those last answered or announced, and remembers
/// them as announced. None until `/transactions/recurring/get` was first called for the item
/// (as with Plaid, the webhook follows the first call), or when nothing changed.
pub async fn changed_accounts(db: &PgPool, item_id: &str) -> Result<Option<Vec<String>>, SimError> {
    let known = sqlx::query_scalar!(
        "select recurring_digest from plaid_sim.item where item_id = $1",
        item_id
    )
    .fetch_optional(db)
    .await?
    .flatten();
    let Some(known) = known else {
        return Ok(None);
    };
    let now = item_streams(db, item_id).await?;
    if digest(&now) == known {
        return Ok(None);
    }
    remember(db, item_id, &now).await?;
    let mut accounts: Vec<String> = now
        .0
        .iter()
        .chain(&now.1)
        .filter_map(|stream| stream["account_id"].as_str().map(str::to_owned))
        .collect();
    accounts.sort_unstable();
    accounts.dedup();
    Ok(Some(accounts))
}

fn digest(streams: &(Vec<Value>, Vec<Value>)) -> String {
    let text = json!([streams.0, streams.1]).to_string();
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Inflow and outflow streams among `history` (posted transactions, oldest first).
pub fn streams(history: &[Posted], today: NaiveDate) -> (Vec<Value>, Vec<Value>) {
    let mut groups: BTreeMap<(&str, &str), Vec<Occurrence>> = BTreeMap::new();
    for transaction in history {
        groups
            .entry((&transaction.account_id, &transaction.name))
            .or_default()
            .push((transaction.date, transaction.amount, transaction));
    }
    let mut inflow = Vec::new();
    let mut outflow = Vec::new();
    for ((account_id, description), mut occurrences) in groups {
        occurrences.sort_by_key(|(date, _, _)| *date);
        if occurrences.len() < 3 {
            continue;
        }
        let Some(frequency) = frequency(&occurrences) else {
            continue;
        };
        let (first, last) = (occurrences[0], occurrences[occurrences.len() - 1]);
        let total: Decimal = occurrences.iter().map(|(_, amount, _)| *amount).sum();
        let average = (total / Decimal::from(occurrences.len())).round_dp(2);
        let next = predicted_next(last.0, frequency);
        // Active while at most one predicted payment has been missed; then Plaid gives up.
        let is_active = next
            .and_then(|n| predicted_next(n, frequency))
            .is_some_and(|after| after >= today);
        let status = match (is_active, occurrences.len()) {
            (false, _) => "TOMBSTONED",
            (true, 6..) => "MATURE",
            (true, _) => "EARLY_DETECTION",
        };
        let stream = json!({
            "account_id": account_id,
            "stream_id": stream_id(account_id, description),
            "category": null,
            "category_id": null,
            "description": description,
            "merchant_name": last.2.merchant_name,
            "first_date": first.0,
            "last_date": last.0,
            "predicted_next_date": next,
            "frequency": frequency,
            "transaction_ids": occurrences.iter().map(|(_, _, t)| t.transaction_id.as_str()).collect::<Vec<_>>(),
            "average_amount": { "amount": super::plaid_number(average), "iso_currency_code": last.2.iso_currency_code, "unofficial_currency_code": null },
            "last_amount": { "amount": super::plaid_number(last.1), "iso_currency_code": last.2.iso_currency_code, "unofficial_currency_code": null },
            "is_active": is_active,
            "status": status,
            "personal_finance_category": last.2.personal_finance_category,
            "is_user_modified": false,
        });
        // Plaid's sign: money in is negative.
        if average.is_sign_negative() {
            inflow.push(stream);
        } else {
            outflow.push(stream);
        }
    }
    (inflow, outflow)
}

/// The cadence of dated occurrences (oldest first), when most of their gaps share one.
fn frequency(occurrences: &[Occurrence]) -> Option<&'static str> {
    let gaps: Vec<i64> = occurrences
        .windows(2)
        .map(|pair| (pair[1].0 - pair[0].0).num_days())
        .collect();
    let mut sorted = gaps.clone();
    sorted.sort_unstable();
    let median = sorted[sorted.len() / 2];
    let (frequency, fits): (&str, fn(i64) -> bool) = match median {
        6..=8 => ("WEEKLY", |gap| (6..=8).contains(&gap)),
        13..=17
            if occurrences
                .iter()
                .all(|(d, _, _)| d.day() == 1 || d.day() == 15) =>
        {
            ("SEMI_MONTHLY", |gap| (13..=17).contains(&gap))
        }
        13..=15 => ("BIWEEKLY", |gap| (13..=15).contains(&gap)),
        27..=32 => ("MONTHLY", |gap| (27..=32).contains(&gap)),
        360..=370 => ("ANNUALLY", |gap| (360..=370).contains(&gap)),
        _ => return None,
    };
    let fitting = gaps.iter().filter(|gap| fits(**gap)).count();
    (fitting * 100 >= gaps.len() * FITTING_GAPS_PERCENT).then_some(frequency)
}

fn predicted_next(last: NaiveDate, frequency: &str) -> Option<NaiveDate> {
    match frequency {
        "WEEKLY" => last.checked_add_days(Days::new(7)),
        "BIWEEKLY" => last.checked_add_days(Days::new(14)),
        "SEMI_MONTHLY" if last.day() < 15 => last.with_day(15),
        "SEMI_MONTHLY" => last
            .checked_add_months(Months::new(1))
            .and_then(|d| d.with_day(1)),
        "MONTHLY" => last.checked_add_months(Months::new(1)),
        "ANNUALLY" => last.checked_add_months(Months::new(12)),
        _ => None,
    }
}

fn stream_id(account_id: &str, description: &str) -> String {
    let digest = Sha256::digest(format!("{account_id}/{description}").as_bytes());
    digest
        .iter()
        .take(18)
        .map(|b| format!("{b:02x}"))
        .collect::<String>()[..36]
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn transaction(id: &str, name: &str, date: &str, amount: f64) -> Posted {
        Posted {
            transaction_id: id.to_owned(),
            account_id: "acc".to_owned(),
            name: name.to_owned(),
            date: date.parse().unwrap(),
            amount: Decimal::try_from(amount).unwrap(),
            iso_currency_code: Some("USD".to_owned()),
            merchant_name: Value::Null,
            personal_finance_category: Value::Null,
        }
    }

    fn amount(stream_amount: &Value) -> Decimal {
        stream_amount["amount"].to_string().parse().unwrap()
    }

    #[test]
    fn regular_payments_are_streams_and_scattered_ones_are_not() {
        let history = vec![
            transaction("s1", "SALARY", "2026-09-01", -2850.0),
            transaction("s2", "SALARY", "2026-09-15", -2850.0),
            transaction("s3", "SALARY", "2026-10-01", -2850.0),
            transaction("s4", "SALARY", "2026-10-15", -2850.0),
            transaction("n1", "NETFLIX", "2026-09-07", 15.49),
            transaction("n2", "NETFLIX", "2026-10-07", 15.49),
            transaction("n3", "NETFLIX", "2026-11-07", 17.99),
            transaction("c1", "CAFE", "2026-09-02", 4.0),
            transaction("c2", "CAFE", "2026-09-03", 4.0),
            transaction("c3", "CAFE", "2026-10-03", 4.0),
            transaction("c4", "CAFE", "2026-11-02", 4.0),
            transaction("c5", "CAFE", "2026-11-03", 4.0),
        ];
        let (inflow, outflow) = streams(&history, "2026-11-10".parse().unwrap());
        assert_eq!(inflow.len(), 1);
        assert_eq!(inflow[0]["frequency"], "SEMI_MONTHLY");
        assert_eq!(inflow[0]["predicted_next_date"], "2026-11-01");
        assert_eq!(amount(&inflow[0]["average_amount"]), Decimal::new(-2850, 0));
        assert_eq!(outflow.len(), 1, "{outflow:?}");
        assert_eq!(outflow[0]["frequency"], "MONTHLY");
        assert_eq!(amount(&outflow[0]["last_amount"]), Decimal::new(1799, 2));
        assert_eq!(outflow[0]["predicted_next_date"], "2026-12-07");
        assert_eq!(outflow[0]["is_active"], true);
        assert_eq!(outflow[0]["status"], "EARLY_DETECTION");
    }

    #[test]
    fn a_stream_missed_twice_is_tombstoned() {
        let history = vec![
            transaction("n1", "NETFLIX", "2026-06-07", 15.49),
            transaction("n2", "NETFLIX", "2026-07-07", 15.49),
            transaction("n3", "NETFLIX", "2026-08-07", 15.49),
        ];
        let (_, missed_once) = streams(&history, "2026-10-07".parse().unwrap());
        assert_eq!(missed_once[0]["is_active"], true);
        let (_, missed_twice) = streams(&history, "2026-10-08".parse().unwrap());
        assert_eq!(missed_twice[0]["is_active"], false);
        assert_eq!(missed_twice[0]["status"], "TOMBSTONED");
    }
}
