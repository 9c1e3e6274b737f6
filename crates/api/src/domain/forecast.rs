//! The payments and income to come, and the balance they leave day by day: a stream's schedule
//! projected from its predicted next date.

use chrono::{Days, Months, NaiveDate};
use rust_decimal::Decimal;
use std::collections::BTreeMap;
use tally_shared::api::insights::{CashFlowPoint, CurrencyCashFlow, UpcomingPayment};
use tally_shared::api::recurring::{Direction, Frequency};
use tally_shared::FieldError;

/// The days a forecast looks ahead: `from` (today) to `to`, both inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    from: NaiveDate,
    to: NaiveDate,
}

impl Window {
    pub const DEFAULT_DAYS: i64 = 30;
    pub const MAX_DAYS: i64 = 90;

    /// `days` days from `today`, today included.
    pub fn parse(days: Option<i64>, today: NaiveDate) -> Result<Self, FieldError> {
        let days = days.unwrap_or(Self::DEFAULT_DAYS);
        let ahead = u64::try_from(days - 1)
            .ok()
            .filter(|_| days <= Self::MAX_DAYS)
            .ok_or_else(|| FieldError {
                field: "days".to_owned(),
                message: format!("A forecast covers 1 to {} days.", Self::MAX_DAYS),
            })?;
        let to = today
            .checked_add_days(Days::new(ahead))
            .ok_or_else(|| FieldError {
                field: "days".to_owned(),
                message: "The forecast would end after the year 9999.".to_owned(),
            })?;
        Ok(Self { from: today, to })
    }

    /// `from` to `to`, both included; none when `to` is before `from`.
    pub fn between(from: NaiveDate, to: NaiveDate) -> Option<Self> {
        (from <= to).then_some(Self { from, to })
    }

    pub fn from(self) -> NaiveDate {
        self.from
    }

    pub fn to(self) -> NaiveDate {
        self.to
    }

    fn days(self) -> impl Iterator<Item = NaiveDate> {
        self.from.iter_days().take_while(move |day| *day <= self.to)
    }
}

/// A stream the forecast counts: active, confirmed or mature, not dismissed, not a transfer.
#[derive(Debug, Clone)]
pub struct PredictedStream {
    pub payment: UpcomingPayment,
    /// The predicted next date (it may have passed).
    pub next_date: NaiveDate,
    /// The person confirmed it (else it counts for being mature).
    pub confirmed: bool,
}

/// Every occurrence of `streams` within `window`, by date, then money out before money in, then
/// by name. A next date already past (a late payment) counts once, on the window's first day;
/// later occurrences follow the stream's schedule from its next date.
pub fn upcoming(streams: &[PredictedStream], window: Window) -> Vec<UpcomingPayment> {
    let mut payments = Vec::new();
    for stream in streams {
        let frequency = stream.payment.frequency;
        for (step, date) in
            (0u32..).map_while(|step| Some((step, nth(stream.next_date, frequency, step)?)))
        {
            if date > window.to {
                break;
            }
            let overdue = step == 0 && date < window.from;
            if date < window.from && !overdue {
                continue;
            }
            payments.push(UpcomingPayment {
                date: date.max(window.from),
                overdue,
                ..stream.payment.clone()
            });
        }
    }
    payments.sort_by(|a, b| {
        (a.date, direction_order(a.direction), &a.name, a.stream_id).cmp(&(
            b.date,
            direction_order(b.direction),
            &b.name,
            b.stream_id,
        ))
    });
    payments
}

fn direction_order(direction: Direction) -> u8 {
    match direction {
        Direction::Outflow => 0,
        Direction::Inflow => 1,
    }
}

/// The `step`th occurrence after (0: at) `next`. Months are counted from `next`, so a bill on
/// the 31st falls on the last day of shorter months and comes back to the 31st. A semi-monthly
/// stream's other payment is taken to be 15 days after each of its dates' months.
fn nth(next: NaiveDate, frequency: Frequency, step: u32) -> Option<NaiveDate> {
    match frequency {
        Frequency::Weekly => next.checked_add_days(Days::new(7 * u64::from(step))),
        Frequency::Biweekly => next.checked_add_days(Days::new(14 * u64::from(step))),
        Frequency::SemiMonthly => next
            .checked_add_months(Months::new(step / 2))?
            .checked_add_days(Days::new(if step % 2 == 1 { 15 } else { 0 })),
        Frequency::Monthly => next.checked_add_months(Months::new(step)),
        Frequency::Annually => next.checked_add_months(Months::new(step.checked_mul(12)?)),
    }
}

/// Each currency's balance day by day over `window`: its `balances` today moved by `payments`.
/// Currencies with payments but no depository account start at zero.
pub fn cash_flow(
    balances: &[(String, Decimal)],
    payments: &[UpcomingPayment],
    window: Window,
) -> Vec<CurrencyCashFlow> {
    let mut starting: BTreeMap<&str, Decimal> = BTreeMap::new();
    for (currency, balance) in balances {
        *starting.entry(currency.as_str()).or_default() += *balance;
    }
    // Per currency and day: (inflow, outflow).
    let mut flows: BTreeMap<&str, BTreeMap<NaiveDate, (Decimal, Decimal)>> = BTreeMap::new();
    for payment in payments {
        starting.entry(payment.currency.as_str()).or_default();
        let day = flows
            .entry(payment.currency.as_str())
            .or_default()
            .entry(payment.date)
            .or_default();
        match payment.direction {
            Direction::Inflow => day.0 += payment.amount,
            Direction::Outflow => day.1 += payment.amount,
        }
    }
    starting
        .into_iter()
        .map(|(currency, starting_balance)| {
            let days = flows.get(currency);
            let mut balance = starting_balance;
            let mut lowest = (None::<Decimal>, window.from);
            let points = window
                .days()
                .map(|date| {
                    let (inflow, outflow) = days
                        .and_then(|days| days.get(&date))
                        .copied()
                        .unwrap_or_default();
                    balance += inflow - outflow;
                    if lowest.0.is_none_or(|low| balance < low) {
                        lowest = (Some(balance), date);
                    }
                    CashFlowPoint {
                        date,
                        inflow,
                        outflow,
                        balance,
                    }
                })
                .collect();
            CurrencyCashFlow {
                currency: currency.to_owned(),
                starting_balance,
                points,
                lowest_balance: lowest.0.unwrap_or(starting_balance),
                lowest_date: lowest.1,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests;
