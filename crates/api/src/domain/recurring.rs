//! Tally's own recurring detector, for items where Plaid does not offer its recurring product.
//!
//! Transactions are grouped by account, direction, currency and a normalised merchant (or bank
//! description); a group becomes a stream when its dates follow one of Plaid's frequencies and
//! its amounts stay within [`AMOUNT_FACTOR`] of their median. A merchant that also sells one-off
//! things (a shop with a membership) is split by amount, each amount tried on its own.

use chrono::{Datelike, Months, NaiveDate};
use rust_decimal::Decimal;
use std::collections::HashMap;
use tally_shared::api::recurring::{Direction, Frequency, StreamStatus};
use tally_shared::ids::{AccountId, TransactionId};

/// One transaction as the detector sees it.
#[derive(Debug, Clone)]
pub struct Occurrence {
    pub transaction_id: TransactionId,
    pub account_id: AccountId,
    pub date: NaiveDate,
    /// Plaid's sign: positive is money out.
    pub amount: Decimal,
    pub currency: String,
    pub merchant_name: Option<String>,
    pub name: String,
}

/// A stream the detector found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Detected {
    /// The same for the same stream on every run, however many transactions it has gained.
    pub key: String,
    pub account_id: AccountId,
    pub direction: Direction,
    /// The bank's description of its latest transaction.
    pub description: String,
    pub merchant_name: Option<String>,
    pub frequency: Frequency,
    /// Positive, whatever the direction.
    pub average_amount: Decimal,
    pub last_amount: Decimal,
    pub previous_amount: Option<Decimal>,
    pub currency: String,
    pub first_date: NaiveDate,
    pub last_date: NaiveDate,
    /// None once the stream is no longer active.
    pub next_date: Option<NaiveDate>,
    pub status: StreamStatus,
    pub is_active: bool,
    pub transaction_ids: Vec<TransactionId>,
}

/// Fewer occurrences than this are a coincidence, not a stream.
pub const MIN_OCCURRENCES: usize = 3;
/// From this many occurrences a stream is `mature` (as Plaid says of its own).
pub const MATURE_OCCURRENCES: usize = 6;

/// How far an amount may stray from the stream's median, as a factor either way: utility bills
/// swing with the seasons by a third around their usual figure and a subscription's price rise is
/// usually 10–30%, and both must stay one stream; coffee at 4 and a dinner at 40 must not.
const AMOUNT_FACTOR: Decimal = Decimal::from_parts(15, 0, 0, false, 1);
/// The share of gaps between occurrences that must fit the frequency (a missed or an extra
/// payment among many does not undo a stream).
const FITTING_SHARE_PERCENT: usize = 75;

/// Days a payment may be later than predicted before it counts as late.
pub fn grace_days(frequency: Frequency) -> u64 {
    match frequency {
        Frequency::Weekly => 3,
        Frequency::Biweekly | Frequency::SemiMonthly => 5,
        Frequency::Monthly => 7,
        Frequency::Annually => 30,
    }
}

/// Finds the recurring streams among `occurrences` (any order), as of `today`.
pub fn detect(occurrences: &[Occurrence], today: NaiveDate) -> Vec<Detected> {
    let mut groups: HashMap<(AccountId, Direction, &str, String), Vec<&Occurrence>> =
        HashMap::new();
    for occurrence in occurrences {
        let direction = match occurrence.amount.cmp(&Decimal::ZERO) {
            std::cmp::Ordering::Greater => Direction::Outflow,
            std::cmp::Ordering::Less => Direction::Inflow,
            std::cmp::Ordering::Equal => continue,
        };
        let label = occurrence
            .merchant_name
            .as_deref()
            .filter(|merchant| !merchant.trim().is_empty())
            .unwrap_or(&occurrence.name);
        let key = normalise(label);
        if key.is_empty() {
            continue;
        }
        groups
            .entry((
                occurrence.account_id,
                direction,
                occurrence.currency.as_str(),
                key,
            ))
            .or_default()
            .push(occurrence);
    }
    let mut found = Vec::new();
    for ((account_id, direction, _, label), mut members) in groups {
        if members.len() < MIN_OCCURRENCES {
            continue;
        }
        members.sort_by_key(|occurrence| (occurrence.date, occurrence.transaction_id));
        let key = format!("{account_id}:{}:{label}", direction_word(direction));
        if let Some(stream) = stream_of(&members, key.clone(), direction, today) {
            found.push(stream);
            continue;
        }
        for cluster in amount_clusters(&members) {
            let amount = median(&cluster);
            if let Some(stream) = stream_of(&cluster, format!("{key}:{amount}"), direction, today) {
                found.push(stream);
            }
        }
    }
    found.sort_by(|a, b| a.key.cmp(&b.key));
    found
}

