//! Budgets: months, plans, and a month's figures worked out from a category's plan versions
//! and its net spending per month. Pure: the database gives the versions and the spending, and
//! everything here can be checked by hand.
//!
//! A category's plan in a month is its latest version from that month or before (none when that
//! version ends the budget). What a month has available is its plan plus what the month before
//! carries in: when the month before had a plan with rollover in the same currency, all of its
//! remainder carries, positive (left over) or negative (overspent); nothing is dropped. A budget
//! on a primary category covers the categories under it.

use chrono::{Datelike, Months, NaiveDate};
use rust_decimal::Decimal;
use std::collections::HashMap;
use std::fmt;
use tally_shared::api::budgets::BudgetStatus;
use tally_shared::ids::CategoryId;
use tally_shared::{CurrencyCode, FieldError};

/// A calendar month, held as its first day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Month(NaiveDate);

impl Month {
    /// `YYYY-MM`, between the years 1900 and 9999.
    pub fn parse(field: &str, text: &str) -> Result<Self, FieldError> {
        let invalid = || FieldError {
            field: field.to_owned(),
            message: format!("{text:?} is not a month; write it as YYYY-MM, e.g. 2026-03."),
        };
        let (year, month) = text.trim().split_once('-').ok_or_else(invalid)?;
        if year.len() != 4 || month.len() != 2 {
            return Err(invalid());
        }
        let (year, month) = (
            year.parse::<i32>().map_err(|_| invalid())?,
            month.parse::<u32>().map_err(|_| invalid())?,
        );
        if !(1900..=9999).contains(&year) {
            return Err(FieldError {
                field: field.to_owned(),
                message: "Months are between the years 1900 and 9999.".to_owned(),
            });
        }
        NaiveDate::from_ymd_opt(year, month, 1)
            .map(Self)
            .ok_or_else(invalid)
    }

    pub fn of(day: NaiveDate) -> Self {
        Self(day.with_day(1).unwrap_or(day))
    }

    pub fn first_day(self) -> NaiveDate {
        self.0
    }

    pub fn last_day(self) -> NaiveDate {
        self.next().0.pred_opt().unwrap_or(self.0)
    }

    pub fn next(self) -> Self {
        Self(self.0.checked_add_months(Months::new(1)).unwrap_or(self.0))
    }

    pub fn previous(self) -> Self {
        Self(self.0.checked_sub_months(Months::new(1)).unwrap_or(self.0))
    }

    /// `count` months ending with this one, oldest first.
    pub fn ending_here(self, count: u32) -> Vec<Self> {
        let first = Self(
            self.0
                .checked_sub_months(Months::new(count.saturating_sub(1)))
                .unwrap_or(self.0),
        );
        std::iter::successors(Some(first), |m| (*m < self).then(|| m.next())).collect()
    }

    /// Days of the month from `today` on, today included: all of them for a month ahead, none
    /// for a month past.
    pub fn days_left(self, today: NaiveDate) -> u32 {
        if today < self.first_day() {
            self.last_day().day()
        } else if today > self.last_day() {
            0
        } else {
            self.last_day().day() - today.day() + 1
        }
    }
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.0.year(), self.0.month())
    }
}

/// What a person plans for a category each month.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    pub amount: Decimal,
    pub currency: String,
    pub rollover: bool,
}

impl Plan {
    /// A budget as a person enters it: an amount of zero or more with at most four digits after
    /// the point (below 10^15), in a currency ISO 4217 knows.
    pub fn parse(amount: &str, currency: &str, rollover: bool) -> Result<Self, Vec<FieldError>> {
        let amount_error = |message: String| FieldError {
            field: "amount".to_owned(),
            message,
        };
        // The same digits as an asset's value; the sign is told in a budget's words.
        let amount = if amount.trim().starts_with('-') {
            Err(amount_error(
                "A budget cannot be negative: plan zero or more.".to_owned(),
            ))
        } else {
            super::AssetValue::parse(amount).map_err(amount_error)
        };
        let currency = currency.trim();
        let currency = CurrencyCode::parse(currency)
            .ok()
            .filter(|code| iso_currency::Currency::from_code(code.as_str()).is_some())
            .ok_or_else(|| FieldError {
                field: "currency".to_owned(),
                message: format!(
                    "{currency:?} is not an ISO 4217 currency code such as USD or EUR."
                ),
            });
        match (amount, currency) {
            (Ok(amount), Ok(currency)) => Ok(Self {
                amount: amount.amount(),
                currency: currency.as_str().to_owned(),
                rollover,
            }),
            (amount, currency) => Err([amount.err(), currency.err()]
                .into_iter()
                .flatten()
                .collect()),
        }
    }
}

/// One stored version: `plan` from `from` until the category's next version (none ends it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Version {
    pub category_id: CategoryId,
    pub from: Month,
    pub plan: Option<Plan>,
}

