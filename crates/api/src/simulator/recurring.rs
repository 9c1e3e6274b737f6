//! `/transactions/recurring/get`: finding the payments that repeat in an item's history.

use chrono::{Datelike, Months, NaiveDate};
use rust_decimal::Decimal;
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// One dated amount of a candidate stream, with the transaction it came from.
type Occurrence<'a> = (NaiveDate, Decimal, &'a Value);

/// Inflow and outflow streams among `history` (posted transactions, oldest first).
pub fn streams(history: &[Value], today: NaiveDate) -> (Vec<Value>, Vec<Value>) {
    let mut groups: BTreeMap<(String, String), Vec<Occurrence>> = BTreeMap::new();
    for transaction in history {
        let (Some(account), Some(name), Some(date), Ok(amount)) = (
            transaction["account_id"].as_str(),
            transaction["name"].as_str(),
            transaction["date"]
                .as_str()
                .and_then(|d| d.parse::<NaiveDate>().ok()),
            transaction["amount"].to_string().parse::<Decimal>(),
        ) else {
            continue;
        };
        groups
            .entry((account.to_owned(), name.to_owned()))
            .or_default()
            .push((date, amount, transaction));
    }
    let mut inflow = Vec::new();
    let mut outflow = Vec::new();
    for ((account_id, description), occurrences) in groups {
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
        let stream = json!({
            "account_id": account_id,
            "stream_id": stream_id(&account_id, &description),
            "category": null,
            "category_id": null,
            "description": description,
            "merchant_name": last.2["merchant_name"],
            "first_date": first.0,
            "last_date": last.0,
            "predicted_next_date": next,
            "frequency": frequency,
            "transaction_ids": occurrences.iter().map(|(_, _, t)| t["transaction_id"].clone()).collect::<Vec<_>>(),
            "average_amount": { "amount": super::plaid_number(average), "iso_currency_code": last.2["iso_currency_code"], "unofficial_currency_code": null },
            "last_amount": { "amount": super::plaid_number(last.1), "iso_currency_code": last.2["iso_currency_code"], "unofficial_currency_code": null },
            "is_active": next.is_some_and(|n| n >= today),
            "status": if occurrences.len() >= 6 { "MATURE" } else { "EARLY_DETECTION" },
            "personal_finance_category": last.2["personal_finance_category"],
            "is_user_modified": false,
        });
        if average.is_sign_negative() {
            inflow.push(stream);
        } else {
            outflow.push(stream);
        }
    }
    (inflow, outflow)
}

/// The cadence of dated occurrences, when they have one.
fn frequency(occurrences: &[Occurrence]) -> Option<&'static str> {
    let mut gaps: Vec<i64> = occurrences
        .windows(2)
        .map(|pair| (pair[1].0 - pair[0].0).num_days())
        .collect();
    gaps.sort_unstable();
    let median = gaps[gaps.len() / 2];
    match median {
        6..=8 => Some("WEEKLY"),
        13..=17
            if occurrences
                .iter()
                .all(|(d, _, _)| d.day() == 1 || d.day() == 15) =>
        {
            Some("SEMI_MONTHLY")
        }
        13..=15 => Some("BIWEEKLY"),
        27..=32 => Some("MONTHLY"),
        360..=370 => Some("ANNUALLY"),
        _ => None,
    }
}

fn predicted_next(last: NaiveDate, frequency: &str) -> Option<NaiveDate> {
    match frequency {
        "WEEKLY" => last.checked_add_days(chrono::Days::new(7)),
        "BIWEEKLY" => last.checked_add_days(chrono::Days::new(14)),
        "SEMI_MONTHLY" if last.day() == 1 => last.with_day(15),
        "SEMI_MONTHLY" => last
            .checked_add_months(Months::new(1))
            .and_then(|d| d.with_day(1)),
        "MONTHLY" => last.checked_add_months(Months::new(1)),
        "ANNUALLY" => last.checked_add_months(Months::new(12)),
        _ => None,
    }
}

fn stream_id(account_id: &str, description: &str) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(format!("{account_id}/{description}").as_bytes());
    digest
        .iter()
        .take(18)
        .map(|b| format!("{b:02x}"))
        .collect::<String>()[..36]
        .to_owned()
}