/// Lower case, letters only: store numbers, dates, card digits and reference codes vary between
/// charges of the same stream, and so do punctuation and the processor's words around the name.
fn normalise(label: &str) -> String {
    const NOISE: &[&str] = &[
        "ach",
        "autopay",
        "checkcard",
        "co",
        "com",
        "debit",
        "inc",
        "llc",
        "ltd",
        "pos",
        "purchase",
        "recurring",
        "the",
        "www",
    ];
    let lower = label.to_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty())
        .filter(|word| !word.chars().any(|c| c.is_ascii_digit()))
        .filter(|word| !NOISE.contains(word))
        .collect();
    words.join(" ")
}

fn direction_word(direction: Direction) -> &'static str {
    match direction {
        Direction::Inflow => "in",
        Direction::Outflow => "out",
    }
}

/// Occurrences of exactly the same amount, each set in date order; sets too small to be a
/// stream are left out. A membership bought at a shop costs the same every time, and amounts
/// merely close together come up by chance among a shop's hundreds of purchases.
fn amount_clusters<'a>(members: &[&'a Occurrence]) -> Vec<Vec<&'a Occurrence>> {
    let mut by_amount: HashMap<Decimal, Vec<&Occurrence>> = HashMap::new();
    for occurrence in members {
        by_amount
            .entry(occurrence.amount.abs().normalize())
            .or_default()
            .push(occurrence);
    }
    // `members` are in date order, and so is each set.
    by_amount
        .into_values()
        .filter(|cluster| cluster.len() >= MIN_OCCURRENCES)
        .collect()
}

/// The median of the amounts (positive), the lower middle one for an even count.
fn median(members: &[&Occurrence]) -> Decimal {
    let mut amounts: Vec<Decimal> = members.iter().map(|o| o.amount.abs()).collect();
    amounts.sort();
    amounts
        .get(amounts.len().saturating_sub(1) / 2)
        .copied()
        .unwrap_or_default()
}

/// The stream `members` (in date order) make, if their amounts agree and their dates repeat.
fn stream_of(
    members: &[&Occurrence],
    key: String,
    direction: Direction,
    today: NaiveDate,
) -> Option<Detected> {
    if members.len() < MIN_OCCURRENCES {
        return None;
    }
    let middle = median(members);
    if middle.is_zero()
        || members.iter().any(|occurrence| {
            let amount = occurrence.amount.abs();
            amount > middle * AMOUNT_FACTOR || amount * AMOUNT_FACTOR < middle
        })
    {
        return None;
    }
    let dates: Vec<NaiveDate> = members.iter().map(|occurrence| occurrence.date).collect();
    let frequency = cadence(&dates)?;
    let (first, last) = (members.first()?, members.last()?);
    let predicted = predict_next(&dates, frequency)?;
    let period = i64::from(period_days(frequency));
    let grace = i64::try_from(grace_days(frequency)).ok()?;
    // Two predicted payments missed: the stream has ended.
    let is_active = (today - predicted).num_days() <= period + grace;
    let status = match (is_active, members.len() >= MATURE_OCCURRENCES) {
        (false, _) => StreamStatus::Tombstoned,
        (true, true) => StreamStatus::Mature,
        (true, false) => StreamStatus::EarlyDetection,
    };
    let count = Decimal::from(members.len());
    let total: Decimal = members
        .iter()
        .map(|occurrence| occurrence.amount.abs())
        .sum();
    let previous_amount = members
        .len()
        .checked_sub(2)
        .and_then(|index| members.get(index))
        .map(|occurrence| occurrence.amount.abs());
    Some(Detected {
        key,
        account_id: first.account_id,
        direction,
        description: last.name.clone(),
        merchant_name: members
            .iter()
            .rev()
            .find_map(|occurrence| occurrence.merchant_name.clone()),
        frequency,
        average_amount: (total / count).round_dp(2),
        last_amount: last.amount.abs(),
        previous_amount,
        currency: last.currency.clone(),
        first_date: first.date,
        last_date: last.date,
        next_date: is_active.then_some(predicted),
        status,
        is_active,
        transaction_ids: members
            .iter()
            .map(|occurrence| occurrence.transaction_id)
            .collect(),
    })
}

/// A frequency's length in days, roughly (a month is 30).
fn period_days(frequency: Frequency) -> u32 {
    match frequency {
        Frequency::Weekly => 7,
        Frequency::Biweekly => 14,
        Frequency::SemiMonthly => 15,
        Frequency::Monthly => 30,
        Frequency::Annually => 365,
    }
}