/// A category's versions, oldest first.
#[derive(Debug, Clone, Default)]
pub struct Versions(Vec<Version>);

impl Versions {
    /// Groups `versions` by category, each oldest first.
    pub fn by_category(versions: Vec<Version>) -> HashMap<CategoryId, Versions> {
        let mut grouped: HashMap<CategoryId, Versions> = HashMap::new();
        for version in versions {
            grouped
                .entry(version.category_id)
                .or_default()
                .0
                .push(version);
        }
        for versions in grouped.values_mut() {
            versions.0.sort_by_key(|v| v.from);
        }
        grouped
    }

    /// The plan in force in `month`, and the month it took effect.
    pub fn plan_in(&self, month: Month) -> Option<(&Plan, Month)> {
        let version = self.0.iter().rev().find(|v| v.from <= month)?;
        version.plan.as_ref().map(|plan| (plan, version.from))
    }

    /// Whether the category has a budget in `month` or any month after it.
    pub fn has_plan_from(&self, month: Month) -> bool {
        self.plan_in(month).is_some() || self.0.iter().any(|v| v.from > month && v.plan.is_some())
    }

    /// The currency of the latest version that has a plan.
    pub fn latest_currency(&self) -> Option<String> {
        self.0
            .iter()
            .rev()
            .find_map(|v| v.plan.as_ref().map(|p| p.currency.clone()))
    }

    /// The first month whose remainder can reach `month` through rollover: walking back while
    /// the month before has a plan with rollover in the same currency.
    pub fn chain_start(&self, month: Month) -> Month {
        let Some((plan, _)) = self.plan_in(month) else {
            return month;
        };
        let earliest = self.0.first().map_or(month, |v| v.from);
        let mut start = month;
        while start > earliest {
            match self.plan_in(start.previous()) {
                Some((before, _)) if before.rollover && before.currency == plan.currency => {
                    start = start.previous();
                }
                _ => break,
            }
        }
        start
    }
}

/// One month of a budget, before it is named.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MonthFigures {
    pub plan: Plan,
    pub since: Month,
    pub rolled_over: Decimal,
    pub available: Decimal,
    pub spent: Decimal,
}

impl MonthFigures {
    pub fn remaining(&self) -> Decimal {
        self.available - self.spent
    }

    pub fn percent_used(&self) -> Option<Decimal> {
        percent_used(self.spent, self.available)
    }

    pub fn status(&self) -> BudgetStatus {
        status(self.spent, self.available)
    }
}

/// `spent / available` in percent, one decimal; none when nothing is available.
pub fn percent_used(spent: Decimal, available: Decimal) -> Option<Decimal> {
    (available > Decimal::ZERO).then(|| (spent * Decimal::ONE_HUNDRED / available).round_dp(1))
}

/// Over from 100% used, near from 80%; with nothing available, over as soon as anything is
/// spent or overspending carried in leaves less than nothing.
pub fn status(spent: Decimal, available: Decimal) -> BudgetStatus {
    if available <= Decimal::ZERO {
        return if spent > Decimal::ZERO || available < Decimal::ZERO {
            BudgetStatus::Over
        } else {
            BudgetStatus::OnTrack
        };
    }
    if spent >= available {
        BudgetStatus::Over
    } else if spent * Decimal::from(100) >= available * Decimal::from(80) {
        BudgetStatus::Near
    } else {
        BudgetStatus::OnTrack
    }
}

/// Each month from `versions.chain_start(last)` to `last` with a plan, with what it carried in;
/// `spent(month, currency)` is the budget's net spending. Months without a plan are left out.
pub fn figures(
    versions: &Versions,
    months: &[Month],
    spent: impl Fn(Month, &str) -> Decimal,
) -> Vec<(Month, MonthFigures)> {
    let mut out: Vec<(Month, MonthFigures)> = Vec::new();
    let mut carry: Option<(String, Decimal)> = None;
    for &month in months {
        let Some((plan, since)) = versions.plan_in(month) else {
            carry = None;
            continue;
        };
        let rolled_over = match &carry {
            Some((currency, remainder)) if *currency == plan.currency => *remainder,
            _ => Decimal::ZERO,
        };
        let figures = MonthFigures {
            plan: plan.clone(),
            since,
            rolled_over,
            available: plan.amount + rolled_over,
            spent: spent(month, &plan.currency),
        };
        carry = plan
            .rollover
            .then(|| (plan.currency.clone(), figures.remaining()));
        out.push((month, figures));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;
    use uuid::Uuid;

    fn dec(text: &str) -> Decimal {
        Decimal::from_str(text).unwrap()
    }

    fn month(text: &str) -> Month {
        Month::parse("month", text).unwrap()
    }

    fn plan(amount: Decimal, rollover: bool) -> Option<Plan> {
        Some(Plan {
            amount,
            currency: "USD".to_owned(),
            rollover,
        })
    }

    fn versions(list: &[(&str, Option<Plan>)]) -> Versions {
        let category_id = CategoryId(Uuid::nil());
        let all = list
            .iter()
            .map(|(from, plan)| Version {
                category_id,
                from: month(from),
                plan: plan.clone(),
            })
            .collect();
        Versions::by_category(all).remove(&category_id).unwrap()
    }

    #[test]
    fn months_parse_and_count_days() {
        assert_eq!(month("2026-02").to_string(), "2026-02");
        assert_eq!(month("2024-02").last_day().day(), 29);
        assert_eq!(month("2026-12").next(), month("2027-01"));
        assert_eq!(month("2026-01").previous(), month("2025-12"));
        for bad in [
            "2026-13", "2026-1", "26-01", "2026/01", "", "1850-01", "2026-00",
        ] {
            assert!(Month::parse("month", bad).is_err(), "{bad}");
        }
        let today = "2026-03-10".parse().unwrap();
        assert_eq!(month("2026-03").days_left(today), 22);
        assert_eq!(month("2026-04").days_left(today), 30);
        assert_eq!(month("2026-02").days_left(today), 0);
        assert_eq!(
            month("2026-02").ending_here(3),
            vec![month("2025-12"), month("2026-01"), month("2026-02")]
        );
    }

    #[test]
    fn plans_accept_known_currencies_and_amounts_of_zero_or_more() {
        assert_eq!(
            Plan::parse("400.50", "EUR", true).unwrap().amount,
            dec("400.50")
        );
        assert!(Plan::parse("0", "USD", false).is_ok());
        let errors = Plan::parse("-5", "XYZ", false).unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["amount", "currency"]);
        assert!(Plan::parse("12", "usd", false).is_err());
        assert!(Plan::parse("ten", "USD", false).is_err());
    }

    #[test]
    fn leftovers_and_overspending_both_roll_over() {
        // Jan: 100 budgeted, 70 spent: 30 carries. Feb: 130 available, 150 spent: -20 carries.
        // Mar: 80 available.
        let v = versions(&[("2026-01", plan(dec("100"), true))]);
        let spent = |m: Month, _: &str| match m.to_string().as_str() {
            "2026-01" => dec("70"),
            "2026-02" => dec("150"),
            _ => dec("5"),
        };
        let months = month("2026-03").ending_here(3);
        assert_eq!(v.chain_start(month("2026-03")), month("2026-01"));
        let f = figures(&v, &months, spent);
        let got: Vec<_> = f
            .iter()
            .map(|(_, f)| (f.rolled_over, f.available, f.spent, f.remaining()))
            .collect();
        assert_eq!(
            got,
            [
                (dec("0"), dec("100"), dec("70"), dec("30")),
                (dec("30"), dec("130"), dec("150"), dec("-20")),
                (dec("-20"), dec("80"), dec("5"), dec("75")),
            ]
        );
    }

    #[test]
    fn a_month_without_rollover_or_plan_breaks_the_chain() {
        let v = versions(&[
            ("2026-01", plan(dec("100"), true)),
            ("2026-02", plan(dec("100"), false)),
            ("2026-03", plan(dec("100"), true)),
            ("2026-05", None),
            ("2026-06", plan(dec("50"), true)),
        ]);
        assert_eq!(v.chain_start(month("2026-02")), month("2026-01"));
        assert_eq!(v.chain_start(month("2026-03")), month("2026-03"));
        assert_eq!(v.chain_start(month("2026-06")), month("2026-06"));
        assert!(v.plan_in(month("2026-05")).is_none());
        assert!(v.plan_in(month("2025-12")).is_none());
        let f = figures(&v, &month("2026-07").ending_here(7), |_, _| dec("10"));
        let months: Vec<_> = f
            .iter()
            .map(|(m, f)| (m.to_string(), f.rolled_over))
            .collect();
        assert_eq!(
            months,
            [
                ("2026-01".to_owned(), dec("0")),
                ("2026-02".to_owned(), dec("90")),
                ("2026-03".to_owned(), dec("0")),
                ("2026-04".to_owned(), dec("90")),
                ("2026-06".to_owned(), dec("0")),
                ("2026-07".to_owned(), dec("40")),
            ]
        );
    }

    #[test]
    fn statuses_follow_the_share_used() {
        assert_eq!(status(dec("79.99"), dec("100")), BudgetStatus::OnTrack);
        assert_eq!(status(dec("80"), dec("100")), BudgetStatus::Near);
        assert_eq!(status(dec("100"), dec("100")), BudgetStatus::Over);
        assert_eq!(status(dec("0"), dec("0")), BudgetStatus::OnTrack);
        assert_eq!(status(dec("1"), dec("0")), BudgetStatus::Over);
        assert_eq!(status(dec("0"), dec("-5")), BudgetStatus::Over);
        assert_eq!(percent_used(dec("1"), dec("3")), Some(dec("33.3")));
        assert_eq!(percent_used(dec("1"), dec("0")), None);
    }
}