/// Which frequency the dates (ascending) follow. A gap fits a frequency within the days a
/// weekend or a month's length moves a payment; most gaps must fit and the median gap must be
/// close to the frequency's own. Biweekly and semi-monthly gaps overlap (14 against 13–17):
/// biweekly payments fall on one weekday, the 1st and the 15th do not.
fn cadence(dates: &[NaiveDate]) -> Option<Frequency> {
    let mut gaps: Vec<i64> = dates
        .windows(2)
        .filter_map(|pair| match pair {
            [a, b] => Some((*b - *a).num_days()),
            _ => None,
        })
        .collect();
    let fits = |low: i64, high: i64| {
        let fitting = gaps
            .iter()
            .filter(|gap| (low..=high).contains(*gap))
            .count();
        fitting * 100 >= gaps.len() * FITTING_SHARE_PERCENT
    };
    let weekly = fits(5, 9);
    let fortnightly = fits(10, 20);
    let monthly = fits(25, 36);
    let annual = fits(345, 385);
    gaps.sort_unstable();
    let middle = *gaps.get(gaps.len() / 2)?;
    if weekly && (6..=8).contains(&middle) {
        Some(Frequency::Weekly)
    } else if fortnightly && (13..=15).contains(&middle) && one_weekday(dates) {
        Some(Frequency::Biweekly)
    } else if fortnightly && (13..=17).contains(&middle) {
        Some(Frequency::SemiMonthly)
    } else if monthly && (27..=33).contains(&middle) {
        Some(Frequency::Monthly)
    } else if annual && (355..=375).contains(&middle) {
        Some(Frequency::Annually)
    } else {
        None
    }
}

/// Whether at least three in four dates fall on the same weekday.
fn one_weekday(dates: &[NaiveDate]) -> bool {
    let mut counts = [0usize; 7];
    for date in dates {
        if let Some(count) = counts.get_mut(index(date.weekday().num_days_from_monday())) {
            *count += 1;
        }
    }
    let most = counts.iter().max().copied().unwrap_or(0);
    most * 4 >= dates.len() * 3
}

/// The next date after the last of `dates`. Monthly payments keep their usual day of the month
/// (the most common one, so a payment a weekend moved does not move the next); semi-monthly
/// ones repeat the one before last a month on.
fn predict_next(dates: &[NaiveDate], frequency: Frequency) -> Option<NaiveDate> {
    let last = *dates.last()?;
    match frequency {
        Frequency::Weekly => last.checked_add_days(chrono::Days::new(7)),
        Frequency::Biweekly => last.checked_add_days(chrono::Days::new(14)),
        Frequency::SemiMonthly => {
            let before_last = *dates.get(dates.len().checked_sub(2)?)?;
            before_last
                .checked_add_months(Months::new(1))
                .filter(|next| *next > last)
                .or_else(|| last.checked_add_days(chrono::Days::new(15)))
        }
        Frequency::Monthly => {
            let day = usual_day_of_month(dates);
            let next_month = last.checked_add_months(Months::new(1))?;
            let next = on_day(next_month, day)?;
            // The last payment was moved into the month after its own (a Saturday the 31st
            // paid on Monday the 2nd): the next one is due in that same month.
            if (next - last).num_days() > 45 {
                on_day(last, day).filter(|date| *date > last).or(Some(next))
            } else {
                Some(next)
            }
        }
        Frequency::Annually => last.checked_add_months(Months::new(12)),
    }
}

/// The most common day of the month among `dates` (the latest wins a tie).
fn usual_day_of_month(dates: &[NaiveDate]) -> u32 {
    let mut counts = [0usize; 32];
    for date in dates {
        if let Some(count) = counts.get_mut(index(date.day())) {
            *count += 1;
        }
    }
    let latest = dates.last().map_or(1, Datelike::day);
    let latest_count = counts.get(index(latest)).copied().unwrap_or(0);
    (1..=31u32)
        .filter(|day| counts.get(index(*day)).copied().unwrap_or(0) > latest_count)
        .max_by_key(|day| counts.get(index(*day)).copied().unwrap_or(0))
        .unwrap_or(latest)
}

/// A day or weekday number as an index into a table of counts.
fn index(number: u32) -> usize {
    usize::try_from(number).unwrap_or(usize::MAX)
}

/// `day` of `month`'s month, or its last day when the month is shorter.
fn on_day(month: NaiveDate, day: u32) -> Option<NaiveDate> {
    (1..=day)
        .rev()
        .find_map(|day| NaiveDate::from_ymd_opt(month.year(), month.month(), day))
}

#[cfg(test)]
mod tests;
